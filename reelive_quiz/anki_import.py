"""Anki → progress: reviews done in Anki come back into the answer log.

A package exported from Anki with scheduling (`.apkg` or `.colpkg`) is read
without the `anki` package (AGPL, 10.8 MB): it is a zip holding an SQLite
collection, in one of Anki's three layouts (`rslib/src/import_export/package/
meta.rs`): a `meta` member (protobuf: field 1, the version) names
`collection.anki21b` (version 3, zstd-compressed, Anki 2.1.50+; a legacy stub
sits beside it); without `meta`, `collection.anki21` (2) or `collection.anki2` (1).

Notes whose GUID is one of our question ids (`anki.note_guid`) are ours; their
answers (revlog types 0–2, ease 1–4) merge into the answer log, keyed by
question, second and rating, so our own answers exported with `--with-progress` are
recognised and a second import adds nothing. Manual reschedules, filtered-deck
and cram entries (types 3–5, ease 0) are not answers. A collection still on
Anki's v1 scheduler (no `schedVer` 2) logs a learning Easy as 3 and Good as 2;
Anki itself adds 1 to those when it upgrades, and so do we.

Everything in the file is hostile: a member claiming a huge size is refused
before anything is read, decompression stops at the same limit, a collection
that SQLite finds damaged is refused, and nothing touches the progress file
until the whole package has been read; then one transaction merges it all.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from reelive_quiz.clock import day_number
from reelive_quiz.config import Config
from reelive_quiz.errors import PackageError
from reelive_quiz.store import Review, Store

__all__ = ["MAX_COLLECTION_BYTES", "AnkiLog", "MergeSummary", "import_anki", "read_package"]

#: The largest collection we unpack (a collection with years of reviews is ~300 MB).
MAX_COLLECTION_BYTES = 2 << 30
_COLLECTIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
#: Anki's collection schema versions it can open (rslib/src/storage/upgrades/mod.rs).
_SCHEMAS = range(11, 19)
_ANSWER_TYPES = (0, 1, 2)  # learning, review, relearning; 3-5 are filtered, manual, resched.
_LEARNING_TYPES = (0, 2)
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class AnkiLog:
    """What a package holds for us: each note's GUID, and the answers by GUID."""

    guids: frozenset[str]
    answers: dict[str, list[tuple[int, int, int]]]  # guid -> [(ms, ease, ms taken)]
    revlog_rows: int


@dataclass(frozen=True, slots=True)
class MergeSummary:
    merged: int
    questions: int
    known: int
    ignored_notes: int
    backup: Path | None = None
    hint: str = ""

    def __str__(self) -> str:
        text = (f"{self.merged:,} reviews merged for {self.questions:,} questions; "
                f"{self.known:,} already known; {self.ignored_notes:,} notes from other "
                "decks ignored")
        return text + (f". {self.hint}" if self.hint else "")


# -- reading the package ----------------------------------------------------------

def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        shift += 7
        if not byte & 0x80:
            return value, at


def _meta_version(data: bytes) -> int:
    """Field 1 (varint) of Anki's PackageMetadata; 0 (unknown) when absent."""
    at, version = 0, 0
    while at < len(data):
        key, at = _varint(data, at)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(data, at)
            if field == 1:
                version = value
        elif wire == 2:
            size, at = _varint(data, at)
            at += size
        elif wire == 1:
            at += 8
        elif wire == 5:
            at += 4
        else:
            raise ValueError(f"wire type {wire}")
    if at > len(data):
        raise ValueError("truncated field")
    return version


def _version(path: Path, archive: zipfile.ZipFile) -> int:
    names = set(archive.namelist())
    if "meta" in names:
        info = archive.getinfo("meta")
        if info.file_size > 1024:
            raise PackageError(f"{path}: its meta member claims {info.file_size:,} bytes; "
                               "expected a few bytes of Anki package metadata")
        try:
            version = _meta_version(archive.read("meta"))
        except (ValueError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise PackageError(f"{path}: unreadable package metadata ({exc}); expected a "
                               "package exported from Anki") from None
        if version not in _COLLECTIONS:
            raise PackageError(f"{path}: made by an Anki version this reelive-quiz does not "
                               f"know (package format {version}; expected 1, 2 or 3)")
        return version
    if "collection.anki21" in names:
        return 2
    if "collection.anki2" in names:
        return 1
    raise PackageError(f"{path}: no Anki collection inside; expected collection.anki21b, "
                       "collection.anki21 or collection.anki2 (export from Anki with "
                       "File > Export)")


def _copy_limited(source: BinaryIO, target: BinaryIO, limit: int, what: str,
                  path: Path) -> None:
    written = 0
    while chunk := source.read(_CHUNK):
        written += len(chunk)
        if written > limit:
            raise PackageError(f"{path}: {what} unpacks to more than {limit:,} bytes; "
                               "refused (expected an Anki collection)")
        target.write(chunk)


def _unpack(path: Path, archive: zipfile.ZipFile, version: int, target: Path,
            limit: int) -> None:
    """The collection member, decompressed into `target`, never past `limit` bytes."""
    name = _COLLECTIONS[version]
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise PackageError(f"{path}: package format {version} but no {name} inside; "
                           "expected a complete package exported from Anki") from None
    if info.file_size > limit:
        raise PackageError(f"{path}: {name} claims {info.file_size:,} bytes uncompressed, "
                           f"more than the {limit:,} allowed; refused (a zip bomb?)")
    try:
        with archive.open(info) as member, target.open("wb") as out:
            if version == 3:
                import zstandard  # only here: reading Anki 2.1.50+ packages

                reader = zstandard.ZstdDecompressor().stream_reader(member)
                try:
                    _copy_limited(reader, out, limit, name, path)
                except zstandard.ZstdError as exc:
                    raise PackageError(f"{path}: {name} is not valid zstd data ({exc}); "
                                       "expected a complete package exported from "
                                       "Anki") from None
            else:
                _copy_limited(member, out, limit, name, path)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise PackageError(f"{path}: {name} is damaged or truncated ({exc}); expected a "
                           "complete package exported from Anki") from None


def _sched_version(db: sqlite3.Connection, tables: set[str]) -> int:
    """`schedVer` from the config table (schema 14+) or the `col.conf` JSON (11)."""
    raw: object = None
    if "config" in tables:
        row = db.execute("SELECT val FROM config WHERE KEY = 'schedVer'").fetchone()
        raw = row[0] if row else None
    else:
        row = db.execute("SELECT conf FROM col").fetchone()
        with contextlib.suppress(TypeError, ValueError, AttributeError):
            raw = json.loads(row[0]).get("schedVer") if row else None
    if isinstance(raw, bytes | str):
        with contextlib.suppress(ValueError):
            raw = json.loads(raw)
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else 1


def _unicase(a: str, b: str) -> int:
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


def _read_collection(path: Path, file: Path, wanted: frozenset[str]) -> AnkiLog:
    with file.open("rb") as head:
        if head.read(16) != b"SQLite format 3\x00":
            raise PackageError(f"{path}: the collection inside is not an SQLite database; "
                               "expected a package exported from Anki")
    db = sqlite3.connect(f"file:{file}?mode=ro&immutable=1", uri=True)
    # Anki's schema 18 indexes names with its own collation; the check reads them
    db.create_collation("unicase", _unicase)
    try:
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise PackageError(f"{path}: the collection inside is damaged ({check}); "
                               "expected a complete package exported from Anki")
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = "
                                           "'table'")}
        missing = {"col", "notes", "cards", "revlog"} - tables
        if missing:
            raise PackageError(f"{path}: not an Anki collection (no table "
                               f"{', '.join(sorted(missing))})")
        schema = db.execute("SELECT ver FROM col").fetchone()
        schema = schema[0] if schema else None
        if schema not in _SCHEMAS:
            raise PackageError(f"{path}: collection schema {schema!r} from an Anki version "
                               f"this reelive-quiz does not know (expected 11 to 18)")
        v1 = _sched_version(db, tables) < 2
        guids = frozenset(str(g) for (g,) in db.execute("SELECT guid FROM notes"))
        answers: dict[str, list[tuple[int, int, int]]] = {}
        rows = 0
        for ms, ease, kind, taken, guid in db.execute(
                "SELECT r.id, r.ease, r.type, r.time, n.guid FROM revlog r"
                " JOIN cards c ON c.id = r.cid JOIN notes n ON n.id = c.nid"):
            rows += 1
            if guid not in wanted or kind not in _ANSWER_TYPES:
                continue
            if not all(isinstance(v, int) for v in (ms, ease, kind)):
                continue
            if v1 and kind in _LEARNING_TYPES and ease in (2, 3):
                ease += 1  # Anki's v2 upgrade (storage/revlog/v2_upgrade.sql)
            if not 1 <= ease <= 4:
                continue
            answers.setdefault(guid, []).append(
                (ms, ease, taken if isinstance(taken, int) else 0))
        return AnkiLog(guids, answers, rows)
    except sqlite3.DatabaseError as exc:
        raise PackageError(f"{path}: the collection inside is damaged or truncated ({exc}); "
                           "expected a complete package exported from Anki") from None
    finally:
        db.close()


def read_package(path: Path, wanted: frozenset[str], *,
                 limit: int = MAX_COLLECTION_BYTES) -> AnkiLog:
    """The answers of the notes whose GUID is in `wanted`, from an Anki package."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise PackageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise PackageError(f"{path}: is a folder; expected an Anki package file") from None
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise PackageError(f"{path}: not a zip file; expected an Anki package (.apkg or "
                           ".colpkg) exported from Anki") from None
    except OSError as exc:
        raise PackageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    folder = Path(tempfile.mkdtemp(prefix="reelive-anki-import-"))
    try:
        with archive:
            version = _version(path, archive)
            collection = folder / "collection.sqlite"
            try:
                _unpack(path, archive, version, collection, limit)
            except OSError as exc:
                raise PackageError(f"{path}: cannot unpack it: {exc.strerror or exc}") from None
        return _read_collection(path, collection, wanted)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- merging ------------------------------------------------------------------------

def _sane(ms: int) -> bool:
    """An answer time Anki could have written: after 2006, before tomorrow."""
    return 1_136_073_600_000 <= ms <= (time.time() + 2 * 86_400) * 1000


def _first_import_backup(store: Store) -> Path | None:
    """A copy of the progress before the first import-anki ever made beside it."""
    folder = store.path.parent / "backups"
    if any(folder.glob("progress-before-first-import-anki-*.sqlite3")):
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return store.backup_to(folder / f"progress-before-first-import-anki-{stamp}.sqlite3",
                           description="Keeping a copy before the first Anki import")


def import_anki(store: Store, path: Path, config: Config, *,
                limit: int = MAX_COLLECTION_BYTES) -> MergeSummary:
    """Merge the reviews of this tool's notes from an Anki package into `store`."""
    from reelive_quiz.anki import note_guid
    from reelive_quiz.schedule import replay

    by_guid = {note_guid(qid): qid for qid in store.question_ids()}
    log = read_package(Path(path), frozenset(by_guid), limit=limit)
    ours = log.guids & by_guid.keys()
    answers = [Review(by_guid[guid], ms // 1000,
                      day_number(datetime.fromtimestamp(ms // 1000, UTC)), ease, "anki",
                      seconds=round(min(max(taken, 0), 3_600_000) / 1000, 3))
               for guid, entries in log.answers.items() for ms, ease, taken in entries
               if _sane(ms)]
    backup = _first_import_backup(store)
    in_use = store.parameters_in_use()  # replay as play schedules: personal FSRS if any
    parameters = in_use.parameters if in_use is not None else None
    merged, known, questions = store.merge_answers(
        answers, lambda history, suspended: replay(history, suspended, config, parameters))
    hint = ""
    if ours and not log.revlog_rows:
        hint = ("The package has no review history: export from Anki with 'Include "
                "scheduling information' ticked")
    return MergeSummary(merged, questions, known, len(log.guids - ours), backup, hint)

