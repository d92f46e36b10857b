"""nbgrader configuration for the MTSS Academy course.

The course's source is ``modules/``: every micro-course folder
``modules/<course>/`` is one assignment (assignment id = folder name, e.g.
``02-screening``) whose only assignment notebook is ``exercise.ipynb``.
Everything else in a course folder (``lesson.md``, ``app.ipynb``,
``facilitator.md``, ``templates/``, ``selfcheck.yml``, images) belongs to
the book and the facilitator, and is never copied into ``release/``.

One command does each step (see ``python -m mtss_teach.grading --help``)::

    python -m mtss_teach.grading generate              # every assignment -> release/
    python -m mtss_teach.grading autograde SUBMISSIONS # SUBMISSIONS/<student>/<course>/exercise.ipynb
    python -m mtss_teach.grading feedback              # feedback/<student>/<course>/exercise.html
    python -m mtss_teach.grading export                # grades.csv

The gradebook is nbgrader's own SQLite database, ``gradebook.db`` next to
this file. Generated folders (release/, submitted/, autograded/,
feedback/) and the gradebook are not committed.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

# -- course layout ---------------------------------------------------------
c.CourseDirectory.course_id = "mtss-academy"
c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = "modules"
# Only exercise.ipynb is an assignment notebook (app.ipynb is a Voila app).
c.CourseDirectory.notebook_id = "exercise"
# Nothing but the notebook goes to release/ (nbgrader copies every other file
# of an assignment folder unless it is ignored here).
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    "app.ipynb",
    "lesson.md",
    "facilitator.md",
    "templates",
    "selfcheck.yml",
    "*.md",
    "*.yml",
    "*.yaml",
    "*.py",
    "*.csv",
    "*.xlsx",
    "*.docx",
    "*.odt",
    "*.pdf",
    "*.html",
    "*.png",
    "*.jpg",
    "*.svg",
    "*_files",
    "_build",
]
# The exchange (nbgrader release_assignment / submit on JupyterHub) copies
# only these files.
c.CourseDirectory.include = ["exercise.ipynb", "timestamp.txt"]

# -- execution while autograding --------------------------------------------
# Each cell may run at most this many seconds; a cell that runs longer (an
# infinite loop) is interrupted, recorded as an error (no points for the
# tests that depend on it) and grading moves on to the next cell and the
# next submission.
c.Execute.timeout = int(os.environ.get("MTSS_CELL_TIMEOUT", "60"))
c.Execute.interrupt_on_timeout = True
c.Execute.raise_on_iopub_timeout = True

# -- tamper resistance --------------------------------------------------------
# Test cells are locked and checksummed at generate time. At autograde time
# nbgrader restores their source, points and cell type from the gradebook;
# with add_missing_cells it also puts back a test cell a learner deleted.
c.OverwriteCells.add_missing_cells = True

# Feedback shows the learner which tests passed, but not the hidden tests'
# code, so an exercise can be reused with the next cohort.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Hidden tests grade the scenario of the nbgrader student (the folder name
# under submitted/), not whatever LEARNER_ID a copied notebook carries (see
# mtss_teach.exercises.graded_learner_id). Before each submission is
# executed, this hook puts the student and assignment ids in the
# environment the grading kernel is started with; the kernel reads them
# from its launch environment, which notebook code cannot change. Set
# MTSS_BIND_LEARNER_ID=0 to grade by the notebook's LEARNER_ID instead.
os.environ.setdefault("MTSS_BIND_LEARNER_ID", "1")


def _announce_student(assignment=None, student=None, notebooks=None, **_):
    os.environ["MTSS_GRADED_STUDENT"] = ""
    os.environ["MTSS_GRADED_ASSIGNMENT"] = ""
    if notebooks:
        # <submitted>/<student>/<assignment>/exercise.ipynb
        parts = os.path.normpath(str(notebooks[0])).split(os.sep)
        if len(parts) >= 3:
            os.environ["MTSS_GRADED_STUDENT"] = parts[-3]
            os.environ["MTSS_GRADED_ASSIGNMENT"] = parts[-2]


def _forget_student(assignment=None, student=None, notebooks=None, **_):
    os.environ["MTSS_GRADED_STUDENT"] = ""
    os.environ["MTSS_GRADED_ASSIGNMENT"] = ""


c.Autograde.pre_convert_hook = _announce_student
c.Autograde.post_convert_hook = _forget_student
