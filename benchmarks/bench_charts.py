"""Chart builders: time to build a chart and turn it into a Vega-Lite spec.

The apps (Voila) rebuild a chart every time a control moves, so each
builder should take well under a tenth of a second on a typical input. Each
row times ``builder(...).to_dict()`` (build plus Altair's validation and
serialisation: what displaying the chart costs in Python) on one school of
the shipped ``healthy`` dataset (600 students), and compares it with a
100 ms budget (target: at most 1x the budget).

Report-only rows: the smallest useful Altair chart (a one-layer bar chart of
three rows) as a same-run reference for how fast Altair is on the machine
at the moment; the screening chart on 100,000 students (binning happens
in pandas, so the cost barely grows), against the same chart on 600; and the
three static explorers (built once, when the book is built) against a 1 s
budget.
"""

from __future__ import annotations

from typing import Callable

import altair as alt
import numpy as np
import pandas as pd

from benchmarks._harness import Result, peak_memory_mb, time_it
from mtss_teach import charts, datasets, equity, explorers, fidelity, progress, screening

BUDGET_S = 0.100


def _budget(group: str, name: str, fn: Callable[[], object], budget_s: float, repeat: int,
            max_share: float | None = 1.0, note: str = "") -> Result:
    t = time_it(fn, repeat)
    ratio = t.median / budget_s
    notes = [f"share of a {budget_s * 1000:g} ms budget"] + ([note] if note else [])
    if t.spread > 0.25:
        notes.append(f"spread {t.spread:.0%} too wide to trust")
    target = f"<= {max_share:g}x" if max_share is not None else "report"
    met = (ratio <= max_share) if max_share is not None else None
    return Result(group, name, t.median, "s", f"{budget_s * 1000:g} ms budget", budget_s, ratio, target, met,
                  t.spread, peak_memory_mb(fn), "; ".join(notes))


def _inputs() -> dict:
    c = datasets.load("healthy")
    scr = c.screening
    fall = scr[(scr["measure"] == "orf") & (scr["season"] == "fall")]
    reading = c.outcomes[c.outcomes["subject"] == "reading"].set_index("student_id")
    s = fall["score"].to_numpy(dtype=float)
    y = ~reading.loc[fall["student_id"], "proficient"].to_numpy(dtype=bool)
    sid = int(c.progress["student_id"].iloc[0])
    p = c.progress[c.progress["student_id"] == sid].sort_values("week")
    base, mon = p.iloc[:3], p.iloc[3:]
    line = progress.aimline(base["week"], base["score"], goal=float(base["score"].median()) + 30,
                            goal_week=float(mon["week"].max()))
    sheet_rows = c.tfi[c.tfi["school"] == c.tfi["school"].iloc[0]]
    sheet = dict(zip(sheet_rows["item"].astype(str), sheet_rows["score"]))
    spring = c.tiers[c.tiers["season"] == "spring"].merge(c.students, on="student_id")
    table = (spring.assign(t3=spring["tier"] == 3).groupby("race_ethnicity")
             .agg(count=("t3", "sum"), total=("t3", "size")).reset_index()
             .rename(columns={"race_ethnicity": "group"}))
    return dict(c=c, s=s, y=y, base=base, mon=mon, line=line, sheet=sheet, table=table,
                tiers=c.tiers[c.tiers["season"] == "fall"]["tier"].to_numpy())


def run(quick: bool = False) -> list[Result]:
    repeat = 3 if quick else 9
    d = _inputs()
    s, y, base, mon, line = d["s"], d["y"], d["base"], d["mon"], d["line"]
    curve = screening.roc_curve(s, y)
    ca = screening.classification_accuracy(s, y, 70)
    c = d["c"]
    builders: dict[str, Callable[[], object]] = {
        "progress_chart (17 points, OLS trend, four-point rule)": lambda: charts.progress_chart(
            mon["week"], mon["score"], line, baseline_weeks=base["week"], baseline_scores=base["score"]),
        "screening_chart (600 students, 2 panels)": lambda: charts.screening_chart(s, 70, at_risk=y),
        "roc_chart": lambda: charts.roc_chart(curve, chosen=ca, auc=0.8),
        "confusion_matrix_chart": lambda: charts.confusion_matrix_chart(ca),
        "tier_share_chart": lambda: charts.tier_share_chart(screening.tier_shares(d["tiers"])),
        "tfi_chart (3 tiers)": lambda: charts.tfi_chart(fidelity.tfi_scores(d["sheet"])),
        "risk_ratio_chart (7 groups)": lambda: charts.risk_ratio_chart(
            equity.disproportionality(d["table"]), threshold=2.0),
        "odr_chart by month": lambda: charts.odr_chart(c.behavior, "month"),
        "odr_chart by band": lambda: charts.odr_chart(c.behavior, "band", students=c.students),
    }
    # Machine-speed reference, same run: the smallest useful Altair chart.
    hello = pd.DataFrame({"tier": ["1", "2", "3"], "share": [80.0, 15.0, 5.0]})
    rows = [_budget("charts", "reference: one-layer Altair bar chart (3 rows) + to_dict",
                    lambda: alt.Chart(hello).mark_bar().encode(x=alt.X("tier:N"), y=alt.Y("share:Q")).to_dict(),
                    BUDGET_S, repeat, max_share=None, note="how fast Altair itself is on this machine now")]
    rows += [
        _budget("charts", f"{name} + to_dict", lambda fn=fn: fn().to_dict(), BUDGET_S, repeat)
        for name, fn in builders.items()
    ]

    n_big = 10_000 if quick else 100_000
    rng = np.random.default_rng(3)
    big_s = np.round(rng.normal(90, 30, n_big).clip(0, 250))
    big_y = (big_s + rng.normal(0, 20, n_big)) < 70
    t_big = time_it(lambda: charts.screening_chart(big_s, 70, at_risk=big_y).to_dict(), repeat)
    t_small = time_it(lambda: charts.screening_chart(s, 70, at_risk=y).to_dict(), repeat)
    ratio = t_big.median / t_small.median
    rows.append(Result("charts", f"screening_chart {n_big:,} students + to_dict", t_big.median, "s",
                       f"same chart, {len(s)} students", t_small.median, ratio, "report", None,
                       max(t_big.spread, t_small.spread), None,
                       "binned in pandas first: no MaxRowsError, cost grows slowly"))

    p_wk, p_sc = mon["week"].to_numpy(), mon["score"].to_numpy()
    explorer_builders = {
        "screening_cut_explorer (600 students)": lambda: explorers.screening_cut_explorer(s, y, cut=70),
        "aimline_explorer (17 weeks x goal grid)": lambda: explorers.aimline_explorer(
            p_wk, p_sc, base["week"], base["score"]),
        "fidelity_explorer (Tier 1)": lambda: explorers.fidelity_explorer(1, d["sheet"]),
    }
    for name, fn in explorer_builders.items():
        rows.append(_budget("explorers", f"{name} + to_dict", lambda fn=fn: fn().to_dict(), 1.0,
                            max(2, repeat // 3), max_share=None, note="built once per book build"))
    return rows


if __name__ == "__main__":  # pragma: no cover
    for r in run(quick=True):
        print(f"{r.group:10s} {r.name:60s} {r.figure * 1000:8.1f} ms  ratio {r.ratio:5.2f} {r.target} {r.note}")
