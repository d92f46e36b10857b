"""Per-learner scenarios, the hidden tests' checks, and the exercise notebooks' shape.

Grading with the real nbgrader CLI is in test_grading.py; here the pieces:
scenarios are deterministic, differ between learners and come from the
shipped datasets; the checks are strict about types and reveal no answer;
the integrity guard notices notebook code that replaces what grading uses;
under autograde the graded id comes from the kernel's launch environment.
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtss_teach import DataError
from mtss_teach import exercises as ex

ROOT = Path(__file__).resolve().parents[1]
IDS = ("ada", "ben", "cyrus", "dee")


def _same(a, b) -> bool:
    if isinstance(a, (pd.DataFrame, pd.Series)):
        return isinstance(b, type(a)) and a.equals(b) and list(a.index) == list(b.index)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(np.array_equal(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


# ---------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------


def test_seed_is_sha256_of_course_and_id():
    # independent computation with hashlib: first 8 bytes, big-endian
    want = int.from_bytes(hashlib.sha256(b"02-screening|ada").digest()[:8], "big")
    assert ex.learner_seed("02-screening", "ada") == want
    assert ex.learner_seed("02-screening", "  ada ") == want


@pytest.mark.parametrize("course", ex.COURSES)
def test_scenario_is_deterministic(course):
    a, b = ex.scenario(course, "ada"), ex.scenario(course, "ada")
    assert _same(a, b)
    assert a["course"] == course and a["learner_id"] == "ada"


@pytest.mark.parametrize("course", ex.COURSES)
def test_different_learners_get_different_numbers(course):
    scen = [ex.scenario(course, i) for i in IDS]
    data = [{k: v for k, v in s.items() if k != "learner_id"} for s in scen]
    for i in range(len(IDS)):
        for j in range(i + 1, len(IDS)):
            assert not _same(data[i], data[j]), f"{course}: {IDS[i]} and {IDS[j]} got the same scenario"


def _csv(ds: str, table: str) -> pd.DataFrame:
    return pd.read_csv(ROOT / "datasets" / ds / f"{table}.csv")


def test_screening_scenario_comes_from_the_shipped_files():
    """Read the committed CSV files directly (not through the library) and compare."""
    s = ex.scenario("02-screening", "ada")
    scr = _csv(s["dataset"], "screening")
    fall = scr[(scr["measure"] == "orf") & (scr["season"] == "fall")].set_index("student_id")["score"]
    assert (s["scores"] == fall.loc[s["scores"].index]).all()
    stu = _csv(s["dataset"], "students").set_index("student_id")
    chosen = stu.loc[s["scores"].index]
    assert (chosen["grade"] == s["grade"]).all() and (chosen["school"] == s["school"]).all()
    # every student of that grade and school is in the scenario
    assert len(chosen) == ((stu["grade"] == s["grade"]) & (stu["school"] == s["school"])).sum()
    out = _csv(s["dataset"], "outcomes")
    read = out[out["subject"] == "reading"].set_index("student_id")["proficient"]
    assert (s["at_risk"] == ~read.loc[s["at_risk"].index].astype(bool)).all()


def test_progress_scenario_comes_from_the_shipped_files():
    s = ex.scenario("04-progress-monitoring", "ada")
    pr = _csv(s["dataset"], "progress")
    one = pr[pr["student_id"] == s["student_id"]].sort_values("week")
    assert list(one.loc[one["week"] <= 2, "score"]) == list(s["baseline_scores"])
    assert list(one.loc[one["week"] >= 3, "week"]) == list(s["weeks"])
    assert list(one.loc[one["week"] >= 3, "score"]) == list(s["scores"])


def test_equity_scenario_counts_match_the_files():
    s = ex.scenario("08-equity", "ada")
    stu = _csv(s["dataset"], "students")
    total = stu["race_ethnicity"].value_counts()
    for _, row in s["table"].iterrows():
        assert row["total"] == total[row["group"]]
    assert s["table"]["total"].sum() == len(stu)


def test_scenario_holds_inputs_not_answers():
    # the answer variables of the screening exercise are not in its scenario
    s = ex.scenario("02-screening", "ada")
    assert not {"sensitivity", "specificity", "ppv", "auc_value", "best_cut", "vendor_rating"} & set(s)


@settings(max_examples=40, deadline=None)
@given(lid=st.text(min_size=1, max_size=40).filter(lambda t: t.strip()))
def test_property_any_text_id_works_and_is_stable(lid):
    a = ex.learner_seed("01-foundations", lid)
    assert a == ex.learner_seed("01-foundations", lid.strip())
    assert 0 <= a < 2**64


@settings(max_examples=40, deadline=None)
@given(bad=st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.binary(max_size=5),
                     st.text(alphabet=" \t\n", max_size=5), st.text(min_size=65, max_size=80).filter(lambda t: len(t.strip()) > 64)))
def test_property_bad_learner_id_is_dataerror(bad):
    with pytest.raises(DataError, match="learner_id"):
        ex.scenario("02-screening", bad)


@settings(max_examples=30, deadline=None)
@given(course=st.text(max_size=20).filter(lambda t: t.strip().lower() not in ex.COURSES))
def test_property_unknown_course_is_dataerror(course):
    with pytest.raises(DataError, match="course"):
        ex.scenario(course, "ada")


# ---------------------------------------------------------------------------
# checks
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grader():
    return ex.Grader("02-screening", "ada")


def test_close_accepts_within_tolerance_and_says_nothing_of_the_answer(grader):
    assert grader.close(0.7345, 0.7345004, "sensitivity", tol=0.001) is None
    with pytest.raises(AssertionError) as err:
        grader.close(0.1, 0.734567, "sensitivity", tol=0.001)
    assert "0.73" not in str(err.value) and "sensitivity" in str(err.value)


def test_close_is_strict_about_types(grader):
    class Sly(float):  # a float that "equals" anything
        def __sub__(self, other):
            return 0.0

        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    for bad in (Sly(0.1), "0.7345", True, None, [0.7345], float("nan")):
        with pytest.raises(AssertionError):
            grader.close(bad, 0.7345, "x")
    assert grader.close(np.float64(0.7345), 0.7345, "x") is None
    assert grader.close(float("nan"), float("nan"), "x") is None
    assert grader.close(None, float("nan"), "x") is None


def test_equal_words_bools_numbers_none(grader):
    class Sly(str):
        def __eq__(self, other):
            return True

        def __ne__(self, other):
            return False

        def strip(self, *a):
            return self

        __hash__ = str.__hash__

    assert grader.equal("change_intervention", "change_intervention", "d") is None
    for value, expected in (("continue", "change_intervention"), (Sly("x"), "continue"), (1, True),
                            (np.int64(1), True), ("True", True), (True, 1), (0, None), (7.0, 6)):
        with pytest.raises(AssertionError):
            grader.equal(value, expected, "d")
    assert grader.equal(np.bool_(True), True, "d") is None
    assert grader.equal(None, None, "d") is None
    assert grader.equal(np.int64(6), 6, "d") is None


def test_same_ids(grader):
    assert grader.same_ids([3, 1, 2], {1, 2, 3}, "ids") is None
    assert grader.same_ids(pd.Series([1, 2]), np.array([2, 1]), "ids") is None
    assert grader.same_ids([], [], "ids") is None
    for bad in ([1, 2], [1, 2, 3, 3], "123", 123, [1, 2, object()]):
        with pytest.raises(AssertionError):
            grader.same_ids(bad, [1, 2, 3], "ids")


def test_same_function(grader):
    def good(x):
        return x >= 10

    assert grader.same_function(good, [5, 10, 15], [False, True, True], "f") is None
    for bad in (lambda x: x > 10, lambda x: int(x >= 10), lambda x: 1 / 0, "not a function"):
        with pytest.raises(AssertionError):
            grader.same_function(bad, [5, 10, 15], [False, True, True], "f")


def test_visible_checks():
    assert ex.expect_number(3, "n", lo=0, hi=5) is None
    for bad in (True, "3", 6, float("inf")):
        with pytest.raises(AssertionError):
            ex.expect_number(bad, "n", lo=0, hi=5)
    with pytest.raises(AssertionError, match="one of"):
        ex.expect_choice("Continue", "d", ["continue"])
    with pytest.raises(AssertionError):
        ex.expect_bool(1, "b")
    with pytest.raises(AssertionError):
        ex.expect_ids([1, 99], "ids", [1, 2])
    with pytest.raises(AssertionError):
        ex.expect_callable(3, "f")


# ---------------------------------------------------------------------------
# guard and binding: in a fresh interpreter, so the snapshot is pristine
# ---------------------------------------------------------------------------

GUARD_SCRIPT = textwrap.dedent(r'''
    import json, builtins, math
    import numpy as np
    import mtss_teach.exercises as ex
    import mtss_teach.screening as scr
    import mtss_teach.norms as norms
    out = {}
    def attempt(name, patch, undo):
        patch()
        try:
            ex.guard()
            out[name] = "passed"
        except AssertionError as e:
            out[name] = "caught: " + str(e)[:300]
        finally:
            undo()
    ex.guard(); out["clean"] = "passed"
    orig = np.median
    attempt("numpy", lambda: setattr(np, "median", lambda *a, **k: 0.0), lambda: setattr(np, "median", orig))
    oabs = builtins.abs
    attempt("builtins", lambda: setattr(builtins, "abs", lambda x: 0), lambda: setattr(builtins, "abs", oabs))
    oae = builtins.AssertionError
    attempt("assertionerror", lambda: setattr(builtins, "AssertionError", type("AssertionError", (Exception,), {})),
            lambda: setattr(builtins, "AssertionError", oae))
    oauc = scr.auc
    attempt("library", lambda: setattr(scr, "auc", lambda *a, **k: 0.5), lambda: setattr(scr, "auc", oauc))
    oclose = ex.Grader.close
    attempt("checker", lambda: setattr(ex.Grader, "close", lambda *a, **k: None), lambda: setattr(ex.Grader, "close", oclose))
    ocode = scr.classification_accuracy.__code__
    attempt("code", lambda: setattr(scr.classification_accuracy, "__code__", (lambda *a, **k: None).__code__),
            lambda: setattr(scr.classification_accuracy, "__code__", ocode))
    osum = __import__("pandas").Series.sum
    attempt("pandas", lambda: setattr(__import__("pandas").Series, "sum", lambda self, *a, **k: 0),
            lambda: setattr(__import__("pandas").Series, "sum", osum))
    # a cached norm table mutated in place is re-read from the file by guard()
    norms._read("orf_norms.csv").loc[:, "wcpm"] = 0
    out["mutated_norm"] = norms.orf_norm(3, "winter", 50)
    ex.guard()
    out["after_guard_norm"] = norms.orf_norm(3, "winter", 50)
    ex.guard(); out["clean_again"] = "passed"
    print(json.dumps(out))
''')


def test_guard_catches_replacements_in_a_fresh_interpreter():
    proc = subprocess.run([sys.executable, "-c", GUARD_SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["clean"] == "passed" and out["clean_again"] == "passed"
    for name in ("numpy", "builtins", "assertionerror", "library", "checker", "code", "pandas"):
        assert out[name].startswith("caught:"), (name, out[name])
    assert "numpy.median" in out["numpy"] and "builtins.abs" in out["builtins"]
    assert "mtss_teach.screening.auc" in out["library"] and "Grader.close" in out["checker"]
    # H&T 2017 grade 3 winter 50th percentile = 97 WCPM (reference §1)
    assert out["mutated_norm"] == 0 and out["after_guard_norm"] == 97


BIND_SCRIPT = textwrap.dedent(r'''
    import os, json
    from mtss_teach.exercises import graded_learner_id
    os.environ["MTSS_GRADED_STUDENT"] = "mallory"   # notebook code cannot change the launch environment
    os.environ["MTSS_BIND_LEARNER_ID"] = "0"
    print(json.dumps([graded_learner_id("ada", "02-screening"), graded_learner_id("ada", "03-tier1-placement"),
                      graded_learner_id("ada")]))
''')


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize(
    "env, want",
    [
        ({"NBGRADER_EXECUTION": "autograde", "MTSS_BIND_LEARNER_ID": "1", "MTSS_GRADED_STUDENT": "bob",
          "MTSS_GRADED_ASSIGNMENT": "02-screening"}, ["bob", "ada", "bob"]),
        ({"NBGRADER_EXECUTION": "autograde", "MTSS_BIND_LEARNER_ID": "0", "MTSS_GRADED_STUDENT": "bob",
          "MTSS_GRADED_ASSIGNMENT": "02-screening"}, ["ada", "ada", "ada"]),
        ({"MTSS_BIND_LEARNER_ID": "1", "MTSS_GRADED_STUDENT": "bob"}, ["ada", "ada", "ada"]),  # not autograding
    ],
)
def test_graded_id_comes_from_the_launch_environment(env, want):
    import os

    full = {k: v for k, v in os.environ.items() if not k.startswith(("MTSS_", "NBGRADER_"))}
    full.update(env)
    proc = subprocess.run([sys.executable, "-c", BIND_SCRIPT], capture_output=True, text=True, env=full, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == want


# ---------------------------------------------------------------------------
# the exercise notebooks
# ---------------------------------------------------------------------------


def _cells(course):
    nb = json.loads((ROOT / "modules" / course / "exercise.ipynb").read_text(encoding="utf-8"))
    out = []
    for c in nb["cells"]:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        out.append((c["cell_type"], c.get("metadata", {}).get("nbgrader", {}), src))
    return out


@pytest.mark.parametrize("course", ex.COURSES)
def test_notebook_shape(course):
    cells = _cells(course)
    code = [c for c in cells if c[0] == "code"]
    # first code cell: the learner's id, editable; then the locked setup drawing the scenario
    assert code[0][1] == {} and code[0][2].strip().splitlines()[-1].startswith("LEARNER_ID = ")
    assert code[1][1].get("locked") is True
    assert f'mtss_teach.exercises.scenario("{course}", LEARNER_ID)' in code[1][2]
    solutions = [c for c in code if c[1].get("solution")]
    tests = [c for c in code if c[1].get("grade")]
    assert 3 <= len(tests) <= 6 and len(solutions) == len(tests)
    for _, meta, src in solutions:
        assert "### BEGIN SOLUTION" in src and "### END SOLUTION" in src
    for _, meta, src in tests:
        assert meta["locked"] is True and meta["points"] > 0
        visible, hidden = src.split("### BEGIN HIDDEN TESTS")
        assert "### END HIDDEN TESTS" in hidden
        # hidden tests recompute the answer through the library, for the graded learner
        assert f'_ex.Grader("{course}"' in hidden and "from mtss_teach." in hidden
        # no bare assert (the checks raise explicitly) and no value returned as "partial credit"
        assert not any(line.lstrip().startswith("assert ") for line in src.splitlines())
        assert src.rstrip().splitlines()[-1] == "### END HIDDEN TESTS"


def test_changing_a_scenario_does_not_change_the_next_one():
    a = ex.scenario("02-screening", "ada")
    cut, first = a["cut"], a["scores"].iloc[0]
    a["scores"][:] = -1
    a["cut"] = -1
    a["vendor"]["auc_lower"] = 0
    b = ex.scenario("02-screening", "ada")
    assert b["cut"] == cut and b["scores"].iloc[0] == first and b["vendor"]["auc_lower"] > 0
