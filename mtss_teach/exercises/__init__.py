"""Per-learner exercise scenarios and tamper-resistant checks for nbgrader.

Every micro-course under ``modules/<course>/`` ends with an auto-graded
exercise notebook (an nbgrader source notebook). Its first cell sets
``LEARNER_ID``; a 0-point test cell runs :func:`check_learner_id`, which
warns the learner *before* submitting when the id is still the placeholder
or is not the login of the JupyterHub account they work in; then the
locked setup cell draws that learner's scenario::

    scenario = mtss_teach.exercises.scenario("02-screening", LEARNER_ID)

:func:`scenario` is deterministic: the same course and learner id always
give the same numbers, and different ids give different numbers. Most
scenarios come from a school (or district) that the library's cohort
generator (:func:`mtss_teach.cohorts.make_cohort`, the generator of the
shipped datasets) makes for the learner from the learner's seed: its size,
kind (healthy, weak Tier 1, disproportionate, low fidelity) and knobs vary,
so every task's answer varies between learners and a classmate's answers
typed in earn about a tenth of the points at most (a test checks this over
100 learner ids). Course 8's State comparison table adds a shipped dataset
(:func:`mtss_teach.datasets.load`). A scenario holds only the *inputs* of
the decisions, never the answers.

Each task records one answer, checked by one test cell (so each part of a
decision earns its own points). The checks accept an answer rounded as the
task asks (``decimals=``), name a recognised slip (an answer equal to what
a common mistake gives for the learner's scenario, computed with the
library: ``mistakes=``) and add the task's ``hint=``, without stating the
expected value.

The hidden tests of each notebook recompute the expected answer for the
learner's scenario through the library, and compare it with the learner's
recorded decision using :class:`Grader`. This module deliberately contains
no answer key: a learner who imports it learns nothing they could not
compute with the library themselves.

Tamper resistance (what a learner's code in the same kernel cannot do
without it being noticed):

- nbgrader restores the locked test cells, their points and metadata, and
  re-inserts a deleted test cell (see ``nbgrader_config.py``);
- the checks raise ``AssertionError`` explicitly (no ``assert`` statement,
  no ``numpy.testing``), so rebinding ``AssertionError`` or a testing helper
  changes nothing;
- :func:`guard` (run by every :class:`Grader`) compares builtins, ``math``,
  numpy, pandas' core classes, ``scipy.stats`` and every ``mtss_teach``
  module with a snapshot taken when this module was first imported (the
  locked setup cell, before any answer cell runs) and fails the test when
  something was replaced by notebook code; it also clears the library's
  caches, so a mutated cached table cannot change the expected answer;
- the expected answer is recomputed from a fresh :func:`scenario` read from
  the data files, so mutating the notebook's ``scenario`` changes nothing;
- under ``nbgrader autograde`` the scenario graded is the one of the
  ``LEARNER_ID`` typed in the notebook (the answers were computed for it),
  and the grading pipeline compares it with the submission's account (the
  nbgrader student id, read from the kernel's launch environment): a
  difference -- a placeholder left in, a classmate's id or notebook -- is
  marked "needs review: id mismatch" for the instructor
  (:func:`graded_learner_id`, :mod:`mtss_teach.grading.identity`).

Python code in the learner's kernel can always, with enough effort, forge
what an in-process check looks at (for example by compiling code under a
library file name, or by replacing :class:`Grader` and :func:`guard`
themselves). ``python -m mtss_teach.grading autograde`` therefore does not
take the kernel's word for it:

- every :class:`Grader` check records the learner's answer in the test
  cell's output (:data:`RECORD_MIME`, data only: :func:`encode_value`), and
  the pipeline re-runs the instructor's test cell on those recorded
  answers in a fresh process; a credited test without a record that passes
  there has its points withheld;
- it scans the learner-editable cells for tampering, lists the submissions
  to review (:func:`mtss_teach.grading.scan_notebook`) and withholds the
  points of every test that ran after flagged code.

What remains possible: kernel code the scan does not recognise that makes
a replaced check record the *expected* value instead of the learner's.
For high-stakes use, run the autograder in a sandbox.

The package, one job per file (contributors change a scenario in its
``scenarios_<family>`` file; released notebooks and hidden tests use only
the names of this package, ``import mtss_teach.exercises as _ex``):

- ``ids`` -- learner ids: the seed of a scenario, the placeholders, the
  notebooks' id check, whose scenario is graded;
- ``scenarios`` -- :func:`scenario` and the scenario sets by name (the
  course manifest's ``exercise:``); the sets themselves are in
  ``scenarios_screening`` (courses 1-3), ``scenarios_progress`` (4-6),
  ``scenarios_systems`` (7-9) and ``scenarios_capstone`` (10), and draw
  from ``_sources`` (the learner's generated school, the shipped tables);
- ``integrity`` -- the integrity guard (:func:`guard`) and its snapshot of the
  pristine kernel;
- ``checks`` -- the visible tests' ``expect_*`` checks (the form of an answer);
- ``grader`` -- :class:`Grader`, the hidden tests' checks, with ``_compare``
  (tolerance, equality, recognised slips, failure messages);
- ``records`` -- the wire format of check records (:data:`RECORD_MIME`,
  :func:`encode_value`, :func:`decode_value`);
- ``_shared`` -- what several files use: :data:`COURSES`, the course and
  learner-id checks, the launch environment, the answer-type tests.
"""

from __future__ import annotations

import warnings

# Every name the single-file module defined, public and private, stays importable from here: released
# notebooks and hidden tests use ``_ex.<name>``, and the guard snapshots this namespace too.
from ._compare import _close_mistake, _equal, _message, _rounding_tol
from ._sources import (
    _PROFICIENT_SHARES,
    _equity_table,
    _generated_school,
    _group_table,
    _load,
    _monitored,
    _orf,
    _pick,
    _pm_growth,
    _proficient_share,
    _school,
    _series,
    _table,
    _Tables,
    _year,
)
from ._shared import (
    _BOOL_TYPES,
    _MAX_ID_LEN,
    _NUMBER_TYPES,
    COURSES,
    _as_id_list,
    _autograde_account,
    _check_course,
    _check_learner_id,
    _fail,
    _is_bool,
    _is_number,
    _is_text,
    _launch_environ,
)
from .checks import expect_bool, expect_callable, expect_choice, expect_ids, expect_number
from .grader import Grader
from .integrity import (
    _HEAPTYPE,
    _MISSING,
    _ROOTS,
    _SNAPSHOT,
    _VOLATILE_BUILTINS,
    _attrs,
    _clear_caches,
    _code_of,
    _codes,
    _genuine,
    _problems,
    _take_snapshot,
    _trusted_file,
    _trusted_roots,
    _watched,
    guard,
)
from .ids import (
    PLACEHOLDER_IDS,
    PLACEHOLDER_LEARNER_ID,
    check_learner_id,
    graded_learner_id,
    is_placeholder_id,
    learner_id_problem,
    learner_seed,
)
from .records import (
    _RECORD_VERSION,
    RECORD_MIME,
    _emit_record,
    _key,
    _ReplayedFunction,
    _Unrecorded,
    decode_value,
    encode_value,
)
from .scenarios import _BUILDERS, _SCENARIO_SETS, _SCENARIOS, scenario
from .scenarios_capstone import _sc_capstone
from .scenarios_progress import _sc_decisions, _sc_meetings, _sc_progress
from .scenarios_screening import _sc_foundations, _sc_screening, _sc_tier1
from .scenarios_systems import _sc_behavior, _sc_equity, _sc_fidelity

__all__ = [
    "COURSES",
    "scenario",
    "learner_seed",
    "graded_learner_id",
    "PLACEHOLDER_IDS",
    "is_placeholder_id",
    "PLACEHOLDER_LEARNER_ID",
    "learner_id_problem",
    "check_learner_id",
    "Grader",
    "guard",
    "expect_number",
    "expect_choice",
    "expect_bool",
    "expect_ids",
    "expect_callable",
    "RECORD_MIME",
    "encode_value",
    "decode_value",
]


# Snapshot the pristine kernel the first time this package is imported (the
# locked setup cell of every exercise runs this before any answer cell), with
# every file of the package loaded. Filled in place: the guard reads this dict.
if not _SNAPSHOT:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import scipy.stats  # noqa: F401  (watched by the guard)
        from .. import behavior, equity, fidelity, norms, progress, screening  # noqa: F401
        try:
            from .. import cohorts, datasets  # noqa: F401
        except ImportError:  # pragma: no cover - data layer absent
            pass
    _SNAPSHOT.update(_take_snapshot())
