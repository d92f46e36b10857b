"""The one course manifest (``mtss_teach/data/courses.yml``) and everything that lists the courses agree.

The expected course ids are written out by hand below, so a course that
disappears from the manifest, the table of contents, the ``modules/``
folders or the apps registry fails here instead of silently dropping out of
every parametrised test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from mtss_teach import _packagedata
from mtss_teach._packagedata import course_by_id, course_ids, courses

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "modules"

EXPECTED = [
    "01-foundations",
    "02-screening",
    "03-tier1-placement",
    "04-progress-monitoring",
    "05-decision-rules",
    "06-data-meetings",
    "07-fidelity",
    "08-equity",
    "09-behavior-sel",
    "10-capstone",
]
COURSE_FILES = {"lesson.md", "facilitator.md", "exercise.ipynb", "app.ipynb", "templates"}


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    out = []
    for part in toc["parts"]:
        for ch in part["chapters"]:
            out.append(ch["file"])
    return out


def test_manifest_lists_the_courses_in_order():
    assert list(course_ids()) == EXPECTED


def test_modules_folders_are_the_courses():
    folders = sorted(p.name for p in MODULES.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert folders == EXPECTED


@pytest.mark.parametrize("course", EXPECTED)
def test_course_folder_has_its_files(course):
    present = {p.name for p in (MODULES / course).iterdir()}
    assert COURSE_FILES <= present, COURSE_FILES - present


def test_toc_lists_every_lesson_and_facilitator_guide_in_course_order():
    files = _toc_files()
    lessons = [f for f in files if re.fullmatch(r"modules/[^/]+/lesson", f)]
    guides = [f for f in files if re.fullmatch(r"modules/[^/]+/facilitator", f)]
    assert lessons == [f"modules/{c}/lesson" for c in EXPECTED]
    assert guides == [f"modules/{c}/facilitator" for c in EXPECTED]
    assert lessons == [c.lesson for c in courses()]
    assert guides == [c.facilitator for c in courses()]
    assert not [f for f in files if f.startswith("modules/") and f not in lessons + guides]


def test_apps_registry_has_one_app_per_course_from_the_manifest():
    from mtss_teach.apps import APPS

    course_apps = [a for a in APPS if a.course]
    assert [a.course for a in course_apps] == EXPECTED
    assert [a.path for a in course_apps] == [f"modules/{c}/app.ipynb" for c in EXPECTED]
    for a in course_apps:
        c = course_by_id(a.course)
        assert (a.key, a.title, a.purpose, a.widget) == (c.app.key, c.app.title, c.app.purpose, c.app.widget)
    # The apps outside the courses (a leader's own data) have no course.
    assert [a.key for a in APPS if not a.course] == ["your_data"]


@pytest.mark.parametrize("course", EXPECTED)
def test_app_notebook_builds_the_widget_the_manifest_names(course):
    nb = json.loads((MODULES / course / "app.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert course_by_id(course).app.widget in code


@pytest.mark.parametrize("course", EXPECTED)
def test_templates_are_the_files_in_the_templates_folder(course):
    shipped = sorted(p.name for p in (MODULES / course / "templates").iterdir())
    assert sorted(course_by_id(course).templates) == shipped


@pytest.mark.parametrize("course", EXPECTED)
def test_title_and_minutes_are_the_lessons(course):
    text = (MODULES / course / "lesson.md").read_text(encoding="utf-8")
    heading = re.search(r"^#\s+\d+\.\s+(.+?)\s*$", text, flags=re.M).group(1)
    minutes = int(re.search(r"\*\*Time:\*\*\s*about\s+(\d+)\s+minutes", text).group(1))
    c = course_by_id(course)
    assert (c.title, c.minutes) == (heading, minutes)


def test_exercises_and_grading_read_the_manifest():
    from mtss_teach import exercises
    from mtss_teach.grading import assignments

    assert list(exercises.COURSES) == EXPECTED
    assert assignments(ROOT) == EXPECTED
    for course in EXPECTED:
        assert isinstance(exercises.scenario(course, "ada"), dict)


def test_grading_refuses_an_exercise_outside_the_manifest(tmp_path):
    from mtss_teach.grading import assignments
    from mtss_teach.grading.course import GradingError

    for name in ("02-screening", "99-unlisted"):
        (tmp_path / "modules" / name).mkdir(parents=True)
        (tmp_path / "modules" / name / "exercise.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(GradingError, match="99-unlisted"):
        assignments(tmp_path)
    (tmp_path / "modules" / "99-unlisted" / "exercise.ipynb").unlink()
    assert assignments(tmp_path) == ["02-screening"]


def test_course_paths():
    c = course_by_id("05-decision-rules")
    assert (c.folder, c.lesson, c.facilitator, c.app_path, c.exercise_path) == (
        "modules/05-decision-rules", "modules/05-decision-rules/lesson", "modules/05-decision-rules/facilitator",
        "modules/05-decision-rules/app.ipynb", "modules/05-decision-rules/exercise.ipynb")
    with pytest.raises(KeyError, match="11-extra"):
        course_by_id("11-extra")


@pytest.mark.parametrize("row,message", [
    ({"id": "x"}, "expected the fields"),
    ({"id": "x", "title": "T", "minutes": 0, "exercise": "e", "templates": [],
      "app": {"key": "k", "title": "t", "purpose": "p", "widget": "W"}}, "positive whole number"),
    ({"id": "x", "title": "T", "minutes": 30, "exercise": "e", "templates": [],
      "app": {"key": "k"}}, "app needs the fields"),
    ({"id": "x", "title": "T", "minutes": 30, "exercise": "e", "templates": "a.csv",
      "app": {"key": "k", "title": "t", "purpose": "p", "widget": "W"}}, "list of file names"),
])
def test_a_malformed_manifest_row_is_refused(row, message):
    with pytest.raises(ValueError, match=message):
        _packagedata._course(0, row)
