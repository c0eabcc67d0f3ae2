"""Personal FSRS parameters from the fan's own answers: `reelive-quiz optimize`.

The fit is Anki's "Optimize", with Anki's engine: fsrs-rs, through
`fsrs_rs_python` (imported here only, by the one command that needs it). The
answer log becomes FSRS items as Anki builds them: a question's answers in time
order, each with the study days since the one before (4 a.m. rule, so the same
day's learning steps count 0); one item per answer given on a later study day,
holding the history up to it. The new set is compared with the set in use on the
same items by time-series splits (each later fifth predicted from what came
before it, as the engine's own health check does), and adopted only if it
predicts better. Adopting, resetting or stepping back recomputes every card's
memory state from its history; due dates move only on `--reschedule`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import fsrs_rs_python as engine

from reelive_quiz.errors import ReeliveError
from reelive_quiz.fsrs_records import MemoryUpdate, ParameterSet
from reelive_quiz.schedule import interval_days
from reelive_quiz.store import Store

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

__all__ = ["MIN_ITEMS", "Change", "Fit", "Metrics", "card_reviews", "change", "optimize"]

#: The engine fits all 21 parameters from 64 usable reviews; from 8 only the four
#: initial stabilities, below 8 nothing (it then returns the defaults, silently).
MIN_ITEMS = 64
#: The most reviews the fit reads; a bigger log is sampled by question (all of a
#: question's reviews or none). Fitting takes ~8 µs and ~0.5 KB a review: a
#: million would take 30 s and 800 MB with the evaluation. Measured on the
#: benchmark store (940,457 items): the sample's fit predicts all of them within
#: 0.0001 log loss of the fit on all of them (0.43516 against 0.43504).
MAX_ITEMS = 100_000
#: From this many answers (by id) the log is scanned by two processes, half each:
#: a second process costs ~0.1 s to start and the join ~0.1 s a million answers.
SPLIT_ANSWERS = 200_000
#: Time-series splits, as in the engine's `evaluate_with_time_series_splits`.
SPLITS = 5


def _defaults() -> tuple[float, ...]:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return tuple(DEFAULT_PARAMETERS)


def clean(raw: Sequence[float]) -> tuple[float, ...]:
    """The engine's f32 values rounded, and held in `fsrs.Scheduler`'s bounds.

    A value at a bound comes back as e.g. 0.800000011920929, which the
    scheduler refuses; four decimals are finer than any fit is sure of.
    """
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    return tuple(min(max(round(float(v), 4), low), high) for v, low, high
                 in zip(raw, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True))


@dataclass(frozen=True, slots=True)
class Metrics:
    """How well a set predicts recall: log loss (lower is better) and RMSE (bins)."""

    log_loss: float
    rmse: float


@dataclass(frozen=True, slots=True)
class Fit:
    """What `optimize` read, fitted and did."""

    answers: int  # answers that moved a card
    questions: int  # questions answered
    items: int  # answers on a later study day than the question's previous one
    usable: int  # of those read, the ones the engine keeps (outliers set aside)
    sampled: int | None  # questions read, when the log was too big to read whole
    out_of_order: int  # answers logged with an earlier time than the one before
    before: Metrics | None = None
    after: Metrics | None = None
    parameters: tuple[float, ...] | None = None
    only_initial: bool = False  # the engine fitted only the four initial stabilities
    adopted: bool = False
    saved: bool = False
    recomputed: int = 0
    rescheduled: bool = False

    @property
    def needed(self) -> int:
        """More usable reviews needed before a fit is possible (0: enough)."""
        return max(0, MIN_ITEMS - self.usable)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(self, name) for name in self.__slots__}
        for key in ("before", "after"):
            m = out[key]
            out[key] = None if m is None else {"log_loss": m.log_loss, "rmse": m.rmse}
        out["parameters"] = None if self.parameters is None else list(self.parameters)
        out["needed"] = self.needed
        return out


@dataclass(frozen=True, slots=True)
class Change:
    """What `--reset` or `--undo` did: the set now in use, or nothing to do."""

    action: str  # "reset", "undo", "nothing"
    in_use: ParameterSet | None
    recomputed: int = 0
    saved: bool = False
    rescheduled: bool = False


# -- the answer log as FSRS items ----------------------------------------------------

def card_reviews(answers: Sequence[tuple[int, int, int, int]]
                 ) -> tuple[list[tuple[int, int]], list[int], list[int], int]:
    """One question's answers (id, ts, day, rating), in the order given, as FSRS reviews:
    (rating, study days since the previous answer).

    Returns the reviews in time order (ties in the order given), the indexes of
    those that end an item (a later study day than the previous answer), their
    times, and how many answers were logged earlier than the one before them
    (the clock went back): they are taken in time order, never with a negative
    interval.
    """
    ratings, deltas, ends, times, back = _reviews(answers)
    return list(zip(ratings, deltas, strict=True)), list(ends), list(times), back


def _reviews(answers: Sequence[tuple[int, int, int, int]]
             ) -> tuple[array[int], array[int], array[int], array[int], int]:
    """`card_reviews` as machine integers: ratings, deltas, item ends, their times."""
    back = sum(1 for a, b in pairwise(answers) if b[1] < a[1])
    # the log is read in id order: unless the clock went back, that is time order
    ordered = sorted(answers, key=itemgetter(1, 0)) if back else answers
    ratings, deltas = array("b"), array("l")
    ends, times = array("l"), array("q")
    last_day = ordered[0][2] if ordered else 0
    for i, (_, ts, day, rating) in enumerate(ordered):
        delta = day - last_day if day > last_day else 0
        ratings.append(rating)
        deltas.append(delta)
        if delta:
            ends.append(i)
            times.append(ts)
            last_day = day
    return ratings, deltas, ends, times, back


def _in_sample(qid: str, fraction: float) -> bool:
    """A fixed pseudo-random sample of questions: the same log gives the same fit."""
    return fraction >= 1 or zlib.crc32(qid.encode()) < fraction * 2**32


@dataclass
class _Log:
    """The answer log as the fit and the memory states need it.

    Each answered question's reviews (rating, study days since the answer before)
    in compact columns grouped by question: question k's are
    `ratings[starts[k]:starts[k + 1]]` and the same slice of `deltas`, questions
    in the order first answered. A byte and 4 bytes an answer: 4.1 million
    answers take 20 MB, where a Python object per answer (or an array per
    question) would take hundreds.
    """

    questions: list[str]
    starts: array[int]  # "q": len(questions) + 1 bounds
    ratings: array[int]  # "b"
    deltas: array[int]  # "i": study days are date ordinals (< 2**31)
    items: list[Any] = field(default_factory=list)  # FSRSItems to fit, oldest first
    answers: int = 0
    item_count: int = 0
    out_of_order: int = 0
    sampled: int | None = None

    def reviews(self, k: int) -> tuple[array[int], array[int]]:
        """Question k's ratings and study days since the answer before, in time order."""
        start, end = self.starts[k], self.starts[k + 1]
        return self.ratings[start:end], self.deltas[start:end]


@dataclass(frozen=True, slots=True)
class _Part:
    """A scan of the answers after some id, as the second process sends it: arrays and
    one blob of question ids, written to the pipe as they lie in memory (pickling
    246,000 questions and tuples took 130 MB more in each process)."""

    questions: list[bytes]
    owner: array[int]
    ratings: array[int]
    deltas: array[int]
    last_ts: array[int]
    last_day: array[int]
    firsts: array[int]
    back: dict[int, int]
    redo: set[int]

    def send(self, pipe: Connection) -> None:
        lengths = array("q", map(len, self.questions))
        pipe.send((len(self.questions), self.back, self.redo))
        for column in (lengths, self.owner, self.ratings, self.deltas, self.last_ts,
                       self.last_day, self.firsts):
            pipe.send_bytes(column)
        pipe.send_bytes(b"".join(self.questions))

    @classmethod
    def receive(cls, pipe: Connection) -> _Part:
        count, back, redo = pipe.recv()
        columns = []
        for code in "qibiqqq":
            column = array(code)
            column.frombytes(pipe.recv_bytes())
            columns.append(column)
        lengths, *rest = columns
        blob = pipe.recv_bytes()
        if len(lengths) != count or sum(lengths) != len(blob):
            raise ValueError("a part of the log came back incomplete")
        ends = list(accumulate(lengths))
        questions = [blob[end - n: end] for n, end in zip(lengths, ends, strict=True)]
        return cls(questions, *rest, back, redo)


@dataclass
class _Scan:
    """One pass over the log in the order given: per answer its question's number,
    rating and study days since the question's previous answer. Computed as
    `_reviews` does, which is right unless a question's clock went back (`back`):
    those are read again and redone.

    Questions are keys as SQLite's bytes (no UTF-8 decoding per answer: ~0.3 s of
    4.1 million), decoded once each at the end. The per-question state is in lists,
    not arrays: an array boxes an int at every read (~25 % of the loop).
    """

    index: dict[bytes, int] = field(default_factory=dict)
    questions: list[bytes] = field(default_factory=list)
    owner: array[int] = field(default_factory=lambda: array("i"))  # per answer
    ratings: array[int] = field(default_factory=lambda: array("b"))
    deltas: array[int] = field(default_factory=lambda: array("i"))
    back: dict[int, int] = field(default_factory=dict)  # question -> answers timed earlier
    last_ts: list[int] = field(default_factory=list)  # per question
    last_day: list[int] = field(default_factory=list)
    #: per question, its first answer here (ts, day, index), flat: kept by the
    #: second process's part, whose first answers follow answers this one read
    firsts: array[int] | None = None
    redo: set[int] = field(default_factory=set)  # questions to read again (and `back`'s)

    def add(self, rows: Iterable[tuple[bytes, int, int, int]]) -> None:
        """(question, ts, day, rating) rows, in id order. The hot loop: ~0.5 µs an answer
        (4.1 million answers: ~2.5 s), on top of SQLite's reading them. Counts and
        items per question are left to `grouped`, which counts them in C."""
        index, questions, back = self.index, self.questions, self.back
        owner, ratings, deltas = self.owner.append, self.ratings.append, self.deltas.append
        last_ts, last_day, firsts = self.last_ts, self.last_day, self.firsts
        lookup = index.get
        for question, ts, day, rating in rows:
            k = lookup(question)
            if k is None:  # its first answer
                k = index[question] = len(questions)
                questions.append(question)
                if firsts is not None:
                    firsts.extend((ts, day, len(self.owner)))
                last_ts.append(ts)
                last_day.append(day)
                owner(k)
                ratings(rating)
                deltas(0)
                continue
            if ts < last_ts[k]:
                back[k] = back.get(k, 0) + 1
            last_ts[k] = ts
            delta = day - last_day[k]
            if delta > 0:
                last_day[k] = day
                deltas(delta)
            else:
                deltas(0)
            owner(k)
            ratings(rating)

    def part(self) -> _Part:
        """What `follow` needs of this scan (one of the answers after another's)."""
        assert self.firsts is not None
        return _Part(self.questions, self.owner, self.ratings, self.deltas,
                     array("q", self.last_ts), array("q", self.last_day), self.firsts,
                     self.back, self.redo)

    def follow(self, part: _Part) -> None:
        """Append `part`, the scan of the answers logged after these ones.

        Its questions are renumbered as this scan numbers them. A question's first
        answer in `part` was read as a first answer: its study days since the one
        before, and whether its clock went back, are taken from where this scan
        left the question. If the question's last study day here is later than
        that answer's, `part` counted its days from the wrong one: read again.
        """
        index, questions, back = self.index, self.questions, self.back
        last_ts, last_day, deltas, firsts = self.last_ts, self.last_day, part.deltas, part.firsts
        renumber: list[int] = []
        for j, question in enumerate(part.questions):
            ts, day, at = firsts[3 * j: 3 * j + 3]
            k = index.get(question)
            if k is None:
                k = index[question] = len(questions)
                questions.append(question)
                last_ts.append(part.last_ts[j])
                last_day.append(part.last_day[j])
            else:
                if ts < last_ts[k]:
                    back[k] = back.get(k, 0) + 1
                delta = day - last_day[k]
                if delta > 0:
                    deltas[at] = delta
                elif delta < 0:
                    self.redo.add(k)
                last_ts[k] = part.last_ts[j]
                last_day[k] = max(last_day[k], part.last_day[j])
            renumber.append(k)
        for j, n in part.back.items():
            back[renumber[j]] = back.get(renumber[j], 0) + n
        self.redo.update(renumber[j] for j in part.redo)
        self.owner.extend(array("i", map(renumber.__getitem__, part.owner)))
        self.ratings.extend(part.ratings)
        self.deltas.extend(deltas)

    def grouped(self) -> tuple[_Log, array[int]]:
        """The columns regrouped by question (a counting sort), and each question's
        items (answers on a later study day: a delta above 0). The scan is over: its
        lookups are freed first, to make room."""
        self.index.clear()
        self.last_ts.clear()
        self.last_day.clear()
        counts = Counter(self.owner)
        starts = list(accumulate(map(counts.__getitem__, range(len(self.questions))),
                                 initial=0))
        del counts
        n = starts[-1]
        ratings, deltas = array("b", bytes(n)), array("i", bytes(4 * n))
        slot = starts.copy()  # a list: no boxing at each read
        for k, rating, delta in zip(self.owner, self.ratings, self.deltas, strict=True):
            p = slot[k]
            ratings[p] = rating
            deltas[p] = delta
            slot[k] = p + 1
        del slot, self.owner[:], self.ratings[:], self.deltas[:]
        ends = array("i", [end - start - deltas[start:end].count(0)
                           for start, end in pairwise(starts)])
        questions = [q.decode() for q in self.questions]
        return (_Log(questions, array("q", starts), ratings, deltas, answers=n,
                     out_of_order=sum(self.back.values())), ends)


def _scan(store: Store, until: int, split: int | None = None) -> _Scan:
    """The log up to answer id `until` scanned; a big one by two processes at once.

    Reading an answer costs ~1.2 µs, SQLite's part and the loop's about equally:
    ~5 s of 4.1 million, a third of `optimize`. With two cores, a fork reads the
    answers after id `split` (the newer half; on its own connection) while this
    process reads the older ones; the halves are then joined (`follow`, ~0.2 s at
    4.1 million). If the fork fails or dies, this process reads its half too: the
    result is the same either way (tested).
    """
    if split is None:
        split = until // 2 if until >= SPLIT_ANSWERS and _two_cores() else until
    newer = _Fork(store, split, until) if split < until else None
    scan = _Scan()
    try:
        for rows in store.answer_log(split):
            scan.add(rows)
        part = newer.result() if newer is not None else None
    finally:
        if newer is not None:
            newer.close()
    if newer is not None:
        if part is None:  # the fork failed: read its half here
            here = _Scan(firsts=array("q"))
            for rows in store.answer_log(until, after=split):
                here.add(rows)
            part = here.part()
            del here
        scan.follow(part)
    return scan


def _two_cores() -> bool:
    return sys.platform == "linux" and (os.cpu_count() or 1) >= 2


class _Fork:
    """A second process scanning the answers after id `after` up to `until`."""

    def __init__(self, store: Store, after: int, until: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.reader, writer = context.Pipe(duplex=False)
        self.process = context.Process(target=_scan_apart, daemon=True,
                                       args=(store, after, until, writer, self.reader))
        self.process.start()
        writer.close()  # the child's end: its death is then EOF here

    def result(self) -> _Part | None:
        """Its scan, or None if it failed or died."""
        try:
            if not self.reader.recv():
                return None
            return _Part.receive(self.reader)
        except (EOFError, OSError, ValueError):
            return None

    def close(self) -> None:
        self.reader.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _scan_apart(store: Store, after: int, until: int, writer: Connection,
                reader: Connection) -> None:
    """The second process: scan, send the scan (or None), end. It ignores Ctrl-C (the
    first process ends it) and writes nothing. It reads on a connection of its own
    and never touches the first process's (a SQLite connection must not cross a
    fork); multiprocessing ends it with `os._exit`, so that one is not closed here
    either."""
    from reelive_quiz.parallel import second_process_start

    reader.close()
    second_process_start()
    scan = _Scan(firsts=array("q"))
    try:
        for rows in store.answer_log_apart(after, until):
            scan.add(rows)
        scan.index.clear()  # not needed there: questions go in their order
        part = scan.part()
        scan.last_ts.clear()
        scan.last_day.clear()
    except Exception:
        part = None  # read again by the first process, which reports what failed
    with contextlib.suppress(OSError):
        writer.send(part is not None)
        if part is not None:
            part.send(writer)
    writer.close()


def read_log(store: Store, until: int, *, fit: bool = True) -> _Log:
    """Every question's reviews (up to answer id `until`), and the FSRS items to fit on.

    One pass over the log keeps each answer as a rating and a day count; how
    many items there are decides the sample, and only the sampled questions'
    answers are read again (by question) to make FSRS items: a 4.1-million
    answer log is never held whole as rows or objects.
    """
    scan = _scan(store, until)
    (log, ends), redo = scan.grouped(), sorted(scan.redo.union(scan.back))
    del scan  # its per-answer columns, now grouped in `log`
    # a clock that went back: time order is not log order, redo those questions
    again = [log.questions[k] for k in redo]
    for k, (_, answers) in zip(redo, store.answers_of(again, until), strict=True):
        ratings, deltas, item_ends, _, _ = _reviews(answers)
        start, end = log.starts[k], log.starts[k + 1]
        if len(ratings) != end - start:
            raise ReeliveError("the answer log changed while it was read: run it again")
        log.ratings[start:end], log.deltas[start:end] = ratings, array("i", deltas)
        ends[k] = len(item_ends)
    log.item_count = sum(ends)
    if not fit:
        return log
    fraction = min(1.0, MAX_ITEMS / max(1, log.item_count))
    sampled = [qid for qid, n in zip(log.questions, ends, strict=True)
               if n and _in_sample(qid, fraction)]
    timed: list[tuple[int, Any]] = []
    for _, answers in store.answers_of(sampled, until):
        ratings, deltas, item_ends, times, _ = _reviews(answers)
        made = [engine.FSRSReview(r, d) for r, d in zip(ratings, deltas, strict=True)]
        timed.extend((ts, engine.FSRSItem(made[: i + 1]))
                     for i, ts in zip(item_ends, times, strict=True))
    timed.sort(key=itemgetter(0))  # the engine weighs recent reviews more: oldest first
    log.items = [item for _, item in timed]
    if fraction < 1:
        log.sampled = len(sampled)
    return log


def usable(items: Sequence[Any]) -> int:
    """The items the engine trains on: its outlier filter, applied as it applies it."""
    if not items:
        return 0
    first = [i for i in items if i.long_term_review_cnt() == 1]
    rest = [i for i in items if i.long_term_review_cnt() != 1]
    kept_first, kept_rest = engine.filter_outlier(first, rest)
    return len(kept_first) + len(kept_rest)


# -- fitting and judging -----------------------------------------------------------

def fit(items: Sequence[Any]) -> tuple[float, ...]:
    try:
        raw = engine.FSRS(list(_defaults())).compute_parameters(list(items))
    except (ValueError, RuntimeError) as exc:
        raise ReeliveError(f"the FSRS engine could not fit your answers: {exc}") from None
    return clean(raw)


def _metrics(parameters: Sequence[float], items: Sequence[Any]) -> tuple[float, float]:
    result = engine.FSRS(list(parameters)).evaluate(list(items))
    return float(result.log_loss), float(result.rmse_bins)


def compare(items: Sequence[Any], current: Sequence[float]) -> tuple[Metrics, Metrics]:
    """(set in use, fitted) on time-series splits: each later part predicted by a
    set fitted on the items before it only, against the set in use."""
    n = len(items)
    size = n // (SPLITS + 1)
    if size == 0:
        raise ReeliveError(f"too few reviews to compare parameters ({n})")
    sums = [0.0, 0.0, 0.0, 0.0]
    for split in range(SPLITS):
        start = (split + 1) * size
        end = n if split == SPLITS - 1 else start + size
        test = items[start:end]
        trained = fit(items[:start])
        for k, params in enumerate((current, trained)):
            log_loss, rmse = _metrics(params, test)
            sums[2 * k] += log_loss * len(test)
            sums[2 * k + 1] += rmse * len(test)
    total = n - size
    return (Metrics(sums[0] / total, sums[1] / total),
            Metrics(sums[2] / total, sums[3] / total))


def _updates(log: _Log, parameters: Sequence[float], retention: float, reschedule: bool,
             chunk: int = 10_000) -> Iterator[MemoryUpdate]:
    """Every answered card's memory state from its whole history, under `parameters`
    (a chunk of cards at a time: their FSRS objects never all exist at once)."""
    model = engine.FSRS(list(parameters))
    review, item = engine.FSRSReview, engine.FSRSItem
    for start in range(0, len(log.questions), chunk):
        part = range(start, min(start + chunk, len(log.questions)))
        states = model.memory_state_batch(
            [item(list(map(review, *log.reviews(k)))) for k in part])
        for k, state in zip(part, states, strict=True):
            stability = max(float(state.stability), 0.001)
            difficulty = min(max(float(state.difficulty), 1.0), 10.0)
            yield MemoryUpdate(log.questions[k], stability, difficulty,
                               interval_days(stability, retention, parameters)
                               if reschedule else None)


# -- the commands ------------------------------------------------------------------

def optimize(store: Store, retention: float, when: int, *, dry_run: bool = False,
             reschedule: bool = False) -> Fit:
    """Fit, compare with the set in use, adopt the new set only if it predicts better."""
    until = store.last_answer_id()
    in_use = store.parameters_in_use()
    current = in_use.parameters if in_use and in_use.parameters else _defaults()
    log = read_log(store, until)
    mark = (log.answers, until)  # what `log_mark` counts, counted by the reading
    kept = usable(log.items)
    report = Fit(log.answers, len(log.questions), log.item_count, kept, log.sampled,
                 log.out_of_order)
    if kept < MIN_ITEMS:
        return report
    fitted = fit(log.items)
    defaults = _defaults()
    if all(abs(a - b) < 1e-4 for a, b in zip(fitted, defaults, strict=True)):
        return report  # the engine gave back its defaults: no personal fit to show
    only_initial = all(abs(a - b) < 1e-4 for a, b in
                       zip(fitted[4:], defaults[4:], strict=True))
    before, after = compare(log.items, current)
    adopted = after.log_loss < before.log_loss
    report = Fit(log.answers, len(log.questions), log.item_count, kept, log.sampled,
                 log.out_of_order, before, after, fitted, only_initial, adopted)
    if not adopted or dry_run:
        return report
    log.items = []  # fitted and judged: free them before the memory states
    new = ParameterSet(0, when, fitted, kept, after.log_loss, after.rmse, before.log_loss,
                       before.rmse)
    store.change_parameters(adopt=new, retire=None, log_mark=mark, when=when,
                            updates=_updates(log, fitted, retention, reschedule))
    return Fit(log.answers, len(log.questions), log.item_count, kept, log.sampled,
               log.out_of_order, before, after, fitted, only_initial, adopted, True,
               len(log.questions), reschedule)


def change(store: Store, action: str, retention: float, when: int, *,
           dry_run: bool = False, reschedule: bool = False) -> Change:
    """`reset` (back to the defaults) or `undo` (back to the set in use before)."""
    in_use = store.parameters_in_use()
    if action == "reset":
        if in_use is None or in_use.parameters is None:
            return Change("nothing", in_use)
        after = ParameterSet(0, when, None)
        adopt, retire = after, None
    elif action == "undo":
        if in_use is None:
            return Change("nothing", None)
        earlier = [s for s in store.parameter_sets() if s.retired is None and s.id < in_use.id]
        after = earlier[-1] if earlier else None
        adopt, retire = None, in_use.id
    else:
        raise ValueError(action)
    if dry_run:
        return Change(action, after)
    until = store.last_answer_id()
    log = read_log(store, until, fit=False)
    mark = (log.answers, until)
    target = after.parameters if after and after.parameters else _defaults()
    new_id = store.change_parameters(adopt=adopt, retire=retire, log_mark=mark, when=when,
                                     updates=_updates(log, target, retention, reschedule))
    if adopt is not None and new_id is not None:
        after = store.parameters_in_use()
    return Change(action, after, len(log.questions), True, reschedule)
