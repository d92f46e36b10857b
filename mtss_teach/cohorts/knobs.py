"""Argument checks of :func:`make_cohort` and the scenario knobs they resolve."""

from __future__ import annotations

import copy
from typing import Any, Mapping

import numpy as np

from .._validate import check_choice, check_number
from ..errors import DataError
from .params import RACE_ETHNICITY, SEASONS, TABLES, _params
from .school_calendar import _calendar


def _knob_defaults() -> dict:
    return copy.deepcopy(_params()["knobs"])


def _ndim(v: Any) -> int:
    """np.ndim, but a ragged list (``[1, [2, 3]]``) counts as 1-D: its elements are then checked one by one."""
    try:
        return int(np.ndim(v))
    except ValueError:
        return 1


def _check_probs(v: Any, name: str) -> list[float]:
    if isinstance(v, (str, bytes)) or _ndim(v) != 1 or len(v) != 3:
        raise DataError(f"{name}: expected three probabilities for scores 0, 1, 2, got {v!r}")
    p = [check_number(x, f"{name}[{i}]", lo=0, hi=1) for i, x in enumerate(v)]
    if abs(sum(p) - 1.0) > 1e-9:
        raise DataError(f"{name}: the three probabilities must sum to 1, they sum to {sum(p):g}")
    return p


def _resolve_knobs(scenario: str, sem: Any, overrides: Mapping[str, Any], grades: tuple[int, ...]) -> dict:
    knobs = _knob_defaults()
    knobs.update(copy.deepcopy(_params()["scenarios"][scenario]["knobs"] or {}))
    valid = sorted(k for k in knobs if k != "sem")
    unknown = [k for k in overrides if k not in valid]
    if unknown:
        raise DataError(
            f"make_cohort: unknown argument(s) {unknown}; scenario knobs you can override are {valid}"
        )
    knobs.update(overrides)
    knobs["sem"] = check_number(sem, "sem", lo=0, hi=100)
    n_probe = len(_calendar()["probe_days"])
    knobs["progress_weeks"] = check_number(knobs["progress_weeks"], "progress_weeks", lo=1, hi=n_probe, integer=True)
    wg = knobs["weak_grade"]
    if wg is not None:
        if isinstance(wg, (bool, np.bool_)) or wg not in grades:
            raise DataError(
                f"weak_grade: {wg!r} is not one of the cohort's grades {list(grades)} "
                "(pass weak_grade= one of them)"
            )
        knobs["weak_grade"] = int(wg)
    ws = knobs["weak_shift"]
    if isinstance(ws, Mapping):
        extra = [k for k in ws if k not in SEASONS]
        if extra:
            raise DataError(f"weak_shift: unknown season(s) {extra}; use {list(SEASONS)}")
        knobs["weak_shift"] = {s: check_number(ws.get(s, 0.0), f"weak_shift[{s!r}]", lo=-3, hi=3) for s in SEASONS}
    else:
        v = check_number(ws, "weak_shift", lo=-3, hi=3)
        knobs["weak_shift"] = {s: v for s in SEASONS}
    fg = knobs["focus_group"]
    if fg is not None:
        if not isinstance(fg, str) or fg not in RACE_ETHNICITY:
            raise DataError(f"focus_group: {fg!r} is not one of {list(RACE_ETHNICITY)}")
    knobs["tier3_bias"] = check_number(knobs["tier3_bias"], "tier3_bias", lo=0, hi=1)
    if knobs["focus_tier2_percentile"] is not None:
        knobs["focus_tier2_percentile"] = check_number(knobs["focus_tier2_percentile"], "focus_tier2_percentile",
                                                       lo=11, hi=90)
    knobs["odr_shift"] = check_number(knobs["odr_shift"], "odr_shift", lo=-3, hi=3)
    knobs["suspension_multiplier"] = check_number(knobs["suspension_multiplier"], "suspension_multiplier", lo=0, hi=9)
    for k in ("adherence_mean", "dosage_mean"):
        knobs[k] = check_number(knobs[k], k, lo=0, hi=1)
    for k in ("adherence_sd", "dosage_sd"):
        knobs[k] = check_number(knobs[k], k, lo=0, hi=0.5)
    for k in ("tfi_tier1", "tfi_tier2", "tfi_tier3"):
        knobs[k] = _check_probs(knobs[k], k)
    knobs["proficient_share"] = check_number(knobs["proficient_share"], "proficient_share", lo=0.01, hi=0.99)
    return knobs


def _check_grades(grades: Any) -> tuple[int, ...]:
    if isinstance(grades, (str, bytes)) or _ndim(grades) > 1:
        raise DataError(f"grades: expected a list of grades 1-6, got {grades!r}")
    vals = [grades] if _ndim(grades) == 0 else list(grades)
    if not vals:
        raise DataError("grades: no grades given (empty input)")
    out = []
    for i, g in enumerate(vals):
        if isinstance(g, (bool, np.bool_)):
            raise DataError(f"grades: value at position {i} is {g!r}; expected a grade 1-6")
        v = check_number(g, f"grades[{i}]", lo=1, hi=6, integer=True)
        if v in out:
            raise DataError(f"grades: grade {v} is listed twice (position {i})")
        out.append(v)
    return tuple(sorted(out))


def _check_tables(tables: Any) -> tuple[str, ...]:
    if tables is None:
        return TABLES
    if isinstance(tables, str):
        vals = [tables]
    elif isinstance(tables, Mapping) or not np.iterable(tables):
        raise DataError(f"tables: expected a list of table names from {list(TABLES)}, got {tables!r}")
    else:
        vals = list(tables)
    out = {"students"}
    for i, t in enumerate(vals):
        out.add(check_choice(t, f"tables[{i}]", TABLES))
    return tuple(t for t in TABLES if t in out)
