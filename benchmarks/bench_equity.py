"""Disproportionality across 1,000 districts in one long table.

``disproportionality`` gets one (lea, group) row per district and group (7
race/ethnicity groups) plus the State table, and computes every column
(risk, comparison risk, risk ratio, difference, composition, E-formula,
alternate and weighted ratios, notes) in one vectorised pass. The baseline
is a bare pandas ``groupby(...).transform("sum")`` computation of the same
risk ratios with the minimum cell / n gating -- no validation, no notes,
no State ratios -- timed in the same run. Report only (no target set by
the issue).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks._harness import Result, compare
from mtss_teach.equity import disproportionality, suppress_small_cells

GROUPS = ["Hispanic/Latino", "American Indian or Alaska Native", "Asian", "Black or African American",
          "Native Hawaiian or Other Pacific Islander", "White", "Two or more races"]


def _long_table(n_lea: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    shares = np.array([0.27, 0.01, 0.05, 0.15, 0.005, 0.465, 0.05])
    enrol = rng.integers(200, 20000, n_lea)
    total = np.vstack([rng.multinomial(e, shares) for e in enrol])
    count = rng.binomial(total, 0.13)
    t = pd.DataFrame({"lea": np.repeat([f"LEA{i:04d}" for i in range(n_lea)], len(GROUPS)),
                      "group": np.tile(GROUPS, n_lea), "count": count.ravel(), "total": total.ravel()})
    state = t.groupby("group", as_index=False, sort=False)[["count", "total"]].sum()
    return t, state


def _bare(t: pd.DataFrame) -> pd.DataFrame:
    g = t.groupby("lea", sort=False)[["count", "total"]].transform("sum")
    oc, ot = g["count"] - t["count"], g["total"] - t["total"]
    risk = t["count"] / t["total"]
    comp = oc / ot
    ok = (t["count"] >= 10) & (t["total"] >= 30) & (oc >= 10) & (ot >= 30)
    return pd.DataFrame({"risk": risk, "comparison_risk": comp, "risk_ratio": (risk / comp).where(ok)})


def run(quick: bool = False) -> list[Result]:
    n_lea = 50 if quick else 1000
    repeat = 3 if quick else 7
    t, state = _long_table(n_lea)
    out = disproportionality(t, state)
    return [
        compare("equity", f"disproportionality ({n_lea:,} LEAs x 7 groups, with State)",
                lambda: disproportionality(t, state), "bare pandas groupby risk ratios",
                lambda: _bare(t), repeat=repeat),
        compare("equity", f"suppress_small_cells ({len(out):,} rows, 2 columns)",
                lambda: suppress_small_cells(out, ["count", "total"]), "bare pandas mask",
                lambda: out[["count", "total"]].mask(out[["count", "total"]] < 10), repeat=repeat),
    ]
