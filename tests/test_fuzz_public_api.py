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
