"""One command per grading step, wrapping the real nbgrader CLI.

Run from the course root (the folder with ``nbgrader_config.py``; the
repository root by default)::

    python -m mtss_teach.grading generate
        # every modules/<course>/exercise.ipynb -> release/<course>/exercise.ipynb

    python -m mtss_teach.grading autograde SUBMISSIONS_DIR [--roster roster.csv] [--all]
        # new or changed SUBMISSIONS_DIR/<learner>/<course>/exercise.ipynb -> autograded/,
        # grading_report.csv (one row per submission, kept across runs),
        # grades.csv (nbgrader export + state, reason) and
        # feedback/<learner>/<course>/exercise.html

    python -m mtss_teach.grading review LEARNER COURSE --accept | --reject
        # settle a submission that needs review (withheld points, id mismatch)

    python -m mtss_teach.grading validate NOTEBOOK   # learner side: nbgrader validate + id warning
    python -m mtss_teach.grading feedback            # feedback HTML for every submission
    python -m mtss_teach.grading export              # grades.csv only

Every submission ends in one visible state (:mod:`~mtss_teach.grading.report`):
``graded``; ``needs review`` (with the reason); or ``not gradable`` (with the
reason, and no score). The gradebook is nbgrader's own SQLite database
(``gradebook.db`` in the course root). One ``autograde`` run:

1. finds the submissions (:mod:`~mtss_teach.grading.intake`): maps LMS
   logins to learner ids with the roster, skips submissions already graded
   and unchanged (``--all`` re-grades), reads renamed, BOM or non-UTF-8
   notebooks, rejects what is not this assignment's notebook with a reason,
   puts back cells an older release lacked and the instructor's nbgrader
   metadata, and reads the ``LEARNER_ID`` the learner typed
   (:mod:`~mtss_teach.grading.identity`);
2. runs ``nbgrader autograde`` once over the new or changed submissions,
   with a per-cell timeout (``--timeout``, default 60 s) and a 1 MB cap on
   each cell's output (``--output-cap``);
3. re-checks every credited test outside the learner's kernel on the
   answers it recorded, and withholds points after code the tamper scan
   flags (:mod:`~mtss_teach.grading.credit`, :mod:`~mtss_teach.grading.scan`);
4. marks id mismatches for review (the typed id's scenario is graded), and
   writes each review reason into the formgrader comment;
5. writes ``grading_report.csv``, ``grades.csv`` and the feedback of the
   submissions it graded; the feedback never shows hidden test code,
   tolerances or server paths (:mod:`~mtss_teach.grading.nbgrader_hooks`).
"""

from __future__ import annotations

from .course import NOTEBOOK, GradingError, assignments, find_course_root, generate, run_nbgrader
from .credit import (_answers_from_records, _canonical_cells, _cell_records, _check_credit, _replay,
                     _replay_job, _replay_main, _restore_metadata)
from .pipeline import _scores, _timeouts, autograde, export, feedback, review
from .report import REPORT_COLUMNS, STATES, SubmissionResult
from .scan import _scan_cells, scan_notebook, scan_source


def main(argv=None) -> int:
    """The command line (``python -m mtss_teach.grading``)."""
    from .cli import main as _main

    return _main(argv)


__all__ = [
    "find_course_root",
    "assignments",
    "run_nbgrader",
    "generate",
    "autograde",
    "export",
    "feedback",
    "review",
    "scan_notebook",
    "scan_source",
    "SubmissionResult",
    "STATES",
    "REPORT_COLUMNS",
    "GradingError",
    "main",
]
