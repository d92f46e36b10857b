"""The room's poll store (mtss_teach.polls): rounds, commits, counts, export."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from mtss_teach.errors import DataError
from mtss_teach.polls import PollStore

CHOICES = ["keep going", "change the intervention", "raise the goal"]


@pytest.fixture
def store(tmp_path):
    s = PollStore(tmp_path / "room.sqlite")
    yield s
    s.close()


def test_one_answer_per_participant_changeable_until_closed(store):
    r = store.start_round("aimline", "Student 7 at week 8?", choices=CHOICES, answer="change the intervention")
    store.commit(r, "a", "keep going", nickname="Table 3")
    store.commit(r, "b", "raise the goal")
    store.commit(r, "a", "change the intervention")  # changed mind: still one answer for a
    counts = store.counts(r)
    assert counts["answer"].tolist() == CHOICES
    assert counts["count"].tolist() == [0, 1, 1]
    assert counts["share"].tolist() == [0.0, 0.5, 0.5]
    assert counts["is_answer"].isna().all()  # not revealed yet: the room does not see the answer
    store.close_round(r)
    with pytest.raises(DataError, match="closed"):
        store.commit(r, "c", "keep going")
    revealed = store.reveal(r)
    assert revealed.state == "revealed"
    assert store.counts(r)["is_answer"].tolist() == [False, True, False]


def test_answers_are_anonymous_unless_names_are_asked_for(store):
    r = store.start_round("screening", "Which cut?", choices=None)
    store.commit(r, "a", 91, nickname="Ms Ortiz's table")
    store.commit(r, "b", 95.5)
    assert list(store.answers(r).columns) == ["answer"]
    named = store.answers(r, names=True)
    assert named["nickname"].tolist() == ["Ms Ortiz's table", ""]
    assert store.counts(r)[["answer", "count"]].values.tolist() == [[91.0, 1], [95.5, 1]]


def test_a_participant_reads_only_their_own_answer(store):
    r = store.start_round("aimline", "Q?", choices=CHOICES)
    store.commit(r, "a", "keep going")
    assert store.my_answer(r, "a") == "keep going"
    assert store.my_answer(r, "b") is None


@pytest.mark.parametrize("value, message", [
    ("maybe", "not one of this round's choices"),
    (None, "not one of this round's choices"),
])
def test_choice_answers_checked(store, value, message):
    r = store.start_round("aimline", "Q?", choices=CHOICES)
    with pytest.raises(DataError, match=message):
        store.commit(r, "a", value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "91", True])
def test_number_answers_checked(store, value):
    r = store.start_round("screening", "Which cut?")
    with pytest.raises(DataError, match="finite number"):
        store.commit(r, "a", value)


def test_new_round_closes_the_old_one_and_new_session_clears_everything(store):
    r1 = store.start_round("aimline", "Q1?", choices=CHOICES)
    store.commit(r1, "a", "keep going")
    r2 = store.start_round("aimline", "Q2?", choices=CHOICES)
    assert store.round(r1).state == "closed" and store.current_round("aimline").id == r2
    store.new_session()
    assert store.rounds() == [] and store.current_round("aimline") is None
    with pytest.raises(DataError, match="no such round"):
        store.counts(r1)


def test_export_has_anonymous_answers_with_the_library_answer(store):
    r = store.start_round("aimline", "Student 7 at week 8?", choices=CHOICES, answer="keep going")
    store.commit(r, "a", "keep going", nickname="Table 1")
    store.commit(r, "b", "raise the goal", nickname="Table 2")
    rows = list(csv.DictReader(io.StringIO(store.export_csv(r))))
    assert [row["answer_given"] for row in rows] == ["keep going", "raise the goal"]
    assert [row["matches_library"] for row in rows] == ["True", "False"]
    assert {row["library_answer"] for row in rows} == {"keep going"}
    assert "Table" not in store.export_csv(r)  # nicknames never leave in an export


def test_bad_rounds_refused(store):
    with pytest.raises(DataError, match="at least two"):
        store.start_round("aimline", "Q?", choices=["only"])
    with pytest.raises(DataError, match="one of the choices"):
        store.start_round("aimline", "Q?", choices=CHOICES, answer="something else")
    with pytest.raises(DataError, match="nickname"):
        r = store.start_round("aimline", "Q?", choices=CHOICES)
        store.commit(r, "a", "keep going", nickname="x" * 25)


_WRITER = """
import sys
from mtss_teach.polls import PollStore
CHOICES = {choices!r}
path, round_id, start, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = PollStore(path)
for i in range(start, start + n):
    s.commit(round_id, f"p{{i}}", CHOICES[i % 3])
    s.commit(round_id, f"p{{i}}", CHOICES[(i + 1) % 3])  # each changes their mind once
s.close()
"""


def test_forty_participants_from_separate_processes_each_counted_once(tmp_path):
    """Forty participants' kernels committing at once (4 processes x 10, each twice): none lost or doubled."""
    path = tmp_path / "room.sqlite"
    s = PollStore(path)
    r = s.start_round("aimline", "Q?", choices=CHOICES)
    code = _WRITER.format(choices=CHOICES)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), str(r), str(k * 10), "10"])
             for k in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    counts = s.counts(r)
    assert counts["count"].sum() == 40
    # participant i ends on choice (i + 1) % 3: 0..39 -> 13, 14, 13 for choices 0, 1, 2
    assert counts["count"].tolist() == [13, 14, 13]
    s.close()


def test_the_store_is_written_only_through_this_module():
    """One small module owns the room's SQLite file: no other module of the library opens a database, and the
    apps, the room server and the poll bar reach the answers only through PollStore."""
    import re
    from pathlib import Path

    pkg = Path(__file__).resolve().parents[1] / "mtss_teach"
    sqlite_users = sorted(str(p.relative_to(pkg)) for p in pkg.rglob("*.py")
                          if re.search(r"^\s*(import sqlite3|from sqlite3 )", p.read_text(encoding="utf-8"), re.M))
    assert sqlite_users == ["polls.py"]
    store_users = sorted(str(p.relative_to(pkg)) for p in pkg.rglob("*.py")
                         if "PollStore" in p.read_text(encoding="utf-8") and p.name != "polls.py")
    assert store_users == ["apps/roomview.py", "widgets/poll_bar.py"]
