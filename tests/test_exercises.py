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
import types
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


def test_screening_scenario_cut_is_the_published_percentile():
    """The proposed cut is the H&T fall percentile of the scenario's grade, read from the norm file directly."""
    norms_csv = pd.read_csv(ROOT / "mtss_teach" / "data" / "orf_norms.csv")
    for lid in IDS:
        s = ex.scenario("02-screening", lid)
        row = norms_csv[(norms_csv["grade"] == s["grade"]) & (norms_csv["season"] == "fall")
                        & (norms_csv["percentile"] == s["cut_percentile"])]
        assert len(row) == 1 and s["cut"] == row["wcpm"].iloc[0]
        assert s["scores"].index.equals(s["at_risk"].index) and s["at_risk"].dtype == bool


def test_equity_scenario_state_table_contains_the_district():
    for lid in IDS:
        s = ex.scenario("08-equity", lid)
        n = int(s["dataset"].split("(")[1].split()[0])  # "generated district (N students, kind)"
        assert s["table"]["total"].sum() == n
        both = s["table"].merge(s["state"], on="group", suffixes=("", "_state"))
        assert (both["total_state"] >= both["total"]).all() and (both["count_state"] >= both["count"]).all()
        assert s["focal_group"] in set(s["table"]["group"])


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
    # H&T 2017 grade 3 winter 50th percentile = 97 WCPM (Hasbrouck & Tindal 2017)
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
    # first code cell: the learner's id, editable; then the 0-point id check; then the locked setup
    assert code[0][1] == {} and code[0][2].strip().splitlines()[-1].startswith("LEARNER_ID = ")
    assert code[1][1].get("grade") is True and code[1][1]["points"] == 0 and code[1][1]["locked"] is True
    assert "mtss_teach.exercises.check_learner_id(LEARNER_ID)" in code[1][2]
    assert code[2][1].get("locked") is True and not code[2][1].get("grade")
    assert f'mtss_teach.exercises.scenario("{course}", LEARNER_ID)' in code[2][2]
    solutions = [c for c in code if c[1].get("solution")]
    tests = [c for c in code if c[1].get("grade") and c[1]["grade_id"] != "id_check"]
    assert 4 <= len(tests) <= 8 and len(solutions) == len(tests)
    # one answer cell and one test cell per task, named task<k>_answer / task<k>_test
    assert [c[1]["grade_id"] for c in solutions] == [f"task{k}_answer" for k in range(1, len(tests) + 1)]
    assert [c[1]["grade_id"] for c in tests] == [f"task{k}_test" for k in range(1, len(tests) + 1)]
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
        # feedback that teaches: a hint and at least one library-derived mistake message per task
        assert "hint=" in hidden and "mistakes=" in hidden


@pytest.mark.parametrize("course", ex.COURSES)
def test_every_numeric_task_states_its_rounding(course):
    cells = _cells(course)
    texts = {c[1]["grade_id"][:-5]: c[2] for c in cells if c[1].get("grade_id", "").endswith("_text")}
    for _, meta, src in cells:
        gid = meta.get("grade_id", "")
        if meta.get("grade") and gid != "id_check" and "_g.close(" in src:
            task = texts[gid[:-5]]
            if "decimals=" in src:
                d = int(src.split("decimals=")[1][0])
                assert f"Round to {d} decimal" in task, (course, gid)
            else:  # an exact answer (a cut score): the task says there is nothing to round
                assert "no rounding" in task, (course, gid)


def test_vendor_task_states_the_rubric_its_source_and_the_extra_rule():
    cells = _cells("02-screening")
    text = " ".join(next(c[2] for c in cells if "rate the vendor" in c[2]).split())
    for needed in ("National Center on Intensive Intervention", "Behavior Screening Tools Chart", "≥ .75",
                   "≥ .70", "≥ .60", "One rule beyond the published rubric", '`"half"`'):
        assert needed in text, needed


def test_changing_a_scenario_does_not_change_the_next_one():
    a = ex.scenario("02-screening", "ada")
    cut, first = a["cut"], a["scores"].iloc[0]
    a["scores"][:] = -1
    a["cut"] = -1
    a["vendor"]["auc_lower"] = 0
    b = ex.scenario("02-screening", "ada")
    assert b["cut"] == cut and b["scores"].iloc[0] == first and b["vendor"]["auc_lower"] > 0


# ---------------------------------------------------------------------------
# feedback that teaches: rounding, targeted messages (issue #12 item 6)
# ---------------------------------------------------------------------------


def test_answers_rounded_as_asked_earn_credit(grader):
    exp = 0.123456
    for v in (0.123, 0.1235, 0.12346, exp):  # 3 decimals asked: any rounding to 3 or more places passes
        assert grader.close(v, exp, "x", decimals=3) is None
    assert grader.close(0.124, 0.1235, "x", decimals=3) is None  # half-way case, rounded up
    assert grader.close(0.123, 0.1235, "x", decimals=3) is None  # ... or to even
    with pytest.raises(AssertionError, match="rounded to 2 decimals; the task asks for 3"):
        grader.close(0.12, exp, "x", decimals=3)
    with pytest.raises(AssertionError, match="rounded to 1 decimal;"):
        grader.close(72.5 + 0.0, 72.46, "x", decimals=2)  # hand check: 72.46 rounds to 72.5 at 1 decimal


def test_mistake_messages_name_the_slip_not_the_answer(grader):
    exp, ppv = 0.676471, 0.547619
    with pytest.raises(AssertionError) as err:
        grader.close(0.548, exp, "sensitivity", decimals=3, mistakes=[(ppv, "that is the PPV")],
                     hint="flagged at-risk / at-risk")
    msg = str(err.value)
    assert msg == "sensitivity is not right for your scenario: that is the PPV. Hint: flagged at-risk / at-risk"
    assert "0.67" not in msg and "0.0005" not in msg
    # a mistake equal to the right answer is never used to fail a right answer
    assert grader.close(exp, exp, "s", mistakes=[(exp, "never")]) is None
    with pytest.raises(AssertionError, match="100 times too large"):
        grader.close(67.6, exp, "sensitivity", decimals=3)
    with pytest.raises(AssertionError, match="wrong sign"):
        grader.close(-1.25, 1.25, "slope", decimals=2)
    with pytest.raises(AssertionError, match="that is the trend rule"):
        grader.equal("continue", "raise_goal", "d", mistakes=[("continue", "that is the trend rule")])
    with pytest.raises(AssertionError, match="missing"):
        grader.same_ids([1], [1, 2], "ids")
    with pytest.raises(AssertionError, match="should not be on it"):
        grader.same_ids([1, 2, 3], [1, 2], "ids")
    with pytest.raises(AssertionError, match="only adherence"):
        grader.same_ids([1, 3], [1, 2], "ids", mistakes=[([3, 1], "only adherence")])
    with pytest.raises(AssertionError, match="boundary slip"):
        grader.same_function(lambda x: x > 9, [5, 10, 15], [False, False, True], "f",
                             mistakes=[([False, True, True], "boundary slip")])


# ---------------------------------------------------------------------------
# the learner-side id check (issue #12 item 1, learner's half)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lid, env, stderr_has, stdout_has",
    [
        ("demo-learner", {}, "still the placeholder", ""),
        ("demo-learner", {"JUPYTERHUB_USER": "ada"}, "still the placeholder", ""),
        ("ada", {"JUPYTERHUB_USER": "ada"}, "", "is the login of this account"),
        ("ada", {"JUPYTERHUB_USER": "ada.lovelace"}, 'change LEARNER_ID to "ada.lovelace"', ""),
        ("Ada", {"JUPYTERHUB_USER": "ada"}, "including capitals", ""),
        ("ada", {}, "", "No course account is known here"),
        # while autograding the account is the grader's: not compared
        ("ada", {"JUPYTERHUB_USER": "instructor", "NBGRADER_EXECUTION": "autograde"}, "", ""),
        ("", {}, "empty", ""),
    ],
)
def test_check_learner_id_warns_before_submitting(monkeypatch, capsys, lid, env, stderr_has, stdout_has):
    for k in ("JUPYTERHUB_USER", "NBGRADER_EXECUTION"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert ex.check_learner_id(lid) is None  # never a number (nbgrader would read it as partial credit)
    out = capsys.readouterr()
    if stderr_has:
        assert stderr_has in out.err and out.err.startswith("WARNING: ")
    else:
        assert out.err == ""
    if stdout_has:
        assert stdout_has in out.out


def _hidden(course: str, grade_id: str) -> str:
    src = next(s for _, meta, s in _cells(course) if meta.get("grade_id") == grade_id)
    return src.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]


def test_published_rubric_applied_literally_is_told_the_gap_rule():
    """A vendor claim in the gap of the published NCII bands, rated "empty" as the bands read literally:
    marked wrong only with the reason (the course's gap rule) in the message; rated by the published
    bands outside the gap, it is right."""
    hidden = _hidden("02-screening", "task7_test")

    def literal(auc, se, sp):  # the published bands, by hand (NCII behaviour screening chart)
        if auc >= 0.75 and se >= 0.70 and sp >= 0.70:
            return "full"
        if 0.70 <= auc < 0.75 and se >= 0.60 and sp >= 0.60:
            return "half"
        return "empty"

    seen_gap = seen_plain = 0
    for i in range(300):
        lid = f"vendor{i}"
        v = ex.scenario("02-screening", lid)["vendor"]
        lit = literal(v["auc_lower"], v["sensitivity"], v["specificity"])
        gap = v["auc_lower"] >= 0.75 and min(v["sensitivity"], v["specificity"]) >= 0.60 and lit == "empty"
        g = ex.Grader.__new__(ex.Grader)  # the real checks; guard and identity are tested above
        g.course, g.learner_id, g.scenario = "02-screening", lid, ex.scenario("02-screening", lid)
        shim = types.SimpleNamespace(Grader=lambda course, _lid, g=g: g)
        ns = {"_ex": shim, "np": np, "LEARNER_ID": lid, "vendor_rating": lit}
        if gap:
            seen_gap += 1
            with pytest.raises(AssertionError, match="gap of the published bands"):
                exec(hidden, ns)
        elif seen_plain < 20:
            seen_plain += 1
            exec(hidden, ns)  # the literal rubric is right outside the gap
        if seen_gap >= 3 and seen_plain >= 20:
            break
    assert seen_gap >= 3 and seen_plain >= 20


# ---------------------------------------------------------------------------
# Tier 1 health judged by outcomes (issue 15): courses 1, 3 and 10
# ---------------------------------------------------------------------------

# course -> (the placement tiers the task reads, the core-share task, the judgement task)
CORE_TASKS = {"01-foundations": ("tiers", 5, 6), "03-tier1-placement": ("tiers", 2, 3),
              "10-capstone": ("fall_tiers", 2, 3)}
CORE_IDS = [f"core{i}" for i in range(12)]


def _grade_hidden(course: str, grade_id: str, lid: str, answers: dict) -> None:
    """Run one hidden test for learner ``lid`` on these answers (the real checks; guard tested above)."""
    g = ex.Grader.__new__(ex.Grader)
    g.course, g.learner_id, g.scenario = course, lid, ex.scenario(course, lid)
    shim = types.SimpleNamespace(Grader=lambda c, _lid, g=g: g)
    exec(_hidden(course, grade_id), {"_ex": shim, "np": np, **answers})


def _by_hand(s: dict, key: str) -> dict:
    """Independent computation with plain pandas: core share, placement share and the reading."""
    y = s["year"]
    core = float(((y["most_intensive_tier"] == 1) & y["proficient"]).mean())  # passed with core alone / all
    placed = float((s[key] == 1).mean())
    # about 80% is the usual expectation for core instruction; 80% is the 80/15/5 convention's Tier 1 share
    reading = ("core_effective" if core >= 0.80 else "weak_core_hidden" if placed >= 0.80 else "weak_core_visible")
    return {"core": core, "placed": placed, "passed": float(y["proficient"].mean()), "reading": reading}


@pytest.mark.parametrize("course", sorted(CORE_TASKS))
def test_core_scenario_holds_the_year_of_the_same_students(course):
    key = CORE_TASKS[course][0]
    for lid in CORE_IDS[:4]:
        s = ex.scenario(course, lid)
        y = s["year"]
        assert list(y.index) == sorted(s[key].index) and y.index.name == "student_id"
        assert y["proficient"].dtype == bool and set(y["most_intensive_tier"]) <= {1, 2, 3}
        # the year's most intensive tier is never below the tier of one of its seasons
        assert (y["most_intensive_tier"] >= s[key].reindex(y.index)).all()
        assert not {"core_share", "core_judgement", "core_effective"} & set(s)  # inputs, not answers


@pytest.mark.parametrize("course", sorted(CORE_TASKS))
def test_core_share_and_reading_graded_against_a_pandas_computation(course):
    key, k_share, k_read = CORE_TASKS[course]
    seen = set()
    for lid in CORE_IDS:
        s = ex.scenario(course, lid)
        want = _by_hand(s, key)
        seen.add(want["reading"])
        # right: unrounded and rounded to 3 decimals as the task asks
        _grade_hidden(course, f"task{k_share}_test", lid, {"core_share": want["core"]})
        _grade_hidden(course, f"task{k_share}_test", lid, {"core_share": round(want["core"], 3)})
        _grade_hidden(course, f"task{k_read}_test", lid, {"core_judgement": want["reading"]})
        # the circular check (placement share) and "everyone who passed" are wrong, with their reasons
        if abs(want["placed"] - want["core"]) > 0.001:
            with pytest.raises(AssertionError, match="core_share is not right"):
                _grade_hidden(course, f"task{k_share}_test", lid, {"core_share": want["placed"]})
        if abs(want["passed"] - want["core"]) > 0.001:
            with pytest.raises(AssertionError, match="including those who needed Tier 2 or 3 help"):
                _grade_hidden(course, f"task{k_share}_test", lid, {"core_share": want["passed"]})
        for other in {"core_effective", "weak_core_hidden", "weak_core_visible"} - {want["reading"]}:
            with pytest.raises(AssertionError, match="core_judgement is not right"):
                _grade_hidden(course, f"task{k_read}_test", lid, {"core_judgement": other})
        if want["reading"] == "weak_core_hidden":  # what the old circular check would have said
            with pytest.raises(AssertionError, match="which the team's own cut decides"):
                _grade_hidden(course, f"task{k_read}_test", lid, {"core_judgement": "core_effective"})
    assert {"weak_core_hidden", "weak_core_visible"} <= seen, seen  # both readings occur (the test can fail)


@pytest.mark.parametrize("course", sorted(CORE_TASKS))
def test_placement_task_calls_it_a_convention_not_a_test_of_the_core(course):
    texts = {m["grade_id"]: s for _, m, s in _cells(course) if m.get("grade_id", "").endswith("_text")}
    place = " ".join(texts["task1_text" if course != "01-foundations" else "task4_text"].split())
    assert "80/15/5 convention" in place and "not a test of core instruction" in place
    share = " ".join(texts[f"task{CORE_TASKS[course][1]}_text"].split())
    assert "with core instruction alone" in share and "Round to 3 decimals" in share
    every = " ".join(s for _, _, s in _cells(course))
    for bad in ("tier1_meets", "meets_80", "tier1_meets_expectation", "80% expectation"):
        assert bad not in every, bad
