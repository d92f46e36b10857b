"""The course roster (mtss_teach.roster): learner ids, LMS ids and logins."""

from __future__ import annotations

import io

import pytest

from mtss_teach.errors import DataError
from mtss_teach.roster import read_roster


def _r(text: str):
    return read_roster(io.StringIO(text))


def test_maps_logins_and_ids_ignoring_case_and_spaces():
    r = _r("learner_id,lms_user_id,lms_login,section\n"
           "ada,1001,ALovelace,A\n"
           "bob,1002,,B\n")
    assert r.learner_ids == ("ada", "bob")
    assert r.learner_for("alovelace") == "ada"
    assert r.learner_for(" ALOVELACE ") == "ada"
    assert r.learner_for("ada") == "ada"
    assert r.learner_for("bob") == "bob"
    assert r.learner_for("eve") is None
    assert r.learner_for("") is None
    assert r.lms_user_id("ada") == "1001"
    assert r.lms_user_id("eve") is None


def test_only_learner_id_is_required_and_blank_lines_are_skipped(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("\ufefflearner_id\nada\n\nbob\n".encode("utf-8"))
    r = read_roster(path)
    assert r.learner_ids == ("ada", "bob")
    assert r.lms_user_id("ada") is None
    assert list(r.table.columns[:4]) == ["learner_id", "lms_user_id", "lms_login", "section"]


@pytest.mark.parametrize("text, message", [
    ("name\nada\n", "no 'learner_id' column"),
    ("learner_id,lms_user_id\nada,1\n,2\n", "roster line 3: learner_id is empty"),
    ("learner_id\nada\nbob\nADA\n", "roster line 4: this learner_id is already on line 2"),
    ("learner_id,lms_user_id\nada,7\nbob,7\n", "roster line 3: this lms_user_id is already on line 2"),
    ("learner_id,lms_login\nada,x\nbob,X\n", "roster line 3: this lms_login is already on line 2"),
    ("learner_id,lms_login\nada,bob\nbob,\n", "roster line 2: this lms_login is the learner_id on line 3"),
    # an extra field on a data line must not shift the columns (pandas would make it an index)
    ("learner_id,lms_user_id\nada,1001,x\nbob,1002\n", "roster line 2: 3 fields where the header has 2"),
    ("learner_id,lms_user_id\nada,1001\nbob\n", "roster line 3: 1 field where the header has 2"),
    ("", "the file is empty"),
])
def test_refusals_name_the_line_and_never_the_value(text, message):
    with pytest.raises(DataError) as err:
        _r(text)
    assert message in str(err.value)
    for value in ("ada", "bob", "ADA"):
        assert f"'{value}'" not in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="no file"):
        read_roster(tmp_path / "nope.csv")
