"""Credit check: no points the learner's kernel could have forged.

Every test cell nbgrader credited is re-checked outside the learner's
kernel on the answers its checks recorded (:data:`mtss_teach.exercises.RECORD_MIME`),
and withheld when a learner-editable cell before it is flagged by the
tamper scan. Withheld points stay visible: the grade keeps nbgrader's own
``auto_score``, gets a ``manual_score`` of 0 and is marked for manual
grading, and the reason is written in the comment on the answer cell, so
formgrader, the feedback and ``grading_report.csv`` all show it. One
command, ``python -m mtss_teach.grading review STUDENT ASSIGNMENT --accept``,
gives the points back (:func:`mtss_teach.grading.pipeline.review`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .course import NOTEBOOK, gradebook_url
from .scan import _scan_cells

if TYPE_CHECKING:  # pragma: no cover
    from .report import SubmissionResult

def _canonical_cells(root: Path, assignment: str) -> dict[str, dict]:
    """grade_id -> the instructor's nbgrader metadata, read from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    db = gradebook_url(root)
    out: dict[str, dict] = {}
    with Gradebook(db) as gb:
        try:
            nb = gb.find_notebook(NOTEBOOK[:-6], assignment)
        except MissingEntry:
            return out
        grade = {c.name: c for c in nb.grade_cells}
        solution = {c.name for c in nb.solution_cells}
        task = {c.name: c for c in nb.task_cells}
        for sc in nb.source_cells:
            meta = {
                "grade": sc.name in grade,
                "grade_id": sc.name,
                "locked": bool(sc.locked),
                "schema_version": 3,
                "solution": sc.name in solution,
                "task": sc.name in task,
                "cell_type": sc.cell_type,
                "checksum": sc.checksum,
            }
            if sc.name in grade:
                meta["points"] = float(grade[sc.name].max_score)
            elif sc.name in task:
                meta["points"] = float(task[sc.name].max_score)
            out[sc.name] = meta
    return out


def _restore_metadata(nb: dict, canonical: dict[str, dict]) -> list[str]:
    """Put the instructor's nbgrader metadata back; returns what was changed."""
    changes: list[str] = []
    seen: set[str] = set()
    for i, cell in enumerate(nb.get("cells", [])):
        meta = cell.setdefault("metadata", {})
        nbg = meta.get("nbgrader")
        if nbg is None:
            continue
        gid = nbg.get("grade_id") if isinstance(nbg, dict) else None
        if not isinstance(gid, str) or gid not in canonical or gid in seen:
            del meta["nbgrader"]
            changes.append(f"cell {i}: removed nbgrader metadata with unknown or repeated grade_id {gid!r}")
            continue
        seen.add(gid)
        want = canonical[gid]
        keys = ("grade", "solution", "locked", "task", "points")
        if any(nbg.get(k, False if k != "points" else None) != want.get(k) for k in keys):
            changes.append(f"cell {gid}: nbgrader metadata restored")
        if want["locked"]:
            meta["editable"] = False
        if want["locked"] or want["grade"] or want["solution"]:
            meta["deletable"] = False
        meta["nbgrader"] = dict(want)
    return changes



_WITHHELD = "Points withheld by the grading pipeline, pending the instructor's review: "


def _cell_records(cell: dict) -> list[dict]:
    """The check records (:data:`mtss_teach.exercises.RECORD_MIME`) in one cell's outputs."""
    from ..exercises import RECORD_MIME

    out = []
    for o in cell.get("outputs", []) or []:
        data = o.get("data") if isinstance(o, dict) else None
        rec = data.get(RECORD_MIME) if isinstance(data, dict) else None
        if isinstance(rec, dict):
            out.append(rec)
    return out


def _answers_from_records(records: list[dict], course: str) -> tuple[dict[str, Any], set[str], str]:
    """name -> encoded answer, the learner ids the records name, and a problem ("" if none)."""
    answers: dict[str, Any] = {}
    ids: set[str] = set()
    for rec in records:
        name, value = rec.get("name"), rec.get("value")
        if rec.get("course") != course or not isinstance(name, str) or not name.isidentifier():
            return {}, ids, "a check record in the test's output is malformed"
        if name.startswith("_"):
            return {}, ids, "a check record in the test's output is malformed"
        if name in answers and answers[name] != value:
            return {}, ids, f"the test's output records two different answers for {name}"
        answers[name] = value
        if isinstance(rec.get("learner_id"), str):
            ids.add(rec["learner_id"])
    return answers, ids, ""


def _replay_job(job: dict) -> str:
    """Run one test cell on recorded answers in this process; "" when it passes, else why not."""
    import contextlib
    import io
    import warnings

    from ..exercises import decode_value

    ns: dict[str, Any] = {"__name__": "__main__", "LEARNER_ID": job["learner_id"]}
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(job["setup"], "<setup cell>", "exec"), ns)
            for name, value in job["answers"].items():
                if name not in ns:  # an answer never replaces what the setup cell defined
                    ns[name] = decode_value(value)
            exec(compile(job["test"], f"<{job['cell']}>", "exec"), ns)
    except AssertionError as exc:
        return f"the recorded answer fails the test when re-checked outside the learner's kernel ({exc})"
    except Exception as exc:  # noqa: BLE001 - any failure means the record does not earn the points
        return ("the recorded answers could not be re-checked outside the learner's kernel "
                f"({type(exc).__name__}: {exc})")
    return ""


def _replay_main() -> None:
    """Worker of :func:`_replay`: jobs as JSON on stdin, one verdict per job as JSON on stdout."""
    jobs = json.loads(sys.stdin.read())
    verdicts = [_replay_job(job) for job in jobs]
    sys.stdout.write("\n" + json.dumps(verdicts))


def _replay(jobs: list[dict], root: Path, timeout: float) -> list[str]:
    """Re-run test cells on recorded answers in a fresh Python process (no learner code runs there).

    Each job holds the instructor's setup and test cell sources (from the
    gradebook), the graded learner id and the learner's recorded answers
    (data only; a function is replayed from its recorded outputs). Returns
    one verdict per job: "" when the test passes, else the reason. If the
    process fails, every job fails (no credit without a check).
    """
    if not jobs:
        return []
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "MTSS_GRADED_"))}
    env["MTSS_BIND_LEARNER_ID"] = "0"
    cmd = [sys.executable, "-c", "from mtss_teach.grading import _replay_main; _replay_main()"]
    try:
        proc = subprocess.run(cmd, cwd=str(root), env=env, input=json.dumps(jobs), capture_output=True,
                              text=True, timeout=timeout)
        verdicts = json.loads(proc.stdout.rsplit("\n", 1)[-1])
        if proc.returncode != 0 or not isinstance(verdicts, list) or len(verdicts) != len(jobs):
            raise ValueError(f"exit {proc.returncode}")
        return [str(v) for v in verdicts]
    except (subprocess.TimeoutExpired, ValueError, OSError) as exc:
        return [f"the re-check outside the learner's kernel could not run ({type(exc).__name__})"] * len(jobs)


def _check_credit(root: Path, batch: list["SubmissionResult"], canonical: dict[str, dict[str, dict]], *,
                  bind_learner_id: bool) -> None:
    """Withhold the points of graded cells whose credit cannot be trusted.

    For every graded submission, every test cell nbgrader credited is
    checked in two independent ways, and its points are withheld (its
    ``manual_score`` set to 0, nbgrader's ``auto_score`` kept, and marked
    for manual grading in the gradebook,
    with the reason in the comment of the answer cell before it and in
    ``res.withheld``) when either fails:

    1. *Re-check outside the kernel.* The checks of :class:`mtss_teach.exercises.Grader`
       record the learner's answers in the test cell's output; the test
       cell (the instructor's source, from the gradebook) is re-run in a
       fresh process on those recorded answers. A missing, malformed or
       contradictory record, or a recorded answer that fails the re-run,
       earns nothing. This does not depend on the learner's kernel being
       intact, so replacing the checks or the guard in the kernel (however
       obfuscated) earns nothing unless the replacement also writes records
       holding the right answers.
    2. *Tampering scan.* When a learner-editable cell is flagged by
       :func:`scan_notebook`, every test cell that ran after it is withheld
       (code before the setup cell: every test), even if its record
       passes: such code could have forged the records. A false flag on
       honest code costs those points until the instructor grades them by
       hand (formgrader lists them as needing manual grading).

    Not caught: a record forged by kernel code the scan does not recognise
    (for example obfuscated code that replaces a check with one recording
    the expected value instead of the learner's). Only running the
    notebook in a sandbox closes that gap.
    """
    from nbgrader.api import Gradebook, MissingEntry

    nbname = NOTEBOOK[:-6]
    plans: list[tuple[SubmissionResult, dict[str, str], dict[str, str], dict[str, int]]] = []
    jobs: list[dict] = []
    job_keys: list[tuple[int, str]] = []
    with Gradebook(gradebook_url(root)) as gb:
        # assignment -> (the instructor's cell sources, the grade cells' names)
        sources: dict[str, tuple[dict[str, str], list[str]]] = {}
        for res in batch:
            if not res.graded:
                continue
            out_nb = root / "autograded" / res.student / res.assignment / NOTEBOOK
            try:
                nb = json.loads(out_nb.read_text(encoding="utf-8"))
                cells = [c for c in nb["cells"] if isinstance(c, dict)]
            except (OSError, ValueError, KeyError, TypeError):
                cells = []
            if res.assignment not in sources:
                nbrec = gb.find_notebook(nbname, res.assignment)
                sources[res.assignment] = ({sc.name: sc.source or "" for sc in nbrec.source_cells},
                                           sorted(g.name for g in nbrec.grade_cells))
            src, grade_names = sources[res.assignment]
            pos = {((c.get("metadata", {}).get("nbgrader") or {}).get("grade_id")): i for i, c in enumerate(cells)}
            flags = _scan_cells({"cells": cells}, canonical.get(res.assignment))
            first_flag = min(flags)[0] if flags else None
            # the answer cell whose comment explains a withheld test: the last solution cell before it
            answer_of: dict[str, str] = {}
            last_solution = ""
            for c in cells:
                nbg = c.get("metadata", {}).get("nbgrader") or {}
                if nbg.get("solution"):
                    last_solution = nbg.get("grade_id", "")
                if nbg.get("grade"):
                    answer_of[nbg.get("grade_id", "")] = last_solution
            withheld: dict[str, str] = {}
            for name in sorted(grade_names, key=lambda g: pos.get(g, len(cells))):  # in notebook order
                try:
                    grade = gb.find_grade(name, nbname, res.assignment, res.student)
                except MissingEntry:
                    continue
                if not grade.score or grade.score <= 0:
                    continue
                if name not in pos:
                    withheld[name] = "the test cell is missing from the graded notebook"
                    continue
                if first_flag is not None and first_flag < pos[name]:
                    withheld[name] = ("code in a cell before this test changes the grading environment ("
                                      + next(f for i, f in flags if i == first_flag) + ")")
                    continue
                records = _cell_records(cells[pos[name]])
                if not records:
                    withheld[name] = "the test's checks left no record of the answer (they did not run as written)"
                    continue
                answers, ids, problem = _answers_from_records(records, res.assignment)
                res.record_ids |= ids
                if problem:
                    withheld[name] = problem
                    continue
                if bind_learner_id:
                    learner = res.student
                elif len(ids) == 1:
                    learner = next(iter(ids))
                else:
                    withheld[name] = "the test's check records name no single learner"
                    continue
                # the instructor's locked setup code that ran before this test (sources from the gradebook)
                canon = canonical.get(res.assignment, {})
                setup = [src.get(g, "") for g, i in sorted(pos.items(), key=lambda kv: kv[1])
                         if i < pos[name] and g in canon and canon[g].get("locked")
                         and canon[g].get("cell_type") == "code"
                         and not canon[g].get("grade") and not canon[g].get("solution")]
                job_keys.append((len(plans), name))
                jobs.append({"cell": name, "learner_id": learner, "setup": "\n".join(setup),
                             "test": src.get(name, ""), "answers": answers})
            plans.append((res, withheld, answer_of, pos))
    verdicts = _replay(jobs, root, timeout=max(600.0, 30.0 * len(jobs)))  # generous: a busy machine is slow
    for (k, name), why in zip(job_keys, verdicts):
        if why:
            plans[k][1][name] = why
    with Gradebook(gradebook_url(root)) as gb:
        for res, withheld, answer_of, pos in plans:
            for name, why in sorted(withheld.items(), key=lambda kv: pos.get(kv[0], len(pos))):
                grade = gb.find_grade(name, nbname, res.assignment, res.student)
                grade.manual_score = 0.0
                grade.needs_manual_grade = True
                res.withheld.append(f"{name}: {why}")
                sol = answer_of.get(name)
                if sol:
                    add_comment(gb, res.assignment, res.student, sol, f"{_WITHHELD}{name}: {why}")
            gb.db.commit()


def add_comment(gb, assignment: str, student: str, cell: str, note: str) -> bool:
    """Append ``note`` to the instructor comment on one cell (once); False when the cell has no comment slot."""
    from nbgrader.api import MissingEntry

    try:
        comment = gb.find_comment(cell, NOTEBOOK[:-6], assignment, student)
    except MissingEntry:
        return False
    old = comment.manual_comment or ""
    if note not in old:
        comment.manual_comment = f"{old}\n\n{note}" if old else note
    return True


