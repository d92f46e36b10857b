"""Tests for mtss_teach.behavior.

Expected values come from the published sources (ODR bands 0-1 / 2-5 / 6+,
SWIS 2008-09 means, SRSS 7 items 0-3, bands 0-3 / 4-8 / 9-21) and hand
arithmetic shown in comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtss_teach import DataError
from mtss_teach.behavior import (
    odr_band,
    odr_bands,
    odr_national_means,
    odr_rate,
    srss_bands,
    srss_items,
    srss_risk,
    srss_total,
)


# ------------------------------------------------------------------ ODR rate
def test_odr_rate_by_hand():
    # 612 majors, 180 days, 1000 students: 612 / 180 / 10 = 0.34
    assert odr_rate(612, 180, 1000) == pytest.approx(0.34)
    # 0 majors -> 0
    assert odr_rate(0, 170, 350) == 0.0
    out = odr_rate([612, 459], [180, 90], [1000, 600])  # 459 / 90 / 6 = 0.85
    assert out == pytest.approx([0.34, 0.85])


def test_odr_rate_shapes():
    s = pd.Series([612, 0], index=["north", "south"])
    out = odr_rate(s, 180, 1000)
    assert isinstance(out, pd.Series) and list(out.index) == ["north", "south"]
    assert isinstance(odr_rate(1, 1, 100), float)


@pytest.mark.parametrize(
    "args,needle",
    [
        ((-1, 180, 500), "majors: .*below"),
        ((2.5, 180, 500), "majors: .*whole"),
        ((10, 0, 500), "school_days: .*0"),
        ((10, 180, 0), "enrollment: .*0"),
        ((10, 180, 50.5), "enrollment: .*whole"),
        (([10, 20], [180, 180, 180], 500), "length mismatch"),
        (([10, np.nan], 180, 500), "majors: .*position 1.*missing"),
    ],
)
def test_odr_rate_bad(args, needle):
    with pytest.raises(DataError, match=needle):
        odr_rate(*args)


def test_odr_national_means_table():
    t = odr_national_means()
    assert t[["grade_span", "odr_per_100_per_day"]].to_numpy().tolist() == [
        ["K-6", 0.34], ["6-9", 0.85], ["9-12", 1.27]]
    assert set(t["tag"]) == {"S"} and t["school_year"].eq("2008-09").all()


# ------------------------------------------------------------------ ODR bands
def test_odr_band_edges():
    assert odr_band([0, 1, 2, 5, 6, 40]).tolist() == ["0-1", "0-1", "2-5", "2-5", "6+", "6+"]
    assert odr_band(1) == "0-1" and odr_band(2) == "2-5" and odr_band(6) == "6+"
    s = pd.Series([5, 6], index=["a", "b"])
    assert odr_band(s).to_dict() == {"a": "2-5", "b": "6+"}
    assert odr_bands()["tier_pattern"].tolist() == ["Tier 1", "Tier 2", "Tier 3"]


@pytest.mark.parametrize("bad,needle", [(-1, "below"), (1.5, "whole"), (np.nan, "missing"),
                                        ("three", "text"), ([], "empty"), ([1, True], "position 1")])
def test_odr_band_bad(bad, needle):
    with pytest.raises(DataError, match=needle):
        odr_band(bad)


# ----------------------------------------------------------------------- SRSS
def test_srss_tables():
    items = srss_items()
    assert len(items) == 7
    assert items["label"].tolist() == ["steal", "lie, cheat, sneak", "behaviour problem", "peer rejection",
                                       "low academic achievement", "negative attitude", "aggressive behaviour"]
    assert srss_bands()[["band", "low", "high"]].to_numpy().tolist() == [
        ["low", 0, 3], ["moderate", 4, 8], ["high", 9, 21]]


def test_srss_total_shapes_by_hand():
    assert srss_total([0, 1, 2, 3, 0, 1, 2]) == 9          # 0+1+2+3+0+1+2
    assert isinstance(srss_total([0] * 7), int)
    arr = np.array([[0] * 7, [3] * 7, [1, 0, 0, 1, 0, 0, 1]])
    assert srss_total(arr).tolist() == [0, 21, 3]
    df = pd.DataFrame(arr, index=["ann", "bo", "cy"],
                      columns=["steal", "lie", "behav", "peer", "acad", "attitude", "aggr"])
    out = srss_total(df)
    assert isinstance(out, pd.Series) and out.name == "srss_total"
    assert out.to_dict() == {"ann": 0, "bo": 21, "cy": 3}
    assert srss_total([[1] * 7]).tolist() == [7]


@pytest.mark.parametrize(
    "bad,needle",
    [
        ([0, 1, 2, 3, 4, 0, 0], "item 5.*out of range"),
        ([0, 1, 2, None, 1, 0, 0], "item 4 is missing"),
        ([0, 1, 1.5, 1, 1, 0, 0], "item 3.*whole"),
        ([0, 1, -1, 1, 1, 0, 0], "out of range"),
        ([0] * 6, "7 items"),
        ([[0] * 7, [0] * 8], "different lengths|7 items"),
        ([[0] * 7, [0] * 6], "different lengths"),
        ([], "empty"),
        ("0123012", "text"),
        ([0, 1, "2", 1, 1, 0, 0], "item 3.*not a number"),
        ([[0] * 7, [0, 0, 0, True, 0, 0, 0]], "row 1, item 4"),
    ],
)
def test_srss_total_bad(bad, needle):
    with pytest.raises(DataError, match=needle):
        srss_total(bad)


def test_srss_total_dataframe_error_names_row_and_column():
    df = pd.DataFrame(np.zeros((3, 7), dtype=int), index=["ann", "bo", "cy"],
                      columns=[f"i{k}" for k in range(1, 8)])
    df.loc["bo", "i6"] = 5
    with pytest.raises(DataError, match=r"row 'bo' \(position 1\), column 'i6'"):
        srss_total(df)


def test_srss_risk_band_edges():
    assert srss_risk([0, 3, 4, 8, 9, 21]).tolist() == ["low", "low", "moderate", "moderate", "high", "high"]
    assert srss_risk(3) == "low" and srss_risk(4) == "moderate" and srss_risk(9) == "high"
    for bad, needle in [(22, "maximum 21"), (-1, "minimum"), (3.5, "whole"), (np.nan, "missing")]:
        with pytest.raises(DataError, match=needle):
            srss_risk(bad)


def test_srss_total_then_risk():
    df = pd.DataFrame([[0, 0, 1, 1, 1, 0, 0], [2, 1, 1, 1, 2, 1, 1]], index=[101, 102])
    assert srss_risk(srss_total(df)).to_dict() == {101: "low", 102: "high"}  # 3 -> low; 9 -> high


# -------------------------------------------------------- property-based checks
@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=7, max_size=7), min_size=1, max_size=25))
def test_property_srss_total_is_row_sum_and_band_consistent(rows):
    totals = srss_total(np.array(rows))
    assert totals.tolist() == [sum(r) for r in rows]
    bands = srss_risk(totals)
    for t, b in zip(totals, bands):
        assert b == ("low" if t <= 3 else "moderate" if t <= 8 else "high")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=7, max_size=7), min_size=1, max_size=10),
       st.integers(0, 9), st.integers(0, 6),
       st.sampled_from([4, -1, 2.5, float("nan"), 99]))
def test_property_srss_bad_item_located(rows, r, c, bad):
    r = r % len(rows)
    arr = np.array(rows, dtype=float)
    arr[r, c] = bad
    with pytest.raises(DataError, match=f"row {r}, item {c + 1}"):
        srss_total(arr)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=1, max_size=30), st.integers(0, 29),
       st.sampled_from([-1, 0.5, float("nan"), float("inf")]))
def test_property_odr_band_bad_count_position(counts, where, bad):
    i = where % len(counts)
    vals = [float(c) for c in counts]
    vals[i] = bad
    with pytest.raises(DataError, match=f"counts: .*position {i}"):
        odr_band(vals)


# ------------------------------------------------ referrals per school day per month (SWIS)
from mtss_teach.behavior import odr_per_day_by_month, school_days_by_month  # noqa: E402


def test_school_days_by_month_by_hand():
    # 2025-09-01 (Mon) .. 2025-10-03 (Fri): September has 22 weekdays, minus Labor Day = 21;
    # October 1-3 = Wed, Thu, Fri = 3
    s = school_days_by_month("2025-09-01", "2025-10-03", ["2025-09-01"])
    assert s.to_dict() == {"2025-09": 21, "2025-10": 3}


def test_school_days_by_month_agrees_with_the_cohort_calendar_total():
    from mtss_teach.cohorts import cohort_params, school_days

    cal = cohort_params()["calendar"]
    s = school_days_by_month(cal["first_day"], cal["last_day"], cal["holidays"])
    assert int(s.sum()) == school_days()
    assert s.index[0] == "2025-08" and s.index[-1] == "2026-05"


def test_odr_per_day_by_month_by_hand():
    days = pd.Series({"2025-11": 15, "2025-09": 20, "2025-10": 22})  # any order in, months in order out
    dates = pd.Series(["2025-09-03", "2025-09-10", "2025-09-11", "2025-11-05"])
    out = odr_per_day_by_month(dates, days, enrollment=300)
    assert out["month"].tolist() == ["2025-09", "2025-10", "2025-11"]
    assert out["referrals"].tolist() == [3, 0, 1]  # October: a row with 0, not a missing row
    assert out["per_day"].tolist() == pytest.approx([3 / 20, 0, 1 / 15])
    # per 100 students per day: 3 / 20 / 3 = 0.05
    assert out["per_100_per_day"].iloc[0] == pytest.approx(0.05)


def test_odr_per_day_by_month_refuses_bad_input_by_row():
    days = pd.Series({"2025-09": 20})
    with pytest.raises(DataError, match="row 7.*2025-10"):
        odr_per_day_by_month(pd.Series(["2025-10-01"], index=[7]), days)
    with pytest.raises(DataError, match="not a date"):
        odr_per_day_by_month(["2025-09-01", "soon"], days)
    with pytest.raises(DataError, match="0 school days"):
        odr_per_day_by_month(["2025-09-01"], pd.Series({"2025-09": 0}))
    with pytest.raises(DataError, match="Series"):
        odr_per_day_by_month(["2025-09-01"], {"2025-09": 20})
