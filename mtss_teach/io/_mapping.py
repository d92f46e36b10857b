"""Which column of an export is which: suggested by name, checked against the cells, corrected by the caller."""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

import pandas as pd

from ..errors import DataError
from .._cells import looks_like_names
from ._source import RawTable, read_table

__all__ = ["suggest_columns", "COLUMN_ALIASES"]


def norm_name(s: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(s).strip().lower()).strip("_")


#: Header spellings (lower-case, non-letters as "_") recognised for each of the
#: library's columns, best first. The first match in this order wins, so
#: ``Student ID`` is taken over ``Student``. A column whose cells look like
#: people's names is never taken as the id.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "student_id": ("student_id", "studentid", "student_number", "student_no", "student_num", "stu_id",
                   "student_id_number", "student_local_id", "local_student_id", "local_id", "pupil_id",
                   "learner_id", "student_state_id", "state_student_id", "sasid", "lasid", "ssid", "id_number",
                   "id", "student_code", "student"),
    "grade": ("grade", "grade_level", "gradelevel", "student_grade", "enrolled_grade", "current_grade", "gr",
              "grade_lvl", "year_group"),
    "season": ("season", "window", "benchmark_period", "benchmark_window", "assessment_period",
               "assessment_window", "test_window", "testing_window", "screening_window", "testing_period", "benchmark_season"),
    "measure": ("measure", "measure_name", "assessment", "assessment_name", "subtest", "test", "test_name",
                "probe", "probe_type"),
    "score": ("score", "raw_score", "wcpm", "words_correct", "words_correct_per_minute", "orf_words_correct",
              "dorf_words_correct", "orf_score", "orf", "correct_per_minute", "dcpm", "digits_correct",
              "total_score", "value"),
    "date": ("date", "test_date", "assessment_date", "date_tested", "administration_date", "date_administered",
             "completed_date", "completion_date", "probe_date", "date_completed", "testdate"),
    "week": ("week", "wk", "week_number", "probe_week", "instructional_week"),
    "interventionist": ("interventionist", "interventionist_name", "intervention_teacher", "provider"),
}


def _best(df: pd.DataFrame, target: str, taken: set[str]) -> str | None:
    aliases = COLUMN_ALIASES.get(target, (target,))
    normed = {c: norm_name(c) for c in df.columns if c not in taken}
    for alias in aliases:
        for c, n in normed.items():
            if n == alias:
                if target == "student_id" and looks_like_names(df[c]):
                    continue
                return c
    return None


def map_columns(df: pd.DataFrame, columns: Mapping[str, str] | None, required: Sequence[str],
                optional: Sequence[str], one_of: Sequence[str] = ()) -> tuple[dict[str, str], tuple[str, ...]]:
    """Return {our name: their column} and the ignored input columns."""
    ours = list(required) + list(optional)
    mapping: dict[str, str] = {}
    if columns is not None:
        if not isinstance(columns, Mapping):
            raise DataError(f"columns: expected a dict mapping your column names to ours ({ours}), got {columns!r}")
        for theirs, target in columns.items():
            if target not in ours:
                raise DataError(f"columns: {theirs!r} is mapped to {target!r}, which is not one of {ours}")
            key = str(theirs).strip()
            if key not in df.columns:
                raise DataError(
                    f"columns: {theirs!r} is not a column of the input; its columns are {list(df.columns)}"
                )
            if target in mapping:
                raise DataError(f"columns: both {mapping[target]!r} and {theirs!r} are mapped to {target!r}")
            if target == "student_id" and looks_like_names(df[key]):
                raise DataError(f"columns: {theirs!r} holds people's names, not student ids; a name is never "
                                "used as an id (two children can share a name). Map the export's student id "
                                "column instead")
            mapping[target] = key
    taken = set(mapping.values())
    for target in ours:
        if target in mapping:
            continue
        c = _best(df, target, taken)
        if c is not None:
            mapping[target] = c
            taken.add(c)
    missing = [c for c in required if c not in mapping]
    if one_of and not any(c in mapping for c in one_of):
        missing.append(" or ".join(one_of))
    if missing:
        names_col = [c for c in df.columns if norm_name(c) in COLUMN_ALIASES["student_id"] and looks_like_names(df[c])]
        hint = ""
        if "student_id" in missing and names_col:
            hint = (f" (column {names_col[0]!r} holds names, which are never used as ids: the export needs a "
                    "student id column)")
        raise DataError(
            f"columns: the input has no column for {missing}{hint}; its columns are {list(df.columns)} "
            "(pass columns={'Your name': 'our_name', ...})"
        )
    ignored = tuple(c for c in df.columns if c not in taken)
    return mapping, ignored


def suggest_columns(source: Any, kind: str = "screening", **read_options: Any) -> dict[str, str]:
    """Suggest how an export's columns map to the library's (to show, and let a person correct).

    Parameters
    ----------
    source : path, bytes, DataFrame or RawTable
        As in :func:`read_table` (``read_options`` are passed to it).
    kind : {"screening", "progress"}

    Returns
    -------
    dict
        ``{their column: our name}`` for every column recognised (see
        :data:`COLUMN_ALIASES`); the id is never a column of names.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.io import suggest_columns
    >>> export = pd.DataFrame({"Student": ["Doe, Ana"], "Student ID": ["0012"], "Grade Level": [3],
    ...                        "Benchmark Period": ["BOY"], "Words Correct": [61]})
    >>> suggest_columns(export)
    {'Student ID': 'student_id', 'Grade Level': 'grade', 'Benchmark Period': 'season', 'Words Correct': 'score'}
    """
    if kind not in ("screening", "progress"):
        raise DataError(f"kind: expected 'screening' or 'progress', got {kind!r}")
    raw = read_table(source, **read_options)
    df = raw.frame
    targets = (["student_id", "grade", "season", "measure", "score", "date"] if kind == "screening"
               else ["student_id", "week", "date", "measure", "score", "grade", "interventionist"])
    taken: set[str] = set()
    found: dict[str, str] = {}
    for t in targets:
        c = _best(df, t, taken)
        if c is not None:
            found[c] = t
            taken.add(c)
    return {c: found[c] for c in df.columns if c in found}


def column_of(raw: RawTable, name: str) -> pd.Series:
    return raw.frame[name]
