"""The graph fuzz of tests/test_fuzz_graph.py, run longer: random revision graphs, broken ones included, read by
Alembic's ScriptDirectory and by migcheck, which must agree (heads, bases, and an MC10x error whenever Alembic
refuses the tree).

    python benchmarks/fuzz_graph.py --examples 2000 [--seed N]

Prints the number of examples, how many trees Alembic refused (or looped on for ever), the time taken, and the shrunk counterexample
if one was found (exit code 1).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from test_fuzz_graph import Spec, compare, revision_dags  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    tally = {"examples": 0, "refused by Alembic": 0, "Alembic looped for ever": 0}

    with tempfile.TemporaryDirectory(prefix="migcheck-fuzz-") as work:
        base = Path(work)

        @settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(specs=revision_dags())
        def property_holds(specs: list[Spec]) -> None:
            tally["examples"] += 1
            said = compare(base, specs)
            if isinstance(said, str):
                tally["refused by Alembic"] += 1
                if said.startswith("_Hung"):
                    tally["Alembic looped for ever"] += 1

        run = property_holds if args.seed is None else seed(args.seed)(property_holds)
        started = time.perf_counter()
        try:
            run()
        except AssertionError as exc:
            print(f"counterexample after {tally['examples']} examples:\n{exc}")
            raise SystemExit(1) from None
        took = time.perf_counter() - started
    print(
        f"{tally['examples']} examples ({tally['refused by Alembic']} refused by Alembic, of which"
        f" {tally['Alembic looped for ever']} looped for ever in walk_revisions) in {took:.0f} s:"
        " migcheck agreed with Alembic on every one"
    )


if __name__ == "__main__":
    main()
