"""Unit tests of the facilitator apps (mtss_teach.widgets), without a browser.

Each app is built in one line from a shipped dataset, its controls are set
as a facilitator would, and what it shows (``app.metrics`` and the
``data-value`` of the numbers in its HTML) is compared with an independent
computation: the library function called directly on data filtered here
with pandas, or arithmetic by hand (shown in comments). Bad input must show
a message, never raise.
"""

from __future__ import annotations

import dataclasses
import re
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtss_teach import DataError, datasets, equity, fidelity, norms, progress, screening
from mtss_teach.widgets import (
    AimlineCoach,
    BehaviorView,
    DataMeeting,
    DecisionRuleLab,
    EquityLens,
    FidelityScorer,
    ScreeningExplorer,
)
from mtss_teach.widgets._base import fmt, metric_html, table_html

DS = "healthy"
ALL_APPS = [ScreeningExplorer, AimlineCoach, DecisionRuleLab, FidelityScorer, EquityLens, DataMeeting,
            BehaviorView]
PROPS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def cohort():
    return datasets.load(DS)


def shown(html: str, key: str) -> str:
    """The data-value of the element with data-metric=key in the app's HTML."""
    m = re.search(r'data-metric="%s"[^>]*data-value="([^"]*)"' % re.escape(key), html)
    assert m, f"no data-metric={key!r} in the HTML"
    return m.group(1)


# ---------------------------------------------------------------------------
# One line, from a dataset or a Cohort
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ALL_APPS, ids=lambda c: c.__name__)
def test_one_line_from_dataset_and_from_cohort(cls, cohort):
    a = cls.from_dataset(DS, draw="off")
    b = cls(cohort, draw="off")
    assert a.message == "" and b.message == ""
    assert a.metrics and a.metrics.keys() == b.metrics.keys()
    for k in a.metrics:  # repr: NaN prints equal to NaN
        assert repr(a.metrics[k]) == repr(b.metrics[k]), k
    box = a.ui
    assert "mtss-app" in box._dom_classes
    assert a.ui is box  # built once


def test_scripted_choice_outside_the_options_is_a_data_error():
    app = ScreeningExplorer.from_dataset(DS, draw="off")
    with pytest.raises(DataError, match="grade: 9 is not one of"):
        app.set(grade=9)


def test_unknown_dataset_and_not_a_cohort():
    with pytest.raises(DataError, match="no_such_school.*healthy"):
        ScreeningExplorer.from_dataset("no_such_school", draw="off")
    with pytest.raises(DataError, match="cohort: expected a Cohort"):
        ScreeningExplorer(pd.DataFrame({"a": [1]}), draw="off")


def test_dataset_chooser_switches_data():
    app = DataMeeting.from_dataset("healthy", draw="off")
    n_healthy = app.metrics["students"]
    app.set_dataset("district_small")  # two schools: the grade has twice the students
    assert app.dataset == "district_small"
    assert app.metrics["students"] == 2 * n_healthy


# ---------------------------------------------------------------------------
# ScreeningExplorer
# ---------------------------------------------------------------------------


def _orf_grade3_fall(c):
    s = c.screening
    rows = s[(s["measure"] == "orf") & (s["season"] == "fall") & (s["grade"] == 3)]
    reading = c.outcomes[c.outcomes["subject"] == "reading"].set_index("student_id")["proficient"]
    at_risk = ~reading.reindex(rows["student_id"]).astype(bool).to_numpy()
    return rows["score"].to_numpy(dtype=float), at_risk, rows["student_id"].to_numpy()


def test_screening_metrics_equal_the_library(cohort):
    app = ScreeningExplorer.from_dataset(DS, draw="off")
    scores, at_risk, ids = _orf_grade3_fall(cohort)
    # starting cut: the library's cut reaching sensitivity .90 with the best specificity
    assert app.metrics["cut"] == round(screening.cut_for_sensitivity(scores, at_risk, 0.90))
    for cut in (60, 83):
        app.set(grade=3, season="fall", measure="orf", cut=cut)
        ca = screening.classification_accuracy(scores, at_risk, cut)
        m = app.metrics
        assert (m["tp"], m["fp"], m["tn"], m["fn"]) == (ca.tp, ca.fp, ca.tn, ca.fn)
        for k in ("sensitivity", "specificity", "ppv", "npv", "base_rate"):
            assert m[k] == pytest.approx(getattr(ca, k), nan_ok=True)
            assert float(shown(app.w_metrics.value, k)) == pytest.approx(getattr(ca, k), nan_ok=True)
        assert m["auc"] == pytest.approx(screening.auc(scores, at_risk))
        # the flagged list is exactly the students with score < cut
        assert sorted(m["flagged_ids"]) == sorted(ids[scores < cut].tolist())
        assert int(shown(app.w_metrics.value, "flagged")) == int((scores < cut).sum())


def test_screening_srss_flags_above_the_published_band(cohort):
    app = ScreeningExplorer.from_dataset(DS, draw="off")
    app.set(grade=4, season="fall", measure="srss")
    # SRSS bands: low 0-3, moderate 4-8 (Drummond 1994) -> start by flagging totals above 3
    assert app.metrics["cut"] == 3 and app.metrics["risk_when"] == "above"
    s = cohort.screening
    rows = s[(s["measure"] == "srss") & (s["season"] == "fall") & (s["grade"] == 4)]
    majors = cohort.behavior[cohort.behavior["type"] == "major"]["student_id"].value_counts()
    n_major = majors.reindex(rows["student_id"]).fillna(0).to_numpy()
    at_risk = n_major >= 2  # ODR bands 2-5 and 6+ (the criterion stated in the app)
    flagged = rows["score"].to_numpy() > 3
    assert app.metrics["tp"] == int((flagged & at_risk).sum())
    assert app.metrics["fp"] == int((flagged & ~at_risk).sum())
    assert app.metrics["fn"] == int((~flagged & at_risk).sum())


def test_screening_empty_selection_shows_a_message(cohort):
    scr = cohort.screening
    gone = (scr["grade"] == 3) & (scr["season"] == "winter")
    app = ScreeningExplorer(dataclasses.replace(cohort, screening=scr[~gone]), draw="off")
    app.set(grade=3, season="winter", measure="orf")
    assert "no students match" in app.message
    assert app.metrics == {}
    assert app.w_metrics.value == ""  # no stale number left on screen
    assert "Traceback" not in app._message.value
    app.set(season="fall")  # a good choice clears the message
    assert app.message == "" and app.metrics["students"] > 0


@PROPS
@given(cut=st.integers(min_value=-10, max_value=250))
def test_screening_any_cut_equals_library(cut):
    app = _SCREEN
    app.set(cut=cut)
    cut_used = app.metrics["cut"]  # the slider keeps the cut inside its range
    assert app.w_cut.min <= cut_used <= app.w_cut.max
    ca = screening.classification_accuracy(_S3[0], _S3[1], cut_used)
    assert (app.metrics["tp"], app.metrics["fp"]) == (ca.tp, ca.fp)


_SCREEN = ScreeningExplorer.from_dataset(DS, draw="off")
_S3 = _orf_grade3_fall(datasets.load(DS))


# ---------------------------------------------------------------------------
# AimlineCoach
# ---------------------------------------------------------------------------


def _student_series(c, sid):
    p = c.progress[c.progress["student_id"] == sid].sort_values("week")
    return p["week"].to_numpy(dtype=float), p["score"].to_numpy(dtype=float)


def test_aimline_decision_is_hidden_until_commit_then_equals_decide(cohort):
    app = AimlineCoach.from_dataset(DS, draw="off")
    sid = app.metrics["student_id"]
    w, s = _student_series(cohort, sid)
    app.show_weeks(9)
    m = app.metrics
    assert m["points_shown"] == 9 and m["decision"] is None and m["truth"] is None
    assert "mtss-hidden-answer" in app.w_answer.value and 'data-metric="decision"' not in app.w_answer.value
    app.commit("continue")
    line = progress.aimline(w[:3], s[:3], goal=m["goal"], goal_week=m["goal_week"])
    dec = progress.decide(w[3:12], s[3:12], line, rule="four_point")
    assert app.metrics["decision"] == dec.action
    assert app.metrics["reason"] == dec.reason
    assert shown(app.w_answer.value, "decision") == dec.action
    # the truth by hand: true slope against the goal-line slope, +/- 0.5 a week
    truth = cohort.truth.set_index("student_id").loc[sid, "true_slope"]
    diff = truth - line.slope
    expected = "raise_goal" if diff > 0.5 else "change_intervention" if diff < -0.5 else "continue"
    assert app.metrics["truth"] == expected
    assert app.metrics["tally"]["commits"] == 1
    assert app.metrics["tally"]["match_rule"] == int(dec.action == "continue")
    # the next week hides the answer again
    app.show_weeks(10)
    assert app.metrics["decision"] is None


def test_aimline_goal_from_growth_norm_and_rules(cohort):
    app = AimlineCoach.from_dataset(DS, draw="off")
    g3 = [sid for sid, grade in zip(cohort.students["student_id"], cohort.students["grade"]) if grade == 3]
    sid = next(x for x in app.w_student.options if x[1] in set(g3))[1]
    app.w_student.value = sid
    w, s = _student_series(cohort, sid)
    # goal = median of 3 baseline probes + 1.0 WCPM/week (IRIS grade 3) x weeks from the middle baseline week
    goal = np.median(s[:3]) + 1.0 * (w[-1] - np.median(w[:3]))
    assert app.metrics["goal"] == pytest.approx(round(goal, 1))
    app.w_rule.value = "trend"
    app.show_weeks(12)
    app.commit("raise_goal")
    line = progress.aimline(w[:3], s[:3], goal=app.metrics["goal"], goal_week=w[-1])
    assert app.metrics["decision"] == progress.decide(w[3:15], s[3:15], line, rule="trend").action
    assert app.metrics["trend_slope"] == pytest.approx(progress.trend(w[3:15], s[3:15]).slope)
    app.w_method.value = "tukey"
    assert app.metrics["trend_slope"] == pytest.approx(progress.trend(w[3:15], s[3:15], method="tukey").slope)


def test_aimline_bad_inputs_show_messages(cohort):
    sid = int(cohort.progress["student_id"].iloc[0])
    short = cohort.progress[(cohort.progress["student_id"] != sid) | (cohort.progress["week"] < 2)]
    app = AimlineCoach(dataclasses.replace(cohort, progress=short), draw="off")
    app.w_student.value = sid  # 2 probes: not enough for 3 baseline + 1
    assert "only 2 probes" in app.message
    assert app.metrics == {}
    other = next(v for _, v in app.w_student.options if v != sid)
    app.w_student.value = other
    assert app.message == ""
    app.w_goal_week.value = 0  # before the baseline
    assert "Goal week" in app.message and app.metrics == {}
    app.w_goal_week.value = 19
    assert app.message == "" and app.metrics["goal_week"] == 19


def test_aimline_no_progress_table_is_a_message(cohort):
    app = AimlineCoach(dataclasses.replace(cohort, progress=None), draw="off")
    assert "no progress table" in app.message


# ---------------------------------------------------------------------------
# DecisionRuleLab
# ---------------------------------------------------------------------------


def test_decision_lab_accuracy_equals_simulate_decisions(cohort):
    lab = DecisionRuleLab.from_dataset(DS, draw="off")
    lab.set(scenario="on_track", grade=3, rule="four_point", sem=10, weeks=6)
    ref = progress.simulate_decisions(1.0, 1.0, 10, 6, "four_point", n=2000, seed=0)  # grade 3 aim 1.0 (IRIS)
    assert lab.metrics["accuracy"] == pytest.approx(ref.loc[ref["truth"] == "all", "correct"].iloc[0])
    assert float(shown(lab.w_metrics.value, "accuracy")) == pytest.approx(lab.metrics["accuracy"])
    lab.set(scenario="dataset", grade=4, rule="trend", sem=5, weeks=14)
    t = cohort.truth.merge(cohort.students[["student_id", "grade"]], on="student_id")
    slopes = t.loc[(t["grade"] == 4) & t["true_slope"].notna(), "true_slope"].to_numpy()
    ref = progress.simulate_decisions(np.resize(slopes, 2000), 0.9, 5, 14, "trend", seed=0)
    assert lab.metrics["accuracy"] == pytest.approx(ref.loc[ref["truth"] == "all", "correct"].iloc[0])


def test_decision_lab_without_truth_is_a_message(cohort):
    lab = DecisionRuleLab(dataclasses.replace(cohort, truth=None), draw="off")
    lab.set(scenario="dataset")
    assert "no true growth" in lab.message
    lab.set(scenario="no_growth")
    assert lab.message == "" and 0 <= lab.metrics["accuracy"] <= 1


# ---------------------------------------------------------------------------
# FidelityScorer
# ---------------------------------------------------------------------------


def test_fidelity_tfi_equals_library(cohort):
    app = FidelityScorer.from_dataset(DS, draw="off")
    sheet = dict(zip(cohort.tfi["item"].astype(str), cohort.tfi["score"].astype(int)))
    ref = fidelity.tfi_scores(sheet)
    for tier, row in ref.iterrows():
        assert app.metrics["percent"][tier] == pytest.approx(row["percent"])
        assert app.metrics["meets"][tier] == bool(row["meets"])
        assert float(shown(app.w_tfi_metrics.value, f"tier{tier}_percent")) == pytest.approx(row["percent"] / 100)
    assert app.metrics["action_plan"] == fidelity.action_plan(sheet)["item"].tolist()


def test_fidelity_hand_scored_sheets():
    app = FidelityScorer.from_dataset(DS, draw="off")
    app.set_items({f"1.{i}": 2 for i in range(1, 16)})
    assert app.metrics["percent"] == {1: 100.0} and app.metrics["meets"] == {1: True}  # 30 / 30
    assert app.metrics["action_plan"] == []
    sheet = {f"1.{i}": 2 for i in range(1, 16)}
    sheet.update({"1.1": 0, "1.2": 0, "1.3": 0, "1.4": 0, "1.5": 1})  # 10 x 2 + 1 = 21 of 30 = 70% exactly
    app.set_items(sheet)
    assert app.metrics["percent"][1] == pytest.approx(70.0) and app.metrics["meets"][1] is True
    sheet["1.5"] = 0  # 20 of 30 = 66.7%
    app.set_items(sheet)
    assert app.metrics["meets"][1] is False
    assert app.metrics["action_plan"][:5] == ["1.1", "1.2", "1.3", "1.4", "1.5"]


def test_fidelity_partial_tier_is_a_message_then_scored_on_request():
    app = FidelityScorer.from_dataset(DS, draw="off")
    sheet = {f"1.{i}": 2 for i in range(1, 15)}  # 1.15 left out
    app.set_items(sheet)
    assert "1.15" in app.message and "Score the answered items only" in app.message
    assert app.metrics == {}
    app.w_partial.value = True
    assert app.message == ""
    assert app.metrics["percent"][1] == 100.0 and app.metrics["items_missing"][1] == 1  # 28 / 28
    app.set_items({})
    assert "no TFI item has a score" in app.message


def test_fidelity_checklist_by_hand():
    app = FidelityScorer.from_dataset(DS, draw="off")
    app.set_observation({"model": False}, sessions_planned=5, sessions_delivered=5, minutes_planned=150,
                        minutes_delivered=90)
    m = app.metrics
    assert m["adherence"] == pytest.approx(500 / 6)  # 5 of 6 steps
    assert m["session_dosage"] == pytest.approx(100.0)  # 5 / 5
    assert m["minute_dosage"] == pytest.approx(60.0)  # 90 / 150
    assert m["below_criterion"] is True and m["below_what"] == "minutes"
    assert shown(app.w_obs_metrics.value, "below_criterion") == "True"
    assert m["history"]  # the interventionist's observations in the dataset, scored by the library


# ---------------------------------------------------------------------------
# EquityLens
# ---------------------------------------------------------------------------


def _counts(c, test, by="race_ethnicity"):
    w = c.tiers[c.tiers["season"] == "winter"].set_index("student_id")["tier"]
    flag = test(w.reindex(c.students["student_id"]).to_numpy())
    df = pd.DataFrame({"group": c.students[by].astype(str).to_numpy(), "flag": flag})
    return df.groupby("group").agg(count=("flag", "sum"), total=("flag", "size")).reset_index()


def test_equity_ratios_equal_library_and_small_cells_hidden(cohort):
    lens = EquityLens.from_dataset(DS, draw="off")
    lens.set(outcome="tier23_winter", group_by="race_ethnicity", min_cell=10, min_n=30)
    ref = equity.disproportionality(_counts(cohort, lambda t: t >= 2), min_cell=10, min_n=30)
    for g, row in ref.iterrows():
        assert lens.metrics["risk_ratio"][g] == pytest.approx(row["risk_ratio"], nan_ok=True)
        assert lens.metrics["count"][g] == row["count"]
    table = lens.w_table.value
    for g, row in ref.iterrows():
        if row["count"] < 10 or row["total"] < 10:
            assert g in lens.metrics["suppressed"]
    # no count under the minimum is printed, and the library's notes (with their numbers) are not shown
    cells = re.findall(r"<td>([^<]*)</td>", table)
    for c in cells:
        if c.isdigit():
            assert int(c) >= 10
    assert "min_cell" not in table


@PROPS
@given(min_cell=st.integers(min_value=0, max_value=60), threshold=st.floats(min_value=0.5, max_value=4))
def test_equity_any_minimum_never_prints_a_small_count(min_cell, threshold):
    lens = _LENS
    lens.set(min_cell=min_cell, threshold=threshold)
    assert lens.message == ""
    for c in re.findall(r"<td>([^<]*)</td>", lens.w_table.value):
        if c.isdigit():
            assert int(c) >= min_cell
    rr = lens.metrics["risk_ratio"]
    assert lens.metrics["above_threshold"] == [g for g, v in rr.items() if np.isfinite(v) and v >= threshold]


_LENS = EquityLens.from_dataset(DS, draw="off")


def test_equity_screening_and_odr_outcomes(cohort):
    lens = EquityLens.from_dataset(DS, draw="off")
    lens.set(outcome="odr_2plus", group_by="sex", min_cell=0, min_n=0)
    majors = cohort.behavior[cohort.behavior["type"] == "major"]["student_id"].value_counts()
    flag = majors.reindex(cohort.students["student_id"]).fillna(0).to_numpy() >= 2
    for sex in ("female", "male"):
        mine = (cohort.students["sex"] == sex).to_numpy()
        assert lens.metrics["count"][sex] == int(flag[mine].sum())
        # risk ratio by hand: (a / n) / (b / m), b and m the other sex
        a, n, b, m = flag[mine].sum(), mine.sum(), flag[~mine].sum(), (~mine).sum()
        assert lens.metrics["risk_ratio"][sex] == pytest.approx((a / n) / (b / m))
    lens.set(outcome="orf_well_below_winter", group_by="english_learner")
    assert set(lens.metrics["risk"]) == {"English learner", "Not an English learner"}


# ---------------------------------------------------------------------------
# DataMeeting
# ---------------------------------------------------------------------------


def test_data_meeting_team_and_rule_tiers(cohort):
    meet = DataMeeting.from_dataset(DS, draw="off")
    meet.set(grade=3, season="fall", tier3_below=10, tier2_below=30, rule="acadience")
    s = cohort.screening
    rows = s[(s["measure"] == "orf") & (s["season"] == "fall") & (s["grade"] == 3)]
    status = norms.benchmark_status(rows["score"].astype(float), 3, "fall", system="percentile", cuts=(10, 30))
    team = np.select([status == "well_below", status == "below"], [3, 2], 1)
    rule = norms.benchmark_status(rows["score"].astype(float), 3, "fall", system="acadience")
    rule_t = np.select([rule == "well_below", rule == "below"], [3, 2], 1)  # Acadience: intensive/strategic/core
    assert meet.metrics["team_tiers"] == dict(zip(rows["student_id"], team))
    assert meet.metrics["rule_tiers"] == dict(zip(rows["student_id"], rule_t))
    ts = screening.tier_shares(team)
    assert meet.metrics["team_shares"] == pytest.approx([ts.share1, ts.share2, ts.share3])
    assert meet.metrics["agreement"] == pytest.approx(np.mean(team == rule_t))
    assert float(shown(meet.w_metrics.value, "team_tier2")) == pytest.approx(ts.share2)


def test_data_meeting_exit_criterion(cohort):
    meet = DataMeeting.from_dataset(DS, draw="off")
    meet.set(grade=4, season="winter", tier3_below=10, tier2_below=25, exit_at=40)
    s = cohort.screening
    rows = s[(s["measure"] == "orf") & (s["season"] == "winter") & (s["grade"] == 4)]
    pct_status = norms.benchmark_status(rows["score"].astype(float), 4, "winter", system="percentile",
                                        cuts=(10, 40))
    fall = cohort.tiers[cohort.tiers["season"] == "fall"].set_index("student_id")["tier"]
    supported = fall.reindex(rows["student_id"]).to_numpy() >= 2
    team = meet.metrics["team_tiers"]
    for sid, sup, st_ in zip(rows["student_id"], supported, pct_status):
        if sup:  # supported in fall: Tier 1 only at or above the 40th percentile, otherwise still supported
            assert (team[sid] == 1) == (st_ == "at")
            assert team[sid] >= 1
    assert meet.w_rule.value == "percentile"  # grade 4: Acadience goals are not shipped


def test_data_meeting_bad_criteria_and_grade1_fall_are_messages():
    meet = DataMeeting.from_dataset(DS, draw="off")
    meet.set(tier3_below=30, tier2_below=25)
    assert "must be below the Tier 2 percentile" in meet.message and meet.metrics == {}
    meet.set(tier3_below=10, grade=1, season="fall")
    assert "no grade-1 fall ORF norm" in meet.message
    meet.set(season="winter")
    assert meet.message == ""


@PROPS
@given(t3=st.integers(10, 89), t2=st.integers(11, 90))
def test_data_meeting_any_criteria_message_or_shares(t3, t2):
    meet = _MEET
    meet.set(tier3_below=t3, tier2_below=t2)
    if t3 >= t2 or t3 >= 40:  # winter: the exit percentile (40) must be above the Tier 3 cut too
        assert meet.message and meet.metrics == {}
    else:
        assert meet.message == ""
        assert sum(meet.metrics["team_shares"]) == pytest.approx(1.0)


_MEET = DataMeeting.from_dataset(DS, draw="off")


# ---------------------------------------------------------------------------
# BehaviorView
# ---------------------------------------------------------------------------


def test_behavior_rate_by_hand(cohort):
    view = BehaviorView.from_dataset(DS, draw="off")
    assert view.metrics["school_days"] == 175  # 200 weekdays minus 25 holidays (cohort calendar)
    view.set(school_days=150)
    majors = int((cohort.behavior["type"] == "major").sum())
    n = len(cohort.students)
    assert view.metrics["odr_rate"] == pytest.approx(majors / 150 / (n / 100))  # the SWIS formula
    assert view.metrics["national_k6"] == 0.34  # SWIS 2008-09, K-6
    counts = cohort.behavior[cohort.behavior["type"] == "major"]["student_id"].value_counts()
    per = counts.reindex(cohort.students["student_id"]).fillna(0)
    assert view.metrics["band_shares"]["6+"] == pytest.approx(float((per >= 6).mean()))
    srss = cohort.screening[(cohort.screening["measure"] == "srss") & (cohort.screening["season"] == "fall")]
    assert view.metrics["srss"]["high"] == pytest.approx(float((srss["score"] >= 9).mean()))  # high 9-21


# ---------------------------------------------------------------------------
# Charts drawn as SVG with their accessible name
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ALL_APPS, ids=lambda c: c.__name__)
def test_charts_are_drawn_offline_with_a_description(cls):
    app = cls.from_dataset(DS, draw="sync")
    for name, pane in app.charts.items():
        if cls is FidelityScorer or pane.spec is not None:
            assert pane.error == "", (name, pane.error)
            assert pane.svg.startswith("<svg"), name
            desc = pane.spec["description"]
            assert desc and 'role="img"' in pane.widget.value
            assert 'aria-label="' in pane.widget.value
            assert "http" not in pane.svg.replace("http://www.w3.org", "")  # nothing loaded from elsewhere


def test_background_drawing_catches_up():
    from mtss_teach.widgets._base import wait_for_charts

    app = DecisionRuleLab.from_dataset(DS, draw="background")
    app.set(weeks=10)
    wait_for_charts()
    pane = app.charts["accuracy"]
    assert pane.svg.startswith("<svg") and "10 weeks" in pane.spec["description"] or "10 weeks" in pane.svg


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def test_format_helpers_escape_and_say_na():
    assert fmt(float("nan"), "prop") == "n/a" and fmt(0.5, "pct") == "50.0%" and fmt(2.50) == "2.5"
    html = metric_html("<b>", 1 / 3, "x", "prop")
    assert "&lt;b&gt;" in html and 'data-value="0.3333333333333333"' in html
    t = table_html(pd.DataFrame({"name": ["<script>"]}))
    assert "<script>" not in t and "&lt;script&gt;" in t


# --- YearReview (capstone): one tab per decision, built on first open -------

def test_year_review_builds_tabs_on_demand_with_the_library_apps():
    from mtss_teach.widgets import YearReview
    from mtss_teach.widgets.year_review import STEPS

    review = YearReview.from_dataset("low_fidelity", draw="off")
    # Only the first tab's app exists until another tab is opened.
    assert [a is not None for a in review.apps] == [True] + [False] * (len(STEPS) - 1)
    assert isinstance(review.apps[0], ScreeningExplorer)
    review.tabs.selected_index = 3  # a facilitator clicks "4. Fidelity"
    assert isinstance(review.apps[3], FidelityScorer)
    assert review.tabs.children[3].children[0] is review.apps[3].ui
    # Every tab opens the app named in STEPS, on the same dataset.
    expected = [ScreeningExplorer, DataMeeting, AimlineCoach, FidelityScorer, EquityLens, BehaviorView]
    for i, cls in enumerate(expected):
        app = review.open(i)
        assert type(app) is cls
        assert app.dataset == "low_fidelity"
    assert [review.tabs.get_title(i) for i in range(len(STEPS))] == [t for t, _ in STEPS]


def test_year_review_tabs_show_what_the_standalone_apps_show():
    # The review only hosts the apps: a tab's numbers equal the same app built alone.
    from mtss_teach.widgets import YearReview

    review = YearReview.from_dataset("low_fidelity", draw="off")
    for i, cls in [(0, ScreeningExplorer), (3, FidelityScorer), (4, EquityLens)]:
        alone = cls.from_dataset("low_fidelity", draw="off").metrics
        assert repr(review.open(i).metrics) == repr(alone)  # repr: NaN (no ratio) equals NaN


KERNEL_PROBE = """
from mtss_teach.widgets import ScreeningExplorer
from mtss_teach.widgets._base import wait_for_charts
import time
app = ScreeningExplorer.app()
time.sleep(1.0)  # time enough to draw, were the charts not held
print("during", sum(bool(p.svg) for p in app._panes), len(app._panes), len(app._held_draws))
"""
KERNEL_PROBE_2 = """
wait_for_charts()  # a kernel with no page: the wait releases the held charts
print("after", sum(bool(p.svg) for p in app._panes), len(app._panes), app._held_draws)
before = [p.svg for p in app._panes]
app.w_cut.value = app.w_cut.value + 1  # a control moved later redraws at once, nothing held
wait_for_charts()
print("moved", sum(p.svg != b for p, b in zip(app._panes, before)), app._held_draws)
"""


@pytest.mark.slow
def test_in_a_kernel_first_charts_are_drawn_after_the_cell_that_builds_the_app():
    """In a notebook kernel (a Voila page) the first charts start when the building cell ends."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        out: list[str] = []

        def hook(m):
            if m["msg_type"] == "stream":
                out.append(m["content"]["text"])

        for code in (KERNEL_PROBE, KERNEL_PROBE_2):
            reply = kc.execute_interactive(code, timeout=120, output_hook=hook)
            assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    lines = "".join(out).split("\n")
    during, after, moved = (ln.split() for ln in lines[:3])
    assert during[1] == "0" and int(during[2]) >= 2 and during[3] == during[2]  # held while the cell ran
    assert after[1] == after[2] and after[3] == "None"  # all drawn once it ended
    assert int(moved[1]) >= 1 and moved[2] == "None"


FRONT_END_PROBE = """
import time
from mtss_teach.widgets import ScreeningExplorer
from mtss_teach.widgets import _base
_base._FirstChartsGate.FALLBACK = {fallback}
app = ScreeningExplorer.app()
"""
POLL = """
deadline = time.monotonic() + {seconds}
while time.monotonic() < deadline and not all(p.svg for p in app._panes):
    time.sleep(0.05)
print(sum(bool(p.svg) for p in app._panes), len(app._panes), app._held_draws is None)
"""


def _kernel_session(cells: list, open_control_comm_after: int | None = None) -> list[str]:
    """Run cells in a real kernel; optionally act as a page's widget manager after cell N.

    The page's part is what JupyterLab's and Voila's widget managers send: a
    ``comm_open`` on ``jupyter.widget.control`` (control protocol 1.0.0) and
    a ``request_states`` message on it.
    """
    import uuid

    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    printed: list[str] = []
    try:
        for i, code in enumerate(cells):
            out: list[str] = []
            reply = kc.execute_interactive(code, timeout=120, output_hook=lambda m: out.append(
                m["content"]["text"]) if m["msg_type"] == "stream" else None)
            assert reply["content"]["status"] == "ok", reply["content"]
            printed.append("".join(out).strip())
            if i == open_control_comm_after:
                cid = uuid.uuid4().hex
                kc.shell_channel.send(kc.session.msg(
                    "comm_open", {"comm_id": cid, "target_name": "jupyter.widget.control", "data": {}},
                    metadata={"version": "1.0.0"}))
                kc.shell_channel.send(kc.session.msg(
                    "comm_msg", {"comm_id": cid, "data": {"method": "request_states"}}))
                # the kernel answers on IOPub with update_states
                deadline = time.monotonic() + 30
                while True:
                    m = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
                    data = m["content"].get("data", {}) if m["msg_type"] == "comm_msg" else {}
                    if data.get("method") == "update_states":
                        assert len(data["states"]) >= 10  # the app's widgets
                        break
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return printed


@pytest.mark.slow
def test_first_charts_start_when_a_page_has_fetched_the_widgets():
    # no page and a long fallback: still held 2 s after the cell
    held = _kernel_session([FRONT_END_PROBE.format(fallback=60), POLL.format(seconds=2)])[1].split()
    assert held[0] == "0" and held[2] == "False"
    # a page fetches the widget states: drawn, long before the 60 s fallback
    shown = _kernel_session([FRONT_END_PROBE.format(fallback=60), POLL.format(seconds=30)],
                            open_control_comm_after=0)[1].split()
    assert shown[0] == shown[1] and shown[2] == "True"
    # no page, a short fallback: drawn anyway
    late = _kernel_session([FRONT_END_PROBE.format(fallback=0.5), POLL.format(seconds=30)])[1].split()
    assert late[0] == late[1] and late[2] == "True"


# ---------------------------------------------------------------------------
# Facilitator controls (issue 13, item 6): dropdowns, neutral names, links,
# start over, impossible inputs, one commit a week, "waiting for more data"
# ---------------------------------------------------------------------------

MY_APPS = [ScreeningExplorer, AimlineCoach, DecisionRuleLab, FidelityScorer, DataMeeting, BehaviorView]


def test_all_schools_dropdowns_show_their_choice():
    # ipywidgets' own Dropdown shows a blank box for the value None; the apps' must show "All schools"
    for cls in (ScreeningExplorer, DataMeeting, BehaviorView):
        app = cls.from_dataset("district_small", draw="off")
        assert app.w_school.value is None
        assert app.w_school.index == 0 and app.w_school.label == "All schools", cls.__name__
        app.w_school.value = "School 02"
        app.w_school.value = None  # back to "all": still shown
        assert app.w_school.label == "All schools"
    fid = FidelityScorer.from_dataset(DS, draw="off")
    fid.set_items({"1.1": 2})  # every other item cleared: "not scored" is shown, not a blank box
    assert fid.w_items["1.2"].value is None and fid.w_items["1.2"].label == "not scored"
    assert fid.w_items["1.1"].label == "2 in place"


@pytest.mark.parametrize("cls", MY_APPS, ids=lambda c: c.__name__)
def test_every_dropdown_of_an_app_shows_a_choice(cls):
    import ipywidgets as W

    app = cls.from_dataset("district_small", draw="off")

    def walk(w):
        yield w
        for c in getattr(w, "children", ()):
            yield from walk(c)

    drops = [w for w in walk(app.ui) if isinstance(w, W.Dropdown)]
    assert drops
    blank = [w.description for w in drops if w.index is None]
    assert blank == [], f"blank dropdowns: {blank}"


def test_dataset_names_are_neutral_in_the_apps_and_their_links():
    revealing = ("weak", "tier1", "dispro", "fidelity", "healthy", "low_")
    for cls in MY_APPS:
        app = cls.from_dataset("weak_tier1", draw="off")
        labels = [label for label, _ in app._dataset.options]
        assert app._dataset.label == "District D"
        for label in labels:
            assert not any(word in label.lower() for word in revealing), label
        assert "weak" not in app.link and "dataset=district-d" in app.link
    from mtss_teach.widgets._base import dataset_from_query

    names = datasets.list_datasets()["name"].tolist()
    assert dataset_from_query(names, "dataset=district-d") == "weak_tier1"
    assert dataset_from_query(names, "dataset=District%20D") == "weak_tier1"
    assert dataset_from_query(names, "dataset=weak_tier1") == "weak_tier1"  # old links still work


@pytest.mark.parametrize("cls", MY_APPS, ids=lambda c: c.__name__)
def test_a_link_reopens_the_same_view(cls):
    a = cls.from_dataset("district_small", draw="off")
    changes = {
        ScreeningExplorer: lambda x: x.set(school="School 02", grade=4, season="winter", cut=90),
        AimlineCoach: lambda x: (setattr(x.w_student, "value", x.w_student.options[5][1]),
                                 setattr(x.w_rule, "value", "trend"), x.show_weeks(9)),
        DecisionRuleLab: lambda x: x.set(scenario="no_growth", grade=5, rule="trend_ci", sem=7, weeks=15),
        FidelityScorer: lambda x: setattr(x.w_school, "value", list(x._sheets)[-1]),
        DataMeeting: lambda x: x.set(school="School 01", grade=2, season="spring", tier3_below=15, tier2_below=30,
                                     exit_at=45, rule="percentile"),
        BehaviorView: lambda x: x.set(school="School 02", view="location", majors_only=False, season="winter"),
    }[cls]
    changes(a)
    assert a.message == ""
    b = cls.from_dataset(draw="off")  # opened on another dataset, then the link is applied
    b.open_link(a.link)
    assert b.message == "" and b.dataset == "district_small"
    assert repr(b.metrics) == repr(a.metrics)
    assert b.link == a.link


def test_aimline_link_student_and_week(cohort):
    app = AimlineCoach.from_dataset(DS, draw="off")
    sid = app.w_student.options[4][1]
    app.open_link(f"dataset=district-b&student={sid}&week=8&token=abc")
    w, _ = _student_series(cohort, sid)
    mon = w[3:]  # after 3 baseline probes
    assert app.metrics["student_id"] == sid
    assert app.metrics["points_shown"] == int((mon <= 8).sum())  # monitoring weeks up to week 8
    assert app.metrics["week"] == mon[mon <= 8].max()
    assert "token=abc" in app.link and "week=8" in app.link  # a room's token stays in the link
    app.open_link("student=nobody&week=8")
    assert "student=nobody" in app.message  # a sentence, the rest applied
    assert app.metrics["week"] == mon[mon <= 8].max()


def test_aimline_link_from_a_voila_page(monkeypatch):
    # Voila passes the page's query string, path and host to the kernel
    monkeypatch.setenv("QUERY_STRING", "dataset=district-b&week=6&goal_week=18")
    monkeypatch.setenv("SCRIPT_NAME", "/voila/render/modules/04-progress-monitoring/app.ipynb")
    monkeypatch.setenv("SERVER_NAME", "192.168.1.20")
    monkeypatch.setenv("SERVER_PORT", "8866")
    app = AimlineCoach.app(draw="off")
    assert app.dataset == "healthy" and app.metrics["goal_week"] == 18 and app.metrics["week"] <= 6
    assert app.link.startswith("http://192.168.1.20:8866/voila/render/modules/04-progress-monitoring/app.ipynb?")
    assert 'class="mtss-link-url"' in app._link.value and "week=6" in app._link.value
    assert "data-metric" not in app._link.value  # a page's first number is never the link


@pytest.mark.parametrize("cls", MY_APPS, ids=lambda c: c.__name__)
def test_start_over_returns_to_the_start(cls):
    fresh = cls.from_dataset(DS, draw="off").metrics
    app = cls.from_dataset(DS, draw="off")
    if cls is AimlineCoach:
        app.show_weeks(6)
        app.commit("continue")
        app.w_goal.value = 99
    elif cls is FidelityScorer:
        app.set_items({"1.1": 0})
    else:
        ctl = next(w for k, w in app._controls().items() if hasattr(w, "max") and not hasattr(w, "options"))
        ctl.value = ctl.max
    app.set_dataset("district_small")
    assert repr(app.metrics) != repr(fresh)
    app.reset()
    assert app.dataset == DS and app.message == ""
    assert repr(app.metrics) == repr(fresh)


def test_start_over_returns_to_the_links_settings():
    app = DecisionRuleLab.from_dataset(draw="off")
    app.open_link("dataset=district-b&weeks=12&rule=trend")
    start = app.metrics
    app.set(weeks=20, rule="four_point", sem=3)
    app.reset()
    assert app.metrics == start and app.metrics["weeks"] == 12 and app.metrics["rule"] == "trend"


@pytest.mark.parametrize("goal, goal_week, words", [
    (1e308, None, "more than the 300"),
    (-5.0, None, "negative"),
    (float("nan"), None, "must be a number"),
    (float("inf"), None, "must be a number"),
    (1.0, None, "not above the baseline median"),
    (None, 999999, "after the end of the school year"),
    (None, 21, "after the end of the school year"),
])
def test_aimline_impossible_goals_get_a_sentence_not_a_verdict(goal, goal_week, words):
    app = AimlineCoach.from_dataset(DS, draw="off")
    app.show_weeks(10)
    app.commit("continue")
    assert app.metrics["decision"] is not None
    if goal is not None:
        app.w_goal.value = goal
    if goal_week is not None:
        app.w_goal_week.value = goal_week
    assert words in app.message
    assert app.metrics == {}  # no decision, no truth, no number shown
    assert 'data-metric="decision"' not in app.w_answer.value and app.w_answer.value == ""
    assert app.w_commit.disabled


def test_aimline_last_week_of_the_school_year_is_accepted():
    # the cohorts' calendar: progress monitoring starts 2026-01-07, the year ends 2026-05-29
    # -> 142 days = 20 whole weeks (cohort_params.yml)
    from mtss_teach.widgets.aimline import last_school_week

    assert last_school_week() == 20
    app = AimlineCoach.from_dataset(DS, draw="off")
    app.w_goal_week.value = 20
    assert app.message == "" and app.metrics["goal_week"] == 20


def test_aimline_one_commit_per_week():
    app = AimlineCoach.from_dataset(DS, draw="off")
    app.show_weeks(7)
    app.commit("continue")
    first = app.metrics["tally"]
    assert first["commits"] == 1 and app.w_commit.disabled
    for other in ("raise_goal", "continue", "change_intervention"):
        app.commit(other)
    assert app.metrics["tally"] == first and "already committed" in app.message
    assert app.metrics["choice"] == "continue"
    app.show_weeks(8)  # a new week: one more commitment allowed
    assert not app.w_commit.disabled and app.metrics["decision"] is None
    app.commit("raise_goal")
    assert app.metrics["tally"]["commits"] == 2
    app.show_weeks(7)  # back to a decided week: its decision is shown again, no new commitment
    assert app.metrics["revealed"] and app.metrics["choice"] == "continue" and app.w_commit.disabled


def test_aimline_truth_for_a_falling_goal_uses_correct_action(cohort):
    # the truth the coach reveals is progress.correct_action, checked here by hand: slope within 0.5
    app = AimlineCoach.from_dataset(DS, draw="off")
    truth = cohort.truth.set_index("student_id")["true_slope"]
    for _, sid in app.w_student.options[:8]:
        app.w_student.value = sid
        app.commit("continue")
        diff = truth[sid] - app.metrics["aim_slope"]
        expected = "raise_goal" if diff > 0.5 else "change_intervention" if diff < -0.5 else "continue"
        assert app.metrics["truth"] == expected


def test_decision_lab_says_waiting_not_zero_percent():
    lab = DecisionRuleLab.from_dataset(DS, draw="off")
    lab.set(scenario="on_track", grade=3, rule="four_point", sem=10, weeks=4)
    # decide's default: the four-point rule needs 6 points; with 4 every call is "collect more data"
    assert lab.metrics["waiting"] and lab.metrics["accuracy"] is None and lab.metrics["decides_from"] == 6
    assert shown(lab.w_metrics.value, "accuracy") == "waiting"
    assert "waiting for more data" in lab.w_metrics.value and "0.0% right" not in lab.w_metrics.value
    cells = re.findall(r"<td>([^<]*)</td>\s*</tr>", lab.w_table.value)  # the last column: "right"
    assert cells == ["waiting", "waiting"]  # the table says so too, not 0.0%
    lab.set(rule="trend", weeks=7)  # the trend rule needs 8
    assert lab.metrics["waiting"] and lab.metrics["decides_from"] == 8
    lab.set(weeks=8)
    assert not lab.metrics["waiting"] and lab.metrics["accuracy"] > 0


@pytest.mark.slow
def test_decision_lab_curve_comes_from_the_library_and_skips_waiting_weeks():
    from mtss_teach.widgets._base import wait_for_charts

    lab = DecisionRuleLab.from_dataset(DS, draw="sync")
    lab.set(scenario="on_track", grade=3, rule="trend", sem=10, weeks=10)
    wait_for_charts()
    spec = lab.charts["accuracy"].spec
    ref = progress.accuracy_by_weeks(1.0, 1.0, 10, "trend", range(4, 21), n=2000)
    line = next(d for d in spec["datasets"].values() if len(d) > 1)
    assert [r["weeks"] for r in line] == list(range(8, 21))  # weeks 4-7 only wait: not drawn as 0%
    assert [r["accuracy"] for r in line] == pytest.approx(ref.loc[~ref["waiting"], "correct"].tolist())
    assert "does not decide" in spec["description"]


def test_year_review_one_dataset_for_every_tab():
    from mtss_teach.widgets import YearReview

    review = YearReview.from_dataset("healthy", draw="off")
    review.open(1)
    review.set_dataset("weak_tier1")  # chosen once, above the tabs
    assert review.w_dataset.label == "District D"
    assert review.apps[0].dataset == "weak_tier1" and review.apps[1].dataset == "weak_tier1"
    assert review.open(4).dataset == "weak_tier1"  # a tab opened later starts on it too
    alone = DataMeeting.from_dataset("weak_tier1", draw="off").metrics
    assert repr(review.apps[1].metrics) == repr(alone)
    # one chooser for the review: the tabs' own choosers are hidden
    assert all(a._dataset.layout.display == "none" for a in review.apps if a is not None)
    review.open_link("dataset=district-a&tab=3&week=8")
    assert review.tabs.selected_index == 2 and review.dataset == "disproportionate"
    assert review.apps[2].metrics["week"] <= 8 and "tab=3" in review.link
    review.reset()
    assert review.dataset == "disproportionate" and review.tabs.selected_index == 2


# ---------------------------------------------------------------------------
# In a real browser at projector size (1024 x 768), against a real Voila server
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def widgets_voila(tmp_path_factory):
    """A Voila server for this module's browser test (the configuration of ``serve``), stopped at the end."""
    import importlib.util

    if importlib.util.find_spec("voila") is None:
        pytest.skip("voila is not installed")
    from mtss_teach.apps import VoilaServer

    server = VoilaServer(log_path=tmp_path_factory.mktemp("voila") / "voila.log")
    server.start(timeout=120)
    try:
        yield server
    finally:
        server.stop()


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


@pytest.mark.browser
@pytest.mark.slow
def test_aimline_deep_link_on_a_projector(widgets_voila, offline_page, cohort):
    """A guide's link opens the Aimline coach at week 8; everything needed for the week is on one screen."""
    page = offline_page.page
    page.set_viewport_size({"width": 1024, "height": 768})
    page.set_default_timeout(30_000)
    url = widgets_voila.url("modules/04-progress-monitoring/app.ipynb") + "?dataset=district-b&week=8"
    page.goto(url, timeout=90_000)
    page.wait_for_selector(".mtss-aimline-numbers [data-metric]", state="visible", timeout=90_000)
    assert "There was an error when executing cell" not in page.inner_text("body")
    # the link's dataset ("District B" is healthy) and week: 3 baseline probes (weeks 0-2), one probe a week
    assert page.locator(".mtss-dataset select").input_value() == "District B"
    label = page.locator(".mtss-student select option:checked").inner_text()
    sid = int(label.split("·")[0].strip())
    weeks = cohort.progress.loc[cohort.progress["student_id"] == sid, "week"].sort_values().to_numpy()
    k = int((weeks[3:] <= 8).sum())
    assert page.locator('[data-metric="points_shown"]').get_attribute("data-value") == str(k)
    # the main control, the decision buttons and the action button are on screen without scrolling
    assert page.evaluate("window.scrollY") == 0
    for sel in (".mtss-next-week", ".mtss-choice", ".mtss-commit"):
        box = _box(page, sel)
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 768, (sel, box)
    page.get_by_role("button", name="Keep the intervention going").click()
    page.get_by_role("button", name="Commit and reveal").click()
    page.wait_for_selector('.mtss-aimline-answer [data-metric="decision"]')
    box = _box(page, ".mtss-aimline-answer .mtss-decision")  # the result, on the same screen
    assert box["y"] + box["height"] <= 768, box
    assert page.locator(".mtss-commit").is_disabled()  # one commitment this week
    href = page.locator(".mtss-link-url").get_attribute("href")
    assert "dataset=district-b" in href and "week=8" in href and href.startswith("http://127.0.0.1:")
