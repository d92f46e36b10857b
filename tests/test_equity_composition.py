"""Composition differences (IDC) and removals counted per child (IDEA discipline).

Expected values by hand (arithmetic in comments).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mtss_teach import DataError
from mtss_teach.equity import composition_difference, disproportionality


def test_composition_difference_by_hand():
    # enrolment 200 / 500 / 300 of 1000 -> base shares 20, 50, 30 %
    # identified 30 / 50 / 20 of 100 -> composition 30, 50, 20 %
    # difference 10, 0, -10 points; relative 10/20 = 50 %, 0 %, -10/30 = -33.3 %
    t = pd.DataFrame({"group": ["A", "B", "C"], "count": [30, 50, 20], "total": [200, 500, 300]})
    r = composition_difference(t)
    assert r["composition"].tolist() == pytest.approx([30, 50, 20])
    assert r["base_share"].tolist() == pytest.approx([20, 50, 30])
    assert r["difference_in_composition"].tolist() == pytest.approx([10, 0, -10])
    assert r["relative_difference_in_composition"].tolist() == pytest.approx([50, 0, -100 / 3])
    assert (r["note"] == "").all()


def test_composition_matches_disproportionality_composition():
    t = pd.DataFrame({"group": ["A", "B", "C"], "count": [12, 40, 9], "total": [90, 400, 60]})
    d = disproportionality(t)
    c = composition_difference(t)
    assert (c["composition"] / 100).tolist() == pytest.approx(d["composition"].tolist())


def test_composition_difference_per_lea_and_zero_cases():
    t = pd.DataFrame({"lea": ["X", "X", "Y", "Y"], "group": ["A", "B", "A", "B"],
                      "count": [5, 5, 0, 0], "total": [10, 30, 0, 40]})
    r = composition_difference(t)
    # LEA X: composition 50/50, base 25/75 -> difference 25, -25; relative 100, -33.3
    assert r.loc[("X", "A"), "difference_in_composition"] == pytest.approx(25)
    assert r.loc[("X", "A"), "relative_difference_in_composition"] == pytest.approx(100)
    # LEA Y: nobody with the outcome -> composition NaN, with a note; group A base share 0
    assert np.isnan(r.loc[("Y", "A"), "composition"])
    assert "no child" in r.loc[("Y", "A"), "note"] and "base share is 0" in r.loc[("Y", "A"), "note"]


def test_removals_per_child_can_exceed_one():
    # 12 children with disabilities in group A had 30 removals: 2.5 removals per child
    t = pd.DataFrame({"group": ["A", "B"], "count": [30, 20], "total": [12, 40]})
    with pytest.raises(DataError, match="above its total"):
        disproportionality(t)  # as children, 30 of 12 is impossible
    r = disproportionality(t, counts="removals", min_cell=10, min_n=10)
    assert r.loc["A", "risk"] == pytest.approx(2.5)
    assert r.loc["A", "comparison_risk"] == pytest.approx(0.5)  # 20 / 40
    assert r.loc["A", "risk_ratio"] == pytest.approx(5.0)
    assert r.attrs["counts"] == "removals"
    c = composition_difference(t, counts="removals")
    assert c.loc["A", "composition"] == pytest.approx(60)  # 30 of 50 removals


def test_counts_kind_checked():
    t = pd.DataFrame({"group": ["A"], "count": [1], "total": [2]})
    with pytest.raises(DataError, match="counts"):
        disproportionality(t, counts="incidents")
    with pytest.raises(DataError, match="counts"):
        composition_difference(t, counts="kids")
