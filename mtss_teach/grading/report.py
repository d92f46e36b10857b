"""``grading_report.csv`` and the state columns of ``grades.csv``.

Every submission has exactly one visible **state**:

``graded``
    Scored by the autograder; nothing for the instructor to check.
``needs review``
    Scored, but the instructor should look: the ``reason`` column says why
    (id mismatch, points withheld, code flagged by the tamper scan, an older
    release, a folder not on the roster, no usable LEARNER_ID, a cell
    stopped at the time limit). The score
    shown is what the autograder gave; withheld points are not in it.
    ``python -m mtss_teach.grading review STUDENT ASSIGNMENT --accept``
    (or ``--reject``) settles it.
``not gradable``
    Nothing could be scored; ``reason`` says why (no notebook, not a
    notebook, no cells, another course's notebook, a cell that would not
    stop...). The score is left empty, never 0.

``grades.csv`` (nbgrader's export) gets two more columns, ``state`` and
``reason``, with ``not submitted`` for the rows nbgrader lists for a learner
who handed in nothing; the score of a row that is ``not gradable`` or
``not submitted`` is empty. A not-gradable submission nbgrader never saw
gets a row too.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SubmissionResult", "STATES", "REPORT_COLUMNS", "GRADES_EXTRA_COLUMNS", "read_report",
           "write_report", "annotate_grades"]

GRADED, REVIEW, NOT_GRADABLE, NOT_SUBMITTED = "graded", "needs review", "not gradable", "not submitted"
#: The states of ``grading_report.csv`` (``grades.csv`` adds ``not submitted``).
STATES = (GRADED, REVIEW, NOT_GRADABLE)

#: Columns of ``grading_report.csv``, in order. The first ten are the
#: original report's and keep their meaning; new columns are only appended.
REPORT_COLUMNS = ("student", "assignment", "graded", "score", "max_score", "timed_out_cells",
                  "metadata_restored", "review", "withheld", "error",
                  "state", "reason", "submitted_as", "typed_learner_id", "notebook_file", "notes",
                  "reviewed", "fingerprint")
#: Columns added to nbgrader's ``grades.csv`` export.
GRADES_EXTRA_COLUMNS = ("state", "reason")


@dataclass
class SubmissionResult:
    """One row of ``grading_report.csv``.

    ``student`` is the id the grade is recorded under (the nbgrader student
    id); ``submitted_as`` the submission's folder name (an LMS login when a
    roster mapped it).
    """

    student: str
    assignment: str
    graded: bool = False
    score: float | None = None
    max_score: float | None = None
    timed_out_cells: list[str] = field(default_factory=list)
    metadata_restored: list[str] = field(default_factory=list)
    tamper_flags: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    error: str = ""
    submitted_as: str = ""
    typed_learner_id: str = ""
    typed_problem: str = ""
    notebook_file: str = ""
    notes: list[str] = field(default_factory=list)
    review_reasons: list[str] = field(default_factory=list)
    reviewed: str = ""
    fingerprint: str = ""
    record_ids: set = field(default_factory=set)

    @property
    def state(self) -> str:
        if self.error or not self.graded:
            return NOT_GRADABLE
        if self.reviewed:
            return GRADED
        return REVIEW if self.reasons() else GRADED

    def reasons(self) -> list[str]:
        """Why the instructor should look (empty when nothing)."""
        out = list(self.review_reasons)
        if self.timed_out_cells:
            out.append("stopped at the per-cell time limit: " + ", ".join(self.timed_out_cells)
                       + " (the tests after it may have failed for that reason)")
        if self.withheld:
            out.append(f"points withheld on {len(self.withheld)} test(s) (see withheld)")
        if self.tamper_flags and not self.withheld:
            out.append("code flagged by the tamper scan (see review)")
        return out

    def reason(self) -> str:
        if self.state == NOT_GRADABLE:
            return self.error or "nbgrader could not grade this submission"
        if self.state == REVIEW:
            return "; ".join(self.reasons())
        return ""

    def row(self) -> dict:
        return {
            "student": self.student,
            "assignment": self.assignment,
            "graded": self.graded,
            "score": "" if self.score is None or self.state == NOT_GRADABLE else self.score,
            "max_score": "" if self.max_score is None else self.max_score,
            "timed_out_cells": "; ".join(self.timed_out_cells),
            "metadata_restored": "; ".join(self.metadata_restored),
            "review": "; ".join(self.tamper_flags),
            "withheld": "; ".join(self.withheld),
            "error": self.error,
            "state": self.state,
            "reason": self.reason(),
            "submitted_as": self.submitted_as or self.student,
            "typed_learner_id": self.typed_learner_id,
            "notebook_file": self.notebook_file,
            "notes": "; ".join(self.notes),
            "reviewed": self.reviewed,
            "fingerprint": self.fingerprint,
        }


def read_report(path: Path) -> list[dict]:
    """The rows of an existing report ([] when there is none)."""
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


def write_report(path: Path, rows: list[dict]) -> None:
    """Write ``rows`` (sorted by assignment, then student) with :data:`REPORT_COLUMNS`."""
    rows = sorted(rows, key=lambda r: (r.get("assignment", ""), r.get("student", ""), r.get("submitted_as", "")))
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(REPORT_COLUMNS), extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in REPORT_COLUMNS})
    tmp.replace(path)


def annotate_grades(grades_csv: Path, report_rows: list[dict], in_gradebook: set | None = None) -> None:
    """Add ``state`` and ``reason`` to nbgrader's export; empty the score where nothing was graded.

    ``in_gradebook`` holds the (student, assignment) pairs the gradebook
    has a submission for; a row of the export outside it and outside the
    report is ``not submitted``. A report row nbgrader's export lacks (a
    not-gradable submission nbgrader never saw) is appended, so no
    submission is missing.
    """
    with open(grades_csv, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = [dict(r) for r in reader]
    by_key: dict[tuple[str, str], dict] = {}
    for r in report_rows:
        key = (r.get("student", ""), r.get("assignment", ""))
        # a graded row wins over a not-gradable row of the same learner (e.g. an LMS copy)
        if key not in by_key or by_key[key].get("state") == NOT_GRADABLE:
            by_key[key] = r
    seen = set()
    for row in rows:
        key = (row.get("student_id", ""), row.get("assignment", ""))
        seen.add(key)
        rep = by_key.get(key)
        if rep is None:
            submitted = key in in_gradebook if in_gradebook is not None else bool(row.get("timestamp"))
            state, reason = (GRADED, "") if submitted else (NOT_SUBMITTED, "")
        else:
            state, reason = rep.get("state", ""), rep.get("reason", "")
        row["state"], row["reason"] = state, reason
        if state in (NOT_GRADABLE, NOT_SUBMITTED):
            for col in ("raw_score", "score", "late_submission_penalty"):
                if col in row:
                    row[col] = ""
    for key, rep in sorted(by_key.items()):
        if key in seen:
            continue
        row = {f: "" for f in fields}
        row.update({"assignment": key[1], "student_id": key[0], "state": rep.get("state", ""),
                    "reason": rep.get("reason", "")})
        if rep.get("state") != NOT_GRADABLE:
            row.update({"score": rep.get("score", ""), "raw_score": rep.get("score", ""),
                        "max_score": rep.get("max_score", "")})
        rows.append(row)
    out_fields = fields + [c for c in GRADES_EXTRA_COLUMNS if c not in fields]
    tmp = grades_csv.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=out_fields, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in out_fields})
    tmp.replace(grades_csv)
