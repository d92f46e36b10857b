"""Run every benchmark and print one table: ``python -m benchmarks``.

Options: ``--quick`` (small sizes, a smoke run), ``--only NAME`` (one module,
e.g. ``--only screening``), ``--out FILE`` (default benchmarks/results.json).
Each row: the measured figure (median), its baseline measured in the same
run, the ratio, the target, whether it was met, the spread, peak memory.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover() -> list[str]:
    return sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))


def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, float):
        if unit == "s":
            return f"{v * 1000:.1f} ms" if v < 1 else f"{v:.2f} s"
        return f"{v:.3g}"
    return str(v)


def print_table(rows: list[dict]) -> None:
    head = ["group", "benchmark", "figure", "baseline", "base", "ratio", "target", "met", "spread", "peak MB", "note"]
    table = [head]
    for r in rows:
        table.append([
            r["group"], r["name"], fmt(r["figure"], r["unit"]), r["baseline_name"],
            fmt(r["baseline"], r["unit"]), f"{r['ratio']:.2f}x" if r["ratio"] == r["ratio"] else "-",
            r["target"], {True: "yes", False: "NO", None: "-"}[r["met"]],
            f"{r['spread']:.0%}", fmt(r["peak_mb"]), r["note"],
        ])
    widths = [max(len(str(row[i])) for row in table) for i in range(len(head))]
    for j, row in enumerate(table):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--only", action="append", help="run only this module (repeatable)")
    ap.add_argument("--out", default=str(HERE / "results.json"))
    args = ap.parse_args(argv)
    names = args.only or discover()
    rows, failures = [], []
    t0 = time.time()
    for name in names:
        print(f"# running benchmarks/bench_{name}.py ...", file=sys.stderr, flush=True)
        try:
            mod = importlib.import_module(f"benchmarks.bench_{name}")
            rows += [r.as_dict() for r in mod.run(quick=args.quick)]
        except Exception:
            failures.append(name)
            traceback.print_exc()
    print_table(rows)
    out = {
        "quick": args.quick,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "seconds": round(time.time() - t0, 1),
        "rows": rows,
        "failed_modules": failures,
    }
    Path(args.out).write_text(json.dumps(out, indent=2))
    print(f"\nwrote {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
