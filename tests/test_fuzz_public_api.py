"""Bad input, systematically: a property-based fuzz suite over the public API.

Every public function and loader of ``mtss_teach`` that takes user data is
fed arbitrary malformed values (NaN, +/-inf, text in number columns,
negative or huge numbers, empty inputs, mismatched lengths, duplicate ids,
unknown grades and seasons, wrong types, Excel dates). The outcome of every
example must be either

* a :class:`mtss_teach.DataError` whose message names the problem (and the
  argument / position where that applies), or
* a correct answer, checked against an oracle written here (scikit-learn,
  scipy, numpy, exact ``fractions.Fraction`` arithmetic, or a plain
  re-implementation of the published rule in MTSS_REFERENCE.md).

Inputs that are invalid by the contract must raise DataError; returning a
value for them is a failure. The first part of this file holds the
regression tests for the bugs the fuzzing found (each fixed in the core).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from mtss_teach import DataError

# ---------------------------------------------------------------------------
# Regressions found by fuzzing (each was a non-DataError exception or a
# silently wrong answer before the fix)
# ---------------------------------------------------------------------------


class TestValidateRegressions:
    """mtss_teach._validate: shared by every function that reads numbers."""

    def test_ragged_nested_list_is_a_dataerror(self):
        from mtss_teach.norms import orf_percentile

        # was: ValueError "inhomogeneous shape" from np.ndim
        with pytest.raises(DataError, match=r"score: WCPM score at position 0 is \[1\], not a number"):
            orf_percentile([[1], [2, 3]], 3, "winter")

    def test_whole_number_too_large_for_a_float_is_a_dataerror(self):
        from mtss_teach.norms import orf_percentile
        from mtss_teach.screening import classification_accuracy

        # was: OverflowError "int too large to convert to float"
        with pytest.raises(DataError, match="score: WCPM score at position 0 is too large"):
            orf_percentile([10**400], 3, "winter")
        with pytest.raises(DataError, match="score: WCPM score at position 0 is too large"):
            orf_percentile(10**400, 3, "winter")
        with pytest.raises(DataError, match="cut: .* too large to be a number"):
            classification_accuracy([1, 2], [0, 1], cut=10**400)

    def test_array_given_as_a_choice_is_a_dataerror(self):
        from mtss_teach.norms import orf_norm

        # was: ValueError "truth value of an array is ambiguous"
        with pytest.raises(DataError, match="percentile: array"):
            orf_norm(3, "fall", np.array([50, 25]))
        with pytest.raises(DataError, match="season: array"):
            orf_norm(3, np.array(["fall", "x"]), 50)
        # a one-element array used to *match* and slip through as a choice
        with pytest.raises(DataError, match="percentile"):
            orf_norm(3, "fall", np.array([50]))

    def test_durations_and_date_arrays_are_not_scores(self):
        from mtss_teach.norms import orf_percentile
        from mtss_teach.screening import auc

        # was: silently read as numbers (1 day -> 1.0; 1 ns -> 1.0)
        with pytest.raises(DataError, match="score: WCPM score at position 0 is .*timedelta.*not a number"):
            orf_percentile([np.timedelta64(1, "D")], 3, "winter")
        with pytest.raises(DataError, match="score: WCPM score at position 0 is a duration"):
            orf_percentile(np.array([50], dtype="m8[ns]"), 3, "winter")
        with pytest.raises(DataError, match="score: WCPM score at position 0 is a date"):
            orf_percentile(np.array([50], dtype="M8[ns]"), 3, "winter")
        with pytest.raises(DataError, match="at_risk: value at position 0"):
            auc([1, 2], [np.datetime64(1, "ns"), 0])
        with pytest.raises(DataError, match="at_risk: value at position 0"):
            auc([1, 2], [np.timedelta64(1, "ns"), 0])


class TestNormsRegressions:
    def test_grade_too_large_for_a_float_is_a_dataerror(self):
        from mtss_teach.norms import orf_norm, typical_growth

        # was: OverflowError
        with pytest.raises(DataError, match="grade: expected one whole-number grade"):
            orf_norm(10**400, "fall", 50)
        with pytest.raises(DataError, match="grade"):
            typical_growth(10**400)

    def test_ragged_cuts_are_a_dataerror(self):
        from mtss_teach.norms import benchmark_status

        # was: ValueError from np.ndim
        with pytest.raises(DataError, match="cuts: expected two percentiles"):
            benchmark_status(50, 3, "fall", system="percentile", cuts=(20, [40]))


class TestBehaviorRegressions:
    def test_srss_durations_are_not_item_scores(self):
        from mtss_teach.behavior import srss_total

        # was: 1-day durations silently summed as 1 point each (total 7)
        with pytest.raises(DataError, match=r"items: SRSS item at row 0, item 1 is .*timedelta.*not a number"):
            srss_total([np.timedelta64(1, "D")] * 7)
        with pytest.raises(DataError, match="items: SRSS item at row 0, item 1"):
            srss_total(np.array([[1] * 7], dtype="m8[D]"))

    def test_srss_item_too_large_for_a_float_is_a_dataerror(self):
        from mtss_teach.behavior import srss_total

        with pytest.raises(DataError, match="items: SRSS item at row 0, item 1"):
            srss_total([10**400] + [0] * 6)

    def test_odr_rate_that_overflows_is_a_dataerror(self):
        from mtss_teach.behavior import odr_rate

        # was: returned inf (1e308 / 1e-308 / 0.01 overflows)
        with pytest.raises(DataError, match="the rate at position 0 is too large"):
            odr_rate(1e308, 1e-308, 1)


class TestEquityRegressions:
    def _lea(self, **cols):
        base = {"group": ["A", "B"], "count": [10, 20], "total": [100, 200]}
        base.update(cols)
        return pd.DataFrame(base)

    def test_counts_too_large_for_int64_are_a_dataerror(self):
        from mtss_teach.equity import disproportionality, suppress_small_cells

        # was: counts wrapped to -9223372036854775808 in the result
        with pytest.raises(DataError, match=r"table: 'count' at row 0 \(position 0\) \(1e\+20\) is too large"):
            disproportionality(self._lea(count=[1e20, 20], total=[1e21, 200]))
        with pytest.raises(DataError, match="df: 'a' at row 0 .* too large"):
            suppress_small_cells(pd.DataFrame({"a": [1e20]}), "a")

    def test_dates_durations_and_complex_counts_are_a_dataerror(self):
        from mtss_teach.equity import disproportionality

        # was: a datetime64 column was read as nanoseconds; durations as ns; 1+2j as 1
        with pytest.raises(DataError, match="table: 'count' at row 0 .* not a count"):
            disproportionality(self._lea(count=pd.to_datetime(["2020-01-01", "2020-01-02"])))
        with pytest.raises(DataError, match="table: 'count' at row 0 .* not a count"):
            disproportionality(self._lea(count=pd.to_timedelta([1, 2])))
        with pytest.raises(DataError, match="table: 'count' at row 0 .* not a count"):
            disproportionality(self._lea(count=[1 + 2j, 2]))

    def test_unhashable_labels_are_a_dataerror(self):
        from mtss_teach.equity import disproportionality

        # was: TypeError "unhashable type: 'list'" from pd.factorize
        with pytest.raises(DataError, match=r"table: 'lea' at row 0 .* is \[1\]; a label must be text or a number"):
            disproportionality(self._lea(lea=[[1], [1]]))

    def test_duplicate_column_names_are_a_dataerror(self):
        from mtss_teach.equity import disproportionality, suppress_small_cells

        # was: a misleading "'count' at row 0 is 'count', not a number"
        df = pd.DataFrame([["A", 1, 2, 3]], columns=["group", "count", "total", "count"])
        with pytest.raises(DataError, match="table: column 'count' appears more than once"):
            disproportionality(df)
        with pytest.raises(DataError, match="df: column 'a' appears more than once"):
            suppress_small_cells(pd.DataFrame([[1, 2]], columns=["a", "a"]), "a")

    def test_suppress_columns_argument_of_the_wrong_type(self):
        from mtss_teach.equity import suppress_small_cells

        df = pd.DataFrame({"a": [1, 20]})
        # was: TypeError (None / 5 not iterable, dict unhashable)
        with pytest.raises(DataError, match="columns: expected a column name"):
            suppress_small_cells(df, None)
        with pytest.raises(DataError, match="columns: 5 is not a column of df"):
            suppress_small_cells(df, 5)
        with pytest.raises(DataError, match=r"columns: \{\} is not a column of df"):
            suppress_small_cells(df, [{}])
        # an integer column label still works
        out = suppress_small_cells(pd.DataFrame({5: [1, 20]}), 5)
        assert out[5].isna().tolist() == [True, False]

    def test_min_cell_too_large_for_a_float_is_a_dataerror(self):
        from mtss_teach.equity import disproportionality

        with pytest.raises(DataError, match="min_cell: .* too large"):
            disproportionality(self._lea(), min_cell=10**400)


class TestProgressRegressions:
    def test_trend_that_overflows_is_a_dataerror(self):
        from mtss_teach.progress import trend

        # was: slope -inf, intercept inf returned as a Trend
        with pytest.raises(DataError, match="too extreme"):
            trend([0, 1], [1e308, -1e308])
        # was: weeks 0 and 1e308 gave slope 0.0 and intercept 1.5 (the right line
        # passes through (0, 1)): sum of squares overflowed to inf
        with pytest.raises(DataError, match="too extreme"):
            trend([0, 1e308], [1, 2])

    def test_weeks_too_close_together_is_a_dataerror(self):
        from mtss_teach.progress import fit_trends, trend

        # was: ZeroDivisionError (squared deviations underflow to 0)
        with pytest.raises(DataError, match="too extreme"):
            trend([0, 1e-320], [1, 2])
        # was: reported as "all scores in one week" although the weeks differ
        df = pd.DataFrame({"student_id": ["a", "a"], "week": [0, 1e-320], "score": [1, 2]})
        with pytest.raises(DataError, match=r"data\['student_id'\]: student 'a': .*too extreme"):
            fit_trends(df)

    def test_fit_trends_overflow_names_the_student(self):
        from mtss_teach.progress import fit_trends

        df = pd.DataFrame({"student_id": [7, 7, 8, 8], "week": [0, 1, 0, 1], "score": [1e308, -1e308, 1, 2]})
        # was: slope -inf for student 7, returned without a word
        with pytest.raises(DataError, match="student 7: .*too extreme"):
            fit_trends(df)
        with pytest.raises(DataError, match="student 7: .*too extreme"):
            fit_trends(df.iloc[[0, 2, 1, 3]])  # the grouped (not reshaped) path
        with pytest.raises(DataError, match="student 7: .*too extreme"):
            fit_trends(df, method="endpoint")

    def test_fit_trends_unhashable_ids_and_bad_column_arguments(self):
        from mtss_teach.progress import fit_trends

        df = pd.DataFrame({"student_id": [{}, {}], "week": [1, 2], "score": [1, 2]})
        # was: TypeError "unhashable type: 'dict'"
        with pytest.raises(DataError, match=r"student id at row 0 \(position 0\) is \{\}"):
            fit_trends(df)
        ok = pd.DataFrame({"student_id": [1, 1], "week": [1, 2], "score": [1, 2]})
        with pytest.raises(DataError, match=r"data: no column \{\}"):
            fit_trends(ok, student={})
        dup = pd.DataFrame([[1, 1, 2, 3]], columns=["student_id", "week", "score", "score"])
        with pytest.raises(DataError, match="data: column 'score' .* appears more than once"):
            fit_trends(dup)

    def test_aimline_goal_and_gap_that_overflow_are_a_dataerror(self):
        from mtss_teach.progress import Trend, aimline, gap_analysis, goal_from_roi

        # each used to return inf
        with pytest.raises(DataError, match="too extreme"):
            aimline([0], [1e308], goal=-1e308, goal_week=1e-300)
        with pytest.raises(DataError, match="too extreme"):
            goal_from_roi(1e308, 1e308, 10)
        with pytest.raises(DataError, match="too extreme"):
            gap_analysis(1e308, 1e-308, 1e308, 1, peer_roi=1)
        with pytest.raises(DataError, match="too extreme"):
            Trend(slope=2.0, intercept=0.0, n=3, method="ols").at([1e308])

    def test_dual_discrepancy_percentile_does_not_overflow(self):
        from mtss_teach.progress import dual_discrepancy

        # 25th percentile of [-1e308, 1e308] = -1e308 + 0.25 * 2e308 = -5e307;
        # numpy's interpolation overflowed to inf, so 1e308 was called "below"
        out = dual_discrepancy([1e308, -1e308], [1, 2])
        assert out["level_cut"].iloc[0] == pytest.approx(-5e307)
        assert out["below_level"].tolist() == [False, True]

    def test_simulate_decisions_seed_and_size_are_checked(self):
        from mtss_teach.progress import simulate_decisions

        # was: ValueError / TypeError from numpy's SeedSequence
        for bad in (-1, "x", 1.5):
            with pytest.raises(DataError, match="seed"):
                simulate_decisions(1.0, 1.0, 10, 8, "trend", n=10, seed=bad)
        # was: the process was killed for lack of memory (8 GB for one student)
        with pytest.raises(DataError, match="more than the 50,000,000 probes"):
            simulate_decisions(1.0, 1.0, 10, 10**9, "trend", n=1)
        with pytest.raises(DataError, match="more than the 50,000,000 probes"):
            simulate_decisions(1.0, 1.0, 10, 6, "trend", n=10**12)
        with pytest.raises(DataError, match="too extreme"):
            simulate_decisions(1.0, 1.0, 1e307, 8, "four_point", n=10)
        with pytest.raises(DataError, match="weeks: week at position 1"):
            simulate_decisions(1.0, 1.0, 10, [1, [2]], "trend")

    def test_decide_checks_the_aimline_numbers(self):
        from mtss_teach.progress import Aimline, decide

        # a hand-made Aimline with a NaN slope used to "continue" silently
        line = Aimline(start_week=0, start_score=20, goal_week=10, goal=40, slope=float("nan"))
        with pytest.raises(DataError, match="aimline.slope"):
            decide(list(range(1, 9)), [30] * 8, line)


def _session(**extra):
    from mtss_teach.fidelity import checklist_instrument

    steps = checklist_instrument()["step"].tolist()
    base = {"interventionist": "A", "week": 1, "step": steps, "done": [1, 1, 1, 0, 1, 1]}
    base.update(extra)
    return pd.DataFrame(base)


class TestFidelityRegressions:
    def test_interrater_unusable_ratings_are_a_dataerror(self):
        from mtss_teach.fidelity import interrater

        # was: TypeError (unhashable dict), ValueError (ragged lists)
        with pytest.raises(DataError, match=r"rater1: rating at position 0 is \{\}"):
            interrater([{}, {}], [1, 2])
        with pytest.raises(DataError, match=r"rater1: rating at position 0 is \[1\]"):
            interrater([[1], [3, 4]], [1, 2])
        # was: silently flattened to 4 ratings
        with pytest.raises(DataError, match=r"rater1: expected one rating per item \(1-D\), got shape \(2, 2\)"):
            interrater(np.array([[1, 2], [3, 4]]), [1, 2, 3, 4])
        # was: dates accepted as rating codes (an Excel-formatted cell)
        with pytest.raises(DataError, match="rater1: rating at position 0 is Timestamp"):
            interrater([pd.Timestamp(0), pd.Timestamp(1)], [1, 2])

    def test_allow_missing_must_be_true_or_false(self):
        from mtss_teach.fidelity import action_plan, tfi_scores

        sheet = {"1.1": 2}
        # was: the text "no" counted as True (a partly scored tier was scored)
        with pytest.raises(DataError, match="allow_missing: expected True or False, got 'no'"):
            tfi_scores(sheet, allow_missing="no")
        with pytest.raises(DataError, match="allow_missing"):
            action_plan(sheet, allow_missing="no")

    def test_float32_nan_means_not_answered(self):
        from mtss_teach.fidelity import tfi_scores

        # was: np.float32('nan') was "a score that is not 0, 1 or 2" while a
        # float64 NaN meant "not answered"
        sheet = {f"1.{i}": 2 for i in range(2, 16)}
        sheet["1.1"] = np.float32("nan")
        out = tfi_scores(sheet, allow_missing=True)
        assert out.loc[1, "items_missing"] == 1 and out.loc[1, "points"] == 28  # 14 items x 2

    def test_checklist_unhashable_labels_are_a_dataerror(self):
        from mtss_teach.fidelity import checklist_fidelity

        # was: TypeError "unhashable type"
        for col in ("interventionist", "week"):
            with pytest.raises(DataError, match=rf"observations\['{col}'\]: value at row 0 \(position 0\)"):
                checklist_fidelity(_session(**{col: [[1]] * 6}))
        with pytest.raises(DataError, match=r"observations\['session'\]: value at row 0"):
            checklist_fidelity(_session(session=[[1]] * 6))

    def test_checklist_pseudo_numbers_are_a_dataerror(self):
        from mtss_teach.fidelity import checklist_fidelity

        # was: True counted as 1 minute, a date as nanoseconds, 1+2j raised TypeError
        for bad in (True, pd.Timestamp(0), 1 + 2j):
            with pytest.raises(DataError, match=r"observations\['minutes_planned'\]: value at row 0"):
                checklist_fidelity(_session(minutes_planned=bad, minutes_delivered=1))
        with pytest.raises(DataError, match=r"observations\['minutes_planned'\]"):
            checklist_fidelity(_session(minutes_planned=pd.to_datetime(["2020-01-01"] * 6), minutes_delivered=1))

    def test_checklist_dosage_that_overflows_is_a_dataerror(self):
        from mtss_teach.fidelity import checklist_fidelity

        # was: minute_dosage inf, not flagged
        with pytest.raises(DataError, match="minute_dosage for 'A', 1 is too large"):
            checklist_fidelity(_session(minutes_planned=1e-320, minutes_delivered=1e308))

    def test_checklist_instrument_and_columns(self):
        from mtss_teach.fidelity import checklist_fidelity, checklist_instrument

        steps = checklist_instrument()["step"].tolist()
        with pytest.raises(DataError, match=r"instrument: step at position 0 is \{\}"):
            checklist_fidelity(_session(), instrument=pd.DataFrame({"step": [{}] + steps[1:]}))
        with pytest.raises(DataError, match=r"instrument\['points'\]: value at row 0"):
            checklist_fidelity(_session(), instrument=pd.DataFrame({"step": steps, "points": True}))
        dup = pd.concat([_session(), pd.DataFrame({"done": [1] * 6})], axis=1)
        with pytest.raises(DataError, match="observations: column 'done' appears more than once"):
            checklist_fidelity(dup)
        # was: ValueError "truth value of an array is ambiguous"
        with pytest.raises(DataError, match="by: array"):
            checklist_fidelity(_session(), by=np.array(["week", "x"]))
        with pytest.raises(DataError, match="name: array"):
            checklist_instrument(np.array(["x", "y"]))


class TestScreeningRegressions:
    def test_return_row_must_be_true_or_false(self):
        from mtss_teach.screening import cut_for_sensitivity

        # was: the text "no" returned the whole row
        with pytest.raises(DataError, match="return_row: expected True or False"):
            cut_for_sensitivity([10, 20, 30], [1, 0, 0], 0.5, return_row="no")
