"""The autograde run, the feedback, the export and the instructor's review command."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from .course import (NOTEBOOK, TRUNCATION_NOTE, GradingError, assignments, check_ran, find_course_root,
                     gradebook_url, run_nbgrader)
from .credit import _canonical_cells, _check_credit, add_comment
from .identity import id_review
from .intake import fingerprint_context, file_hash, find_submissions, stage, unchanged
from .report import (GRADED, NOT_GRADABLE, SubmissionResult, annotate_grades, read_report,
                     write_report)

REPORT = "grading_report.csv"
_NEEDS_REVIEW = "Needs review: "
_REVIEWED = "Reviewed by the instructor: "


def _cell_findings(path: Path, finding) -> list[str]:
    """For each cell of the notebook at ``path``, the first non-empty ``finding(output, label)``.

    ``label`` names the cell (its nbgrader grade id, else ``cell <i>``); an
    unreadable notebook has no findings.
    """
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        label = str((cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id") or f"cell {i}")
        for o in cell.get("outputs", []) or []:
            found = finding(o, label) if isinstance(o, dict) else None
            if found:
                out.append(found)
                break
    return out


def _timeouts(path: Path) -> list[str]:
    """The cells stopped at the time limit."""
    return _cell_findings(path, lambda o, label: label if o.get("output_type") == "error"
                          and o.get("ename") == "CellTimeoutError" else None)


def _truncated(path: Path) -> list[str]:
    """A note for each cell whose output was cut to the cap."""
    marker = TRUNCATION_NOTE.split("{")[0]

    def cut(o: dict, label: str) -> str | None:
        text = o.get("text", "")
        text = "".join(text) if isinstance(text, list) else text
        if marker not in text:
            return None
        return f"output of {label} cut to 1 MB ({text.strip().split('printed ')[-1].split(';')[0]})"

    return _cell_findings(path, cut)


def _scores(root: Path) -> dict[tuple[str, str], tuple[float, float]]:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(gradebook_url(root)) as gb:
        for a in gb.assignments:
            for sub in a.submissions:
                out[(sub.student_id, a.name)] = (float(sub.score), float(sub.max_score))
    return out


def _nbgrader_failures(log: str) -> dict[tuple[str, str], str]:
    """(assignment, student) -> why nbgrader could not grade it, read from nbgrader's log."""
    failed = set(re.findall(r"There was an error processing assignment '([^']+)' for student '([^']+)'", log))
    out: dict[tuple[str, str], str] = {}
    blocks = re.split(r"There was an error processing assignment: ", log)
    for a, s in failed:
        why = ""
        for b in blocks[1:]:
            head = b.splitlines()[0] if b else ""
            if f"{os.sep}{s}{os.sep}{a}" in head or head.rstrip().endswith(f"{s}{os.sep}{a}"):
                if "Timeout waiting for IOPub output" in b or "CellTimeoutError" in b:
                    why = _STUCK + _STUCK_ADVICE
                elif "UnresponsiveKernel" in b or "DeadKernelError" in b:
                    why = "the notebook's kernel died or stopped responding (memory use, or a crash)"
                else:
                    last = [ln for ln in b.splitlines() if re.match(r"^[A-Za-z_.]+(Error|Exception)\b", ln)]
                    why = f"nbgrader could not grade it ({last[-1][:200]})" if last else ""
                break
        out[(a, s)] = why or _UNGRADED + _UNGRADED_ADVICE
    return out


_STUCK = "a cell ran past the per-cell time limit and did not stop in time when interrupted"
_STUCK_ADVICE = (" (it may catch KeyboardInterrupt; or the machine was too busy: retry with --retry "
                 "and a longer --timeout)")
_UNGRADED = "nbgrader could not grade this submission"
_UNGRADED_ADVICE = " (see grading_log.txt)"
#: What the learner's page says instead of the instructor's advice in a reason (commands, log files, tools).
_FOR_LEARNER = (
    (_STUCK_ADVICE, " (for example a loop that never ends, or code that catches the stop signal)"),
    (_UNGRADED_ADVICE, ""),
    ("nbgrader could not grade", "the autograder could not grade"),
)


def learner_reason(reason: str) -> str:
    """A not-gradable reason as the learner's page gives it: without the instructor's commands or log files.

    Examples
    --------
    >>> from mtss_teach.grading.pipeline import learner_reason
    >>> learner_reason("the notebook has no cells")
    'the notebook has no cells'
    >>> learner_reason("nbgrader could not grade this submission (see grading_log.txt)")
    'the autograder could not grade this submission'
    """
    for advice, plain in _FOR_LEARNER:
        reason = reason.replace(advice, plain)
    return reason


def _course_sources(root: Path, known: list[str]) -> tuple[dict[str, dict], dict[str, set[str]], dict[str, dict]]:
    """Per assignment: canonical cell metadata, locked setup code sources, and instructor sources by cell."""
    from nbgrader.api import Gradebook, MissingEntry

    canon: dict[str, dict] = {}
    setup: dict[str, set[str]] = {}
    sources: dict[str, dict] = {}
    with Gradebook(gradebook_url(root)) as gb:
        for a in known:
            try:
                nb = gb.find_notebook(NOTEBOOK[:-6], a)
            except MissingEntry:
                continue
            sources[a] = {sc.name: sc.source or "" for sc in nb.source_cells}
            grade = {c.name for c in nb.grade_cells}
            setup[a] = {(sc.source or "").strip() for sc in nb.source_cells
                        if sc.locked and sc.cell_type == "code" and sc.name not in grade}
            setup[a].discard("")
    for a in sources:
        canon[a] = _canonical_cells(root, a)
    return canon, setup, sources


def _first_answer_cell(root: Path, assignment: str) -> str | None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(gradebook_url(root)) as gb:
        try:
            nb = gb.find_notebook(NOTEBOOK[:-6], assignment)
        except MissingEntry:
            return None
        sol = {c.name for c in nb.solution_cells}
        # the gradebook does not store cell order: take the lowest task number (task1_answer before task10_answer)
        names = sorted(sol, key=lambda n: (re.sub(r"\d+", lambda m: m.group().zfill(4), n)))
        return names[0] if names else None


def autograde(submissions: str | os.PathLike, course_root: str | os.PathLike | None = None, *,
              timeout: int = 60, bind_learner_id: bool = False, write_feedback: bool = True,
              grades_csv: str | os.PathLike | None = None, roster: str | os.PathLike | Any = None,
              regrade_all: bool = False, output_cap: int = 1_000_000,
              retry: bool = False) -> list[SubmissionResult]:
    """Autograde the new or changed submissions of ``<folder>/<assignment>/exercise.ipynb``.

    Returns one :class:`SubmissionResult` per submission graded in this run
    (an unchanged submission already in ``grading_report.csv`` is skipped
    unless ``regrade_all``). ``grading_report.csv`` keeps every
    submission's latest row; ``grades.csv`` (nbgrader's export, plus the
    ``state`` and ``reason`` columns) and the feedback of the submissions
    graded in this run are rewritten. ``roster`` (a path or a
    :class:`mtss_teach.roster.Roster`) maps LMS logins used as folder names
    to learner ids. ``retry`` also re-tries the unchanged submissions that
    could not be graded.
    """
    root = Path(course_root).resolve() if course_root else find_course_root()
    subs = Path(submissions).resolve()
    if not subs.is_dir():
        raise GradingError(f"submissions folder {subs} does not exist")
    if not (root / "gradebook.db").is_file():
        raise GradingError("no gradebook.db: run `python -m mtss_teach.grading generate` first")
    if roster is not None and not hasattr(roster, "learner_for"):
        from ..roster import read_roster

        roster = read_roster(roster)
    known = assignments(root)
    canon, setup_sources, inst_sources = _course_sources(root, known)
    mode = f"bind={int(bind_learner_id)};timeout={int(timeout)};cap={int(output_cap)}"
    in_place = subs == (root / "submitted").resolve()
    old_rows = read_report(root / REPORT)
    old_by_key = {(r.get("submitted_as") or r.get("student", ""), r.get("assignment", "")): r for r in old_rows}
    found = find_submissions(subs, set(known), roster)

    batch: list[SubmissionResult] = []
    keys_done: set[tuple[str, str]] = set()
    claimed: dict[tuple[str, str], str] = {}
    releases: dict[str, dict | None] = {}
    for f in found:
        key = (f.folder, f.assignment)
        raw = f.notebook.read_bytes() if f.notebook else b""
        ctx = fingerprint_context(f.student, f.assignment, inst_sources.get(f.assignment, {}), mode)
        current = file_hash(raw if f.notebook else (f.problem or "").encode())
        old = old_by_key.get(key)
        if (not regrade_all and old and unchanged(old.get("fingerprint", ""), current, ctx)
                and ((old.get("state") == NOT_GRADABLE and not retry)
                     or (root / "autograded" / old.get("student", "") / f.assignment / NOTEBOOK).is_file())):
            continue
        keys_done.add(key)
        if f.problem:
            res = SubmissionResult(f.student, f.assignment, submitted_as=f.folder, error=f.problem,
                                   notes=list(f.notes), fingerprint=f"{current}.{current}.{ctx}")
            batch.append(res)
            continue
        owner = claimed.get((f.student, f.assignment))
        if owner is not None:
            res = SubmissionResult(f.student, f.assignment, submitted_as=f.folder, notes=list(f.notes),
                                   error=f"another submission of {f.assignment} for this learner is in this batch "
                                         f"(folder {owner}); only that one was graded",
                                   fingerprint=f"{current}.{current}.{ctx}")
            batch.append(res)
            continue
        claimed[(f.student, f.assignment)] = f.folder
        if f.assignment not in releases:
            rel = root / "release" / f.assignment / NOTEBOOK
            releases[f.assignment] = json.loads(rel.read_text(encoding="utf-8")) if rel.is_file() else None
        res, written = stage(f, root, canon.get(f.assignment, {}), setup_sources, releases[f.assignment], raw,
                             in_place)
        res.fingerprint = f"{current}.{file_hash(written) if written else current}.{ctx}"
        if written is not None:
            old_out = root / "autograded" / f.student / f.assignment
            if old_out.exists():
                shutil.rmtree(old_out)
        elif not in_place:
            stale = root / "submitted" / f.student / f.assignment
            if stale.exists():
                shutil.rmtree(stale)
        batch.append(res)

    to_grade = [r for r in batch if not r.error]
    log = ""
    if to_grade:
        # submissions in submitted/ that nbgrader would pick up but this run does not grade
        grading = {(r.student, r.assignment) for r in to_grade}
        exclude = set()
        for sdir in (root / "submitted").glob(f"*/*/{NOTEBOOK}"):
            s, a = sdir.parent.parent.name, sdir.parent.name
            if (s, a) not in grading and not (root / "autograded" / s / a / NOTEBOOK).is_file():
                exclude.add(s)
        exclude -= {s for s, _ in grading}
        env = {"MTSS_CELL_TIMEOUT": str(int(timeout)), "MTSS_BIND_LEARNER_ID": "1" if bind_learner_id else "0",
               "MTSS_OUTPUT_CAP": str(int(output_cap))}
        args = ["autograde", "*"]
        if exclude:
            args.append(f"--CourseDirectory.student_id_exclude={','.join(sorted(exclude))}")
        proc = run_nbgrader(args, root, env=env)
        log = proc.stdout + proc.stderr
        failures = _nbgrader_failures(log)
        for res in to_grade:
            out_nb = root / "autograded" / res.student / res.assignment / NOTEBOOK
            res.graded = out_nb.is_file() and (res.assignment, res.student) not in failures
            if not res.graded:
                res.error = failures.get((res.assignment, res.student), _UNGRADED + _UNGRADED_ADVICE)
                _forget_submission(root, res, in_place)
                continue
            res.timed_out_cells = _timeouts(out_nb)
            res.notes += _truncated(out_nb)
        _check_credit(root, [r for r in to_grade if r.graded], canon, bind_learner_id=bind_learner_id)
        for res in to_grade:
            if res.graded:
                why = id_review(res.student, res.typed_learner_id or None, res.record_ids, res.typed_problem,
                                bind_learner_id)
                if why:
                    res.review_reasons.insert(0, why)
        _write_review_comments(root, [r for r in to_grade if r.graded])
        scores = _scores(root)
        for res in to_grade:
            if res.graded and (res.student, res.assignment) in scores:
                res.score, res.max_score = scores[(res.student, res.assignment)]
        (root / "grading_log.txt").write_text(log, encoding="utf-8")

    rows = [r for k, r in old_by_key.items() if k not in keys_done] + [r.row() for r in batch]
    write_report(root / REPORT, rows)
    _export_annotated(root, grades_csv, rows)
    if write_feedback:
        feedback(root, only=[(r.student, r.assignment) for r in batch if r.graded])
        for r in batch:
            if r.state == NOT_GRADABLE and _ID_OK.match(r.student) and r.assignment in known:
                _not_gradable_page(root, r)
    return batch


_ID_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")


def _not_gradable_page(root: Path, res: SubmissionResult) -> Path:
    """A feedback page for a submission nothing could be scored in: the reason, and what to do."""
    import html

    dest = root / "feedback" / res.student / res.assignment / f"{NOTEBOOK[:-6]}.html"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>exercise</title></head><body>\n"
        f"<h1>{html.escape(res.assignment)}: not graded yet</h1>\n"
        f"<p>Your notebook could not be graded: {html.escape(learner_reason(res.reason()))}.</p>\n"
        "<p>Nothing was scored, so no points were lost. Please hand in your exercise notebook again "
        "(File \u2192 Save, then submit <code>exercise.ipynb</code>); it will be graded in the next run.</p>\n"
        "</body></html>\n", encoding="utf-8")
    return dest


def _forget_submission(root: Path, res: SubmissionResult, in_place: bool) -> None:
    """Drop what nbgrader left of a submission it could not grade, so it shows no score and is not retried."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(gradebook_url(root)) as gb:
        try:
            gb.remove_submission(res.assignment, res.student)
        except MissingEntry:
            pass
    if not in_place:
        shutil.rmtree(root / "submitted" / res.student / res.assignment, ignore_errors=True)


def _write_review_comments(root: Path, graded: list[SubmissionResult]) -> None:
    """Put each submission's review reasons in the comment on its first answer cell (formgrader, feedback)."""
    from nbgrader.api import Gradebook

    first: dict[str, str | None] = {}
    with Gradebook(gradebook_url(root)) as gb:
        for res in graded:
            if res.assignment not in first:
                first[res.assignment] = _first_answer_cell(root, res.assignment)
            cell = first[res.assignment]
            if cell and res.review_reasons:
                add_comment(gb, res.assignment, res.student, cell, _NEEDS_REVIEW + "; ".join(res.review_reasons))
        gb.db.commit()


def _export_annotated(root: Path, grades_csv, rows: list[dict]) -> Path:
    return export(root, grades_csv)


def export(course_root: str | os.PathLike | None = None, to: str | os.PathLike | None = None) -> Path:
    """``nbgrader export`` to a CSV (default ``grades.csv`` in the course root), with the state columns.

    The ``state`` and ``reason`` columns are added from ``grading_report.csv``
    and the gradebook (:func:`mtss_teach.grading.report.annotate_grades`).
    """
    root = Path(course_root) if course_root else find_course_root()
    dest = Path(to).resolve() if to else root / "grades.csv"
    proc = run_nbgrader(["export", f"--to={dest}"], root)
    check_ran(proc, "export")
    annotate_grades(dest, read_report(root / REPORT), set(_scores(root)))
    return dest


def feedback(course_root: str | os.PathLike | None = None, only: list[tuple[str, str]] | None = None) -> list[Path]:
    """``nbgrader generate_feedback``: for every autograded submission, or rewrite only ``only`` ((student, assignment) pairs)."""
    root = Path(course_root) if course_root else find_course_root()
    if only is not None:
        if not only:
            return []
        for s, a in only:
            shutil.rmtree(root / "feedback" / s / a, ignore_errors=True)
        proc = run_nbgrader(["generate_feedback", "*"], root)
    else:
        proc = run_nbgrader(["generate_feedback", "*", "--force"], root)
    check_ran(proc, "generate_feedback")
    return sorted((root / "feedback").glob(f"*/*/{NOTEBOOK[:-6]}.html"))


def review(student: str, assignment: str, decision: str, course_root: str | os.PathLike | None = None,
           note: str = "") -> dict:
    """Settle a submission that needs review: ``decision`` is ``accept`` or ``reject``.

    ``accept``: every withheld test gets back the points nbgrader's run gave
    it (its manual score is cleared), and the submission is graded as it
    stands (an id mismatch is accepted). ``reject``: the withheld points stay
    withheld, and for an id mismatch every test of the submission scores 0.
    The comment on the first answer cell says what was decided, the report
    row becomes ``graded`` with the decision in ``reviewed``, and the
    learner's feedback and ``grades.csv`` are rewritten.
    """
    from nbgrader.api import Gradebook, MissingEntry

    if decision not in ("accept", "reject"):
        raise GradingError("review: the decision is --accept or --reject")
    root = Path(course_root) if course_root else find_course_root()
    rows = read_report(root / REPORT)
    mine = [r for r in rows if r.get("student") == student and r.get("assignment") == assignment
            and r.get("state") != NOT_GRADABLE]
    if not mine:
        raise GradingError(f"review: no graded submission of {assignment} for learner {student} in {REPORT}")
    row = mine[0]
    mismatch = "id mismatch" in row.get("reason", "") or "no usable LEARNER_ID" in row.get("reason", "")
    nbname = NOTEBOOK[:-6]
    changed = []
    with Gradebook(gradebook_url(root)) as gb:
        try:
            sub = gb.find_submission_notebook(nbname, assignment, student)
        except MissingEntry:
            raise GradingError(f"review: the gradebook has no submission of {assignment} for {student}") from None
        withheld = {w.split(":", 1)[0].strip() for w in row.get("withheld", "").split("; ") if w.strip()}
        for grade in sub.grades:
            if decision == "accept" and grade.name in withheld:
                grade.manual_score = None
                grade.needs_manual_grade = False
                changed.append(grade.name)
            elif decision == "reject":
                if grade.name in withheld or mismatch:
                    grade.manual_score = 0.0
                grade.needs_manual_grade = False
                changed.append(grade.name)
        what = ("withheld points restored" if withheld else "graded as it stands") if decision == "accept" else (
            "no points for this submission" if mismatch else "withheld points stay withheld")
        cell = _first_answer_cell(root, assignment)
        text = f"{_REVIEWED}{decision}ed ({what})" + (f": {note}" if note else "")
        if cell:
            add_comment(gb, assignment, student, cell, text)
        gb.db.commit()
    score = _scores(root).get((student, assignment))
    for r in rows:
        if r is row:
            r["reviewed"] = f"{decision}ed: {row.get('reason', '')}" + (f" ({note})" if note else "")
            r["state"] = GRADED
            r["reason"] = ""
            if score:
                r["score"], r["max_score"] = score
    write_report(root / REPORT, rows)
    export(root)
    feedback(root, only=[(student, assignment)])
    return row


__all__ = ["autograde", "export", "feedback", "review", "learner_reason", "REPORT"]
