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
# with add_missing_cells it also puts back a test cell a learner deleted
# (the course pipeline already puts back the cells an older release lacked).
c.OverwriteCells.add_missing_cells = True

# -- autograde only through the course pipeline -------------------------------
# `python -m mtss_teach.grading autograde` runs nbgrader with
# MTSS_GRADING_PIPELINE=1 and then re-checks every credited test outside the
# learner's kernel, scans for tampering, checks the learner id and writes
# grading_report.csv. Formgrader's own "Autograde" button (and a bare
# `nbgrader autograde`) would skip all of that and could show a full score
# the pipeline would withhold, so they are refused by PipelineOnly with a
# message naming the command (see the instructors' grading page).
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, Execute, IgnorePattern, LimitOutput,
    OverwriteCells, OverwriteKernelspec, SaveAutoGrades,
)
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402

from mtss_teach.grading.identity import warn_on_validate  # noqa: E402
from mtss_teach.grading.nbgrader_hooks import (  # noqa: E402
    CapOutput, HideTestInternals, PipelineOnly, announce_student, forget_student,
)

c.Autograde.sanitize_preprocessors = [
    PipelineOnly, ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata,
]
# nbgrader's defaults, plus CapOutput: each cell keeps at most 1 MB of output
# (MTSS_OUTPUT_CAP bytes), the rest replaced by a note saying how much was cut.
c.Autograde.autograde_preprocessors = [
    Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, CapOutput, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadata,
]
c.CapOutput.max_bytes = int(os.environ.get("MTSS_OUTPUT_CAP", "1000000"))

# -- learner ids ----------------------------------------------------------------
# The hidden tests grade the scenario of the LEARNER_ID typed in the notebook
# (the answers were computed for it); the pipeline marks a submission whose
# typed id differs from its student id "needs review: id mismatch". Before
# each submission is executed, these hooks put the student and assignment
# ids in the environment the grading kernel is started with (the kernel reads
# them from its launch environment, which notebook code cannot change). Set
# MTSS_BIND_LEARNER_ID=1 (autograde --bind-learner-id) to grade the student
# id's scenario whatever the notebook typed.
os.environ.setdefault("MTSS_BIND_LEARNER_ID", "0")
c.Autograde.pre_convert_hook = announce_student
c.Autograde.post_convert_hook = forget_student

# `nbgrader validate` on the command line (with this configuration) prints a
# warning when LEARNER_ID is still the placeholder or differs from the
# JupyterHub user; so does `python -m mtss_teach.grading validate NOTEBOOK`
# with any configuration. JupyterLab's Validate button shows only failing
# cells, so in the Lab the exercise's own first cells give that warning.
c.Execute.on_notebook_start = warn_on_validate

# -- feedback -------------------------------------------------------------------
# Feedback shows the learner which tasks passed and, for a failing one, its
# message -- never the hidden tests' code (ClearHiddenTests removes it from
# the cell; HideTestInternals removes it from the traceback), their
# tolerances or the server's file paths. The feedback template loads
# nothing from another site: no exercise uses math, so no MathJax.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    HideTestInternals,
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
_TEMPLATES = os.path.join(HERE, "mtss_teach", "grading", "templates")
if not os.path.isdir(_TEMPLATES):  # an installed copy of the library
    import mtss_teach.grading as _grading

    _TEMPLATES = os.path.join(os.path.dirname(_grading.__file__), "templates")
if os.path.isdir(os.path.join(_TEMPLATES, "mtss_feedback")):
    c.HTMLExporter.template_name = "mtss_feedback"
    c.HTMLExporter.extra_template_basedirs = [
        _TEMPLATES,
        os.path.join(os.path.dirname(__import__("nbgrader").__file__), "server_extensions", "formgrader", "templates"),
    ]
