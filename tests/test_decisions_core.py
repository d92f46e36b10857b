"""One decision, one function: the core functions the apps, lessons and exercises call.

``progress.correct_action`` (the right action for a true slope),
``progress.accuracy_by_weeks`` (the decision lab's curve) and
``screening.place_tiers`` (a team's entry/exit tier criteria). Expected
values are worked by hand from the rules' definitions and from the
published Hasbrouck & Tindal (2017) grade-3 winter ORF norms (10th
percentile 62 WCPM, 25th 79, 50th 97; the rows of
``mtss_teach/data/orf_norms.csv``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mtss_teach import DataError, progress, screening

# ---------------------------------------------------------------------------
# correct_action
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("true, aim, expected", [
    (1.0, 1.0, "continue"),            # exactly on the goal rate
    (1.5, 1.0, "continue"),            # +0.5: the band is inclusive
    (1.5000001, 1.0, "raise_goal"),    # just over +0.5
    (0.5, 1.0, "continue"),            # -0.5: inclusive
    (0.4999999, 1.0, "change_intervention"),
    (0.0, 1.0, "change_intervention"),  # no growth against a rising goal
    (3.0, 0.0, "raise_goal"),          # a flat goal line counts as rising
    (-3.0, 0.0, "change_intervention"),
    # falling goal line (errors a minute, lower is better): falling faster is better
    (-2.0, -1.0, "raise_goal"),
    (0.0, -1.0, "change_intervention"),
    (-1.3, -1.0, "continue"),
])
def test_correct_action_by_hand(true, aim, expected):
    assert progress.correct_action(true, aim) == expected


def test_correct_action_tolerance_and_shapes():
    # tolerance 0: only an exact match is "continue"
    assert progress.correct_action([1.0, 1.01, 0.99], 1.0, tolerance=0).tolist() == [
        "continue", "raise_goal", "change_intervention"]
    # a wider band of 2: 2.9 - 1 = 1.9 is near
    assert progress.correct_action(2.9, 1.0, tolerance=2) == "continue"
    s = pd.Series([2.0, 0.0], index=["a", "b"])
    out = progress.correct_action(s, 1.0)
    assert isinstance(out, pd.Series) and out.to_dict() == {"a": "raise_goal", "b": "change_intervention"}


@pytest.mark.parametrize("kwargs, where", [
    (dict(true_slope=float("nan"), aim_slope=1.0), "true_slope"),
    (dict(true_slope=[1.0, float("inf")], aim_slope=1.0), "true_slope"),
    (dict(true_slope=1.0, aim_slope=float("nan")), "aim_slope"),
    (dict(true_slope=1.0, aim_slope=1.0, tolerance=-0.1), "tolerance"),
])
def test_correct_action_bad_input_names_the_argument(kwargs, where):
    with pytest.raises(DataError, match=where):
        progress.correct_action(**kwargs)


def test_simulate_decisions_scores_against_correct_action():
    # with no measurement error and many weeks the trend rule is the truth itself, so every
    # decision is the one correct_action names, and "correct" is 1 in every truth group
    slopes = np.array([2.0, 1.2, 1.0, 0.0, -1.0])
    out = progress.simulate_decisions(slopes, 1.0, 0.0, 10, "trend")
    assert out["correct"].tolist() == [1.0, 1.0, 1.0, 1.0]
    # truth groups: above (2.0), near (1.2, 1.0), below (0.0, -1.0)
    assert dict(zip(out["truth"], out["students"])) == {"above_aim": 1, "near_aim": 2, "below_aim": 2,
                                                         "all": 5}


# ---------------------------------------------------------------------------
# accuracy_by_weeks
# ---------------------------------------------------------------------------


def test_accuracy_by_weeks_waits_then_decides():
    out = progress.accuracy_by_weeks(1.0, 1.0, 10, "trend", range(6, 10), n=300)
    assert out.columns.tolist() == ["weeks", "correct", "collect_more_data", "waiting", "rule", "sem",
                                    "aim_slope"]
    # the trend rule decides from 8 points (decide's default): weeks 6 and 7 only wait
    assert out["waiting"].tolist() == [True, True, False, False]
    assert out.loc[out["waiting"], "correct"].tolist() == [0.0, 0.0]
    assert out.loc[~out["waiting"], "collect_more_data"].tolist() == [0.0, 0.0]
    # each row is the "all" row of simulate_decisions at the same settings
    ref = progress.simulate_decisions(1.0, 1.0, 10, 9, "trend", n=300, seed=0)
    assert out["correct"].iloc[-1] == ref["correct"].iloc[-1]


def test_accuracy_by_weeks_without_error_is_always_right_once_deciding():
    # SEM 0, true growth exactly on the goal rate: the trend rule's slope is exact, so from
    # 8 points on every decision is "continue", which is right
    out = progress.accuracy_by_weeks(1.0, 1.0, 0, "trend", [8, 12, 20], n=50)
    assert out["correct"].tolist() == [1.0, 1.0, 1.0]
    assert out["weeks"].tolist() == [8, 12, 20]


@pytest.mark.parametrize("kwargs, where", [
    (dict(weeks=[]), "weeks"),
    (dict(weeks=[4, 0]), r"weeks\[1\]"),
    (dict(weeks=[4], nonsense=1), "nonsense"),
    (dict(weeks=[4], rule="gut_feeling"), "rule"),
])
def test_accuracy_by_weeks_bad_input(kwargs, where):
    args = dict(true_slope=1.0, aim_slope=1.0, sem=10, rule="trend", n=10)
    args.update(kwargs)
    with pytest.raises(DataError, match=where):
        progress.accuracy_by_weeks(**args)


# ---------------------------------------------------------------------------
# place_tiers (grade 3 winter norms: 10th 62, 25th 79, 50th 97 WCPM)
# ---------------------------------------------------------------------------


def test_place_tiers_entry_only_by_hand():
    out = screening.place_tiers([40, 61, 62, 78, 79, 150], 3, "winter", tier3_below=10, tier2_below=25)
    # below 62 -> Tier 3; 62 up to 78 -> Tier 2; 79 and up -> Tier 1
    assert out["tier"].tolist() == [3, 3, 2, 2, 1, 1]
    assert out["entry_tier"].tolist() == out["tier"].tolist()
    assert not out["supported"].any() and not out["exits"].any()
    assert out["score"].tolist() == [40, 61, 62, 78, 79, 150]


def test_place_tiers_exit_rule_by_hand():
    scores = [96, 97, 96, 61, 85, 85, 85]
    prev = [2, 2, 1, 2, 3, np.nan, 1]
    out = screening.place_tiers(scores, 3, "winter", tier3_below=10, tier2_below=25, exit_at=50,
                                previous_tiers=prev)
    # 96 supported: entry 1 but under the 50th (97) -> stays in Tier 2
    # 97 supported: at the 50th -> exits to Tier 1
    # 96 not supported -> entry rule: Tier 1
    # 61 supported: entry Tier 3 -> stays Tier 3
    # 85 from Tier 3: under 97 -> Tier 2 at least (entry says 1) -> 2
    # 85 with no record: entry rule -> 1; 85 from Tier 1 -> 1
    assert out["tier"].tolist() == [2, 1, 1, 3, 2, 1, 1]
    assert out["supported"].tolist() == [True, True, False, True, True, False, False]
    assert out["exits"].tolist() == [False, True, False, False, False, False, False]
    assert out["entry_tier"].tolist() == [1, 1, 1, 3, 1, 1, 1]


@pytest.mark.parametrize("kwargs, match", [
    (dict(tier3_below=30, tier2_below=25), "must be below the Tier 2 percentile"),
    (dict(tier3_below=5, tier2_below=25), "tier3_below"),
    (dict(tier3_below=10, tier2_below=95), "tier2_below"),
    (dict(tier3_below=10, tier2_below=25, previous_tiers=[1, 2]), "exit_at"),
    (dict(tier3_below=40, tier2_below=60, exit_at=30, previous_tiers=[1, 2]), "must be above the Tier 3"),
    (dict(tier3_below=10, tier2_below=25, exit_at=50, previous_tiers=[1]), "length"),
    (dict(tier3_below=10, tier2_below=25, exit_at=50, previous_tiers=[1, 4]), "previous_tiers"),
])
def test_place_tiers_bad_criteria(kwargs, match):
    with pytest.raises(DataError, match=match):
        screening.place_tiers([80, 90], 3, "winter", **kwargs)


def test_place_tiers_grade1_fall_has_no_norm():
    with pytest.raises(DataError, match="fall"):
        screening.place_tiers([20], 1, "fall", tier3_below=10, tier2_below=25)
