"""Tests for mtss_teach.norms.

Expected values are typed in from MTSS_REFERENCE.md (§1 Hasbrouck & Tindal
2017, §2 Acadience, §3 IRIS/Fuchs et al. 1993) or computed by hand in the
comments -- never read from the package CSVs or computed with the code
under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtss_teach import DataError
from mtss_teach import norms
from mtss_teach.norms import (
    acadience_goals,
    benchmark_status,
    orf_norm,
    orf_norm_table,
    orf_percentile,
    orf_weekly_growth,
    typical_growth,
)

# Hasbrouck & Tindal (2017), typed from the reference: 90/75/50/25/10.
HT = {
    (1, "winter"): (97, 59, 29, 16, 9),
    (1, "spring"): (116, 91, 60, 34, 18),
    (2, "fall"): (111, 84, 50, 36, 23),
    (2, "winter"): (131, 109, 84, 59, 35),
    (2, "spring"): (148, 124, 100, 72, 43),
    (3, "fall"): (134, 104, 83, 59, 40),
    (3, "winter"): (161, 137, 97, 79, 62),
    (3, "spring"): (166, 139, 112, 91, 63),
    (4, "fall"): (153, 125, 94, 75, 60),
    (4, "winter"): (168, 143, 120, 95, 71),
    (4, "spring"): (184, 160, 133, 105, 83),
    (5, "fall"): (179, 153, 121, 87, 64),
    (5, "winter"): (183, 160, 133, 109, 84),
    (5, "spring"): (195, 169, 146, 119, 102),
    (6, "fall"): (185, 159, 132, 112, 89),
    (6, "winter"): (195, 166, 145, 116, 91),
    (6, "spring"): (204, 173, 146, 122, 91),
}
PCTS = (90, 75, 50, 25, 10)
HT_CELLS = [(g, s, p, w) for (g, s), ws in HT.items() for p, w in zip(PCTS, ws)]

# Acadience ORF goals, typed from the reference: benchmark / cut for risk / above.
ACA = {
    (1, "winter"): (23, 16, 34),
    (1, "spring"): (47, 32, 67),
    (2, "fall"): (52, 37, 68),
    (2, "winter"): (72, 55, 91),
    (2, "spring"): (87, 65, 104),
    (3, "fall"): (70, 55, 90),
    (3, "winter"): (86, 68, 105),
    (3, "spring"): (100, 80, 118),
}


# ---------------------------------------------------------------- norm table
@pytest.mark.parametrize("grade,season,pct,wcpm", HT_CELLS)
def test_every_ht_cell_reads_back(grade, season, pct, wcpm):
    assert orf_norm(grade, season, pct) == wcpm
    assert isinstance(orf_norm(grade, season, pct), int)


@pytest.mark.parametrize("grade,season,pct,wcpm", HT_CELLS)
def test_percentile_at_every_published_point_is_exact(grade, season, pct, wcpm):
    assert orf_percentile(wcpm, grade, season) == pct


def test_norm_table_has_all_85_cells_with_provenance():
    t = orf_norm_table()
    assert list(t.columns) == ["grade", "season", "percentile", "wcpm", "source", "year", "tag"]
    got = {(int(r.grade), r.season, int(r.percentile)): int(r.wcpm) for r in t.itertuples()}
    assert got == {(g, s, p): w for g, s, p, w in HT_CELLS}
    assert set(t["tag"]) == {"S"}
    assert t["source"].str.contains("Hasbrouck").all()
    t.loc[0, "wcpm"] = -1  # a copy: the library's table is untouched
    assert orf_norm(1, "winter", 90) == 97


def test_no_ties_within_a_season_in_the_published_table():
    # The reference table rises strictly within each grade/season (checked
    # on the typed values, so a tie would be a typo in the CSV, not here).
    for ws in HT.values():
        assert all(a > b for a, b in zip(ws, ws[1:]))


def test_season_aliases_and_case():
    assert orf_norm(2, "BOY", 50) == 50
    assert orf_norm(2, "Autumn", 50) == 50
    assert orf_norm(2, "middle of year", 50) == 84
    assert orf_norm(2, " Winter ", 50) == 84
    assert orf_norm(2, "eoy", 50) == 100


@pytest.mark.parametrize(
    "args,needle",
    [
        ((1, "fall", 50), "grade-1 fall"),
        ((7, "fall", 50), "grade"),
        ((0, "spring", 50), "grade"),
        ((2, "summer", 50), "season"),
        ((2, "fall", 40), "percentile"),
        ((2.5, "fall", 50), "grade"),
        (("3", "fall", 50), "grade"),
        ((True, "fall", 50), "grade"),
    ],
)
def test_orf_norm_bad_keys(args, needle):
    with pytest.raises(DataError, match=needle):
        orf_norm(*args)


# ------------------------------------------------------------ percentile rank
def test_percentile_interpolates_linearly_by_hand():
    # grade 3 winter: 25th = 79, 50th = 97 -> 88 is halfway: 25 + 9/18*25 = 37.5
    assert orf_percentile(88, 3, "winter") == 37.5
    # grade 2 fall: 10th = 23, 25th = 36 -> 30: 10 + (30-23)*15/13 = 18.0769...
    assert orf_percentile(30, 2, "fall") == pytest.approx(10 + 7 * 15 / 13)
    # grade 6 spring: 75th = 173, 90th = 204 -> 190: 75 + 17*15/31
    assert orf_percentile(190, 6, "spring") == pytest.approx(75 + 17 * 15 / 31)


def test_percentile_outside_policy():
    # grade 3 winter 10th = 62, 90th = 161
    assert orf_percentile(61, 3, "winter") == 10.0
    assert orf_percentile(162, 3, "winter") == 90.0
    out = orf_percentile([61, 62, 161, 162], 3, "winter", outside="nan")
    assert math.isnan(out[0]) and out[1] == 10.0 and out[2] == 90.0 and math.isnan(out[3])
    with pytest.raises(DataError, match="position 1.*below the 10th"):
        orf_percentile([62, 0], 3, "winter", outside="raise")
    with pytest.raises(DataError, match="above the 90th"):
        orf_percentile(300, 3, "winter", outside="raise")
    with pytest.raises(DataError, match="outside"):
        orf_percentile(50, 3, "winter", outside="extrapolate")


def test_percentile_shape_round_trip():
    s = pd.Series([79, 97], index=["ann", "bo"], name="wcpm")
    out = orf_percentile(s, 3, "winter")
    assert isinstance(out, pd.Series) and list(out.index) == ["ann", "bo"]
    assert out.tolist() == [25.0, 50.0]
    assert isinstance(orf_percentile(97, 3, "winter"), float)
    assert isinstance(orf_percentile(np.array([97]), 3, "winter"), np.ndarray)


def test_percentile_agrees_with_numpy_interp_inside_range():
    # independent implementation: numpy.interp on the typed reference points
    rng = np.random.default_rng(5)
    for (g, s), ws in HT.items():
        xp = np.array(ws[::-1], float)
        fp = np.array(PCTS[::-1], float)
        x = rng.uniform(xp[0], xp[-1], 200)
        np.testing.assert_allclose(orf_percentile(x, g, s), np.interp(x, xp, fp), rtol=1e-12)


def test_tied_published_points_get_the_mean_percentile():
    # Private helper on a made-up table with a tie (no tie exists in H&T 2017):
    # points (10, 10), (20, 25), (20, 50), (30, 75), (40, 90)
    w = np.array([10, 20, 20, 30, 40], float)
    p = np.array([10, 25, 50, 75, 90], float)
    got = norms._percentile_raw(np.array([15.0, 20.0, 25.0, 5.0, 45.0]), w, p)
    # 15: 10 + 5*15/10 = 17.5; 20: (25+50)/2 = 37.5; 25: 50 + 5*25/10 = 62.5
    assert got[:3].tolist() == [17.5, 37.5, 62.5]
    assert got[3] == -np.inf and got[4] == np.inf


@pytest.mark.parametrize("bad,needle", [
    (-1, "below the allowed minimum 0"),
    (301, "above the allowed maximum 300"),
    (float("nan"), "missing"),
    ("fast", "text"),
    ([], "empty"),
])
def test_percentile_bad_scores(bad, needle):
    with pytest.raises(DataError, match=needle):
        orf_percentile(bad, 3, "winter")


# ------------------------------------------------------------------------ AWI
@pytest.mark.parametrize("grade", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("pct", PCTS)
def test_awi_formula_grades_2_to_6(grade, pct):
    i = PCTS.index(pct)
    expected = (HT[(grade, "spring")][i] - HT[(grade, "fall")][i]) / 32
    assert orf_weekly_growth(grade, pct) == pytest.approx(expected)


@pytest.mark.parametrize("pct", PCTS)
def test_awi_grade_1_uses_winter_over_16_weeks(pct):
    i = PCTS.index(pct)
    assert orf_weekly_growth(1, pct) == pytest.approx((HT[(1, "spring")][i] - HT[(1, "winter")][i]) / 16)


def test_awi_misprinted_cells_follow_the_formula():
    # printed 1.9, formula (102 - 64) / 32 = 1.1875
    assert orf_weekly_growth(5, 10) == pytest.approx(1.1875)
    # printed 0.3, formula (146 - 132) / 32 = 0.4375
    assert orf_weekly_growth(6, 50) == pytest.approx(0.4375)


def test_awi_bad_input():
    with pytest.raises(DataError, match="percentile"):
        orf_weekly_growth(3, 60)
    with pytest.raises(DataError, match="grade"):
        orf_weekly_growth(8, 50)


# ------------------------------------------------------------------ Acadience
def test_acadience_goals_table():
    g = acadience_goals()
    assert list(g.columns) == ["grade", "season", "benchmark", "cut_for_risk", "above", "source", "year", "tag"]
    got = {(int(r.grade), r.season): (int(r.benchmark), int(r.cut_for_risk), int(r.above)) for r in g.itertuples()}
    assert got == ACA
    assert set(g["tag"]) == {"S"}


@pytest.mark.parametrize("key", list(ACA))
def test_acadience_boundaries_both_sides(key):
    grade, season = key
    bench, cut, above = ACA[key]
    scores = [cut - 1, cut, bench - 1, bench, above - 1, above]
    expected = ["well_below", "below", "below", "at", "at", "above"]
    assert benchmark_status(scores, grade, season).tolist() == expected


def test_acadience_extremes_and_shapes():
    assert benchmark_status(0, 2, "fall") == "well_below"
    assert benchmark_status(300, 2, "fall") == "above"
    s = pd.Series([36, 68], index=[10, 11])
    out = benchmark_status(s, 2, "fall")
    assert isinstance(out, pd.Series) and out.to_dict() == {10: "well_below", 11: "above"}


@pytest.mark.parametrize("grade", [0, 4, 5, 6])
def test_acadience_other_grades_point_to_percentile_system(grade):
    with pytest.raises(DataError, match="system='percentile'"):
        benchmark_status(100, grade, "fall")


def test_acadience_grade_1_fall_has_no_goal():
    with pytest.raises(DataError, match="grade-1 fall"):
        benchmark_status(30, 1, "fall")


# ------------------------------------------------------------ percentile system
def test_percentile_system_by_hand():
    # grade 4 fall: 10th 60, 25th 75, 50th 94.
    # 20th percentile: 60 + (20-10)/15*15 = 70 WCPM;  40th: 75 + (40-25)/25*19 = 86.4 WCPM
    scores = [59, 69, 70, 86, 87, 300]
    expected = ["well_below", "well_below", "below", "below", "at", "at"]
    assert benchmark_status(scores, 4, "fall", system="percentile").tolist() == expected


def test_percentile_system_custom_cuts_at_published_points():
    # grade 5 winter: 10th = 84, 25th = 109. cuts (10, 25): 83 -> under 10th, 84 is the 10th
    out = benchmark_status([83, 84, 108, 109], 5, "winter", system="percentile", cuts=(10, 25))
    assert out.tolist() == ["well_below", "below", "below", "at"]


def test_percentile_system_grade_1_fall_gap_and_bad_cuts():
    with pytest.raises(DataError, match="grade-1 fall"):
        benchmark_status(30, 1, "fall", system="percentile")
    for cuts in [(5, 40), (20, 95), (40, 20), (20, 20), (20,), "20,40"]:
        with pytest.raises(DataError, match="cuts"):
            benchmark_status(80, 4, "fall", system="percentile", cuts=cuts)
    with pytest.raises(DataError, match="system"):
        benchmark_status(80, 4, "fall", system="dibels8")


def test_percentile_system_matches_orf_percentile_on_random_scores():
    rng = np.random.default_rng(11)
    x = rng.integers(0, 301, 2000).astype(float)
    pct = orf_percentile(x, 6, "winter", outside="nan")
    lo = x < 91  # grade 6 winter 10th = 91
    expected = np.where(lo | (pct < 20), "well_below", np.where(pct < 40, "below", "at"))
    expected[lo] = "well_below"
    assert (benchmark_status(x, 6, "winter", system="percentile") == expected).all()


# ------------------------------------------------------------- typical growth
@pytest.mark.parametrize(
    "grade,measure,expected",
    [(2, "orf", 1.5), (3, "orf", 1.0), (4, "orf", 0.9), (5, "orf", 0.5), (6, "orf", 0.3),
     (1, "wif", 1.5), (0, "lsf", 1.2), (1, "maze", 0.4), (4, "maze", 0.4), (8, "maze", 0.4)],
)
def test_typical_growth_reference_values(grade, measure, expected):
    assert typical_growth(grade, measure) == expected


@pytest.mark.parametrize("grade,measure", [(1, "orf"), (7, "orf"), (2, "wif"), (1, "lsf"), (0, "maze"), (3, "nwf")])
def test_typical_growth_unknown_combos(grade, measure):
    with pytest.raises(DataError):
        typical_growth(grade, measure)


def test_typical_growth_default_measure_is_orf():
    assert typical_growth(3) == 1.0


# ------------------------------------------------------ property-based checks
@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=300, allow_nan=False), min_size=1, max_size=30),
       st.sampled_from(list(HT)))
def test_property_percentile_in_range_and_monotone(scores, key):
    g, s = key
    p = orf_percentile(scores, g, s)
    assert ((p >= 10) & (p <= 90)).all()
    order = np.argsort(scores, kind="stable")
    assert (np.diff(p[order]) >= -1e-9).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=300, allow_nan=False), min_size=1, max_size=20),
       st.integers(min_value=0, max_value=19),
       st.sampled_from([float("nan"), -0.5, 300.5, float("inf")]))
def test_property_bad_score_named_with_position(scores, where, bad):
    i = where % len(scores)
    scores = list(scores)
    scores[i] = bad
    with pytest.raises(DataError, match=f"score: .*position {i}"):
        orf_percentile(scores, 3, "fall")
    with pytest.raises(DataError, match=f"position {i}"):
        benchmark_status(scores, 3, "fall")


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.integers(min_value=-5, max_value=15), st.text(max_size=3)),
       st.text(max_size=8))
def test_property_unknown_grade_or_season_is_data_error(grade, season):
    known = (isinstance(grade, int) and 1 <= grade <= 6
             and season.strip().lower() in {"fall", "winter", "spring", "boy", "moy", "eoy", "autumn"})
    if known and not (grade == 1 and season.strip().lower() in {"fall", "boy", "autumn"}):
        assert orf_norm(grade, season, 50) > 0
    else:
        with pytest.raises(DataError):
            orf_norm(grade, season, 50)


# --- support_tier: Acadience band meanings (reference section 2 [S]) ------

def test_support_tier_reads_each_band_as_its_support_level():
    from mtss_teach.norms import support_tier

    # at/above -> core (Tier 1); below -> strategic (2); well below -> intensive (3)
    assert support_tier("above") == 1
    assert support_tier("at") == 1
    assert support_tier("below") == 2
    assert support_tier("well_below") == 3
    s = pd.Series(["well_below", "at"], index=[7, 9])
    out = support_tier(s)
    assert out.tolist() == [3, 1] and out.index.tolist() == [7, 9]


def test_support_tier_of_benchmark_status_at_the_grade_2_fall_cuts():
    from mtss_teach.norms import benchmark_status, support_tier

    # Acadience grade 2 BOY: benchmark 52, cut for risk 37, above 68.
    scores = [36, 37, 51, 52, 68]
    assert support_tier(benchmark_status(scores, 2, "fall")).tolist() == [3, 2, 2, 1, 1]


@pytest.mark.parametrize("bad", ["Below", "tier 2", None, 2, float("nan")])
def test_support_tier_rejects_unknown_status_naming_position(bad):
    from mtss_teach.norms import support_tier

    with pytest.raises(DataError, match=r"status: .* at position 1"):
        support_tier(["at", bad])


def test_support_tier_rejects_empty():
    from mtss_teach.norms import support_tier

    with pytest.raises(DataError, match="empty"):
        support_tier([])


# ------------------------------------------- realistic / ambitious growth (Fuchs et al. 1993)
from mtss_teach.norms import ambitious_growth, goal_ambition, growth_table  # noqa: E402

# The published table (words read correctly per week, realistic / ambitious), typed from the source
_FUCHS_1993 = {1: (2.0, 3.0), 2: (1.5, 2.0), 3: (1.0, 1.5), 4: (0.85, 1.1), 5: (0.5, 0.8), 6: (0.3, 0.65)}


def test_growth_table_matches_published_values_and_keeps_provenance():
    t = growth_table()
    assert {"source", "year", "tag"} <= set(t.columns)
    got = {int(r.grade): (r.realistic, r.ambitious) for r in t.itertuples()}
    assert got == _FUCHS_1993
    assert t["source"].str.contains("Fuchs").all() and (t["year"] == "1993").all()
    # where IRIS rounds differently, the note says so
    assert "0.9" in t.loc[t["grade"] == 4, "note"].iloc[0]


@pytest.mark.parametrize("grade", range(1, 7))
def test_ambitious_growth_values(grade):
    assert ambitious_growth(grade) == _FUCHS_1993[grade][1]


def test_realistic_column_agrees_with_iris_typical_growth_except_rounding():
    for g in (2, 3, 5, 6):
        assert typical_growth(g) == _FUCHS_1993[g][0]
    assert typical_growth(4) == 0.9 and _FUCHS_1993[4][0] == 0.85


@pytest.mark.parametrize("grade", [0, 7, "3"])
def test_ambitious_growth_refuses_other_grades(grade):
    with pytest.raises(DataError):
        ambitious_growth(grade)


@pytest.mark.parametrize("roi, grade, label", [
    (0.9, 3, "below typical"), (1.0, 3, "typical to ambitious"), (1.5, 3, "typical to ambitious"),
    (1.51, 3, "beyond ambitious"), (2.9, 3, "beyond ambitious"),
    (1.4, 1, "below typical"),   # grade 1 typical = IRIS word identification fluency 1.5
    (3.0, 1, "typical to ambitious"), (0.7, 6, "beyond ambitious"),
])
def test_goal_ambition_labels(roi, grade, label):
    assert goal_ambition(roi, grade).label == label


def test_goal_ambition_ratio_and_message():
    g = goal_ambition(2.9, 3)
    assert g.times_typical == pytest.approx(2.9)  # 2.9 / 1.0
    assert g.typical == 1.0 and g.ambitious == 1.5
    assert "review the goal" in g.message and "2.9 times" in g.message
    with pytest.raises(DataError, match="roi"):
        goal_ambition(float("nan"), 3)
