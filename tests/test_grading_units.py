"""The grading pipeline's pieces, without nbgrader (fast): ids, intake, report columns, output cap, feedback filter."""

from __future__ import annotations

import csv
import json

import pytest

from pathlib import Path

from grading_helpers import ROOT, cell, gid, load, with_learner


# --------------------------------------------------------------------------- identity


@pytest.mark.parametrize("account, typed, ids, want", [
    ("ada", "ada", set(), ""),
    ("ada", " ADA", set(), ""),  # case and spaces do not make a mismatch
    ("bob", "demo-learner", set(), "id mismatch (typed demo-learner, graded as bob)"),
    ("bob", "ada", {"ada"}, "id mismatch (typed ada, graded as bob)"),
    ("bob", None, {"ada"}, "id mismatch (typed ada, graded as bob)"),  # only the records know
    ("bob", "bob", {"bob", "ada"}, "id mismatch (the tests graded several ids: ada, bob; graded as bob)"),
])
def test_id_review(account, typed, ids, want):
    from mtss_teach.grading.identity import id_review

    assert id_review(account, typed, ids) == want


def test_no_typed_id_is_reviewed():
    from mtss_teach.grading.identity import id_review

    why = id_review("bob", None, set(), "no cell sets LEARNER_ID")
    assert why.startswith("no usable LEARNER_ID (no cell sets LEARNER_ID)") and "as bob" in why


def test_typed_id_is_read_from_the_cells_before_setup_only():
    from mtss_teach.grading.identity import typed_learner_id

    nb = with_learner(load(ROOT / "modules" / "02-screening" / "exercise.ipynb"), "ada")
    assert typed_learner_id(nb) == ("ada", "")
    # a LEARNER_ID set after the setup cell does not change the scenario the answers were drawn from
    cell(nb, "task1_answer")["source"] = 'LEARNER_ID = "bob"\n'
    assert typed_learner_id(nb) == ("ada", "")
    nb["cells"] = [c for c in nb["cells"] if "LEARNER_ID =" not in "".join(c["source"]) or gid(c)]
    assert typed_learner_id(nb)[0] is None


def test_graded_learner_id_under_autograde(monkeypatch):
    from mtss_teach import exercises as ex
    from mtss_teach.errors import DataError

    def launch(env):
        monkeypatch.setattr(ex.ids, "_launch_environ", lambda: env)  # where graded_learner_id looks it up

    auto = {"NBGRADER_EXECUTION": "autograde", "MTSS_GRADED_STUDENT": "bob", "MTSS_GRADED_ASSIGNMENT": "02-screening"}
    launch({**auto, "MTSS_BIND_LEARNER_ID": "0"})
    assert ex.graded_learner_id("ada", "02-screening") == "ada"  # the typed id's scenario
    assert ex.graded_learner_id("  ", "02-screening") == "bob"  # nothing usable typed: the account's
    assert ex.graded_learner_id(None, "02-screening") == "bob"
    launch({**auto, "MTSS_BIND_LEARNER_ID": "1"})
    assert ex.graded_learner_id("ada", "02-screening") == "bob"  # strict: the account's, whatever was typed
    assert ex.graded_learner_id("ada", "03-tier1-placement") == "ada"  # another assignment's kernel
    launch({})
    assert ex.graded_learner_id(" ada ") == "ada"
    with pytest.raises(DataError):
        ex.graded_learner_id("")


# --------------------------------------------------------------------------- intake


def test_decode_handles_bom_utf16_and_windows_encodings():
    from mtss_teach.grading.intake import decode

    text = '{"cells": [], "x": "caf\u00e9 \u2013 na\u00efve"}'
    assert decode(text.encode("utf-8")) == (text, [])
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"))[0] == text
    assert decode(text.encode("utf-16"))[0] == text
    got, notes = decode(text.encode("cp1252"))
    assert got == text and "not UTF-8" in notes[0]


@pytest.mark.parametrize("raw, why", [
    (b"", "empty"),
    (b"{\"cells\": [", "not valid notebook JSON"),
    (b"[1, 2]", "no list of cells"),
    (b'{"cells": [1, 2]}', "not a cell"),
    (b'{"cells": [], "metadata": {}, "nbformat": 4}', "no cells"),
])
def test_read_notebook_says_why_not(raw, why):
    from mtss_teach.grading.intake import read_notebook

    nb, _, problem = read_notebook(raw)
    assert nb is None and why in problem


def test_missing_cells_are_put_back_after_their_predecessor():
    from mtss_teach.grading.intake import add_missing_cells

    rel = load(ROOT / "modules" / "02-screening" / "exercise.ipynb")
    canonical = {gid(c): {"solution": bool(c["metadata"]["nbgrader"].get("solution"))}
                 for c in rel["cells"] if gid(c)}
    nb = json.loads(json.dumps(rel))
    nb["cells"] = [c for c in nb["cells"] if not (gid(c) or "").startswith("task3")]
    extra = {"cell_type": "markdown", "metadata": {}, "source": "my notes"}
    nb["cells"].insert(3, extra)
    added = add_missing_cells(nb, rel, canonical)
    assert added == ["task3_text", "task3_answer", "task3_test"]
    order = [gid(c) for c in nb["cells"] if gid(c)]
    assert order == [gid(c) for c in rel["cells"] if gid(c)]
    assert extra in nb["cells"]


def test_another_courses_notebook_is_recognised():
    from mtss_teach.grading.intake import which_course

    def setup_sources(course):
        nb = load(ROOT / "modules" / course / "exercise.ipynb")
        return {"".join(c["source"]).strip() for c in nb["cells"] if gid(c) == "setup"}

    sources = {c: setup_sources(c) for c in ("02-screening", "03-tier1-placement")}
    other = load(ROOT / "modules" / "03-tier1-placement" / "exercise.ipynb")
    assert which_course(other, "02-screening", sources) == "03-tier1-placement"
    own = load(ROOT / "modules" / "02-screening" / "exercise.ipynb")
    assert which_course(own, "02-screening", sources) is None


def test_unchanged_needs_the_same_file_and_context():
    from mtss_teach.grading.intake import unchanged

    assert unchanged("aaa.bbb.ctx", "aaa", "ctx") and unchanged("aaa.bbb.ctx", "bbb", "ctx")
    assert not unchanged("aaa.bbb.ctx", "ccc", "ctx") and not unchanged("aaa.bbb.ctx", "aaa", "other")
    assert not unchanged("", "aaa", "ctx")


# --------------------------------------------------------------------------- report


def test_report_columns_keep_the_original_ten_first():
    from mtss_teach.grading.report import REPORT_COLUMNS

    assert REPORT_COLUMNS[:10] == ("student", "assignment", "graded", "score", "max_score", "timed_out_cells",
                                   "metadata_restored", "review", "withheld", "error")
    assert {"state", "reason", "submitted_as", "typed_learner_id", "notes", "reviewed"} <= set(REPORT_COLUMNS)


def test_states_of_a_result():
    from mtss_teach.grading.report import SubmissionResult

    assert SubmissionResult("a", "x", graded=True, score=3.0).row()["state"] == "graded"
    r = SubmissionResult("a", "x", graded=True, score=3.0, withheld=["task2_test: why"])
    assert r.state == "needs review" and "points withheld on 1 test" in r.reason()
    r = SubmissionResult("a", "x", graded=True, score=0.0, timed_out_cells=["task2_answer"])
    assert r.state == "needs review" and "time limit: task2_answer" in r.reason()
    r = SubmissionResult("a", "x", graded=False, score=0.0, error="the notebook has no cells")
    assert (r.row()["state"], r.row()["reason"], r.row()["score"]) == ("not gradable", "the notebook has no cells", "")
    r = SubmissionResult("a", "x", graded=True, score=1.0, review_reasons=["id mismatch (typed b, graded as a)"],
                         reviewed="accepted: id mismatch")
    assert r.state == "graded"


def test_grades_export_gets_states_and_no_plain_zero(tmp_path):
    from mtss_teach.grading.report import annotate_grades

    path = tmp_path / "grades.csv"
    head = "assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,late_submission_penalty,score,max_score\n"
    path.write_text(head + "02,,,ada,,,,10.0,0.0,10.0,10.0\n02,,,bob,,,,0.0,0.0,0.0,10.0\n"
                    "02,,,cy,,,,0.0,0.0,0.0,10.0\n02,,,dee,,,,4.0,0.0,4.0,10.0\n", encoding="utf-8")
    report = [
        {"student": "ada", "assignment": "02", "state": "graded", "reason": "", "score": "10.0", "max_score": "10.0"},
        {"student": "bob", "assignment": "02", "state": "not gradable", "reason": "the notebook has no cells"},
        {"student": "eve", "assignment": "02", "state": "not gradable", "reason": "not a notebook"},
    ]
    annotate_grades(path, report, in_gradebook={("ada", "02"), ("dee", "02")})
    with open(path, newline="", encoding="utf-8") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert list(rows["ada"])[-2:] == ["state", "reason"]
    assert (rows["ada"]["state"], rows["ada"]["score"]) == ("graded", "10.0")
    assert (rows["bob"]["state"], rows["bob"]["score"], rows["bob"]["reason"]) == (
        "not gradable", "", "the notebook has no cells")
    assert (rows["cy"]["state"], rows["cy"]["score"]) == ("not submitted", "")
    assert (rows["dee"]["state"], rows["dee"]["score"]) == ("graded", "4.0")  # graded before the report existed
    assert (rows["eve"]["state"], rows["eve"]["score"]) == ("not gradable", "")  # added: nbgrader never saw it


# --------------------------------------------------------------------------- nbgrader preprocessors


def test_output_cap_keeps_the_start_records_and_a_note():
    import nbformat

    from mtss_teach.exercises import RECORD_MIME
    from mtss_teach.grading.nbgrader_hooks import CapOutput

    c = nbformat.v4.new_code_cell("print('x' * 3_000_000)")
    c.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 3_000_000),
                 nbformat.v4.new_output("display_data", data={RECORD_MIME: {"name": "a"}, "text/plain": ""})]
    out, _ = CapOutput(max_bytes=100_000).preprocess_cell(c, {}, 0)
    size = len(json.dumps(out.outputs))
    assert 90_000 < size < 110_000
    assert any(RECORD_MIME in (o.get("data") or {}) for o in out.outputs)
    assert "only the first 100 kB is kept" in out.outputs[-1]["text"] and "3.0 MB" in out.outputs[-1]["text"]
    small = nbformat.v4.new_code_cell("1")
    small.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    assert CapOutput(max_bytes=100_000).preprocess_cell(small, {}, 0)[0].outputs[0]["text"] == "hello\n"


def test_feedback_filter_hides_test_internals():
    import nbformat

    from mtss_teach.grading.nbgrader_hooks import HideTestInternals

    test = nbformat.v4.new_code_cell("_g.close(sensitivity, _a.sensitivity, 'sensitivity', tol=0.0005)")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "task1_test"}
    test.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="/srv/course/mtss_teach/screening.py:10: FutureWarning"),
        nbformat.v4.new_output("error", ename="AssertionError", evalue="sensitivity is not right for your scenario",
                               traceback=["\x1b[0;31m----\x1b[0m", "Cell In[7], line 9\n_g.close(sensitivity, tol=0.0005)",
                                          "File /srv/course/lib/site-packages/mtss_teach/exercises.py:1130"]),
    ]
    out, _ = HideTestInternals().preprocess_cell(test, {}, 0)
    text = json.dumps(out.outputs)
    assert "tol=" not in text and "/srv/" not in text and "_g.close" not in text and "stderr" not in text
    assert out.outputs[0]["traceback"] == ["Not yet: sensitivity is not right for your scenario"]
    mine = nbformat.v4.new_code_cell("x = load()")
    mine.outputs = [nbformat.v4.new_output("error", ename="FileNotFoundError", evalue="/home/ada/data.csv",
                                           traceback=["File /opt/venv/lib/python3.11/site-packages/pandas/io.py:3"])]
    out, _ = HideTestInternals().preprocess_cell(mine, {}, 0)
    assert "/opt/venv" not in json.dumps(out.outputs) and "io.py:3" in out.outputs[0]["traceback"][0]


def test_nbgrader_hooks_name_the_same_record_type_as_the_checks():
    from mtss_teach.exercises import RECORD_MIME
    from mtss_teach.grading import nbgrader_hooks

    assert nbgrader_hooks.RECORD_MIME == RECORD_MIME


# ---------------------------------------------------------------------------
# one list of placeholder ids for the notebooks and the grader
# ---------------------------------------------------------------------------

def test_notebooks_and_grader_share_one_placeholder_list():
    import json
    import re

    from mtss_teach import exercises
    from mtss_teach.grading import identity

    assert identity.PLACEHOLDER_IDS is exercises.PLACEHOLDER_IDS
    # what each authoring notebook ships, read from the notebooks themselves
    shipped = set()
    for nb in sorted(Path(__file__).resolve().parents[1].glob("modules/*/exercise.ipynb")):
        src = "".join("".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"])
        shipped |= set(re.findall(r'LEARNER_ID = "([^"]*)"', src))
    assert shipped == {"demo-learner"}
    for typed in ("demo-learner", "DEMO-LEARNER", " your-course-login ", "YOUR_LOGIN", ""):
        assert exercises.is_placeholder_id(typed), typed
        assert exercises.learner_id_problem(typed).startswith(("LEARNER_ID is still the placeholder",
                                                               "LEARNER_ID is empty"))
        assert identity.id_review("ada", typed) != "", typed
    assert not exercises.is_placeholder_id("ada.lovelace")


def test_the_benchmarks_hello_course_is_one_the_pipeline_grades(tmp_path):
    """benchmarks/bench_grading.py's baseline course must pass the pipeline's assignment check (a course
    id of the manifest), or the grading benchmark, and its incremental row, cannot run at all."""
    from benchmarks.bench_grading import write_hello
    from mtss_teach.grading import assignments

    write_hello(tmp_path)
    assert assignments(tmp_path) == ["01-foundations"]  # the manifest's first course
