"""The synthetic school year: school days, screening and decision dates, weekly probe days."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .params import SEASONS, _params, cohort_params


def _day(s: str) -> np.datetime64:
    return np.datetime64(s, "D")


@lru_cache(maxsize=None)
def _calendar() -> dict:
    cal = _params()["calendar"]
    first, last = _day(cal["first_day"]), _day(cal["last_day"])
    days = np.arange(first, last + 1)
    wk = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday (1970-01-05 was a Monday)
    hol = np.array([_day(h) for h in cal["holidays"]])
    school = days[(wk < 5) & ~np.isin(days, hol)]
    out = {
        "first": first,
        "last": last,
        "school_days": school,
        "screening": np.array([_day(cal["screening_date"][s]) for s in SEASONS]),
        "decision": np.array([_day(cal["decision_date"][s]) for s in SEASONS]),
        "progress_start": _day(cal["progress_start"]),
    }
    start = out["progress_start"]
    weekday = (start.astype("int64") - 4) % 7
    probe_days = school[((school.view("int64") - 4) % 7 == weekday) & (school >= start)]
    out["probe_days"] = probe_days
    return out


def _school_days_between(a: np.datetime64, b: np.datetime64) -> int:
    sd = _calendar()["school_days"]
    return int(((sd >= a) & (sd <= b)).sum())


def _next_school_day(d: np.datetime64) -> np.datetime64:
    sd = _calendar()["school_days"]
    return sd[np.searchsorted(sd, d)]


def _to_s(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[s]")


def school_days() -> int:
    """School days in the synthetic cohorts' calendar.

    Weekdays from the first to the last day of the school year in
    ``cohort_params.yml`` (``calendar``), minus its listed holidays. Use it
    as the ``school_days`` of :func:`mtss_teach.behavior.odr_rate` for a
    shipped or generated cohort.

    Examples
    --------
    >>> from mtss_teach.cohorts import school_days
    >>> school_days()
    175
    """
    cal = cohort_params()["calendar"]
    last = np.datetime64(str(cal["last_day"])) + np.timedelta64(1, "D")
    holidays = [np.datetime64(str(h)) for h in cal.get("holidays", [])]
    return int(np.busday_count(np.datetime64(str(cal["first_day"])), last, holidays=holidays))
