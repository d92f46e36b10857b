"""Tests for mtss_teach.screening.

Expected values: hand-computed 2x2 tables (arithmetic in comments), the
reference's rules (§5), and scikit-learn (confusion_matrix, roc_auc_score,
roc_curve) as the independent library on random data with ties.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix, roc_auc_score
from sklearn.metrics import roc_curve as sk_roc_curve

from mtss_teach import DataError
from mtss_teach.screening import (
    ClassificationAccuracy,
    auc,
    classification_accuracy,
    classwide_problem,
    cut_for_sensitivity,
    math_instructional_level,
    math_instructional_table,
    ncii_bands,
    ncii_rating,
    roc_curve,
    tier_shares,
)


# ----------------------------------------------------- classification accuracy
def test_classification_accuracy_by_hand():
    scores = [20, 35, 40, 41, 55, 60, 70, 80, 90, 95]
    at_risk = [1, 1, 0, 1, 1, 0, 0, 0, 1, 0]
    # cut 50, below: flagged = 20, 35, 40, 41 -> at risk among them: 20, 35, 41 -> TP 3, FP 1
    # not flagged: 55(1) 60 70 80 90(1) 95 -> FN 2, TN 4
    ca = classification_accuracy(scores, at_risk, cut=50)
    assert (ca.tp, ca.fp, ca.tn, ca.fn) == (3, 1, 4, 2)
    assert ca.sensitivity == pytest.approx(3 / 5)
    assert ca.specificity == pytest.approx(4 / 5)
    assert ca.ppv == pytest.approx(3 / 4)
    assert ca.npv == pytest.approx(4 / 6)
    assert ca.accuracy == pytest.approx(7 / 10)
    assert ca.base_rate == pytest.approx(5 / 10)
    assert ca.cut == 50 and ca.risk_when == "below" and ca.n == 10


def test_score_equal_to_cut_is_not_flagged_either_direction():
    ca = classification_accuracy([10, 20, 30], [1, 0, 1], cut=20)
    assert (ca.tp, ca.fp) == (1, 0)  # only 10 < 20
    ca = classification_accuracy([10, 20, 30], [1, 0, 1], cut=20, risk_when="above")
    assert (ca.tp, ca.fp) == (1, 0)  # only 30 > 20


def test_undefined_ratios_are_nan():
    # nobody at risk: sensitivity 0/0, ppv 0/0 when nobody flagged
    ca = classification_accuracy([50, 60], [0, 0], cut=10)
    assert math.isnan(ca.sensitivity) and math.isnan(ca.ppv)
    assert ca.specificity == 1.0 and ca.npv == 1.0 and ca.base_rate == 0.0
    ca = classification_accuracy([5, 6], [1, 1], cut=10)
    assert math.isnan(ca.specificity) and math.isnan(ca.npv)


def test_result_object_is_frozen_and_exports():
    ca = classification_accuracy([1, 2, 3, 4], [1, 0, 1, 0], cut=3)
    assert isinstance(ca, ClassificationAccuracy)
    with pytest.raises(AttributeError):
        ca.tp = 99
    s = ca.as_series()
    assert list(s.index) == ["tp", "fp", "tn", "fn", "sensitivity", "specificity", "ppv", "npv",
                             "accuracy", "base_rate", "cut", "risk_when"]
    f = ca.to_frame()
    assert f.shape == (1, 12) and f.loc[0, "tp"] == 1


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("risk_when", ["below", "above"])
def test_agrees_with_sklearn_confusion_matrix_with_ties(seed, risk_when):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 30, 500)  # many ties
    y = rng.random(500) < 0.3
    cut = float(rng.integers(5, 25))
    pred = scores < cut if risk_when == "below" else scores > cut
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[False, True]).ravel()
    ca = classification_accuracy(scores, y, cut, risk_when=risk_when)
    assert (ca.tp, ca.fp, ca.tn, ca.fn) == (tp, fp, tn, fn)
    assert ca.sensitivity == pytest.approx(tp / (tp + fn))
    assert ca.specificity == pytest.approx(tn / (tn + fp))


@pytest.mark.parametrize(
    "kwargs,needle",
    [
        (dict(scores=[1, 2, 3], at_risk=[1, 0], cut=2), "length mismatch"),
        (dict(scores=[1, np.nan], at_risk=[1, 0], cut=2), r"scores: .*position 1.*missing"),
        (dict(scores=[1, 2], at_risk=[1, 2], cut=2), r"at_risk: .*position 1"),
        (dict(scores=[1, 2], at_risk=["yes", 0], cut=2), r"at_risk: .*position 0"),
        (dict(scores=[], at_risk=[], cut=2), "empty"),
        (dict(scores=[1, 2], at_risk=[1, 0], cut=np.nan), "cut"),
        (dict(scores=[1, 2], at_risk=[1, 0], cut=2, risk_when="under"), "risk_when"),
    ],
)
def test_classification_accuracy_bad_input(kwargs, needle):
    with pytest.raises(DataError, match=needle):
        classification_accuracy(**kwargs)


def test_series_index_named_in_errors():
    s = pd.Series([10.0, np.nan], index=["ann", "bo"])
    with pytest.raises(DataError, match="'bo'"):
        classification_accuracy(s, [1, 0], cut=5)


# ----------------------------------------------------------------- ROC curve
def test_roc_curve_by_hand_below():
    # scores 10(1) 20(1) 20(0) 30(0): cuts 10, 20, 30, inf flag <10, <20, <30, all
    r = roc_curve([10, 20, 20, 30], [1, 1, 0, 0])
    assert r["cut"].tolist() == [10, 20, 30, np.inf]
    assert r["tp"].tolist() == [0, 1, 2, 2]
    assert r["fp"].tolist() == [0, 0, 1, 2]
    assert r["flagged"].tolist() == [0, 1, 3, 4]
    assert r["sensitivity"].tolist() == [0, 0.5, 1, 1]
    assert r["specificity"].tolist() == [1, 1, 0.5, 0]
    assert math.isnan(r["ppv"].iloc[0]) and r["ppv"].iloc[2] == pytest.approx(2 / 3)
    assert math.isnan(r["npv"].iloc[3]) and r["npv"].iloc[0] == pytest.approx(2 / 4)


def test_roc_curve_by_hand_above():
    # flag score > cut; cuts -inf, 10, 20, 30
    r = roc_curve([10, 20, 20, 30], [0, 1, 0, 1], risk_when="above")
    assert r["cut"].tolist() == [-np.inf, 10, 20, 30]
    assert r["tp"].tolist() == [2, 2, 1, 0]  # >10: 20(1),20(0),30(1); >20: 30(1)
    assert r["fp"].tolist() == [2, 1, 0, 0]


@pytest.mark.parametrize("risk_when", ["below", "above"])
def test_roc_rows_match_classification_accuracy(risk_when):
    rng = np.random.default_rng(3)
    s = rng.integers(0, 15, 200)
    y = rng.random(200) < 0.4
    r = roc_curve(s, y, risk_when=risk_when)
    assert r["cut"].is_monotonic_increasing and r["cut"].is_unique
    assert len(r) == len(np.unique(s)) + 1
    for row in r.itertuples():
        ca = classification_accuracy(s, y, row.cut, risk_when=risk_when) if np.isfinite(row.cut) else None
        if ca is not None:
            assert (row.tp, row.fp, row.tn, row.fn) == (ca.tp, ca.fp, ca.tn, ca.fn)


def test_roc_points_match_sklearn():
    rng = np.random.default_rng(8)
    s = rng.integers(0, 40, 1000)
    y = rng.random(1000) < 0.25
    r = roc_curve(s, y)
    fpr, tpr, _ = sk_roc_curve(y, -s, drop_intermediate=False)
    ours = set(zip(np.round(1 - r["specificity"], 12), np.round(r["sensitivity"], 12)))
    theirs = set(zip(np.round(fpr, 12), np.round(tpr, 12)))
    assert ours == theirs


# ----------------------------------------------------------------------- AUC
def test_auc_by_hand_with_tie():
    # at risk: 10, 20; not: 20, 30. Pairs (pos lower = riskier): (10,20)=1 (10,30)=1 (20,20)=.5 (20,30)=1
    assert auc([10, 20, 20, 30], [1, 1, 0, 0]) == pytest.approx(3.5 / 4)
    assert auc([10, 20, 20, 30], [1, 1, 0, 0], risk_when="above") == pytest.approx(0.5 / 4)


@pytest.mark.parametrize("seed", range(6))
def test_auc_agrees_with_sklearn_with_ties(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    s = rng.integers(0, 25, n).astype(float)
    y = rng.random(n) < 1 / (1 + np.exp((s - 12) / 4))
    assert auc(s, y) == pytest.approx(roc_auc_score(y, -s), abs=1e-12)
    assert auc(s, y, risk_when="above") == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_auc_single_class_is_nan():
    assert math.isnan(auc([1, 2, 3], [0, 0, 0]))
    assert math.isnan(auc([1, 2, 3], [1, 1, 1]))


def test_auc_bad_input():
    with pytest.raises(DataError, match="length mismatch"):
        auc([1, 2], [1])
    with pytest.raises(DataError, match="at_risk"):
        auc([1, 2], [1, 0.5])


# ----------------------------------------------------------- cut for sensitivity
def test_cut_for_sensitivity_by_hand():
    s = [10, 20, 30, 40, 50]
    y = [1, 1, 0, 1, 0]
    # below: cut 30 -> flags 10, 20: sens 2/3, spec 2/2; cut 40 -> sens 2/3, spec 1/2;
    # cut 50 -> sens 3/3, spec 1/2; inf -> 1, 0
    assert cut_for_sensitivity(s, y, 0.6) == 30.0
    assert cut_for_sensitivity(s, y, 0.7) == 50.0
    row = cut_for_sensitivity(s, y, 0.7, return_row=True)
    assert isinstance(row, pd.Series)
    assert (row["cut"], row["tp"], row["fp"]) == (50.0, 3, 1)


def test_cut_for_sensitivity_tie_goes_to_higher_sensitivity():
    # spec stays 1 from cut 20 to 30 while sensitivity rises: choose 30 (sens 1, spec 1)
    s = [10, 20, 30, 40]
    y = [1, 1, 0, 0]
    assert cut_for_sensitivity(s, y, 0.5) == 30.0


def test_cut_for_sensitivity_above_and_errors():
    s = [10, 20, 30, 40]
    y = [0, 0, 1, 1]
    assert cut_for_sensitivity(s, y, 1.0, risk_when="above") == 20.0  # > 20 flags 30, 40
    with pytest.raises(DataError, match="no student is at risk"):
        cut_for_sensitivity(s, [0, 0, 0, 0], 0.8)
    for bad in (0, 1.2, -0.1, float("nan")):
        with pytest.raises(DataError, match="target"):
            cut_for_sensitivity(s, y, bad)


# ----------------------------------------------------------------------- NCII
def test_ncii_bands_table():
    b = ncii_bands()
    assert b[["rating", "auc_lower_min", "sensitivity_min", "specificity_min"]].to_numpy().tolist() == [
        ["full", 0.75, 0.70, 0.70], ["half", 0.70, 0.60, 0.60]]
    assert set(b["tag"]) == {"S"}


@pytest.mark.parametrize(
    "a,se,sp,expected",
    [
        (0.75, 0.70, 0.70, "full"),   # every minimum exactly
        (0.749, 0.70, 0.70, "half"),
        (0.75, 0.699, 0.70, "half"),  # gap case: AUC >= .75, sensitivity .60-.69
        (0.90, 0.95, 0.65, "half"),   # gap case on specificity
        (0.70, 0.60, 0.60, "half"),
        (0.699, 0.99, 0.99, "empty"),
        (0.80, 0.599, 0.99, "empty"),
        (0.80, 0.99, 0.59, "empty"),
    ],
)
def test_ncii_rating_edges(a, se, sp, expected):
    assert ncii_rating(a, se, sp) == expected


def test_ncii_rating_vectorised_and_errors():
    out = ncii_rating([0.8, 0.72, 0.5], [0.8, 0.65, 0.9], [0.8, 0.65, 0.9])
    assert out.tolist() == ["full", "half", "empty"]
    with pytest.raises(DataError, match="sensitivity"):
        ncii_rating(0.8, 1.2, 0.8)
    with pytest.raises(DataError, match="length mismatch"):
        ncii_rating([0.8, 0.8], [0.8], [0.8, 0.8])


# ----------------------------------------------------------------- tier shares
def test_tier_shares_by_hand():
    ts = tier_shares([1] * 16 + [2] * 3 + [3])  # 16/20 = .80, 3/20 = .15, 1/20 = .05
    assert (ts.n, ts.tier1, ts.tier2, ts.tier3) == (20, 16, 3, 1)
    assert (ts.share1, ts.share2, ts.share3) == pytest.approx((0.80, 0.15, 0.05))
    # beside the 80/15/5 convention: a description (share - convention), no "meets" verdict
    assert ts.tier1_convention == 0.80 and ts.tier1_vs_convention == pytest.approx(0.0)
    ts = tier_shares([1] * 15 + [2] * 4 + [3])  # 15/20 = .75: 5 points under the convention
    assert ts.tier1_vs_convention == pytest.approx(-0.05)
    ts = tier_shares([1, 1, 2], tier1_convention=0.6)  # 2/3 - .6 = .0667
    assert (ts.tier1_convention, ts.tier1_vs_convention) == (0.6, pytest.approx(2 / 3 - 0.6))
    assert not [f for f in ts.__dataclass_fields__ if "meet" in f or "expect" in f]
    with pytest.raises(DataError, match="tier1_convention"):
        tier_shares([1, 2], tier1_convention=1.5)
    f = tier_shares(pd.Series([1, 2, 2, 3])).to_frame()
    assert f["count"].tolist() == [1, 2, 1] and f["share"].sum() == pytest.approx(1)


@pytest.mark.parametrize("bad,needle", [([1, 4], "position 1"), ([1, 1.5], "whole"), ([0, 1], "minimum"),
                                        ([], "empty"), ([1, None], "missing")])
def test_tier_shares_bad(bad, needle):
    with pytest.raises(DataError, match=needle):
        tier_shares(bad)


# ----------------------------------------------------------- classwide problem
def test_classwide_problem_more_than_half():
    assert classwide_problem([10, 11, 12, 20, 30], 14) is True    # 3/5 > .5
    assert classwide_problem([10, 11, 20, 30], 14) is False       # 2/4 = .5, not more
    assert classwide_problem([14, 14, 14], 14) is False           # at the criterion is not under it
    with pytest.raises(DataError, match="scores"):
        classwide_problem([], 14)
    with pytest.raises(DataError, match="frustrational_below"):
        classwide_problem([1, 2], "14")


# ------------------------------------------------------------------ math levels
@pytest.mark.parametrize("grade,lo,hi", [(2, 14, 31), (3, 14, 31), (4, 24, 49), (5, 24, 49)])
def test_math_levels_at_edges(grade, lo, hi):
    out = math_instructional_level([lo - 1, lo, hi, hi + 1, 0, 200], grade)
    assert out.tolist() == ["frustrational", "instructional", "instructional", "mastery",
                            "frustrational", "mastery"]


def test_math_levels_other_grades_and_bad_scores():
    for g in (1, 6, 0):
        with pytest.raises(DataError, match="grades 2-5"):
            math_instructional_level(20, g)
    with pytest.raises(DataError, match="above the allowed maximum 200"):
        math_instructional_level([20, 201], 3)
    assert math_instructional_level(31.5, 3) == "mastery"
    t = math_instructional_table()
    assert set(t["tag"]) == {"S"} and t["source"].str.contains("Burns").all()


# -------------------------------------------------------- property-based checks
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, st.booleans()), min_size=1, max_size=40), finite,
       st.sampled_from(["below", "above"]))
def test_property_counts_partition_n(rows, cut, risk_when):
    s = [r[0] for r in rows]
    y = [r[1] for r in rows]
    ca = classification_accuracy(s, y, cut, risk_when)
    assert ca.tp + ca.fp + ca.tn + ca.fn == len(rows)
    assert ca.tp + ca.fn == sum(y)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.booleans()), min_size=2, max_size=40))
def test_property_auc_matches_sklearn(rows):
    s = np.array([r[0] for r in rows], float)
    y = np.array([r[1] for r in rows])
    if y.all() or not y.any():
        assert math.isnan(auc(s, y))
    else:
        assert auc(s, y) == pytest.approx(roc_auc_score(y, -s), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 30), st.integers(1, 30))
def test_property_length_mismatch_names_both(n1, n2):
    if n1 == n2:
        n2 += 1
    with pytest.raises(DataError, match=f"scores has {n1}.*at_risk has {n2}"):
        classification_accuracy([1.0] * n1, [0] * n2, cut=1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([0, 1, True, False]), min_size=1, max_size=20),
       st.integers(0, 19), st.one_of(st.integers(2, 9), st.just(-1), st.just(0.5), st.text(min_size=1, max_size=3)))
def test_property_non_binary_at_risk_named(flags, where, bad):
    i = where % len(flags)
    flags = list(flags)
    flags[i] = bad
    with pytest.raises(DataError, match=f"at_risk: .*position {i}"):
        auc([1.0] * len(flags), flags)


# ------------------------------------------------------------- AUC interval
from mtss_teach.screening import auc_interval, core_effectiveness, core_expectation  # noqa: E402

from reference_values import HANLEY_MCNEIL_1982 as _HM  # noqa: E402 (published example)

_HM_RATING, _HM_NORMAL, _HM_ABNORMAL = _HM["rating"], _HM["normal"], _HM["abnormal"]


def _hm_data():
    scores = [r for r, c in zip(_HM_RATING, _HM_NORMAL) for _ in range(c)]
    scores += [r for r, c in zip(_HM_RATING, _HM_ABNORMAL) for _ in range(c)]
    flags = [0] * sum(_HM_NORMAL) + [1] * sum(_HM_ABNORMAL)
    return scores, flags


def test_auc_interval_hanley_mcneil_published_example():
    scores, flags = _hm_data()
    ci = auc_interval(scores, flags, risk_when="above", method="hanley_mcneil")
    assert (ci.n_at_risk, ci.n_not) == (51, 58)
    assert round(ci.auc, 3) == _HM["area"] == 0.893
    assert round(ci.se, 3) == _HM["se"] == 0.032
    # hand: 0.893 - 1.959964 * 0.032 (SE to 3 dp) ~ 0.830; with the unrounded SE 0.0325 -> 0.829
    assert ci.lower == pytest.approx(ci.auc - 1.959964 * ci.se)
    assert 0.82 < ci.lower < 0.84 and ci.upper <= 1


def _delong_brute(scores, flags, risk_when):
    """DeLong et al. (1988) placement values from every pair (O(m n)), written out."""
    s = np.asarray(scores, float)
    y = np.asarray(flags, bool)
    x_pos, x_neg = s[y], s[~y]
    if risk_when == "below":
        psi = (x_pos[:, None] < x_neg[None, :]) + 0.5 * (x_pos[:, None] == x_neg[None, :])
    else:
        psi = (x_pos[:, None] > x_neg[None, :]) + 0.5 * (x_pos[:, None] == x_neg[None, :])
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    a = psi.mean()
    var = v10.var(ddof=1) / len(x_pos) + v01.var(ddof=1) / len(x_neg)
    return a, math.sqrt(var)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("risk_when", ["below", "above"])
def test_auc_interval_delong_matches_pairwise_formula(seed, risk_when):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 25, size=80)  # many ties
    flags = rng.random(80) < 0.3 + 0.02 * (scores < 10)
    ci = auc_interval(scores, flags, risk_when=risk_when)
    a, se = _delong_brute(scores, flags, risk_when)
    assert ci.auc == pytest.approx(a)
    assert ci.auc == pytest.approx(roc_auc_score(flags, -scores if risk_when == "below" else scores))
    assert ci.se == pytest.approx(se)
    assert ci.lower == pytest.approx(max(0, a - 1.959964 * se), abs=1e-6)
    assert ci.upper == pytest.approx(min(1, a + 1.959964 * se), abs=1e-6)


def test_auc_interval_delong_by_hand_tiny():
    # below: at-risk scores 1, 2, 4; not at risk 3, 5, 6
    # V10: score 1 -> 3/3, 2 -> 3/3, 4 -> 2/3; V01: 3 -> 2/3, 5 -> 3/3, 6 -> 3/3; AUC 8/9
    # var(V10) = var(V01) = var([1, 1, 2/3]) = 1/27 (ddof 1); SE^2 = 2 * (1/27) / 3 = 2/81
    ci = auc_interval([1, 2, 4, 3, 5, 6], [1, 1, 1, 0, 0, 0])
    assert ci.auc == pytest.approx(8 / 9)
    assert ci.se == pytest.approx(math.sqrt(2 / 81))
    assert ci.upper == 1.0  # clipped


def test_auc_interval_level_and_ncii_lower_bound():
    scores, flags = _hm_data()
    ci95 = auc_interval(scores, flags, risk_when="above")
    ci90 = auc_interval(scores, flags, risk_when="above", level=0.90)
    assert ci90.lower > ci95.lower and ci90.se == ci95.se
    assert ci95.lower == pytest.approx(ci95.auc - 1.959964 * ci95.se)
    # the AUC itself would earn "full"; the lower bound is what NCII rates
    assert ncii_rating(0.76, 0.8, 0.8) == "full"
    assert ncii_rating(auc_interval([1, 2, 4, 3, 5, 6], [1, 1, 1, 0, 0, 0]).lower, 0.8, 0.8) == "empty"


def test_auc_interval_too_few_is_flagged_not_silent():
    ci = auc_interval([1, 2, 3], [1, 0, 0])
    assert math.isnan(ci.se) and math.isnan(ci.lower)
    assert "1 at risk" in ci.note
    with pytest.raises(DataError, match="method"):
        auc_interval([1, 2, 3, 4], [1, 1, 0, 0], method="wald")
    with pytest.raises(DataError, match="level"):
        auc_interval([1, 2, 3, 4], [1, 1, 0, 0], level=1)


# ------------------------------------------------------- core effectiveness
def test_core_expectation_has_source():
    t = core_expectation()
    assert float(t["expected_share"].iloc[0]) == 0.80
    assert {"source", "year", "tag"} <= set(t.columns)


def test_core_effectiveness_by_hand_groups():
    # School A: 5 students, tiers 1 1 1 1 2, met 1 1 0 0 1 -> in Tier 1 and met: 2 of 5 = .4
    # School B: 4 students, tiers 1 1 1 1, met 1 1 1 1 -> 4 of 4 = 1.0
    met = [1, 1, 0, 0, 1, 1, 1, 1, 1]
    tiers = [1, 1, 1, 1, 2, 1, 1, 1, 1]
    school = pd.Series(list("AAAAABBBB"), name="school")
    out = core_effectiveness(met, tiers, by=school)
    a, b = out.iloc[0], out.iloc[1]
    assert list(out["school"]) == ["A", "B"]
    assert (a["n"], a["met_goal"], a["met_goal_core_alone"], a["tier1"]) == (5, 3, 2, 4)
    assert a["share_tier1"] == pytest.approx(0.8)  # placement alone would "meet" 80%
    assert a["share_core_effective"] == pytest.approx(0.4)
    assert not a["core_effective"]
    assert b["share_core_effective"] == 1.0 and b["core_effective"]


def test_core_effectiveness_two_keys_and_expectation():
    df = pd.DataFrame({"school": ["S1"] * 4 + ["S2"] * 2, "grade": [3, 3, 4, 4, 3, 3]})
    out = core_effectiveness([1, 1, 1, 0, 0, 1], [1, 1, 1, 1, 1, 3], by=df[["school", "grade"]],
                             expectation=0.5)
    assert out[["school", "grade"]].values.tolist() == [["S1", 3], ["S1", 4], ["S2", 3]]
    assert out["share_core_effective"].tolist() == [1.0, 0.5, 0.0]
    assert out["core_effective"].tolist() == [True, True, False]


@pytest.mark.parametrize("kwargs, needle", [
    (dict(met_goal=[1, 0, None], tiers=[1, 1, 1]), "met_goal"),
    (dict(met_goal=[1, 0, 1], tiers=[1, 4, 1]), "tiers"),
    (dict(met_goal=[1, 0], tiers=[1, 1, 1]), "length"),
    (dict(met_goal=[1, 0, 1], tiers=[1, 1, 1], by=pd.Series(["a", None, "b"])), "position 1"),
    (dict(met_goal=[1, 0, 1], tiers=[1, 1, 1], expectation=1.5), "expectation"),
])
def test_core_effectiveness_bad_input(kwargs, needle):
    with pytest.raises(DataError, match=needle):
        core_effectiveness(**kwargs)
