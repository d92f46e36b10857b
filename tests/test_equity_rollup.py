"""Two tables of the same students (benchmark status and tier) protected together, and histograms of real scores.

Expected values are worked by hand in the comments; the property test checks
every result with an independent audit (linear programming over what a
reader of both tables knows), as ``tests/test_equity.py`` does for
``protect_counts``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from mtss_teach import DataError
from mtss_teach.charts import screening_histogram
from mtss_teach.equity import MIN_CELL_FLOOR, protect_distribution, protect_rollup, protected_bin_width

TIERS = {"above": "Tier 1", "at": "Tier 1", "below": "Tier 2", "well below": "Tier 3"}


def _audit(counts: dict, rollup: dict, detail: pd.DataFrame, groups: pd.DataFrame) -> None:
    """No hidden count (category or group) is pinned down by the total and the counts shown."""
    cats = list(counts)
    n = len(cats)
    A, b = [np.ones(n)], [float(sum(counts.values()))]  # the published total
    for c in cats:
        if not detail.loc[c, "suppressed"]:
            a = np.zeros(n)
            a[cats.index(c)] = 1
            A.append(a)
            b.append(float(detail.loc[c, "count"]))
    members = {g: [cats.index(c) for c in cats if rollup[c] == g] for g in groups.index}
    for g, mem in members.items():
        if not groups.loc[g, "suppressed"]:
            a = np.zeros(n)
            a[mem] = 1
            A.append(a)
            b.append(float(groups.loc[g, "count"]))
    A, b = np.array(A), np.array(b)
    hidden = [[cats.index(c)] for c in cats if detail.loc[c, "suppressed"]]
    hidden += [mem for g, mem in members.items() if groups.loc[g, "suppressed"]]
    for mem in hidden:
        c = np.zeros(n)
        c[mem] = 1
        lo = linprog(c, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        assert lo.status == 0 and hi.status == 0
        assert -hi.fun - lo.fun > 0.5, ([cats[i] for i in mem], lo.fun, -hi.fun, detail, groups)


def test_the_status_and_tier_tables_no_longer_give_a_hidden_count_back():
    # status: above 3, at 40, below 12, well below 8 (63). One table at a time, "above" (3) and "well below"
    # (8) are hidden in the first; Tier 3 (8) and then Tier 2 (12) in the second; Tier 1 = 43 stays shown,
    # and 43 - 40 = 3 gives "above" back. Together, Tier 1 is hidden as well.
    counts = {"above": 3, "at": 40, "below": 12, "well below": 8}
    separately = protect_distribution(pd.Series({"Tier 1": 43, "Tier 2": 12, "Tier 3": 8}), 10)
    assert separately["count"].tolist()[0] == 43  # the leak this function closes
    detail, groups = protect_rollup(counts, TIERS, 10)
    assert detail["why"].tolist() == ["small cell", "", "", "small cell"]
    assert groups["why"].tolist() == ["complementary", "", "small cell"]
    assert groups.index.tolist() == ["Tier 1", "Tier 2", "Tier 3"]
    assert detail.attrs["total"] == groups.attrs["total"] == 63
    _audit(counts, TIERS, detail, groups)


def test_a_group_of_one_category_shows_no_more_than_the_category():
    # Tier 3 is exactly "well below": hiding one and showing the other gives it back
    counts = {"above": 20, "at": 40, "below": 30, "well below": 4}
    detail, groups = protect_rollup(counts, TIERS, 10)
    assert bool(detail.loc["well below", "suppressed"]) and bool(groups.loc["Tier 3", "suppressed"])
    _audit(counts, TIERS, detail, groups)


def test_rollup_refuses_what_it_cannot_protect():
    with pytest.raises(DataError, match="belongs to no group"):
        protect_rollup({"at": 40, "below": 12, "no benchmark": 3}, {"at": "Tier 1", "below": "Tier 2"})
    with pytest.raises(DataError, match="not one of the categories"):
        protect_rollup({"at": 40}, {"at": "Tier 1", "above": "Tier 1"})
    with pytest.raises(DataError, match="below the library's floor"):
        protect_rollup({"at": 40}, {"at": "Tier 1"}, MIN_CELL_FLOOR - 1)


@settings(max_examples=60, deadline=None)
@given(x=st.lists(st.integers(0, 40), min_size=5, max_size=5), m=st.integers(MIN_CELL_FLOOR, 12))
def test_property_no_hidden_count_can_be_worked_out_from_both_tables(x, m):
    counts = dict(zip(["above", "at", "below", "well below", "no benchmark"], x))
    rollup = dict(TIERS, **{"no benchmark": "no benchmark"})
    detail, groups = protect_rollup(counts, rollup, m)
    # the primary rule by hand: nothing under m is shown, in either table
    assert not ((detail["count"].astype(float) < m) & ~detail["suppressed"]).any()
    assert not ((groups["count"].astype(float) < m) & ~groups["suppressed"]).any()
    if sum(x) == 0:
        return  # a total of 0 pins every count at 0: no suppression can hide that
    _audit(counts, rollup, detail, groups)


# ---------------------------------------------------------------------------
# histograms of real scores: every bar at least the minimum cell size
# ---------------------------------------------------------------------------


def test_protected_bin_width_by_hand_and_as_the_chart_bins():
    # cut 30: [20]*12 + [28]*12 flagged (24); [41]*3 + [47]*9 not (12). Width 5 puts the 3 alone in [40,45);
    # 1, 2 and 2.5 do too; width 10 gives [20,30) 24 and [40,50) 12.
    scores = [20] * 12 + [28] * 12 + [41] * 3 + [47] * 9
    w = protected_bin_width(scores, 30, 10)
    assert w == 10.0
    hist = screening_histogram(scores, 30, bin_width=w)  # the chart's own binning agrees
    assert hist["count"].tolist() == [24, 12]
    assert screening_histogram(scores, 30, bin_width=5.0)["count"].min() == 3
    # 4 students not flagged: no width can show them
    assert protected_bin_width([20] * 12 + [45] * 4, 30, 10) is None
    # "above" bins are (lo, hi]: a score on the cut is not flagged. Span 5: width 0.1 would need 50 bars
    # (over 30), 0.2 needs 25, and its two non-empty bars (29.8, 30] and (34.8, 35] hold 10 each
    w = protected_bin_width([30] * 10 + [35] * 10, 30, 10, risk_when="above")
    assert w == pytest.approx(0.2)
    hist = screening_histogram([30] * 10 + [35] * 10, 30, risk_when="above", bin_width=w)
    assert hist["count"].tolist() == [10, 10] and hist["flagged"].tolist() == [False, True]


@settings(max_examples=40, deadline=None)
@given(scores=st.lists(st.integers(0, 200), min_size=20, max_size=300), cut=st.integers(20, 150),
       m=st.integers(MIN_CELL_FLOOR, 12))
def test_property_every_bar_of_the_chart_holds_at_least_the_minimum(scores, cut, m):
    w = protected_bin_width(scores, cut, m)
    s = np.asarray(scores, dtype=float)
    if w is None:
        return
    hist = screening_histogram(s, cut, bin_width=w)
    assert hist["count"].min() >= m
    assert (s < cut).sum() >= m and (s >= cut).sum() >= m
