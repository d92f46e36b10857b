"""Variants that hold: over 100 learner ids per assignment (issue #12, item 7).

For every assignment, the source notebook's own solution cells are run for
100 learner ids (each with its own scenario), and its own hidden test cells
grade the answers:

- every learner's solutions earn full points for that learner;
- every task's answer varies between learners, and there are at least 50
  distinct answer sets;
- typing a classmate's answers into one's own notebook (learner i's answers
  graded for learner i+1, for all 100 learners) earns at most 10% of the
  points on average.

The hidden tests run here with a checker whose learner id is set directly
(``Grader.__new__``): the integrity guard and the autograde identity rules
are tested elsewhere (test_exercises.py, test_grading.py), and skipping the
guard keeps the library's caches warm, so 1,000 scenarios fit in the time
budget. The checks themselves (close, equal, same_ids, same_function) are
the real ones.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import math
import types
import warnings
from pathlib import Path

import numpy as np
import pytest

from mtss_teach import exercises as ex

ROOT = Path(__file__).resolve().parents[1]
N_LEARNERS = 100
IDS = [f"learner{i:03d}" for i in range(N_LEARNERS)]
N_COPIERS = N_LEARNERS  # every learner hands in the next classmate's answers (about 25 s for all courses)


def _cells(course: str) -> list[tuple[dict, str]]:
    nb = json.loads((ROOT / "modules" / course / "exercise.ipynb").read_text(encoding="utf-8"))
    return [(c.get("metadata", {}).get("nbgrader", {}), "".join(c["source"]))
            for c in nb["cells"] if c["cell_type"] == "code"]


def _tests(course: str) -> list[tuple[str, float, str, list[str]]]:
    """(grade_id, points, hidden source, answer names it checks) of every task's test cell."""
    out = []
    for meta, src in _cells(course):
        if not meta.get("grade") or "### BEGIN HIDDEN TESTS" not in src:
            continue
        hidden = src.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
        names = []
        for node in ast.walk(ast.parse(hidden)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "_g"
                    and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id not in names):
                names.append(node.args[0].id)
        out.append((meta["grade_id"], float(meta["points"]), hidden, names))
    return out


def _answers(course: str, lid: str, names: list[str]) -> dict:
    """Run the setup and solution cells for one learner; return the graded answers."""
    ns: dict = {"__name__": "__main__", "LEARNER_ID": lid}
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for meta, src in _cells(course):
            if meta.get("solution") or (meta.get("locked") and not meta.get("grade")):
                exec(compile(src, f"<{course} {meta.get('grade_id')}>", "exec"), ns)
    return {n: ns[n] for n in names}


def _checker(course: str, lid: str) -> ex.Grader:
    g = ex.Grader.__new__(ex.Grader)
    g.course, g.learner_id, g.scenario = course, lid, ex.scenario(course, lid)
    return g


def _grade(course: str, lid: str, answers: dict, tests) -> dict[str, bool]:
    """Each task's hidden test, for learner ``lid``, on these answers: passed or not."""
    shim = types.SimpleNamespace(Grader=lambda c, _lid, g=_checker(course, lid): g)
    out = {}
    for gid, _, hidden, _names in tests:
        ns = {"__name__": "__main__", "np": np, "_ex": shim, **answers}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(hidden, f"<{course} {gid}>", "exec"), ns)
            out[gid] = True
        except AssertionError:
            out[gid] = False
    return out


def _key(v):
    """A comparable form of an answer (numbers to 3 significant decimals, lists as sets, functions by outputs)."""
    if callable(v):
        out = []
        for x in range(0, 251, 5):
            try:
                out.append(str(v(x)))
            except Exception as exc:  # outside the function's domain (e.g. math levels above 200 DCPM)
                out.append(type(exc).__name__)
        return tuple(out)
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return "nan" if math.isnan(v) else round(v, 3)
    if isinstance(v, (list, tuple, set, np.ndarray)):
        return tuple(sorted(str(x) for x in v))
    return v


@pytest.mark.slow
@pytest.mark.parametrize("course", ex.COURSES)
def test_variants_hold_over_100_learners(course):
    tests = _tests(course)
    names = [n for *_, ns in tests for n in ns]
    total = sum(p for _, p, _, _ in tests)
    answers = {lid: _answers(course, lid, names) for lid in IDS}

    # every task's answer varies, and the answer sets are many
    keys = {lid: tuple(_key(answers[lid][n]) for n in names) for lid in IDS}
    for k, n in enumerate(names):
        assert len({keys[lid][k] for lid in IDS}) > 1, f"{course}: {n} is the same for all {N_LEARNERS} learners"
    assert len(set(keys.values())) >= 50, f"{course}: {len(set(keys.values()))} distinct answer sets"

    # own solutions earn full points (a sample: the check of every learner is the copying loop below)
    for lid in IDS[:3]:
        got = _grade(course, lid, answers[lid], tests)
        assert all(got.values()), (course, lid, got)

    # a classmate's answers typed in: learner i's answers graded for learner i+1
    fractions = []
    for i, lid in enumerate(IDS[:N_COPIERS]):
        other = IDS[(i + 1) % N_LEARNERS]
        got = _grade(course, other, answers[lid], tests)
        fractions.append(sum(p for gid, p, _, _ in tests if got[gid]) / total)
    mean = sum(fractions) / len(fractions)
    assert mean <= 0.10, f"{course}: copying earns {mean:.1%} of the points on average"


# ---------------------------------------------------------------------------
# feedback that teaches (issue #12, item 6): one answer per test, and the recognised slips fire
# ---------------------------------------------------------------------------

N_SLIP_LEARNERS = 30
CHECKS = ("close", "equal", "same_ids", "same_function")


@pytest.mark.parametrize("course", ex.COURSES)
def test_each_test_cell_checks_one_answer(course):
    """Multi-part decisions are split into tasks, so each part earns its own points."""
    for gid, _, hidden, names in _tests(course):
        calls = [n for n in ast.walk(ast.parse(hidden)) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Attribute) and n.func.attr in CHECKS
                 and isinstance(n.func.value, ast.Name) and n.func.value.id == "_g"]
        assert len(calls) == 1 and len(names) == 1, (course, gid, names)


class _Spy:
    """Stands in for the Grader: records every check's arguments and passes (no answer is needed)."""

    def __init__(self, real: ex.Grader) -> None:
        self.scenario, self.calls = real.scenario, []
        for kind in CHECKS:
            setattr(self, kind, lambda *a, _k=kind, **kw: self.calls.append((_k, a, kw)))


def _recorded_checks(course: str, lid: str, tests) -> dict[str, tuple]:
    """grade_id -> (kind, args, kwargs) of the one check its hidden test makes for learner ``lid``."""
    real = _checker(course, lid)
    out = {}
    for gid, _, hidden, names in tests:
        spy = _Spy(real)
        shim = types.SimpleNamespace(Grader=lambda c, _lid, s=spy: s)
        ns = {"__name__": "__main__", "np": np, "_ex": shim, **{n: None for n in names}}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(hidden, f"<{course} {gid}>", "exec"), ns)
        (out[gid],) = spy.calls
    return out


def _as_answer(kind: str, args: tuple, wrong):
    """The answer a learner who made the slip hands in (a function giving the slip's outputs)."""
    if kind != "same_function":
        return wrong
    table = dict(zip([str(x) for x in args[1]], list(wrong)))
    return lambda x: table[str(x)]


@pytest.mark.slow
@pytest.mark.parametrize("course", ex.COURSES)
def test_recognised_slips_get_their_message(course):
    """Every task lists slips (``mistakes=``) computed for the learner's scenario with the library, and a
    learner whose answer is what a slip gives is told that slip's message, never the expected value.

    For every task, over 30 learners: at least one slip differs from the right answer (so its message can
    be shown), and each such slip, graded by the real check, fails with one of the task's slip messages.
    A number slip must vary between learners (computed, not typed in)."""
    tests = _tests(course)
    fired = {gid: 0 for gid, *_ in tests}
    numbers: dict[str, set] = {gid: set() for gid, *_ in tests}
    for lid in IDS[:N_SLIP_LEARNERS]:
        real = _checker(course, lid)
        for gid, (kind, args, kw) in _recorded_checks(course, lid, tests).items():
            slips = list(kw.get("mistakes", ()))
            assert slips, (course, gid, "no slip listed")
            messages = [m for _, m in slips]
            for wrong, _msg in slips:
                if kind == "close":
                    numbers[gid].add(round(float(wrong), 6))
                answer = _as_answer(kind, args, wrong)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        getattr(real, kind)(answer, *args[1:], **kw)
                except AssertionError as exc:
                    text = str(exc)
                    assert any(m in text for m in messages), (course, gid, lid, text)
                    fired[gid] += 1
                # no failure: this slip gives the right answer in this scenario (nothing to tell)
    assert all(fired.values()), f"{course}: no slip message can ever be shown for " + ", ".join(
        g for g, n in fired.items() if not n)
    for gid, values in numbers.items():
        assert not values or len(values) > 1, (course, gid, "a number slip is the same for every learner")
