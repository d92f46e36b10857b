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
import re

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

    def test_two_dimensional_numeric_arrays_are_not_flattened(self):
        from mtss_teach.norms import orf_percentile
        from mtss_teach.screening import auc

        # was: a 2x2 float array was silently read as 4 scores (numeric fast path)
        with pytest.raises(DataError, match=r"score: expected one value per student \(1-D\), got shape \(2, 2\)"):
            orf_percentile(np.zeros((2, 2)), 3, "fall")
        with pytest.raises(DataError, match=r"at_risk: expected one value per student \(1-D\)"):
            auc([1, 2, 3, 4], np.array([[True, False], [True, False]]))

    def test_complex_numbers_are_not_scores(self):
        from mtss_teach.norms import orf_percentile

        # was: np.complex128(2) in a list was read as 2.0 (imaginary part dropped with a warning)
        with pytest.raises(DataError, match="score: WCPM score at position 0 is np.complex128"):
            orf_percentile([np.complex128(2)], 3, "fall")

    def test_a_dataframe_given_for_a_vector_names_the_argument(self):
        from mtss_teach.norms import orf_percentile

        # was: "expected a scalar, list, ..., got a DataFrame" without the argument's name
        with pytest.raises(DataError, match="^score: expected a scalar, list"):
            orf_percentile(pd.DataFrame({"a": [1.0]}), 3, "fall")


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


# ===========================================================================
# The fuzz suite
# ===========================================================================

import os  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fuzz_strategies import (  # noqa: E402
    ACADIENCE,
    HT2017,
    IRIS,
    PCTS,
    SEASON_WORDS,
    Arg,
    Elem,
    Vec,
    assert_same_shape,
    at_positions,
    check,
    choice_arg,
    close,
    counts_table,
    elements,
    flag_arg,
    fuzz,
    grade_arg,
    junk,
    number_arg,
    numbers,
    says,
    vec_bad,
    vectors,
    write_counts,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="module", autouse=True)
def _report_examples(request):
    """Print the examples tried per function, and keep them in test-artifacts/fuzz_counts.json."""
    yield
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = "fuzz_counts.json" if worker is None else f"fuzz_counts.{worker}.json"
    write_counts(ARTIFACTS / name)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            _print_counts(reporter)


def _print_counts(reporter) -> None:
    if True:
        reporter.write_line("")
        reporter.write_sep("-", f"fuzz examples tried per function (MTSS_FUZZ_EXAMPLES={os.environ.get('MTSS_FUZZ_EXAMPLES', 'default')})")
        for line in counts_table().splitlines():
            reporter.write_line(line)


SEASON_ARG = choice_arg(SEASON_WORDS, ["autumn", "fall winter"])
WCPM = dict(lo=0.0, hi=300.0, typical=lambda rng: float(rng.integers(0, 221)))


def _season_grade_bad(grade: Arg, season: Arg, grades) -> dict:
    bad = {}
    if not grade.ok or grade.canon not in grades:
        bad["grade"] = None
    if not season.ok:
        bad["season"] = None
    if grade.ok and season.ok and grade.canon == 1 and season.canon == "fall":
        bad["season"] = says("grade-1")
    return bad


# ---------------------------------------------------------------------------
# norms
# ---------------------------------------------------------------------------


def _ht_exact(score: float, grade: int, season: str):
    """Percentile by linear interpolation between published points, exactly (Fractions)."""
    w = HT2017[grade][season]
    s = Fraction(score)
    if s < w[0]:
        return "below"
    if s > w[-1]:
        return "above"
    for k in range(4):
        if w[k] <= s <= w[k + 1]:
            return PCTS[k] + (s - w[k]) * Fraction(PCTS[k + 1] - PCTS[k], w[k + 1] - w[k])
    raise AssertionError("unreachable")


@fuzz(0.5)
@given(grade=grade_arg(range(1, 7)), season=SEASON_ARG,
       pct=st.one_of(st.tuples(st.sampled_from(PCTS), st.integers(0, 2)).map(
           lambda t: Arg([t[0], float(t[0]), np.int64(t[0])][t[1]], True, t[0])),
           st.sampled_from([0, 5, 20, 40, 50.5, 100, "50", None, True, [50], np.array([50])]).map(
               lambda v: Arg(v, False))))
def test_fuzz_orf_norm(grade, season, pct):
    from mtss_teach.norms import orf_norm

    bad = _season_grade_bad(grade, season, range(1, 7))
    if not pct.ok:
        bad["percentile"] = None

    def verify(got):
        assert got == HT2017[grade.canon][season.canon][PCTS.index(pct.canon)]
        assert isinstance(got, int)

    check("norms.orf_norm", lambda: orf_norm(grade.value, season.value, pct.value), bad, verify)


@fuzz()
@given(score=vectors(elements(**WCPM)), grade=grade_arg(range(1, 7)), season=SEASON_ARG,
       outside=choice_arg({"clip": "clip", "nan": "nan", "raise": "raise"}))
def test_fuzz_orf_percentile(score, grade, season, outside):
    from mtss_teach.norms import orf_percentile

    bad = _season_grade_bad(grade, season, range(1, 7))
    if not outside.ok:
        bad["outside"] = None
    bad.update(vec_bad("score", score))
    exact = None
    if not bad:
        exact = [_ht_exact(s, grade.canon, season.canon) for s in score.nums]
        if outside.canon == "raise" and any(isinstance(x, str) for x in exact):
            first = next(i for i, x in enumerate(exact) if isinstance(x, str))
            bad["score"] = lambda m, first=first: f"position {first}" in m and "percentile" in m

    def verify(got):
        fill = {"clip": (10.0, 90.0)}.get(outside.canon, (np.nan, np.nan))
        expected = np.array([fill[0] if x == "below" else fill[1] if x == "above" else float(x) for x in exact])
        assert_same_shape(score, got, expected, lambda a, b: close(a, b, 1e-12, 1e-9))

    check("norms.orf_percentile", lambda: orf_percentile(score.value, grade.value, season.value, outside.value),
          bad, verify)


@fuzz(0.3)
@given(grade=grade_arg(range(1, 7)),
       pct=st.one_of(st.sampled_from(PCTS).map(lambda p: Arg(p, True, p)),
                     st.sampled_from([1, 33, "10", None, 2.5]).map(lambda v: Arg(v, False))))
def test_fuzz_orf_weekly_growth(grade, pct):
    from mtss_teach.norms import orf_weekly_growth

    bad = {} if grade.ok else {"grade": None}
    if not pct.ok:
        bad["percentile"] = None

    def verify(got):
        k = PCTS.index(pct.canon)
        t = HT2017[grade.canon]
        # AWI = (spring - fall) / 32; grade 1: (spring - winter) / 16 (reference section 1)
        want = (t["spring"][k] - t["winter"][k]) / 16 if grade.canon == 1 else (t["spring"][k] - t["fall"][k]) / 32
        assert got == pytest.approx(want, rel=1e-12)

    check("norms.orf_weekly_growth", lambda: orf_weekly_growth(grade.value, pct.value), bad, verify)


CUTS = st.one_of(  # valid cuts twice as often as broken ones
    st.tuples(st.integers(10, 89), st.integers(1, 80)).map(
        lambda t: Arg((t[0], min(90, t[0] + t[1])), True, (t[0], min(90, t[0] + t[1])))),
    st.tuples(st.floats(10, 90), st.floats(10, 90)).filter(lambda t: t[0] < t[1]).map(lambda t: Arg(t, True, t)),
    st.sampled_from([(40, 20), (20, 20), (5, 40), (20, 95), (20,), (20, 40, 60), "20,40", None, (20, None),
                     (20, "40"), (float("nan"), 40), (20, [40]), {20: 1, 40: 2}]).map(lambda v: Arg(v, False)),
)


@fuzz()
@given(score=vectors(elements(**WCPM)), grade=grade_arg(range(1, 7)), season=SEASON_ARG,
       system=choice_arg({"acadience": "acadience", "percentile": "percentile"}), cuts=CUTS)
def test_fuzz_benchmark_status(score, grade, season, system, cuts):
    from mtss_teach.norms import benchmark_status

    bad = {} if system.ok else {"system": None}
    if system.canon == "acadience":
        bad.update(_season_grade_bad(grade, season, (1, 2, 3)))
    elif system.ok:
        bad.update(_season_grade_bad(grade, season, range(1, 7)))
        if not cuts.ok:
            bad["cuts"] = None
    bad.update(vec_bad("score", score))

    def allowed_labels(s: float) -> set[str]:
        if system.canon == "acadience":
            bench, risk, above = ACADIENCE[grade.canon][season.canon]
            return {"above" if s >= above else "at" if s >= bench else "below" if s >= risk else "well_below"}
        x = _ht_exact(s, grade.canon, season.canon)
        c1, c2 = (Fraction(c) for c in cuts.canon)
        out = set()
        for eps in (Fraction(-1, 10**9), 0, Fraction(1, 10**9)):  # a hair either side of a cut: either label
            v = Fraction(-1000) if x == "below" else Fraction(1000) if x == "above" else x + eps
            out.add("well_below" if v < c1 else "below" if v < c2 else "at")
        return out

    def verify(got):
        want = [allowed_labels(s) for s in score.nums]
        assert_same_shape(score, got, np.array(want, dtype=object), lambda a, b: a in b)

    check("norms.benchmark_status",
          lambda: benchmark_status(score.value, grade.value, season.value, system.value, cuts.value), bad, verify)


@fuzz(0.3)
@given(grade=grade_arg(range(0, 13)), measure=choice_arg({m: m for m in IRIS}))
def test_fuzz_typical_growth(grade, measure):
    from mtss_teach.norms import typical_growth

    bad = {} if measure.ok else {"measure": None}
    if not grade.ok or (measure.ok and grade.canon not in IRIS[measure.canon]):
        bad["grade"] = None

    def verify(got):
        assert got == IRIS[measure.canon][grade.canon]

    check("norms.typical_growth", lambda: typical_growth(grade.value, measure.value), bad, verify)


# ---------------------------------------------------------------------------
# screening
# ---------------------------------------------------------------------------

from fuzz_strategies import Flags, length_bad, paired  # noqa: E402

SCORES = elements(typical=lambda rng: float(rng.integers(0, 150)))
FLAGS = Flags()
RISK_WHEN = choice_arg({"below": "below", "above": "above"})


def _flagged(s: np.ndarray, cut: float, direction: str) -> np.ndarray:
    return s < cut if direction == "below" else s > cut


def _ratio(a, b):
    return a / b if b else float("nan")


@fuzz()
@given(pair=paired(SCORES, FLAGS), cut=number_arg(typical=st.integers(0, 150).map(float)), risk_when=RISK_WHEN)
def test_fuzz_classification_accuracy(pair, cut, risk_when):
    from sklearn.metrics import confusion_matrix

    from mtss_teach.screening import classification_accuracy

    scores, at_risk = pair
    bad = {**vec_bad("scores", scores), **vec_bad("at_risk", at_risk), **length_bad(scores, at_risk)}
    if not cut.ok:
        bad["cut"] = None
    if not risk_when.ok:
        bad["risk_when"] = None

    def verify(ca):
        y = at_risk.nums.astype(bool)
        flagged = _flagged(scores.nums, cut.canon, risk_when.canon)
        (tn, fp), (fn, tp) = confusion_matrix(y, flagged, labels=[False, True])
        assert (ca.tp, ca.fp, ca.tn, ca.fn) == (tp, fp, tn, fn)
        n = len(y)
        for got, want in ((ca.sensitivity, _ratio(tp, tp + fn)), (ca.specificity, _ratio(tn, tn + fp)),
                          (ca.ppv, _ratio(tp, tp + fp)), (ca.npv, _ratio(tn, tn + fn)),
                          (ca.accuracy, (tp + tn) / n), (ca.base_rate, (tp + fn) / n)):
            assert close(got, want, 1e-12)
        assert ca.cut == cut.canon and ca.risk_when == risk_when.canon

    check("screening.classification_accuracy",
          lambda: classification_accuracy(scores.value, at_risk.value, cut.value, risk_when.value), bad, verify)


@fuzz()
@given(pair=paired(SCORES, FLAGS), risk_when=RISK_WHEN)
def test_fuzz_roc_curve(pair, risk_when):
    from sklearn.metrics import roc_curve as sk_roc

    from mtss_teach.screening import roc_curve

    scores, at_risk = pair
    bad = {**vec_bad("scores", scores), **vec_bad("at_risk", at_risk), **length_bad(scores, at_risk)}
    if not risk_when.ok:
        bad["risk_when"] = None

    def verify(curve):
        s, y = scores.nums, at_risk.nums.astype(bool)
        extra = np.inf if risk_when.canon == "below" else -np.inf
        assert sorted(curve["cut"].tolist()) == sorted(set(s.tolist()) | {extra})
        assert curve["cut"].is_monotonic_increasing
        P, N = int(y.sum()), int((~y).sum())
        for row in curve.itertuples():
            f = _flagged(s, row.cut, risk_when.canon)
            tp, fp = int((f & y).sum()), int((f & ~y).sum())
            assert (row.tp, row.fp, row.fn, row.tn, row.flagged) == (tp, fp, P - tp, N - fp, tp + fp)
            assert close(row.sensitivity, _ratio(tp, P)) and close(row.specificity, _ratio(N - fp, N))
            assert close(row.ppv, _ratio(tp, tp + fp)) and close(row.npv, _ratio(N - fp, N - fp + P - tp))
        if P and N:  # the same ROC points as scikit-learn (lower score = riskier for "below")
            fpr, tpr, _ = sk_roc(y, -s if risk_when.canon == "below" else s, drop_intermediate=False)
            ours = {(round(1 - a, 12), round(b, 12)) for a, b in zip(curve["specificity"], curve["sensitivity"])}
            theirs = {(round(a, 12), round(b, 12)) for a, b in zip(fpr, tpr)}
            assert ours == theirs

    check("screening.roc_curve", lambda: roc_curve(scores.value, at_risk.value, risk_when.value), bad, verify)


@fuzz()
@given(pair=paired(SCORES, FLAGS, max_size=25), risk_when=RISK_WHEN)
def test_fuzz_auc(pair, risk_when):
    from sklearn.metrics import roc_auc_score

    from mtss_teach.screening import auc

    scores, at_risk = pair
    bad = {**vec_bad("scores", scores), **vec_bad("at_risk", at_risk), **length_bad(scores, at_risk)}
    if not risk_when.ok:
        bad["risk_when"] = None

    def verify(got):
        y = at_risk.nums.astype(bool)
        if y.all() or not y.any():
            assert np.isnan(got)
            return
        s = scores.nums
        want = roc_auc_score(y, -s if risk_when.canon == "below" else s)
        assert close(got, want, 1e-12)

    check("screening.auc", lambda: auc(scores.value, at_risk.value, risk_when.value), bad, verify)


@fuzz()
@given(pair=paired(SCORES, FLAGS), target=number_arg(0, 1, lo_open=True), risk_when=RISK_WHEN,
       return_row=flag_arg())
def test_fuzz_cut_for_sensitivity(pair, target, risk_when, return_row):
    from mtss_teach.screening import cut_for_sensitivity

    scores, at_risk = pair
    bad = {**vec_bad("scores", scores), **vec_bad("at_risk", at_risk), **length_bad(scores, at_risk)}
    for name, arg in (("target", target), ("risk_when", risk_when), ("return_row", return_row)):
        if not arg.ok:
            bad[name] = None
    if not bad and not at_risk.nums.any():
        bad["at_risk"] = says("no student is at risk")

    def verify(got):
        # brute force: every candidate cut, keep sensitivity >= target, best specificity, then sensitivity,
        # then the lowest cut among exact ties
        s, y = scores.nums, at_risk.nums.astype(bool)
        extra = np.inf if risk_when.canon == "below" else -np.inf
        best = None
        for c in sorted(set(s.tolist()) | {extra}):
            f = _flagged(s, c, risk_when.canon)
            sens = (f & y).sum() / y.sum()
            spec = _ratio((~f & ~y).sum(), (~y).sum())
            if sens >= target.canon:
                key = (-1.0 if np.isnan(spec) else spec, sens)
                if best is None or key > best[0]:
                    best = (key, c)
        cut = float(got["cut"]) if return_row.canon else got
        assert cut == best[1], (cut, best)
        if return_row.canon:
            assert isinstance(got, pd.Series) and "specificity" in got.index

    check("screening.cut_for_sensitivity",
          lambda: cut_for_sensitivity(scores.value, at_risk.value, target.value, risk_when.value, return_row.value),
          bad, verify)


PROPORTIONS = elements(0.0, 1.0, typical=lambda rng: float(rng.choice([0.6, 0.65, 0.7, 0.75, 0.8, 0.9])))


@fuzz()
@given(vecs=paired(PROPORTIONS, PROPORTIONS, PROPORTIONS))
def test_fuzz_ncii_rating(vecs):
    from mtss_teach.screening import ncii_rating

    a, se, sp = vecs
    bad = {**vec_bad("auc_lower", a), **vec_bad("sensitivity", se), **vec_bad("specificity", sp),
           **length_bad(a, se, sp)}

    def verify(got):
        # NCII (reference section 5): full = AUC lower >= .75 and sens, spec >= .70;
        # half = AUC lower >= .70 and sens, spec >= .60 (and not full); else empty
        want = np.array(["full" if x >= .75 and y >= .70 and z >= .70 else
                         "half" if x >= .70 and y >= .60 and z >= .60 else "empty"
                         for x, y, z in zip(a.nums, se.nums, sp.nums)], dtype=object)
        assert_same_shape(a, got, want, lambda g, w: g == w)

    check("screening.ncii_rating", lambda: ncii_rating(a.value, se.value, sp.value), bad, verify)


@fuzz()
@given(tiers=vectors(elements(1, 3, integer=True), max_size=30), expectation=number_arg(0, 1))
def test_fuzz_tier_shares(tiers, expectation):
    from mtss_teach.screening import tier_shares

    bad = vec_bad("tiers", tiers)
    if not expectation.ok:
        bad["tier1_expectation"] = None

    def verify(ts):
        t = tiers.nums.astype(int)
        n = len(t)
        counts = [int((t == k).sum()) for k in (1, 2, 3)]
        assert (ts.n, ts.tier1, ts.tier2, ts.tier3) == (n, *counts)
        assert close(ts.share1, counts[0] / n) and close(ts.share3, counts[2] / n)
        assert ts.tier1_meets_expectation == (counts[0] / n >= expectation.canon)

    check("screening.tier_shares", lambda: tier_shares(tiers.value, expectation.value), bad, verify)


@fuzz()
@given(scores=vectors(elements(0, None, typical=lambda rng: float(rng.integers(0, 60)))),
       f=number_arg(typical=st.integers(0, 60).map(float)))
def test_fuzz_classwide_problem(scores, f):
    from mtss_teach.screening import classwide_problem

    bad = vec_bad("scores", scores)
    if not f.ok:
        bad["frustrational_below"] = None

    def verify(got):
        # more than half of the class below the frustrational criterion (exactly half is not)
        assert got is (2 * int((scores.nums < f.canon).sum()) > len(scores))

    check("screening.classwide_problem", lambda: classwide_problem(scores.value, f.value), bad, verify)


@fuzz()
@given(dcpm=vectors(elements(0, 200, typical=lambda rng: float(rng.integers(0, 60)))), grade=grade_arg((2, 3, 4, 5)))
def test_fuzz_math_instructional_level(dcpm, grade):
    from mtss_teach.screening import math_instructional_level

    bad = vec_bad("dcpm", dcpm)
    if not grade.ok:
        bad["grade"] = None

    def verify(got):
        lo, hi = (14, 31) if grade.canon in (2, 3) else (24, 49)  # Burns, VanDerHeyden & Jiban (2006)
        want = np.array(["frustrational" if x < lo else "mastery" if x > hi else "instructional"
                         for x in dcpm.nums], dtype=object)
        assert_same_shape(dcpm, got, want, lambda g, w: g == w)

    check("screening.math_instructional_level", lambda: math_instructional_level(dcpm.value, grade.value), bad,
          verify)


# ---------------------------------------------------------------------------
# behavior
# ---------------------------------------------------------------------------

COUNTS_E = elements(0, None, integer=True, typical=lambda rng: float(rng.integers(0, 12)))


def _scalar_vec(arg: Arg) -> Vec:
    return Vec(arg.value, [Elem(arg.value, "ok" if arg.ok else "range", arg.canon)], "scalar")


@fuzz()
@given(vecs=paired(elements(0, None, integer=True, typical=lambda rng: float(rng.integers(0, 2000))),
                   elements(0, None, typical=lambda rng: float(rng.integers(1, 181)), edges=False),
                   elements(0, None, integer=True, typical=lambda rng: float(rng.integers(1, 2000)), edges=False)),
       days_arg=number_arg(0, None, typical=st.integers(1, 180).map(float)),
       enrol_arg=number_arg(0, None, integer=True, typical=st.integers(1, 2000).map(float)),
       scalars=st.integers(0, 3))
def test_fuzz_odr_rate(vecs, days_arg, enrol_arg, scalars):
    from mtss_teach.behavior import odr_rate

    majors, days, enrol = vecs
    if scalars & 1:  # a scalar applies to every row
        days = _scalar_vec(days_arg)
    if scalars & 2:
        enrol = _scalar_vec(enrol_arg)
    bad = {**vec_bad("majors", majors), **vec_bad("school_days", days), **vec_bad("enrollment", enrol)}
    for name, v in (("school_days", days), ("enrollment", enrol)):
        if v.valid and (v.nums == 0).any():
            bad[name] = says("above 0")
        if v.problem is None and majors.problem is None and v.kind != "scalar" and len(v) != len(majors):
            bad["length mismatch"] = None
    exact = None
    if not bad:
        m, d, e = (np.broadcast_to(x.nums, (len(majors),)) for x in (majors, days, enrol))
        exact = [Fraction(a) * 100 / (Fraction(b) * Fraction(c)) for a, b, c in zip(m, d, e)]
        if any(x > Fraction(1.7976931348623157e308) for x in exact):  # the rate overflows a float
            bad["rate"] = says("too large")

    def verify(got):
        # rate = majors / school_days / (enrollment / 100), exactly
        assert_same_shape(majors, got, np.array([float(x) for x in exact]), lambda a, b: close(a, b, 1e-12, 1e-300))

    check("behavior.odr_rate", lambda: odr_rate(majors.value, days.value, enrol.value), bad, verify)


@fuzz()
@given(counts=vectors(COUNTS_E, max_size=20))
def test_fuzz_odr_band(counts):
    from mtss_teach.behavior import odr_band

    bad = vec_bad("counts", counts)

    def verify(got):
        want = np.array(["0-1" if c <= 1 else "2-5" if c <= 5 else "6+" for c in counts.nums], dtype=object)
        assert_same_shape(counts, got, want, lambda a, b: a == b)

    check("behavior.odr_band", lambda: odr_band(counts.value), bad, verify)


@fuzz()
@given(total=vectors(elements(0, 21, integer=True), max_size=20))
def test_fuzz_srss_risk(total):
    from mtss_teach.behavior import srss_risk

    bad = vec_bad("total", total)

    def verify(got):
        # Drummond (1994): low 0-3, moderate 4-8, high 9-21
        want = np.array(["low" if t <= 3 else "moderate" if t <= 8 else "high" for t in total.nums], dtype=object)
        assert_same_shape(total, got, want, lambda a, b: a == b)

    check("behavior.srss_risk", lambda: srss_risk(total.value), bad, verify)


ITEMS = elements(0, 3, integer=True)


@st.composite
def srss_sheets(draw):
    """SRSS item tables: DataFrame, 2-D array, list of lists or one flat list; sometimes broken."""
    n = draw(st.integers(1, 8))
    width = 7 if draw(st.integers(0, 99)) >= 8 else draw(st.sampled_from([0, 6, 8]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    mode = draw(st.integers(0, 99))
    cells = [[ITEMS.good(rng) for _ in range(width)] for _ in range(n)]
    if mode >= 60 and width:
        for _ in range(1 if mode < 85 else 3):
            cells[int(rng.integers(n))][int(rng.integers(width))] = ITEMS.bad(rng)
    kind = draw(st.sampled_from(["frame", "array", "lists", "flat"]))
    vals = [[c.value for c in row] for row in cells]
    if kind == "flat":
        cells, vals = cells[:1], vals[0]
        value = vals
    elif kind == "lists":
        value = vals
        if draw(st.integers(0, 99)) < 5 and n > 1:  # a ragged row
            value = [row[:-1] if i == 0 else row for i, row in enumerate(vals)]
            width = -1
    elif kind == "array":
        arr = np.empty((n, width), dtype=object)
        for i, row in enumerate(vals):
            for j, v in enumerate(row):
                arr[i, j] = v
        value = arr.astype(float) if all(c.ok for row in cells for c in row) and draw(st.booleans()) else arr
    else:
        index = draw(st.sampled_from([None, [f"s{i}" for i in range(n)]]))
        value = pd.DataFrame(vals, index=index, columns=[f"item{j + 1}" for j in range(width)], dtype=object)
    return value, cells, width, kind


@fuzz()
@given(sheet=srss_sheets())
def test_fuzz_srss_total(sheet):
    from mtss_teach.behavior import srss_total

    value, cells, width, kind = sheet
    bad = {}
    if width != 7 or not cells or width == 0:
        bad["items"] = None
    else:
        wrong = [(i, j) for i, row in enumerate(cells) for j, c in enumerate(row) if not c.ok]
        if any(cells[i][j].kind == "container" for i, j in wrong):  # a list in a cell reads as a ragged row
            bad["items"] = None
        elif wrong:
            def names_cell(msg, wrong=wrong):
                m = re.search(r"row (?:'s)?(\d+)'?(?: \(position (\d+)\))?, (?:item (\d+)|column 'item(\d+)')", msg)
                if not m:
                    return False
                i = int(m.group(2) or m.group(1))
                j = int(m.group(3) or m.group(4)) - 1
                return (i, j) in wrong
            bad["items"] = names_cell

    def verify(got):
        totals = [int(sum(c.num for c in row)) for row in cells]
        if kind == "flat":
            assert got == totals[0] and isinstance(got, int)
        elif kind == "frame":
            assert isinstance(got, pd.Series) and got.tolist() == totals and list(got.index) == list(value.index)
        else:
            assert np.asarray(got).tolist() == totals

    check("behavior.srss_total", lambda: srss_total(value), bad, verify)


# ---------------------------------------------------------------------------
# equity
# ---------------------------------------------------------------------------

IDEA_GROUPS = ["Hispanic/Latino", "American Indian or Alaska Native", "Asian", "Black or African American",
               "Native Hawaiian or Other Pacific Islander", "White", "Two or more races"]
# (value, kind) for broken count cells; kind is the word the message must use
BAD_COUNTS = [(None, "missing"), (float("nan"), "missing"), (-3, "negative"), (2.5, "whole"), ("abc", "number"),
              (True, "count"), (pd.Timestamp("2024-01-15"), "count"), (1e20, "too large"), (float("inf"), "infinite"),
              ([1], "number"), (1 + 2j, "count"), (np.timedelta64(3, "D"), "count"), (10**400, "number")]


def _count_cell(rng, x: int):
    """A valid count written as int, float, numpy int or text."""
    return [x, float(x), np.int64(x), str(x)][int(rng.integers(4))]


@st.composite
def lea_tables(draw, with_lea: bool | None = None):
    """A (many-)LEA table with its problems: list of (what, column, position)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_lea = draw(st.integers(1, 3)) if (with_lea if with_lea is not None else draw(st.booleans())) else 0
    n_groups = draw(st.integers(1, 7))
    groups = list(rng.choice(IDEA_GROUPS, n_groups, replace=False)) if draw(st.booleans()) else list(range(n_groups))
    big = draw(st.integers(0, 99)) < 5
    rows = []
    for lea in (range(n_lea) if n_lea else [None]):
        for g in groups:
            t = int(rng.integers(0, 2**52)) if big else int(rng.choice([0, 5, 20, 40, 100, 1000])) + int(rng.integers(0, 60))
            c = int(rng.integers(0, t + 1)) if t else 0
            if rng.random() < 0.2:
                c = min(t, int(rng.integers(0, 15)))
            rows.append({"lea": f"L{lea}", "group": g, "count": c, "total": t})
    problems = []
    cells = [dict(r) for r in rows]
    mode = draw(st.integers(0, 99))
    if mode >= 55 and rows:
        i = int(rng.integers(len(rows)))
        what = draw(st.sampled_from(["count", "total", "over", "dup", "nogroup", "unhashable"]))
        if what in ("count", "total"):
            v, word = BAD_COUNTS[int(rng.integers(len(BAD_COUNTS)))]
            cells[i][what] = v
            problems.append((word, what, i))
        elif what == "over":
            cells[i]["count"] = rows[i]["total"] + 1 + int(rng.integers(0, 5))
            problems.append(("above its total", "count", i))
        elif what == "dup" and len(rows) > 1:
            j = (i + 1) % len(rows)
            cells[j]["group"], cells[j]["lea"] = cells[i]["group"], cells[i]["lea"]
            problems.append(("duplicate", "group", min(i, j)))
        elif what == "nogroup":
            cells[i]["group"] = None
            problems.append(("missing", "group", i))
        elif what == "unhashable":
            cells[i]["group"] = [1, 2]
            problems.append(("label", "group", i))
    written = [{k: (_count_cell(rng, v) if k in ("count", "total") and isinstance(v, int) and not isinstance(v, bool)
                    and v < 2**53 else v) for k, v in c.items()} for c in cells]
    df = pd.DataFrame(written, dtype=object)
    if not n_lea:
        df = df.drop(columns="lea")
    table_problem = None
    pick = draw(st.integers(0, 99))
    if pick < 3:
        df = df.drop(columns=draw(st.sampled_from(["group", "count", "total"])))
        table_problem = "missing column"
    elif pick < 5:
        df = df.iloc[0:0]
        table_problem = "empty"
    elif pick < 6:
        df = df.to_dict("list")
        table_problem = "DataFrame"
    return df, rows, problems, table_problem, cells


def _table_pred(problems):
    def pred(msg: str) -> bool:
        for word, col, pos in problems:
            if word == "duplicate":
                if "duplicate" in msg:
                    return True
            elif word in msg and (f"'{col}'" in msg or col in msg) and f"position {pos}" in msg:
                return True
        return False
    return pred


def _dispro_oracle(rows, mc, mn, state_rows):
    """IDEA 34 CFR 300.647 and Bollmer et al. (2014), one row at a time in plain Python."""
    leas: dict = {}
    for r in rows:
        leas.setdefault(r["lea"], []).append(r)
    S = None
    if state_rows is not None:
        S_c = sum(r["count"] for r in state_rows)
        S_t = sum(r["total"] for r in state_rows)
        S = {r["group"]: r for r in state_rows}
    out = []
    nan = float("nan")
    for r in rows:
        L = leas[r["lea"]]
        C = sum(x["count"] for x in L)
        T = sum(x["total"] for x in L)
        c, t = r["count"], r["total"]
        oc, ot = C - c, T - t
        risk = c / t if t > 0 else nan
        comp = oc / ot if ot > 0 else nan
        A = 100 * t / T if T > 0 else nan
        e_up = A + (A * (100 - A) / C) ** 0.5 if C > 0 and T > 0 else nan
        composition = c / C if C > 0 else nan
        g_ok = c >= mc and t >= mn and t > 0
        c_ok = oc >= mc and ot >= mn
        rr = risk / comp if g_ok and c_ok and comp > 0 else nan
        alt = wrr = nan
        if S is not None:
            s_oth_t = S_t - S[r["group"]]["total"]
            s_oth = (S_c - S[r["group"]]["count"]) / s_oth_t if s_oth_t > 0 else nan
            alt = risk / s_oth if g_ok and s_oth > 0 else nan
            p = {g: S[g]["total"] / S_t if S_t > 0 else nan for g in S}
            lea_risk = {x["group"]: x["count"] / x["total"] for x in L if x["total"] > 0}
            others = [g for g in S if g != r["group"]]
            if g_ok and all(g in lea_risk for g in others):
                denom = sum(p[g] * lea_risk[g] for g in others)
                wrr = (1 - p[r["group"]]) * risk / denom if denom > 0 else nan
        out.append(dict(count=c, total=t, risk=risk, comparison_risk=comp, risk_ratio=rr,
                        risk_difference=risk - comp, composition=composition, e_formula_upper=e_up,
                        alternate_risk_ratio=alt, weighted_risk_ratio=wrr,
                        above=(100 * composition > e_up) if not (np.isnan(e_up) or np.isnan(composition)) else None))
    return out


@fuzz(0.6)
@given(table=lea_tables(), min_cell=number_arg(0, None, integer=True, typical=st.sampled_from([0.0, 10.0, 5.0])),
       min_n=number_arg(0, None, integer=True, typical=st.sampled_from([0.0, 30.0, 20.0])),
       state_mode=st.integers(0, 99), seed=st.integers(0, 2**32 - 1))
def test_fuzz_disproportionality(table, min_cell, min_n, state_mode, seed):
    from mtss_teach.equity import disproportionality

    df, rows, problems, table_problem, _ = table
    bad = {}
    if not min_cell.ok:
        bad["min_cell"] = None
    if not min_n.ok:
        bad["min_n"] = None
    if table_problem:
        bad["table"] = says(table_problem)
    elif problems:
        bad["table"] = _table_pred(problems)
    state = state_rows = None
    if state_mode < 50 and not table_problem:
        rng = np.random.default_rng(seed)
        groups = list(dict.fromkeys(r["group"] for r in rows))
        extra = [g for g in IDEA_GROUPS if g not in groups][: int(rng.integers(0, 2))] if isinstance(groups[0], str) else []
        state_rows = [{"group": g, "count": int(c), "total": int(c) + int(rng.integers(0, 10**6))}
                      for g, c in zip(groups + extra, rng.integers(0, 10**5, len(groups) + len(extra)))]
        if state_mode < 8 and len(state_rows) > 1:
            state_rows = state_rows[1:]
            if not bad:
                bad["state"] = says("not in the State table")
        state = pd.DataFrame(state_rows)

    def verify(out):
        mc, mn = int(min_cell.canon), int(min_n.canon)
        want = _dispro_oracle(rows, mc, mn, state_rows)
        has_lea = "lea" in df.columns
        assert list(out.index) == [(r["lea"], r["group"]) if has_lea else r["group"] for r in rows]
        for (_, got), w in zip(out.iterrows(), want):
            assert got["count"] == w["count"] and got["total"] == w["total"]
            for col in ("risk", "comparison_risk", "risk_ratio", "risk_difference", "composition",
                        "e_formula_upper", "alternate_risk_ratio", "weighted_risk_ratio"):
                assert close(got[col], w[col], 1e-9, 1e-15), (col, got[col], w[col])
            if w["above"] is None:
                assert got["above_e_formula"] is pd.NA
            else:
                assert bool(got["above_e_formula"]) == w["above"]

    check("equity.disproportionality", lambda: disproportionality(df, state, min_cell.value, min_n.value), bad,
          verify)


@fuzz(0.6)
@given(table=lea_tables(with_lea=False), min_cell=number_arg(0, None, integer=True,
                                                              typical=st.sampled_from([0.0, 10.0, 5.0])),
       marker=choice_arg({"na": "na", "text": "text"}),
       columns=st.sampled_from([("count", True), (["count", "total"], True), ("count", True),
                                ("count", True), (["count", "total"], True), (["nope"], False),
                                ([], False), (None, False), (5, False), ([{}], False)]))
def test_fuzz_suppress_small_cells(table, min_cell, marker, columns):
    from mtss_teach.equity import suppress_small_cells

    df, _, problems, table_problem, cells = table
    cols, cols_ok = columns
    bad = {}
    if table_problem == "DataFrame":
        bad["df"] = None
    if not cols_ok or (table_problem == "missing column" and isinstance(df, pd.DataFrame)
                       and any(c not in df.columns for c in np.atleast_1d(cols))):
        bad["columns"] = None
    elif cols_ok and table_problem is None:
        checked = [cols] if isinstance(cols, str) else cols
        mine = [p for p in problems if p[1] in checked and p[0] not in ("duplicate", "above its total", "label")]
        if mine:
            bad["df"] = _table_pred(mine)
    if not min_cell.ok:
        bad["min_cell"] = None
    if not marker.ok:
        bad["marker"] = None

    def verify(out):
        m = int(min_cell.canon)
        kept = [] if table_problem == "empty" else cells  # an empty table is returned empty
        for c in ([cols] if isinstance(cols, str) else cols):
            x = np.array([r[c] for r in kept], dtype=float)
            mask = x < m
            assert out[f"{c}_suppressed"].tolist() == mask.tolist()
            if marker.canon == "na":
                assert out[c].isna().tolist() == mask.tolist()
                assert [int(v) for v, k in zip(out[c], mask) if not k] == [int(v) for v in x[~mask]]
            else:
                assert out[c].tolist() == [f"<{m}" if k else str(int(v)) for v, k in zip(x, mask)]

    check("equity.suppress_small_cells", lambda: suppress_small_cells(df, cols, min_cell.value, marker.value), bad,
          verify)


class TestEquityWeightedRiskRatioRegression:
    def test_weighted_risk_ratio_keeps_its_digits_when_one_group_dominates(self):
        from mtss_teach.equity import disproportionality

        lea = pd.DataFrame({"group": ["A", "B"], "count": [1, 3_343_098_324_386_955],
                            "total": [2_868_620_417_670_184, 3_662_643_546_213_861]})
        state = pd.DataFrame({"group": ["A", "B"], "count": [10, 20], "total": [600_000, 400_000]})
        out = disproportionality(lea, state, min_cell=0, min_n=0)
        # hand, with exact fractions: p_A = .6, p_B = .4; R_A = 1/2868620417670184,
        # R_B = 3343098324386955/3662643546213861; WRR_B = (1 - .4) R_B / (.6 R_A)
        rA = Fraction(1, 2_868_620_417_670_184)
        rB = Fraction(3_343_098_324_386_955, 3_662_643_546_213_861)
        want = Fraction(6, 10) * rB / (Fraction(6, 10) * rA)
        # was 0.7% off: the denominator was computed as (sum of all terms) - (own term)
        assert out.loc["B", "weighted_risk_ratio"] == pytest.approx(float(want), rel=1e-12)
