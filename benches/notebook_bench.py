"""The notebook path: open a journal, then every report as a pandas DataFrame.

    make bench-notebook              (builds the package and the 100,000-entry journal, then runs this)
    python benches/notebook_bench.py JOURNAL [--rounds N] [--compare OTHER_PYTHON]

Times ``Ledger.open(JOURNAL)`` plus ``to_pandas()`` of the six reports an analyst opens first
(trial balance, resolution tracker and window statement of the journal's last half-year, the
statement of its first donor, the balance-transfer register, the allocation log); pandas' import
is not timed. Target on the 100,000-entry benchmark journal: <= 0.25 s.

``--compare OTHER_PYTHON`` runs the same measurement in another interpreter (say, one with an
earlier build of the package installed) in alternation with this one, round by round, so both
see the same machine load: a side-by-side comparison in one run. Each round is the best of
three; the garbage collector is off while timing, as ``timeit`` does. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Tuple

REPORTS = ("trial_balance", "resolution_tracker", "window_statement", "donor_statement",
           "transfer_register", "allocation_log")


def last_half_year(journal: str) -> str:
    """The half-year of the journal's last dated entry (read before timing)."""
    with open(journal, "rb") as f:
        lines = f.read().splitlines()
    for line in reversed(lines[1:]):
        date = json.loads(line).get("date")
        if date:
            return f"{date[:4]}-H{1 if int(date[5:7]) <= 6 else 2}"
    return "2024-H2"


def measure(journal: str, repeat: int) -> Dict[str, Any]:
    """Best of ``repeat`` runs of the whole path, with each step's time in that best run."""
    import pandas  # noqa: F401 - imported before timing: its import is not part of the path

    import funding_window as fw

    period = last_half_year(journal)
    best: Dict[str, Any] = {}
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            steps: Dict[str, float] = {}
            rows: Dict[str, int] = {}
            t0 = time.perf_counter()
            ledger = fw.Ledger.open(journal)
            steps["open"] = time.perf_counter() - t0
            donor = ledger.donors().rows[0]["id"]
            makers: List[Tuple[str, Callable[[], Any]]] = [
                ("trial_balance", lambda: ledger.trial_balance()),
                ("resolution_tracker", lambda: ledger.resolution_tracker(period)),
                ("window_statement", lambda: ledger.window_statement(period)),
                ("donor_statement", lambda: ledger.donor_statement(donor)),
                ("transfer_register", lambda: ledger.transfer_register()),
                ("allocation_log", lambda: ledger.allocation_log()),
            ]
            for name, make in makers:
                t = time.perf_counter()
                frame = make().to_pandas()
                steps[name] = time.perf_counter() - t
                rows[name] = len(frame)
            total = time.perf_counter() - t0
        finally:
            gc.enable()
        if not best or total < best["total"]:
            best = {"total": total, "steps": steps, "rows": rows, "entries": len(ledger),
                    "version": fw.__version__, "period": period}
    return best


def child(journal: str, repeat: int) -> None:
    print(json.dumps(measure(journal, repeat)))


def run_other(python: str, journal: str, repeat: int) -> Dict[str, Any]:
    out = subprocess.run([python, __file__, journal, "--child", "--repeat", str(repeat)],
                         check=True, capture_output=True, text=True)
    result: Dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("journal")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", metavar="OTHER_PYTHON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.journal, args.repeat)
        return
    interpreters = [("this build", sys.executable)] + ([("compared", args.compare)] if args.compare else [])
    results: Dict[str, List[Dict[str, Any]]] = {name: [] for name, _ in interpreters}
    for _ in range(args.rounds):
        for name, python in interpreters:
            results[name].append(run_other(python, args.journal, args.repeat))
    for name, python in interpreters:
        runs = sorted(results[name], key=lambda r: r["total"])
        best, median = runs[0], runs[len(runs) // 2]
        print(f"{name} ({python}; funding_window {best['version']}), {best['entries']:,} entries, "
              f"period {best['period']}:")
        print(f"  open + six DataFrames: best {best['total']:.3f} s, median of {len(runs)} rounds "
              f"{median['total']:.3f} s (target <= 0.25 s)")
        for step, seconds in best["steps"].items():
            rows = best["rows"].get(step)
            print(f"    {step:20s} {seconds * 1000:7.1f} ms" + (f"  ({rows:,} rows)" if rows is not None else ""))


if __name__ == "__main__":
    main()
