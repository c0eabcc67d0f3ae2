"""How long question generation takes for a library: the figure issue 15 guards.

Each run is a fresh process (the `fold` cache starts cold, as in `status`
after an import): it loads every deck of a folder (not timed), then times
generating every question of every deck, the cross-film `which-film`
questions included, in wall and CPU seconds (CPU time moves less when other
work shares the machine).
Prints the median and the spread, and the questions made per kind.

    python tests/corpus.py /tmp/pages --films 1000
    reelive-quiz import /tmp/pages/*.txt --out-dir /tmp/decks   # or importer.import_pages
    python benchmarks/generation.py /tmp/decks --runs 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path


def child(folder: str) -> None:
    from reelive_quiz.deck import load_deck

    decks = [load_deck(path) for path in sorted(Path(folder).glob("*.yaml"))]
    try:
        from reelive_quiz.which_film import generate_all
    except ImportError:  # before which-film existed: one deck at a time
        try:
            from reelive_quiz.generate import generate
        except ImportError:  # before the generator was renamed
            from reelive_quiz.questions import generate  # type: ignore[no-redef]

        def generate_all(decks):  # type: ignore[no-untyped-def]
            return [q for deck in decks for q in generate(deck)]
    started, cpu = time.perf_counter(), time.process_time()
    questions = generate_all(decks)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "decks": len(decks),
                      "kinds": Counter(q.kind for q in questions)}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("decks", help="a folder of deck YAML files")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    results = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, __file__, "--child", args.decks], check=True,
                             capture_output=True, text=True).stdout
        results.append(json.loads(out))
    times = sorted(r["seconds"] for r in results)
    cpus = sorted(r["cpu"] for r in results)
    kinds = results[0]["kinds"]
    print(f"{results[0]['decks']} decks, {sum(kinds.values())} questions: "
          f"median {statistics.median(times):.2f} s wall ({times[0]:.2f}–{times[-1]:.2f}), "
          f"{statistics.median(cpus):.2f} s CPU ({cpus[0]:.2f}–{cpus[-1]:.2f}), "
          f"{args.runs} runs")
    print("  " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        sys.exit(main())
