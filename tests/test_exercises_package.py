"""``mtss_teach.exercises`` is a package of one-job files; its front door keeps every name.

Released notebooks and hidden tests (``import mtss_teach.exercises as _ex``,
``_ex.Grader(...)``, ``_ex.expect_number(...)``) and the grading package
were written against the single-file module. The names below are the ones
that module defined (listed by hand from it, public and private); each must
still be importable from the package and be the object the package's files
use, and the integrity guard must watch every file of the package.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import mtss_teach.exercises as ex

PUBLIC = ["COURSES", "scenario", "learner_seed", "graded_learner_id", "PLACEHOLDER_IDS", "is_placeholder_id",
          "PLACEHOLDER_LEARNER_ID", "learner_id_problem", "check_learner_id", "Grader", "guard", "expect_number",
          "expect_choice", "expect_bool", "expect_ids", "expect_callable", "RECORD_MIME", "encode_value",
          "decode_value"]

PRIVATE = ["_BOOL_TYPES", "_BUILDERS", "_HEAPTYPE", "_MAX_ID_LEN", "_MISSING", "_NUMBER_TYPES", "_PROFICIENT_SHARES",
           "_RECORD_VERSION", "_ROOTS", "_ReplayedFunction", "_SCENARIOS", "_SCENARIO_SETS", "_SNAPSHOT", "_Tables",
           "_Unrecorded", "_VOLATILE_BUILTINS", "_as_id_list", "_attrs", "_autograde_account", "_check_course",
           "_check_learner_id", "_clear_caches", "_close_mistake", "_code_of", "_codes", "_emit_record", "_equal",
           "_equity_table", "_fail", "_generated_school", "_genuine", "_group_table", "_is_bool", "_is_number",
           "_is_text", "_key", "_launch_environ", "_load", "_message", "_monitored", "_orf", "_pick", "_pm_growth",
           "_problems", "_proficient_share", "_rounding_tol", "_sc_behavior", "_sc_capstone", "_sc_decisions",
           "_sc_equity", "_sc_fidelity", "_sc_foundations", "_sc_meetings", "_sc_progress", "_sc_screening",
           "_sc_tier1", "_school", "_series", "_table", "_take_snapshot", "_trusted_file", "_trusted_roots",
           "_watched", "_year"]


def test_public_names_are_unchanged():
    assert ex.__all__ == PUBLIC


@pytest.mark.parametrize("name", PUBLIC + PRIVATE)
def test_every_name_of_the_single_file_module_is_importable(name):
    mod = importlib.import_module("mtss_teach.exercises")
    assert hasattr(mod, name), f"mtss_teach.exercises.{name} is gone"


def _files() -> list[str]:
    return sorted(f"mtss_teach.exercises.{m.name}" for m in pkgutil.iter_modules(ex.__path__))


def test_the_front_door_holds_the_objects_the_files_use():
    """A re-export is the same object, so a cache cleared or a snapshot taken through one is the other's."""
    for full in _files():
        mod = importlib.import_module(full)
        # a file named like one of the package's names would be shadowed by it (``import ... as`` finds the name)
        assert getattr(ex, full.rsplit(".", 1)[1]) is mod, f"{full} is shadowed by a name of the package"
        for name, value in vars(mod).items():
            if name in PUBLIC + PRIVATE:
                assert getattr(ex, name) is value, f"{full}.{name} is not mtss_teach.exercises.{name}"
    from mtss_teach.exercises import integrity, scenarios

    assert ex._SNAPSHOT is integrity._SNAPSHOT and ex._SNAPSHOT, "the guard's snapshot was not taken"
    assert ex._SCENARIOS is scenarios._SCENARIOS


def test_the_guard_watches_every_file_of_the_package():
    files = _files()
    assert len(files) >= 8  # ids, scenarios, guard, checks, grader, records and their shared helpers
    assert set(files + ["mtss_teach.exercises"]) <= set(ex._SNAPSHOT["modules"])
