"""Each course's facilitator guide runs one room poll round (#16), on a view the app can ask about.

For every course the session plan names a round in one activity, and a
"Room poll round" section says which app, which view (dataset, grade,
season, week) and what the reveal shows. The test reads the guide, checks
that the app it names has a round, and asks the library for the round on
the view the guide gives: a guide that sends the facilitator to an app
without a round, or to a view the app cannot ask about, fails here. The
views are written out below from the guides' words (not read from the
code); each must appear in the guide as written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mtss_teach import datasets

ROOT = Path(__file__).resolve().parents[1]
COURSES = sorted(p.parent.name for p in ROOT.glob("modules/*/facilitator.md"))

# course -> (the app the guide names, the words of the view in the guide, the view as a link's settings)
ROUNDS = {
    "01-foundations": ("MTSS at work in one grade", ["District E", "grade 2", "winter", "10th", "25th"],
                       {"dataset": "district-e", "grade": "2", "season": "winter", "tier3_below": "10",
                        "tier2_below": "25"}),
    "02-screening": ("Screening explorer", ["District E", "grade 4", "winter", "oral reading fluency"],
                     {"dataset": "district-e", "grade": "4", "season": "winter", "measure": "orf"}),
    "03-tier1-placement": ("Tier 1 health and placement", ["District D", "grade 3", "winter"],
                           {"dataset": "district-d", "grade": "3", "season": "winter"}),
    "04-progress-monitoring": ("Aimline coach", ["District E", "grade 3", "week 6", "week 8", "week 10", "week 14"],
                               {"dataset": "district-e", "grade": "3", "week": ["6", "8", "10", "14"]}),
    "05-decision-rules": ("Aimline coach", ["District E", "grade 3", "week 6"],
                          {"dataset": "district-e", "grade": "3", "week": ["6"]}),
    "06-data-meetings": ("Data meeting", ["District E", "grade 3", "winter", "10th", "20th"],
                         {"dataset": "district-e", "grade": "3", "season": "winter", "tier3_below": "10",
                          "tier2_below": "20"}),
    "07-fidelity": ("Fidelity scorer", ["District C", "TFI"], {"dataset": "district-c", "mode": "tfi"}),
    "08-equity": ("Equity lens", ["District A", "Placed in Tier 3 (winter)", "race/ethnicity", "2.0"],
                  {"dataset": "district-a", "threshold": "2"}),
    "09-behavior-sel": ("Screening explorer", ["District E", "grade 3", "fall", "SRSS"],
                        {"dataset": "district-e", "grade": "3", "season": "fall", "measure": "srss"}),
    "10-capstone": ("Aimline coach", ["District E", "grade 3", "week 14"],
                    {"dataset": "district-e", "grade": "3", "week": ["14"]}),
}
ON_DISK = {"district-a": "disproportionate", "district-b": "healthy", "district-c": "low_fidelity",
           "district-d": "weak_tier1", "district-e": "district_small"}


def _section(text: str, title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}.*?\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert m, f"no section {title!r}"
    return m.group(1)


def _guide(course: str) -> str:
    return (ROOT / "modules" / course / "facilitator.md").read_text(encoding="utf-8")


def _monitored(dataset: str, grade: int) -> list[int]:
    """Students of ``grade`` with progress-monitoring data, from the shipped files."""
    name = ON_DISK[dataset]
    students = datasets.load(name, "students").set_index("student_id")
    ids = sorted(set(datasets.load(name, "progress")["student_id"]))
    return [i for i in ids if int(students.loc[i, "grade"]) == grade]


def test_every_course_has_a_round_listed_here():
    assert sorted(ROUNDS) == COURSES and len(COURSES) == 10


@pytest.mark.parametrize("course", sorted(ROUNDS))
def test_the_session_plan_runs_one_round_on_a_view_the_app_can_ask_about(course):
    from mtss_teach.apps.registry import APPS
    from mtss_teach.apps.roomview import round_apps
    from mtss_teach.widgets.poll_questions import question_for

    title, words, view = ROUNDS[course]
    text = _guide(course)
    plan_rows = [ln for ln in _section(text, "Session plan").splitlines()
                 if ln.startswith("|") and re.search(r"room poll round", ln, flags=re.I)]
    assert len(plan_rows) == 1, "the session plan names the round in one activity"
    section = " ".join(_section(text, "Room poll round").split())
    assert "{ref}`room-polls`" in section  # how a round works: the book's page
    # the app named in bold has a round, and the serve command prepares it
    named = re.findall(r"\*\*([^*]+)\*\*", section)
    assert title in named, named
    app = next(a for a in APPS if a.title == title)
    assert app in round_apps()
    assert f"--app {app.key}`" in section
    for w in words:
        assert w in section, f"the guide's round does not say {w!r}"
    params = {k: v for k, v in view.items() if k not in ("grade", "week")}
    if app.widget == "AimlineCoach":  # the guide's "chosen" student: any monitored student of that grade will do
        student = _monitored(view["dataset"], int(view["grade"]))[0]
        questions = [question_for(app.widget, {**params, "student": str(student), "week": w}) for w in view["week"]]
        for q, w in zip(questions, view["week"]):
            assert f"week {w}," in q.prompt and f"(grade {view['grade']})" in q.prompt
    else:
        if "grade" in view:
            params["grade"] = view["grade"]
        questions = [question_for(app.widget, params)]
        for k, v in params.items():
            if k not in ("mode", "dataset", "measure", "threshold"):
                assert question_for(app.widget, params).view[k] == v
    for q in questions:
        assert (q.answer in q.choices) if q.choices else isinstance(q.answer, float)
        # the guide promises a truth on reveal exactly when the round has one
        promises_truth = bool(re.search(r"true (score|growth)|referrals that year|flags and misses", section))
        assert promises_truth == (q.truth is not None), (q.truth, section)


def test_the_book_page_lists_the_same_app_for_each_course():
    """book/facilitators/polls.md's table of suggested rounds names the app each guide uses."""
    page = (ROOT / "book" / "facilitators" / "polls.md").read_text(encoding="utf-8")
    table = _section(page, "A round in each course")
    rows = {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d+)\. [^|]*\| (.*) \|$", table, flags=re.M)}
    assert sorted(rows) == list(range(1, 11))
    for i, course in enumerate(sorted(ROUNDS), start=1):
        assert ROUNDS[course][0] in rows[i], (course, rows[i])
