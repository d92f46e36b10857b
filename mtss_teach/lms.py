"""Grades into the district's LMS: Canvas and Moodle CSV files, LTI 1.3 passback.

nbgrader has no LMS integration. This module takes what the grading
pipeline writes (``grades.csv`` from ``python -m mtss_teach.grading
autograde`` or ``export``, and ``grading_report.csv``) and the course roster
(:func:`mtss_teach.roster.read_roster`: learner id <-> LMS user id / login)
and produces:

* a **Canvas gradebook import** CSV (:func:`canvas_csv`),
* a **Moodle grade import** CSV (:func:`moodle_csv`),
* **LTI 1.3 Assignment and Grade Services** scores posted to the platform
  (:func:`post_scores`, with ``pylti1p3``).

Every (learner, assignment) cell has one state (:data:`STATES`):

``graded``
    a score the LMS receives;
``needs review``
    graded, but the pipeline withheld points or flagged the notebook: the
    score is provisional, so it is **not** sent (LTI: sent as
    ``PendingManual`` with no score);
``not gradable``
    the submission could not be graded (reason given): nothing is sent
    (LTI: ``Failed``);
``not submitted``
    a learner on the roster with no submission: nothing is sent (nbgrader's
    own export writes 0 for these; this module never does);
``unreleased``
    the assignment has not been released: nothing is sent.

Only ``graded`` cells carry a number into an LMS file; every other cell is
empty (Canvas) or ``-`` (Moodle's "no grade"), and :func:`export_notes`
lists it with its reason, so an unsubmitted or unreleased assignment is
never mistaken for a real 0. Learners who cannot be matched in the LMS (no
LMS id on the roster) or who are graded but not on the roster are listed
there too, never dropped silently.

The columns of ``grades.csv`` and ``grading_report.csv`` are read by name;
extra columns are ignored, except a ``state`` column (``graded``, ``needs
review: <reason>``, ``not gradable: <reason>``, ``not submitted``), which
is used when present.

Examples
--------
>>> import io
>>> from mtss_teach.roster import read_roster
>>> from mtss_teach.lms import gradebook_table, canvas_csv
>>> roster = read_roster(io.StringIO("learner_id,lms_user_id,lms_login,section\\n"
...                                  "ada,1001,alovelace,A\\nbob,1002,bbaker,A\\n"))
>>> grades = io.StringIO("assignment,timestamp,student_id,score,max_score\\n"
...                      "01-foundations,2026-12-01 10:00:00,ada,7.0,10.0\\n"
...                      "01-foundations,,bob,0.0,10.0\\n")
>>> table = gradebook_table(grades, roster)
>>> table[["learner_id", "state", "score"]].to_dict("records")
[{'learner_id': 'ada', 'state': 'graded', 'score': 7.0}, {'learner_id': 'bob', 'state': 'not submitted', 'score': nan}]
>>> print(canvas_csv(table), end="")
Student,ID,SIS User ID,SIS Login ID,Section,01-foundations
    Points Possible,,,,,10
ada,1001,,alovelace,A,7
bob,1002,,bbaker,A,

References
----------
Instructure. How do I import grades in the Gradebook? Canvas Instructor
Guide. https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807

Moodle. Grade import. MoodleDocs. https://docs.moodle.org/en/Grade_import

IMS Global Learning Consortium (2019). Learning Tools Interoperability (LTI)
Assignment and Grade Services Specification, version 2.0.
https://www.imsglobal.org/spec/lti-ags/v2p0
"""

from __future__ import annotations

import argparse
import csv
import io as _io
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import DataError
from .formatting import number
from .roster import Roster, read_roster

__all__ = [
    "STATES",
    "GRADED",
    "NEEDS_REVIEW",
    "NOT_GRADABLE",
    "NOT_SUBMITTED",
    "UNRELEASED",
    "LmsError",
    "gradebook_table",
    "export_notes",
    "canvas_csv",
    "moodle_csv",
    "moodle_match",
    "MOODLE_MATCH",
    "LtiPlatform",
    "post_scores",
    "main",
]

GRADED = "graded"
NEEDS_REVIEW = "needs review"
NOT_GRADABLE = "not gradable"
NOT_SUBMITTED = "not submitted"
UNRELEASED = "unreleased"
#: Every state a (learner, assignment) cell can have; only ``graded`` sends a score.
STATES: tuple[str, ...] = (GRADED, NEEDS_REVIEW, NOT_GRADABLE, NOT_SUBMITTED, UNRELEASED)

GRADES_COLUMNS = ("assignment", "student_id", "score", "max_score")
REPORT_COLUMNS = ("student", "assignment")


class LmsError(RuntimeError):
    """The LMS (or LTI platform) refused what was sent, or it cannot be sent."""


# ---------------------------------------------------------------------------
# reading the pipeline's files
# ---------------------------------------------------------------------------


def _read_csv(source: Any, what: str) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        df = source.astype(str).copy()
        df = df.where(source.notna(), "")
    else:
        if isinstance(source, (str, os.PathLike)):
            path = Path(source)
            if not path.is_file():
                raise DataError(f"{what}: no file at {str(path)!r}")
            try:
                text = path.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise DataError(f"{what}: not a UTF-8 text file") from None
        else:
            text = source.read()
            text = text.decode("utf-8-sig") if isinstance(text, bytes) else text.lstrip("\ufeff")
        # every line must have the header's number of fields (pandas would otherwise take an
        # extra field on the first line as an index and shift every column silently)
        width = None
        for line, fields in enumerate(csv.reader(_io.StringIO(text)), start=1):
            if not fields:
                continue
            if width is None:
                width = len(fields)
            elif len(fields) != width:
                raise DataError(f"{what} line {line}: {len(fields)} fields where the header has {width}")
        try:
            df = pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False, index_col=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DataError(f"{what}: not a readable CSV file ({exc.__class__.__name__})") from None
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    return df


def _need(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"{what}: no {', '.join(map(repr, missing))} column in the header "
                        f"(columns: {', '.join(map(repr, df.columns))})")


def _number(series: pd.Series, what: str, column: str) -> pd.Series:
    text = series.astype(str).str.strip()
    out = pd.to_numeric(text.where(text != "", np.nan), errors="coerce")
    bad = out.isna() & (text != "")
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise DataError(f"{what} line {line}: {column} is not a number")
    return out


def _parse_state(value: str) -> tuple[str, str]:
    """(state, reason) from a ``state`` cell: 'graded', 'needs review: why', 'not gradable (why)'."""
    text = value.strip()
    low = text.casefold()
    for state in (NEEDS_REVIEW, NOT_GRADABLE, NOT_SUBMITTED, UNRELEASED, GRADED):
        if low.startswith(state):
            reason = text[len(state):].strip()
            if reason.startswith("(") and reason.endswith(")"):
                reason = reason[1:-1]
            return state, reason.lstrip(":-– ").strip()
    if low.startswith("graded with review") or low.startswith("review"):
        return NEEDS_REVIEW, text
    return "", text


def gradebook_table(grades: Any, roster: Roster | Any, *, report: Any = None,
                    assignments: Sequence[str] | None = None,
                    released: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per (roster learner, assignment) with its state and score.

    Parameters
    ----------
    grades : path, file-like or DataFrame
        ``grades.csv`` as the grading pipeline writes it (nbgrader's export):
        columns ``assignment``, ``student_id``, ``score``, ``max_score``;
        ``timestamp`` and ``state`` are used when present.
    roster : Roster, path or file-like
        The course roster (:func:`mtss_teach.roster.read_roster`).
    report : path, file-like or DataFrame, optional
        ``grading_report.csv`` (columns ``student``, ``assignment``; ``graded``,
        ``error``, ``withheld``, ``review`` and ``state`` are used when
        present). Without it, a submission with a timestamp counts as graded.
    assignments : sequence of str, optional
        The course's assignments, in column order (default: those in
        ``grades`` and ``released``, sorted).
    released : iterable of str, optional
        The assignments released to learners; the others are ``unreleased``.
        Default: those that appear in ``grades``.

    Returns
    -------
    DataFrame
        Columns ``learner_id``, ``lms_user_id``, ``lms_login``, ``section``,
        ``assignment``, ``state`` (one of :data:`STATES`), ``score`` (NaN
        unless ``graded`` or ``needs review``), ``max_score``, ``reason``;
        learners in roster order, assignments in ``assignments`` order.
        ``table.attrs["not_on_roster"]`` lists graded student ids that are
        not on the roster (their grades cannot be exported).

    Raises
    ------
    DataError
        A required column is missing, a score is not a number, a score is
        above its maximum, or a state cell is not one of :data:`STATES`; the
        message names the file and line.
    """
    roster = roster if isinstance(roster, Roster) else read_roster(roster)
    g = _read_csv(grades, "grades")
    _need(g, GRADES_COLUMNS, "grades")
    for c in ("assignment", "student_id"):
        g[c] = g[c].astype(str).str.strip()
    # a submission folder may be named by the learner id or the LMS login, in any case (as the roster reads them)
    keys: dict[str, str] = {}
    for column in ("lms_login", "learner_id"):  # learner ids win over logins
        keys.update({str(k).strip().casefold(): lid for k, lid in zip(roster.table[column], roster.table["learner_id"])
                     if str(k).strip()})
    g["student_id"] = g["student_id"].map(lambda x: keys.get(x.casefold(), x))
    g["_score"] = _number(g["score"], "grades", "score")
    g["_max"] = _number(g["max_score"], "grades", "max_score")
    over = g["_score"] > g["_max"] + 1e-9
    if over.any():
        line = int(np.flatnonzero(over.to_numpy())[0]) + 2
        raise DataError(f"grades line {line}: score is above max_score")
    g["_line"] = np.arange(len(g)) + 2
    dup = g.duplicated(["student_id", "assignment"], keep="first")
    if dup.any():
        line = int(g.loc[dup, "_line"].iloc[0])
        raise DataError(f"grades line {line}: a second row for the same student and assignment")
    g["_timestamp"] = g["timestamp"].astype(str).str.strip() if "timestamp" in g else ""
    if "state" in g:
        parsed = [_parse_state(s) for s in g["state"].astype(str)]
        g["_state"] = [p[0] for p in parsed]
        g["_state_reason"] = [p[1] for p in parsed]
        bad = (g["_state"] == "") & (g["state"].astype(str).str.strip() != "")
        if bad.any():
            raise DataError(f"grades line {int(g.loc[bad, '_line'].iloc[0])}: state is not one of "
                            + ", ".join(STATES))
    else:
        g["_state"] = ""
        g["_state_reason"] = ""

    known = list(dict.fromkeys(g["assignment"]))
    rel = list(dict.fromkeys(released)) if released is not None else known
    cols = list(assignments) if assignments is not None else sorted(set(known) | set(rel))
    if len(set(cols)) != len(cols):
        raise DataError("assignments: an assignment is listed twice")

    r = roster.table
    learners = r[["learner_id", "lms_user_id", "lms_login", "section"]]
    n_l, n_a = len(learners), len(cols)
    grid = learners.loc[learners.index.repeat(n_a)].reset_index(drop=True)
    grid["assignment"] = np.tile(np.asarray(cols, dtype=object), n_l)
    keep = ["student_id", "assignment", "_score", "_max", "_timestamp", "_state", "_state_reason"]
    grid = grid.merge(g[keep], how="left", left_on=["learner_id", "assignment"],
                      right_on=["student_id", "assignment"], sort=False).drop(columns="student_id")
    present = grid["_score"].notna() | grid["_max"].notna()

    # the pipeline's per-submission report
    rep_state = pd.Series("", index=grid.index)
    rep_reason = pd.Series("", index=grid.index)
    in_report = pd.Series(False, index=grid.index)
    if report is not None:
        rp = _read_csv(report, "grading report")
        _need(rp, REPORT_COLUMNS, "grading report")
        rp = rp.copy()
        rp["student"] = rp["student"].astype(str).str.strip().map(lambda x: keys.get(x.casefold(), x))
        rp["assignment"] = rp["assignment"].astype(str).str.strip()
        rp = rp.drop_duplicates(["student", "assignment"], keep="last")
        def col(name: str) -> pd.Series:
            return rp[name].astype(str).str.strip() if name in rp else pd.Series("", index=rp.index)

        error, withheld, review = col("error"), col("withheld"), col("review")
        graded = col("graded").str.casefold().isin(["true", "1", "yes"]) if "graded" in rp else \
            pd.Series(True, index=rp.index)
        flags = (np.where(withheld != "", "withheld: " + withheld, "")
                 + np.where((withheld != "") & (review != ""), "; ", "")
                 + np.where(review != "", "review: " + review, ""))
        states = np.select([(error != "") | ~graded, flags != ""], [NOT_GRADABLE, NEEDS_REVIEW], GRADED)
        reasons = np.select([error != "", ~graded, flags != ""], [error, "not graded", flags], "")
        own = col("state")
        if (own != "").any():  # the pipeline's own state, when the report has one
            parsed = own.map(lambda x: _parse_state(x) if x else ("", ""))
            st = parsed.map(lambda x: x[0]).to_numpy()
            bad = (st == "") & (own != "").to_numpy()
            if bad.any():
                raise DataError(f"grading report line {int(rp.index[np.flatnonzero(bad)[0]]) + 2}: state is not one of "
                                + ", ".join(STATES))
            states = np.where(st != "", st, states)
            reasons = np.where(st != "", parsed.map(lambda x: x[1]).to_numpy(), reasons)
        rp["_rstate"], rp["_rreason"] = states, reasons
        m = grid[["learner_id", "assignment"]].merge(
            rp[["student", "assignment", "_rstate", "_rreason"]], how="left",
            left_on=["learner_id", "assignment"], right_on=["student", "assignment"], sort=False)
        in_report = pd.Series(m["_rstate"].notna().to_numpy(), index=grid.index)
        rep_state = pd.Series(m["_rstate"].fillna("").to_numpy(), index=grid.index)
        rep_reason = pd.Series(m["_rreason"].fillna("").to_numpy(), index=grid.index)

    own_state = grid["_state"].fillna("")
    has_ts = grid["_timestamp"].fillna("").astype(str) != ""
    unreleased = ~grid["assignment"].isin(rel)
    conditions = [
        unreleased.to_numpy(),
        (own_state != "").to_numpy(),
        in_report.to_numpy(),
        (present & has_ts & (report is None)).to_numpy(),
        (present & has_ts).to_numpy(),
    ]
    choices_state = [
        np.full(len(grid), UNRELEASED, dtype=object),
        own_state.to_numpy(dtype=object),
        rep_state.to_numpy(dtype=object),
        np.full(len(grid), GRADED, dtype=object),
        np.full(len(grid), NEEDS_REVIEW, dtype=object),
    ]
    choices_reason = [
        np.full(len(grid), "the assignment has not been released", dtype=object),
        grid["_state_reason"].fillna("").to_numpy(dtype=object),
        rep_reason.to_numpy(dtype=object),
        np.full(len(grid), "", dtype=object),
        np.full(len(grid), "graded, but grading_report.csv has no row for this submission", dtype=object),
    ]
    state = np.select(conditions, choices_state, default=NOT_SUBMITTED)
    reason = np.select(conditions, choices_reason, default="no submission")
    # a state that says graded but a grade that does not exist: not gradable, never a silent 0
    no_grade = np.isin(state, [GRADED, NEEDS_REVIEW]) & ~present.to_numpy()
    state = np.where(no_grade, NOT_GRADABLE, state)
    reason = np.where(no_grade, "graded according to the report, but grades.csv has no score", reason)
    score = np.where(np.isin(state, [GRADED, NEEDS_REVIEW]), grid["_score"].to_numpy(dtype=float), np.nan)
    max_by_assignment = g.groupby("assignment")["_max"].max()
    out = grid[["learner_id", "lms_user_id", "lms_login", "section", "assignment"]].copy()
    out["state"] = state.astype(object)
    out["score"] = score
    out["max_score"] = out["assignment"].map(max_by_assignment).astype(float)
    out["reason"] = reason.astype(object)
    on_roster = set(learners["learner_id"])
    out.attrs["not_on_roster"] = sorted(set(g["student_id"]) - on_roster)
    return out


def export_notes(table: pd.DataFrame, *, moodle_match: str | None = None) -> pd.DataFrame:
    """Every cell an LMS file does not carry as a score, with its reason.

    One row per (learner, assignment) whose state is not ``graded``, one per
    learner with no LMS id on the roster (``not in the LMS files``), and one
    per graded student who is not on the roster. Columns: ``learner_id``,
    ``assignment``, ``state``, ``reason``.

    ``moodle_match`` (``"idnumber"`` or ``"username"``, as given to
    :func:`moodle_csv`): also list the learners the Moodle file leaves out
    because the roster lacks that identifier for them.
    """
    rows = table.loc[table["state"] != GRADED, ["learner_id", "assignment", "state", "reason"]]
    no_id = (table["lms_user_id"] == "") & (table["lms_login"] == "")
    reason = pd.Series("the roster has no lms_user_id or lms_login for this learner", index=table.index)
    if moodle_match is not None:
        column = MOODLE_MATCH[moodle_match][0]
        lacking = ~no_id & (table[column] == "")
        reason[lacking] = (f"the roster has no {column} for this learner, and the Moodle file matches learners "
                           f"by {MOODLE_MATCH[moodle_match][1]}")
        no_id = no_id | lacking
    left = table.loc[no_id, ["learner_id"]].assign(reason=reason[no_id]).drop_duplicates("learner_id")
    extra = pd.DataFrame({"learner_id": left["learner_id"], "assignment": "", "state": "not in the LMS files",
                          "reason": left["reason"]})
    stray = pd.DataFrame({"learner_id": table.attrs.get("not_on_roster", []), "assignment": "",
                          "state": "not on the roster",
                          "reason": "grades.csv has grades for this student id, which is not on the roster"})
    return pd.concat([rows, extra, stray], ignore_index=True)


# ---------------------------------------------------------------------------
# CSV files
# ---------------------------------------------------------------------------


def _fmt(x: float) -> str:
    """A score as an LMS reads it: 7.0 -> '7', 2.5 -> '2.5', NaN -> '' (:func:`mtss_teach.formatting.number`)."""
    return number(x, 4, missing="")


def _wide(table: pd.DataFrame, blank: str) -> tuple[pd.DataFrame, list[str]]:
    """Learners x assignments of formatted scores (``blank`` where not graded)."""
    cols = list(dict.fromkeys(table["assignment"]))
    learners = table.drop_duplicates("learner_id")[["learner_id", "lms_user_id", "lms_login", "section"]]
    learners = learners.loc[(learners["lms_user_id"] != "") | (learners["lms_login"] != "")]
    graded = table["state"].to_numpy() == GRADED
    text = np.full(len(table), blank, dtype=object)
    if graded.any():
        text[graded] = [_fmt(v) for v in np.round(table["score"].to_numpy(dtype=float)[graded], 4)]
    cells = pd.DataFrame({"learner_id": table["learner_id"].to_numpy(),
                          "assignment": table["assignment"].to_numpy(), "text": text})
    wide = cells.pivot(index="learner_id", columns="assignment", values="text")
    wide = wide.reindex(index=learners["learner_id"], columns=cols).fillna(blank).reset_index()
    wide.columns.name = None
    wide = learners.merge(wide, on="learner_id", how="left", sort=False)
    return wide, cols


def _write(rows: list[list[str]], dest: str | os.PathLike | None) -> str:
    buf = _io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    text = buf.getvalue()
    if dest is not None:
        Path(dest).write_text(text, encoding="utf-8")
    return text


def canvas_csv(table: pd.DataFrame, dest: str | os.PathLike | None = None, *,
               assignment_ids: Mapping[str, str] | None = None,
               titles: Mapping[str, str] | None = None) -> str:
    """A Canvas gradebook import file; returns its text (also written to ``dest``).

    The layout is Canvas's own gradebook export, which its import reads
    back: the columns ``Student``, ``ID`` (Canvas user id, the roster's
    ``lms_user_id``), ``SIS User ID`` (empty), ``SIS Login ID`` (the
    roster's ``lms_login``) and ``Section``, then one column per assignment;
    the second line is ``Points Possible``. An assignment column is headed
    ``Title (id)`` when its Canvas assignment id is given in
    ``assignment_ids`` (Canvas then updates that assignment), otherwise by
    its title alone (Canvas creates a new assignment on import).

    ``Student`` holds the learner id, never a name (the roster has none).
    Cells that are not ``graded`` are empty (no score); learners with
    neither an LMS id nor an LMS login are left out. Both are listed by
    :func:`export_notes`.
    """
    wide, cols = _wide(table, "")
    titles = dict(titles or {})
    ids = dict(assignment_ids or {})
    head = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    head += [f"{titles.get(a, a)} ({ids[a]})" if a in ids else titles.get(a, a) for a in cols]
    maxes = table.drop_duplicates("assignment").set_index("assignment")["max_score"]
    rows = [head, ["    Points Possible", "", "", "", ""] + [_fmt(maxes.get(a, np.nan)) for a in cols]]
    body = wide[["learner_id", "lms_user_id"]].assign(sis="")[["learner_id", "lms_user_id", "sis"]]
    body = pd.concat([body, wide[["lms_login", "section"] + cols]], axis=1)
    rows += body.astype(str).values.tolist()
    return _write(rows, dest)


#: Moodle's user identifiers a grade import can match on: roster column, the file's column header.
MOODLE_MATCH = {"idnumber": ("lms_user_id", "ID number"), "username": ("lms_login", "Username")}


def moodle_match(table: pd.DataFrame) -> str:
    """The identifier a Moodle file of ``table`` matches learners by: ``"idnumber"`` or ``"username"``.

    ``"idnumber"`` when every learner with an LMS account on the roster has an
    ``lms_user_id``, else ``"username"`` when every one has an ``lms_login``.

    Raises
    ------
    DataError
        Some learners have only an ID number and others only a username: one
        Moodle import matches every row by one column.
    """
    ids = table.drop_duplicates("learner_id")
    ids = ids.loc[(ids["lms_user_id"] != "") | (ids["lms_login"] != "")]
    for match, (column, _) in MOODLE_MATCH.items():
        if (ids[column] != "").all():
            return match
    only_id = ids.loc[ids["lms_login"] == "", "learner_id"].iloc[0]
    only_login = ids.loc[ids["lms_user_id"] == "", "learner_id"].iloc[0]
    raise DataError(f"roster: learner {only_id!r} has an lms_user_id but no lms_login, and learner "
                    f"{only_login!r} an lms_login but no lms_user_id; a Moodle import matches every row by one "
                    "of them, so give every learner the same one (or choose which to match by; learners "
                    "without it are then left out of the file and listed in the notes)")


def moodle_csv(table: pd.DataFrame, dest: str | os.PathLike | None = None, *,
               titles: Mapping[str, str] | None = None, match: str | None = None) -> str:
    """A Moodle grade import file (Grades > Import > CSV file); returns its text.

    Columns: ``ID number`` (the roster's ``lms_user_id``), ``Username`` (its
    ``lms_login``), ``Section``, then one column per assignment. On import,
    map "ID number" to ``useridnumber`` (or "Username" to ``username``) and
    each assignment column to its grade item (or "new grade item").

    Every row of the file has the identifier it is matched by (``match``:
    ``"idnumber"`` or ``"username"``; default :func:`moodle_match`), and an
    identifier column is written only when no row leaves it empty: Moodle's
    importer skips an empty identifier cell and files that row's grades
    under the user of the row before it. Learners without the ``match``
    identifier are left out (:func:`export_notes` with ``moodle_match``
    lists them), as are learners with neither (Moodle aborts the whole
    import on a row it cannot match).

    Cells that are not ``graded`` hold ``-``, which Moodle's importer reads
    as "no grade". Moodle has no value meaning "leave unchanged": importing
    a ``-`` clears a grade already entered in that grade item, so import
    only the columns you mean to set.
    """
    if match is None:
        match = moodle_match(table)
    if match not in MOODLE_MATCH:
        raise DataError(f"match must be one of {', '.join(MOODLE_MATCH)}, not {match!r}")
    wide, cols = _wide(table, "-")
    wide = wide.loc[wide[MOODLE_MATCH[match][0]] != ""]
    titles = dict(titles or {})
    ident = [(c, h) for c, h in MOODLE_MATCH.values() if c == MOODLE_MATCH[match][0] or (wide[c] != "").all()]
    head = [h for _, h in ident] + ["Section"] + [titles.get(a, a) for a in cols]
    rows = [head] + wide[[c for c, _ in ident] + ["section"] + cols].astype(str).values.tolist()
    return _write(rows, dest)


# ---------------------------------------------------------------------------
# LTI 1.3 Assignment and Grade Services
# ---------------------------------------------------------------------------

AGS_SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)


@dataclass
class LtiPlatform:
    """What the LMS administrator registers for the academy's LTI 1.3 tool.

    ``issuer`` and ``client_id`` identify the registration; ``token_url`` is
    the platform's OAuth 2 token endpoint; ``lineitems_url`` is the course's
    line-items endpoint (the ``lineitems`` value of the AGS claim in a
    launch); ``private_key`` is the tool's RSA private key (PEM) and
    ``public_key`` its public key (PEM), registered with the platform: the
    token request names it by its JWK thumbprint (``kid``).
    """

    issuer: str
    client_id: str
    token_url: str
    lineitems_url: str
    private_key: str
    public_key: str | None = None
    audience: str | None = None
    scopes: Sequence[str] = field(default_factory=lambda: list(AGS_SCOPES))


def _explain(exc: Exception, step: str) -> LmsError:
    resp = getattr(exc, "response", None)
    if resp is None:
        return LmsError(f"LTI {step}: the platform could not be reached ({type(exc).__name__}: {exc})")
    status = getattr(resp, "status_code", "?")
    try:
        body = resp.json()
        detail = body.get("error_description") or body.get("error") or body.get("message") or str(body)
    except ValueError:
        detail = (resp.text or "").strip()[:300]
    if step == "token request" and status in (400, 401):
        hint = (" -- the platform did not accept the tool's signed request: check that the private key "
                "matches the public key registered for this client id and kid")
    else:
        hint = ""
    return LmsError(f"LTI {step} refused by the platform (HTTP {status}: {detail}){hint}")


def post_scores(table: pd.DataFrame, platform: LtiPlatform, *, user_column: str = "lti_user_id",
                roster: Roster | None = None, titles: Mapping[str, str] | None = None,
                timestamp: str | None = None, session: Any = None) -> pd.DataFrame:
    """Send the grades to an LMS with LTI 1.3 Assignment and Grade Services.

    For each released assignment, the line item tagged with the assignment
    id is found or created (``scoreMaximum`` = the assignment's maximum);
    then one score per learner is posted: ``graded`` cells with
    ``scoreGiven``/``scoreMaximum`` and ``FullyGraded``; ``needs review``
    cells with no score and ``PendingManual``; ``not gradable`` cells with
    no score and ``Failed``. ``not submitted`` and ``unreleased`` cells send
    nothing.

    Parameters
    ----------
    table : DataFrame
        From :func:`gradebook_table`.
    platform : LtiPlatform
    user_column : str
        The roster column holding each learner's LTI user id (the ``sub`` of
        their launches, which is not Canvas's numeric user id).
    roster : Roster, optional
        Needed when ``user_column`` is not a column of ``table``.

    Returns
    -------
    DataFrame
        One row per cell: ``learner_id``, ``assignment``, ``state``,
        ``sent`` (``score``, ``status only`` or ``nothing``).

    Raises
    ------
    LmsError
        Before anything is sent: a learner with a cell to send has no LTI
        user id, or a score is negative or above the line item's maximum.
        While sending: the platform refused the token request (wrong key or
        client id) or a line item or score; the message says which.
    """
    from pylti1p3.assignments_grades import AssignmentsGradesService
    from pylti1p3.exception import LtiException
    from pylti1p3.grade import Grade
    from pylti1p3.lineitem import LineItem
    from pylti1p3.registration import Registration
    from pylti1p3.service_connector import ServiceConnector

    t = table.copy()
    if user_column not in t.columns:
        if roster is None or user_column not in roster.table.columns:
            raise LmsError(f"LTI: the roster has no {user_column!r} column: add each learner's LTI user id "
                           "(the 'sub' of their launches from the LMS)")
        ids = dict(zip(roster.table["learner_id"], roster.table[user_column].astype(str).str.strip()))
        t[user_column] = t["learner_id"].map(ids).fillna("")
    sendable = t["state"].isin([GRADED, NEEDS_REVIEW, NOT_GRADABLE])
    missing = t.loc[sendable & (t[user_column].astype(str).str.strip() == ""), "learner_id"]
    if len(missing):
        raise LmsError(f"LTI: learner {missing.iloc[0]!r} has no {user_column} on the roster "
                       f"({missing.nunique()} learners in all); nothing was sent")
    graded = t["state"] == GRADED
    bad = graded & ((t["score"] < 0) | (t["score"] > t["max_score"] + 1e-9) | t["max_score"].isna())
    if bad.any():
        row = t.loc[bad].iloc[0]
        raise LmsError(f"LTI: the score of learner {row['learner_id']!r} for {row['assignment']!r} "
                       f"({_fmt(row['score'])}) is outside 0..{_fmt(row['max_score'])}; nothing was sent")

    reg = (Registration().set_issuer(platform.issuer).set_client_id(platform.client_id)
           .set_auth_token_url(platform.token_url).set_tool_private_key(platform.private_key))
    if platform.public_key:
        reg.set_tool_public_key(platform.public_key)  # the kid of the signed request
    if platform.audience:
        reg.set_auth_audience(platform.audience)
    connector = ServiceConnector(reg, requests_session=session)
    ags = AssignmentsGradesService(connector, {"scope": list(platform.scopes),
                                               "lineitems": platform.lineitems_url})
    try:
        connector.get_access_token(list(platform.scopes))
    except LtiException as exc:
        raise _explain(exc, "token request") from None
    except OSError as exc:
        raise _explain(exc, "token request") from None

    stamp = timestamp or datetime.now(timezone.utc).isoformat(timespec="seconds")
    titles = dict(titles or {})
    sent = np.full(len(t), "nothing", dtype=object)
    for assignment, rows in t.groupby("assignment", sort=False):
        todo = rows.loc[rows["state"].isin([GRADED, NEEDS_REVIEW, NOT_GRADABLE])]
        if todo.empty:
            continue
        maximum = float(rows["max_score"].iloc[0])
        item = (LineItem().set_tag(str(assignment)).set_resource_id(str(assignment))
                .set_label(titles.get(assignment, str(assignment))).set_score_maximum(maximum))
        try:
            item = ags.find_or_create_lineitem(item, find_by="tag")
        except (LtiException, OSError) as exc:
            raise _explain(exc, f"line item for {assignment!r}") from None
        item_max = item.get_score_maximum()
        if item_max is not None and float(item_max) + 1e-9 < maximum:
            raise LmsError(f"LTI: the platform's line item for {assignment!r} has a maximum of "
                           f"{_fmt(float(item_max))}, below the assignment's {_fmt(maximum)}; nothing was sent "
                           "for it")
        for idx, row in todo.iterrows():
            grade = Grade().set_user_id(str(row[user_column])).set_timestamp(stamp)
            if row["state"] == GRADED:
                grade.set_score_given(float(row["score"])).set_score_maximum(maximum)
                grade.set_activity_progress("Completed").set_grading_progress("FullyGraded")
            elif row["state"] == NEEDS_REVIEW:
                grade.set_activity_progress("Submitted").set_grading_progress("PendingManual")
            else:
                grade.set_activity_progress("Submitted").set_grading_progress("Failed")
            try:
                ags.put_grade(grade, item)
            except (LtiException, OSError) as exc:
                raise _explain(exc, f"score of learner {row['learner_id']!r} for {assignment!r}") from None
            sent[t.index.get_loc(idx)] = "score" if row["state"] == GRADED else "status only"
    out = t[["learner_id", "assignment", "state"]].copy()
    out["sent"] = sent
    return out


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mtss_teach.lms canvas|moodle --grades grades.csv --roster roster.csv --out FILE``."""
    ap = argparse.ArgumentParser(prog="python -m mtss_teach.lms",
                                 description="Export grades.csv to a Canvas or Moodle grade import file.")
    ap.add_argument("format", choices=["canvas", "moodle"])
    ap.add_argument("--grades", default="grades.csv")
    ap.add_argument("--report", default=None,
                    help="grading_report.csv (default: the one next to the grades file, if any)")
    ap.add_argument("--roster", required=True)
    ap.add_argument("--released", default=None,
                    help="comma-separated released assignment ids (default: those in the grades file)")
    ap.add_argument("--assignments", default=None, help="comma-separated assignment ids, in column order")
    ap.add_argument("--out", required=True)
    ap.add_argument("--notes", default=None, help="where to write the notes CSV (default: OUT with _notes)")
    ap.add_argument("--canvas-ids", default=None,
                    help="Canvas only: comma-separated assignment=Canvas assignment id pairs, so that the import "
                         "updates those Canvas assignments instead of creating new ones")
    ap.add_argument("--moodle-match", choices=sorted(MOODLE_MATCH), default=None,
                    help="Moodle only: match learners by their ID number (the roster's lms_user_id) or username "
                         "(lms_login); default: the one every learner on the roster has")
    args = ap.parse_args(argv)
    try:
        report = args.report
        if report is None:
            beside = Path(args.grades).with_name("grading_report.csv")
            report = beside if beside.is_file() else None
        split = (lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None)  # noqa: E731
        table = gradebook_table(args.grades, read_roster(args.roster), report=report,
                                assignments=split(args.assignments), released=split(args.released))
        match = None
        if args.format == "canvas":
            ids = {}
            for pair in split(args.canvas_ids) or []:
                name, sep, cid = pair.partition("=")
                if not sep or not name.strip() or not cid.strip().isdigit():
                    raise DataError(f"--canvas-ids: {pair!r} is not assignment=Canvas assignment id (a number)")
                ids[name.strip()] = cid.strip()
            unknown = sorted(set(ids) - set(table["assignment"]))
            if unknown:
                raise DataError(f"--canvas-ids: {unknown[0]!r} is not one of the course's assignments")
            canvas_csv(table, args.out, assignment_ids=ids)
        else:
            match = args.moodle_match or moodle_match(table)
            moodle_csv(table, args.out, match=match)
        notes = export_notes(table, moodle_match=match)
        out = Path(args.out)
        notes_path = Path(args.notes) if args.notes else out.with_name(out.stem + "_notes.csv")
        notes.to_csv(notes_path, index=False)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    counts = table["state"].value_counts()
    print(f"wrote {args.out}: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in STATES))
    print(f"wrote {notes_path}: {len(notes)} cells without a score, with the reason for each")
    if match is not None:
        print(f"In Moodle's CSV import, map \"{MOODLE_MATCH[match][1]}\" to the user's "
              f"{'ID number' if match == 'idnumber' else 'username'}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
