"""Tests for mtss_teach.fidelity.

Expected values come from the TFI v2.1 manual (Algozzine et al. 2014: scoring rule, item
counts, 70% and 80% criteria), hand calculation (arithmetic in comments), or
scikit-learn (Cohen's kappa).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from mtss_teach import DataError
from mtss_teach.fidelity import (
    Agreement,
    action_plan,
    checklist_fidelity,
    checklist_instrument,
    interrater,
    tfi_items,
    tfi_scores,
)

TIER_ITEMS = {1: 15, 2: 13, 3: 17}


def full_sheet(score=2, tiers=(1, 2, 3)):
    return {f"{t}.{i}": score for t in tiers for i in range(1, TIER_ITEMS[t] + 1)}


# ---------------------------------------------------------------------------
# TFI item list (package data)
# ---------------------------------------------------------------------------


def test_tfi_items_shape_and_counts():
    items = tfi_items()
    for col in ["item", "tier", "subscale", "name", "order", "source", "year", "tag"]:
        assert col in items.columns
    # reference section 7: Tier 1 15, Tier 2 13, Tier 3 17 items; Tier 3 = 34 points [S]
    assert items.groupby("tier").size().to_dict() == TIER_ITEMS
    assert items.loc[items["tier"] == 3, "max_points"].sum() == 34
    assert items["item"].is_unique and items["order"].tolist() == list(range(1, 46))
    assert items["item"].tolist()[:11][-2:] == ["1.10", "1.11"]  # text ids, not floats
    assert set(items["tag"]) <= {"S", "S2", "CHECK"}
    assert items["source"].str.len().min() > 20 and (items["year"] == 2014).all()


def test_tfi_subscales_follow_the_reference():
    items = tfi_items()
    order = {t: list(dict.fromkeys(g.sort_values("order")["subscale"])) for t, g in items.groupby("tier")}
    assert order == {1: ["Teams", "Implementation", "Evaluation"],
                     2: ["Teams", "Interventions", "Evaluation"],
                     3: ["Teams", "Resources", "Support Plans", "Evaluation"]}


def test_tfi_unverified_rows_are_flagged():
    items = tfi_items().set_index("item")
    for item in ["2.12", "3.6", "3.8", "3.10", "3.11", "3.12"]:  # names not found in a source
        assert items.loc[item, "tag"] == "CHECK" and "UNVERIFIED" in items.loc[item, "note"]
    for i in range(3, 17):  # Tier 3 subscale boundaries not found in a source
        assert items.loc[f"3.{i}", "tag"] == "CHECK"
    assert items.loc["1.1", "name"] == "Team Composition" and items.loc["1.1", "tag"] == "S2"


def test_tfi_items_returns_a_copy():
    a = tfi_items()
    a.loc[0, "name"] = "changed"
    assert tfi_items().loc[0, "name"] == "Team Composition"


# ---------------------------------------------------------------------------
# tfi_scores
# ---------------------------------------------------------------------------


def test_full_sheet_all_tiers():
    out = tfi_scores(full_sheet(2))
    assert out.index.tolist() == [1, 2, 3] and out.index.name == "tier"
    assert out["possible"].tolist() == [30, 26, 34]  # 2 x 15, 2 x 13, 2 x 17
    assert out["points"].tolist() == [30, 26, 34]
    assert out["percent"].tolist() == [100.0, 100.0, 100.0]
    assert out["meets"].all() and (out["items_missing"] == 0).all()


def test_all_zero_sheet():
    out = tfi_scores(full_sheet(0))
    assert out["percent"].tolist() == [0.0, 0.0, 0.0] and not out["meets"].any()


def test_empty_sheet_is_an_error():
    with pytest.raises(DataError, match="empty"):
        tfi_scores({})
    with pytest.raises(DataError, match="empty"):
        tfi_scores({"1.1": None, "2.3": float("nan")})


def test_tier_with_no_answers_is_left_out():
    out = tfi_scores(full_sheet(1, tiers=(1, 3)))
    assert out.index.tolist() == [1, 3]
    assert out.loc[1, "percent"] == 50.0  # 15 / 30


@pytest.mark.parametrize(
    "tier,points,meets",
    [
        (1, 21, True),  # 21 / 30 = 70.0% exactly: meets (>= 70)
        (1, 20, False),  # 66.7%
        (2, 19, True),  # 19 / 26 = 73.1%
        (2, 18, False),  # 18 / 26 = 69.2%
        (3, 24, True),  # 24 / 34 = 70.6% (24 of 34 points is the Tier 3 70% line)
        (3, 23, False),  # 67.6%
    ],
)
def test_seventy_percent_boundary(tier, points, meets):
    n = TIER_ITEMS[tier]
    scores = [2] * (points // 2) + [1] * (points % 2)
    scores += [0] * (n - len(scores))
    sheet = {f"{tier}.{i + 1}": s for i, s in enumerate(scores)}
    out = tfi_scores(sheet)
    assert out.loc[tier, "points"] == points
    assert out.loc[tier, "percent"] == pytest.approx(100 * points / (2 * n))
    assert bool(out.loc[tier, "meets"]) is meets


def test_criterion_is_configurable():
    sheet = {f"1.{i}": (2 if i <= 12 else 0) for i in range(1, 16)}  # 24 / 30 = 80%
    assert bool(tfi_scores(sheet).loc[1, "meets"]) is True
    assert bool(tfi_scores(sheet, criterion=80).loc[1, "meets"]) is True
    assert bool(tfi_scores(sheet, criterion=81).loc[1, "meets"]) is False


def test_partial_tier_names_missing_items():
    sheet = full_sheet(2, tiers=(2,))
    del sheet["2.3"], sheet["2.12"]
    with pytest.raises(DataError, match=r"Tier 2 .*2\.3, 2\.12"):
        tfi_scores(sheet)
    with pytest.raises(DataError, match="allow_missing"):
        action_plan(sheet)


def test_partial_tier_allow_missing():
    sheet = full_sheet(2, tiers=(2,))
    sheet.update({"2.1": 0, "2.3": None, "2.12": None})
    out = tfi_scores(sheet, allow_missing=True)
    # 11 answered items: 10 x 2 + 0 = 20 of 22
    assert out.loc[2, ["points", "possible", "items_scored", "items_missing"]].tolist() == [20, 22, 11, 2]
    assert out.loc[2, "percent"] == pytest.approx(100 * 20 / 22)


def test_by_subscale_hand():
    sheet = full_sheet(2, tiers=(1,))
    sheet.update({"1.1": 0, "1.2": 1, "1.13": 1})
    out = tfi_scores(sheet, by="subscale")
    assert out.index.names == ["tier", "subscale"]
    assert out.index.get_level_values("subscale").tolist() == ["Teams", "Implementation", "Evaluation"]
    assert out.loc[(1, "Teams"), "points"] == 1 and out.loc[(1, "Teams"), "possible"] == 4  # 0 + 1 of 4
    assert out.loc[(1, "Implementation"), "percent"] == 100.0  # 1.3-1.11, 9 items
    assert out.loc[(1, "Evaluation"), "points"] == 7  # 1.12-1.15: 2 + 1 + 2 + 2
    assert "meets" not in out.columns


def test_series_and_frame_inputs():
    s = pd.Series(full_sheet(1, tiers=(1,)))
    assert tfi_scores(s).loc[1, "points"] == 15
    df = pd.DataFrame({"item": list(s.index), "score": list(s.values)})
    assert tfi_scores(df).loc[1, "points"] == 15


@pytest.mark.parametrize(
    "change,word",
    [
        ({"1.1": 3}, "'1.1' has score 3"),
        ({"1.1": -1}, "0, 1 or 2"),
        ({"1.1": "2"}, "0, 1 or 2"),
        ({"1.1": True}, "0, 1 or 2"),
        ({"1.1": 1.5}, "0, 1 or 2"),
        ({"1.16": 2}, "not a TFI v2.1 item"),
        ({1.1: 2}, "must be text"),
    ],
)
def test_bad_item_scores(change, word):
    sheet = full_sheet(2, tiers=(1,))
    sheet.update(change)
    with pytest.raises(DataError, match=word):
        tfi_scores(sheet)


def test_duplicate_item_in_series():
    s = pd.Series([2, 1], index=["1.1", "1.1"])
    with pytest.raises(DataError, match="twice"):
        tfi_scores(s)


def test_not_a_mapping():
    with pytest.raises(DataError, match="dict"):
        tfi_scores([2, 2, 2])


# ---------------------------------------------------------------------------
# action_plan
# ---------------------------------------------------------------------------


def test_action_plan_order():
    sheet = full_sheet(2, tiers=(1, 2))
    # zeros first (Tier 1 before Tier 2, then subscale order, then item order), then ones
    sheet.update({"2.1": 0, "1.12": 0, "1.4": 0, "1.2": 1, "2.6": 1, "1.9": 1})
    plan = action_plan(sheet)
    assert plan["item"].tolist() == ["1.4", "1.12", "2.1", "1.2", "1.9", "2.6"]
    assert plan["score"].tolist() == [0, 0, 0, 1, 1, 1]
    assert plan["priority"].tolist() == [1, 2, 3, 4, 5, 6]
    assert plan.loc[0, "name"] == "Teaching Expectations" and plan.loc[0, "tier"] == 1
    assert {"subscale", "tag"} <= set(plan.columns)


def test_action_plan_all_in_place_is_empty():
    assert len(action_plan(full_sheet(2))) == 0


def test_action_plan_shows_unverified_tag():
    sheet = full_sheet(2, tiers=(3,))
    sheet["3.10"] = 0
    plan = action_plan(sheet)
    assert plan.loc[0, "item"] == "3.10" and plan.loc[0, "tag"] == "CHECK"


# ---------------------------------------------------------------------------
# checklist_fidelity
# ---------------------------------------------------------------------------

STEPS = checklist_instrument()["step"].tolist()  # six steps, 1 point each


def session_rows(who, week, done, session=None, **extra):
    rows = []
    for step, d in zip(STEPS, done):
        row = dict(interventionist=who, week=week, step=step, done=d, **extra)
        if session is not None:
            row["session"] = session
        rows.append(row)
    return rows


def test_checklist_instrument_data():
    inst = checklist_instrument()
    assert len(inst) == 6 and (inst["points"] == 1).all()
    assert set(inst["tag"]) == {"EXAMPLE"} and inst["source"].str.contains("not a published").all()
    with pytest.raises(DataError, match="name"):
        checklist_instrument("nope")


def test_adherence_dosage_quality_hand():
    rows = (session_rows("Lee", 1, [1, 1, 1, 0, 1, 1], session=1, quality=3,
                         minutes_planned=150, minutes_delivered=120, sessions_planned=5, sessions_delivered=4)
            + session_rows("Lee", 1, [1] * 6, session=2, quality=4,
                           minutes_planned=150, minutes_delivered=120, sessions_planned=5, sessions_delivered=4)
            + session_rows("Lee", 2, [1, None, 1, 0, 0, 1], session=1,
                           minutes_planned=150, minutes_delivered=150, sessions_planned=5, sessions_delivered=5))
    out = checklist_fidelity(pd.DataFrame(rows), "example_session")
    w1, w2 = out.loc[("Lee", 1)], out.loc[("Lee", 2)]
    assert w1["sessions_observed"] == 2
    assert w1["adherence"] == pytest.approx(100 * 11 / 12)  # 5 + 6 of 12 steps
    assert w1["session_dosage"] == 80.0 and w1["minute_dosage"] == 80.0  # 4/5, 120/150: not below 80
    assert w1["quality"] == 3.5  # (3 + 4) / 2
    assert not w1["below_criterion"] and w1["below_what"] == ""
    assert w2["steps_na"] == 1 and w2["points_possible"] == 5  # one step did not apply
    assert w2["adherence"] == 60.0  # 3 of 5
    assert math.isnan(w2["quality"])
    assert w2["below_criterion"] and w2["below_what"] == "adherence"


def test_adherence_boundary_and_criterion_option():
    # 5 steps apply (one N/A), 4 done: 80% exactly is not below 80
    rows = session_rows("Kim", 3, [1, 1, 1, 1, 0, None])
    out = checklist_fidelity(pd.DataFrame(rows), "example_session")
    assert out.loc[("Kim", 3), "adherence"] == 80.0 and not out.loc[("Kim", 3), "below_criterion"]
    out = checklist_fidelity(pd.DataFrame(rows), "example_session", criterion=85)
    assert out.loc[("Kim", 3), "below_criterion"]


def test_by_interventionist_sums_weeks():
    rows = (session_rows("Lee", 1, [1, 1, 1, 0, 1, 1], minutes_planned=100, minutes_delivered=50)
            + session_rows("Lee", 2, [1, 1, 1, 1, 1, 1], minutes_planned=100, minutes_delivered=100)
            + session_rows("Ortiz", 1, [0, 0, 1, 1, 1, 1]))
    out = checklist_fidelity(pd.DataFrame(rows), "example_session", by="interventionist")
    assert out.index.tolist() == ["Lee", "Ortiz"]
    assert out.loc["Lee", "adherence"] == pytest.approx(100 * 11 / 12)
    assert out.loc["Lee", "minute_dosage"] == 75.0  # 150 / 200
    assert out.loc["Lee", "below_what"] == "minutes"
    assert out.loc["Ortiz", "adherence"] == pytest.approx(100 * 4 / 6)
    assert math.isnan(out.loc["Ortiz", "minute_dosage"])  # not given: not flagged


def test_weighted_custom_instrument():
    inst = pd.DataFrame({"step": ["a", "b", "c"], "points": [2, 1, 1]})
    obs = pd.DataFrame({"interventionist": "Ng", "week": 1, "step": ["a", "b", "c"], "done": [0, 1, 1]})
    out = checklist_fidelity(obs, inst)
    assert out.iloc[0]["adherence"] == 50.0  # (1 + 1) of (2 + 1 + 1) points


@pytest.mark.parametrize(
    "mutate,word",
    [
        (lambda d: d.drop(columns="done"), "missing column"),
        (lambda d: d.iloc[:0], "empty"),
        (lambda d: d.assign(step=d["step"].where(d.index != 2, "dance")), "'dance'.*position 2"),
        (lambda d: d.assign(done=d["done"].astype(object).where(d.index != 3, "yes")), "position 3"),
        (lambda d: d.assign(done=d["done"].where(d.index != 1, 2)), "position 1"),
        (lambda d: d.iloc[1:], "no row for step"),
        (lambda d: pd.concat([d, d.iloc[[0]]], ignore_index=True), "twice"),
        (lambda d: d.assign(minutes_planned=[100, 100, 90, 100, 100, 100]), "different values"),
        (lambda d: d.assign(minutes_planned=0, minutes_delivered=10), "0 planned"),
        (lambda d: d.assign(minutes_delivered=-5, minutes_planned=10), "zero or more"),
        (lambda d: d.assign(interventionist=[None] + ["A"] * 5), "position 0"),
    ],
)
def test_checklist_bad_input(mutate, word):
    base = pd.DataFrame(session_rows("A", 1, [1, 0, 1, 1, 1, 1]))
    with pytest.raises(DataError, match=word):
        checklist_fidelity(mutate(base), "example_session")


def test_checklist_bad_instrument():
    obs = pd.DataFrame(session_rows("A", 1, [1] * 6))
    with pytest.raises(DataError, match="step"):
        checklist_fidelity(obs, pd.DataFrame({"name": ["x"]}))
    with pytest.raises(DataError, match="twice"):
        checklist_fidelity(obs, pd.DataFrame({"step": ["x", "x"]}))
    with pytest.raises(DataError, match="above 0"):
        checklist_fidelity(obs, pd.DataFrame({"step": STEPS, "points": [1, 1, 0, 1, 1, 1]}))
    with pytest.raises(DataError, match="DataFrame"):
        checklist_fidelity(obs, 42)


# ---------------------------------------------------------------------------
# interrater
# ---------------------------------------------------------------------------


def test_interrater_hand():
    a = interrater([1, 1, 1, 1, 0, 0, 1, 0, 1, 1], [1, 1, 0, 1, 0, 0, 1, 1, 1, 1])
    # agree on 8 of 10; marginals 7/3 and 7/3 -> p_e = .49 + .09 = .58
    assert a.percent_agreement == 80.0 and a.n == 10
    assert a.kappa == pytest.approx((0.8 - 0.58) / (1 - 0.58))
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.kappa = 1.0  # type: ignore[misc]
    assert isinstance(a, Agreement)


@pytest.mark.parametrize("seed", range(5))
def test_kappa_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 5))
    r1 = rng.integers(0, k, 80)
    r2 = np.where(rng.random(80) < 0.7, r1, rng.integers(0, k, 80))
    a = interrater(r1, r2)
    assert a.kappa == pytest.approx(cohen_kappa_score(r1, r2))
    assert a.percent_agreement == pytest.approx(100 * np.mean(r1 == r2))


def test_kappa_text_labels_and_series():
    r1 = pd.Series(["full", "partial", "none", "full", "full"], index=list("abcde"))
    r2 = ["full", "none", "none", "full", "partial"]
    assert interrater(r1, r2).kappa == pytest.approx(cohen_kappa_score(list(r1), r2))


def test_kappa_undefined_when_one_category():
    a = interrater([1, 1, 1], [1, 1, 1])
    assert a.percent_agreement == 100.0 and math.isnan(a.kappa)


@pytest.mark.parametrize(
    "r1,r2,word",
    [
        ([1, 0], [1], "length mismatch"),
        ([], [], "empty"),
        ([1, None, 0], [1, 1, 0], "position 1"),
        ([1, 0], ["1", "0"], "numbers"),
        ([1, "a"], [1, 0], "position 1"),
        ("1010", "1010", "expected one rating"),
    ],
)
def test_interrater_bad(r1, r2, word):
    with pytest.raises(DataError, match=word):
        interrater(r1, r2)


# ---------------------------------------------------------------------------
# property-based tests for the input checks
# ---------------------------------------------------------------------------

ALL_ITEMS = list(full_sheet(2))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ALL_ITEMS),
       st.one_of(st.integers().filter(lambda v: v not in (0, 1, 2)),
                 st.floats(allow_nan=False).filter(lambda v: v not in (0, 1, 2)),
                 st.text(max_size=3), st.booleans()))
def test_property_bad_score_names_the_item(item, value):
    sheet = full_sheet(2)
    sheet[item] = value
    with pytest.raises(DataError, match=f"'{item}'"):
        tfi_scores(sheet)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(ALL_ITEMS), st.sampled_from([0, 1, 2, None]), max_size=45))
def test_property_partial_sheets(sheet):
    answered = {k for k, v in sheet.items() if v is not None}
    tiers_answered = {int(k.split(".")[0]) for k in answered}
    partly = [t for t in tiers_answered
              if sum(k.startswith(f"{t}.") for k in answered) < TIER_ITEMS[t]]
    if not answered:
        with pytest.raises(DataError, match="empty"):
            tfi_scores(sheet)
        return
    if partly:
        with pytest.raises(DataError, match="partly scored"):
            tfi_scores(sheet)
    out = tfi_scores(sheet, allow_missing=True)
    assert sorted(out.index) == sorted(tiers_answered)
    assert out["items_scored"].sum() == len(answered)
    assert out["points"].sum() == sum(sheet[k] for k in answered)
    assert ((out["percent"] >= 0) & (out["percent"] <= 100)).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc")), min_size=1, max_size=60))
def test_property_kappa_agrees_with_sklearn(pairs):
    r1 = [p[0] for p in pairs]
    r2 = [p[1] for p in pairs]
    a = interrater(r1, r2)
    assert a.n == len(pairs)
    assert a.percent_agreement == pytest.approx(100 * np.mean([x == y for x, y in pairs]))
    if len(set(r1) | set(r2)) > 1:
        assert a.kappa == pytest.approx(cohen_kappa_score(r1, r2))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([0, 1, None]), min_size=6, max_size=6), st.data())
def test_property_checklist_adherence_and_bad_done(done, data):
    obs = pd.DataFrame(session_rows("A", 1, done))
    applies = [d for d in done if d is not None]
    out = checklist_fidelity(obs, "example_session")
    if applies:
        assert out.iloc[0]["adherence"] == pytest.approx(100 * sum(applies) / len(applies))
    else:
        assert math.isnan(out.iloc[0]["adherence"])
    i = data.draw(st.integers(0, 5))
    bad = obs.copy()
    bad["done"] = bad["done"].astype(object)
    bad.loc[i, "done"] = data.draw(st.sampled_from([2, -1, "y", 0.5]))
    with pytest.raises(DataError, match=f"position {i}"):
        checklist_fidelity(bad, "example_session")
