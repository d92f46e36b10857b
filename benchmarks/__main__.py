"""Run every benchmark and print one table: ``python -m benchmarks``.

Options: ``--quick`` (small sizes, a smoke run), ``--only NAME`` (one module,
e.g. ``--only screening``), ``--out FILE`` (default benchmarks/results.json),
``--compare OLD.json`` (after the table, each row's ratio and figure against
the same row of an earlier run, e.g. ``benchmarks/reference.json``; also
``python -m benchmarks compare OLD.json NEW.json`` without running anything).
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


def compare_rows(old: list[dict], new: list[dict]) -> list[dict]:
    """Rows of ``new`` matched by (group, name) with ``old``: figures and ratios side by side.

    ``change`` is new ratio / old ratio (below 1: better against its own
    baseline). Rows in only one run are listed with ``None`` on the other side.
    """
    key = lambda r: (r["group"], r["name"])  # noqa: E731
    before = {key(r): r for r in old}
    out = []
    for r in new:
        o = before.pop(key(r), None)
        ok = o is not None and o["ratio"] == o["ratio"] and r["ratio"] == r["ratio"] and o["ratio"] > 0
        out.append({"group": r["group"], "name": r["name"], "unit": r["unit"],
                    "old_figure": o["figure"] if o else None, "new_figure": r["figure"],
                    "old_ratio": o["ratio"] if o else None, "new_ratio": r["ratio"],
                    "change": r["ratio"] / o["ratio"] if ok else None,
                    "old_met": o["met"] if o else None, "new_met": r["met"]})
    for k, o in before.items():
        out.append({"group": k[0], "name": k[1], "unit": o["unit"], "old_figure": o["figure"], "new_figure": None,
                    "old_ratio": o["ratio"], "new_ratio": None, "change": None, "old_met": o["met"], "new_met": None})
    return out


def print_comparison(rows: list[dict], old_label: str, new_label: str) -> None:
    met = {True: "yes", False: "NO", None: "-"}
    ratio = lambda v: "-" if v is None or v != v else f"{v:.2f}x"  # noqa: E731
    head = ["group", "benchmark", f"figure ({old_label})", f"figure ({new_label})", "ratio before", "ratio now",
            "change", "met before", "met now"]
    table = [head] + [[r["group"], r["name"], fmt(r["old_figure"], r["unit"]), fmt(r["new_figure"], r["unit"]),
                       ratio(r["old_ratio"]), ratio(r["new_ratio"]), ratio(r["change"]),
                       met[r["old_met"]], met[r["new_met"]]] for r in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(head))]
    for j, row in enumerate(table):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))


def _read(path: str) -> dict:
    try:
        data = json.loads(Path(path).read_text())
        data["rows"]  # noqa: B018
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SystemExit(f"{path}: not a results file of python -m benchmarks ({exc})")
    return data


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["compare"]:
        cp = argparse.ArgumentParser(prog="python -m benchmarks compare",
                                     description="Compare two results files of python -m benchmarks.")
        cp.add_argument("old")
        cp.add_argument("new")
        a = cp.parse_args(argv[1:])
        print_comparison(compare_rows(_read(a.old)["rows"], _read(a.new)["rows"]), "old", "new")
        return 0
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--only", action="append", help="run only this module (repeatable)")
    ap.add_argument("--out", default=str(HERE / "results.json"))
    ap.add_argument("--compare", metavar="OLD.json", help="compare with an earlier results file after the run")
    args = ap.parse_args(argv)
    previous = _read(args.compare) if args.compare else None
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
    if previous is not None:
        print(f"\ncompared with {args.compare}:")
        print_comparison(compare_rows(previous["rows"], rows), "before", "now")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
