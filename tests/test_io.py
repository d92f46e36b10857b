"""Tests for mtss_teach.io: loading a school's own exports, de-identifying."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtss_teach import DataError
from mtss_teach.io import (DEFAULT_MEASURE_RANGES, MIN_SALT_LENGTH, LoadResult, deidentify, new_salt, read_progress,
                           read_screening)
from mtss_teach.progress import fit_trends

COLS = {"Student ID": "student_id", "Grade": "grade", "Window": "season", "Measure": "measure", "Score": "score"}


def _export(rows):
    return pd.DataFrame(rows, columns=["Student ID", "Grade", "Window", "Measure", "Score"])


GOOD = [
    ["0101", 2, "fall", "orf", 50],
    ["0102", 2, "fall", "orf", 36],
    ["0101", 2, "winter", "orf", 84],
    ["0103", 3, "fall", "math_dcpm", 20],
    ["0104", 3, "fall", "srss", 4],
]


def test_clean_export_is_accepted_whole():
    res = read_screening(_export(GOOD), COLS)
    assert isinstance(res, LoadResult)
    assert (res.n_in, res.n_accepted, res.n_rejected) == (5, 5, 0)
    assert res.rejected.empty and list(res.rejected.columns) == ["row", "column", "value", "reason"]
    d = res.data
    assert list(d.columns) == ["student_id", "grade", "season", "measure", "score", "source_row"]
    assert d["student_id"].tolist() == ["0101", "0102", "0101", "0103", "0104"]
    assert d["source_row"].tolist() == [2, 3, 4, 5, 6]  # header is row 1
    assert d["score"].tolist() == [50, 36, 84, 20, 4]
    assert d["grade"].dtype == np.int64
    pd.testing.assert_frame_equal(read_screening(_export(GOOD), COLS, strict=True).data, d)


@pytest.mark.parametrize(
    "row, column, reason",
    [
        (["", 2, "fall", "orf", 50], "student_id", "missing student id"),
        ([None, 2, "fall", "orf", 50], "student_id", "missing student id"),
        (["0199", 9, "fall", "orf", 50], "grade", "grade 9 is not one of 1, 2, 3, 4, 5, 6"),
        (["0199", "K", "fall", "orf", 50], "grade", "grade K is not one of 1, 2, 3, 4, 5, 6"),
        (["0199", None, "fall", "orf", 50], "grade", "missing grade"),
        (["0199", 2, "summer", "orf", 50], "season", "unknown season 'summer' (use fall, winter or spring)"),
        (["0199", 2, "fall", "orf", 301], "score", "score 301 is out of range for orf (allowed 0 to 300)"),
        (["0199", 2, "fall", "srss", 22], "score", "score 22 is out of range for srss (allowed 0 to 21)"),
        (["0199", 2, "fall", "orf", -1], "score", "score -1 is out of range for orf (allowed 0 to 300)"),
        (["0199", 2, "fall", "orf", "fifty"], "score", "score is not a number"),
        (["0199", 2, "fall", "orf", True], "score", "score is not a number"),
        (["0199", 2, "fall", "orf", ""], "score", "missing score"),
        (["0199", 2, "fall", "orf", dt.datetime(2025, 1, 12)], "score",
         "score looks like a date (Excel date formatting?), not a number"),
        (["0199", 2, "fall", "maze", 12], "measure", "unknown measure 'maze' (allowed: orf, math_dcpm, srss)"),
    ],
)
def test_each_problem_is_reported_with_row_column_and_reason(row, column, reason):
    res = read_screening(_export(GOOD + [row]), COLS)
    assert (res.n_in, res.n_accepted, res.n_rejected) == (6, 5, 1)
    r = res.rejected.iloc[0]
    assert r["row"] == 7  # 6th data row -> spreadsheet row 7
    assert r["column"].startswith(column)
    assert r["reason"] == reason
    with pytest.raises(DataError, match=rf"row 7, column '{column}"):
        read_screening(_export(GOOD + [row]), COLS, strict=True)


def test_duplicates_keep_first_and_reject_later_copies():
    rows = GOOD + [["0101", 2, "fall", "orf", 55], ["0101", 2, "FALL", "ORF", 50]]
    res = read_screening(_export(rows), COLS)
    assert res.n_rejected == 2
    assert res.rejected["row"].tolist() == [7, 8]
    assert (res.rejected["reason"] == "duplicate of row 2 (same student, season and measure)").all()
    assert res.data.loc[res.data["student_id"] == "0101", "score"].tolist() == [50, 84]


def test_a_rejected_first_copy_does_not_make_the_second_a_duplicate():
    rows = [["0101", 2, "fall", "orf", "x"], ["0101", 2, "fall", "orf", 50]]
    res = read_screening(_export(rows), COLS)
    assert res.n_accepted == 1 and res.data["source_row"].tolist() == [3]
    assert res.rejected["reason"].tolist() == ["score is not a number"]


def test_row_with_two_problems_counts_once_and_lists_both():
    res = read_screening(_export(GOOD + [["", 2, "spring", "orf", "abc"]]), COLS)
    assert res.n_rejected == 1
    assert res.rejected["column"].str.split(" ").str[0].tolist() == ["student_id", "score"]


def test_aliases_and_text_forms():
    rows = [["7", "Grade 3", "BOY", " orf ", " 62 "], ["8", "3rd", "MOY", "orf", "70.5"],
            ["9", "03", "eoy", "orf", "1e2"], ["10", 3.0, "Autumn", "orf", 40]]
    res = read_screening(_export(rows), COLS)
    assert res.n_rejected == 0, res.rejected
    assert res.data["season"].astype(str).tolist() == ["fall", "winter", "spring", "fall"]
    assert res.data["grade"].tolist() == [3, 3, 3, 3]
    assert res.data["score"].tolist() == [62.0, 70.5, 100.0, 40.0]


def test_columns_found_without_a_mapping_and_extras_ignored():
    df = pd.DataFrame({"student_id": ["1"], "GRADE": [2], "Season": ["fall"], "measure": ["orf"],
                       "score": [50], "First Name": ["Ana"]})
    res = read_screening(df)
    assert res.n_accepted == 1
    assert res.ignored_columns == ("First Name",)
    assert "First Name" not in res.data.columns
    assert "columns not used: First Name" in res.summary()


def test_mapping_errors_are_data_errors():
    df = _export(GOOD)
    with pytest.raises(DataError, match="'Score' is mapped to 'points'"):
        read_screening(df, {"Score": "points"})
    with pytest.raises(DataError, match="'Nope' is not a column"):
        read_screening(df, {"Nope": "score"})
    with pytest.raises(DataError, match="both 'Score' and 'Window' are mapped to 'score'"):
        read_screening(df, {"Score": "score", "Window": "score"})
    with pytest.raises(DataError, match="no column for"):
        read_screening(df[["Student ID", "Grade"]], {"Student ID": "student_id", "Grade": "grade"})
    with pytest.raises(DataError, match="expected a file path or a pandas DataFrame"):
        read_screening([1, 2, 3])
    with pytest.raises(DataError, match="strict"):
        read_screening(df, COLS, strict="yes")


def test_one_measure_export_and_measure_ranges():
    df = pd.DataFrame({"id": ["a", "b"], "grade": [4, 4], "season": ["fall", "fall"], "maze": [12, 70]})
    res = read_screening(df, {"id": "student_id", "maze": "score"}, measure="maze",
                         measure_ranges={"maze": (0, 60)})
    assert res.n_accepted == 1
    assert res.rejected["reason"].tolist() == ["score 70 is out of range for maze (allowed 0 to 60)"]
    with pytest.raises(DataError, match="measure"):
        read_screening(df, {"id": "student_id", "maze": "score"}, measure="maze")
    with pytest.raises(DataError, match="lowest 5 is above highest 1"):
        read_screening(df, {"id": "student_id", "maze": "score"}, measure="maze", measure_ranges={"maze": (5, 1)})
    assert DEFAULT_MEASURE_RANGES == {"orf": (0.0, 300.0), "math_dcpm": (0.0, 200.0), "srss": (0.0, 21.0)}


def test_csv_file_keeps_leading_zeros_and_counts_spreadsheet_rows(tmp_path):
    p = tmp_path / "fall.csv"
    p.write_text("Student ID,Grade,Window,Measure,Score\n0012,3,fall,orf,62\n0013,3,fall,orf,\n"
                 "0014,3,fall,orf,NA\n0015,3,fall,orf,88\n", encoding="utf-8")
    res = read_screening(p, COLS)
    assert res.source == "fall.csv"
    assert res.data["student_id"].tolist() == ["0012", "0015"]
    assert res.rejected[["row", "reason"]].values.tolist() == [[3, "missing score"], [4, "missing score"]]
    with pytest.raises(DataError, match="fall.csv: row 3, column 'score"):
        read_screening(p, COLS, strict=True)


def test_an_id_stored_as_a_number_is_read_without_its_dot_zero_and_said(tmp_path):
    # 4512.0 and 4512 are one student: a spreadsheet or database stored the id as a number
    p = tmp_path / "ids.csv"
    p.write_text("Student ID,Grade,Window,Measure,Score\n4512.0,3,fall,orf,41\n004513,3,fall,orf,52\n"
                 "4514.00,3,fall,orf,60\n4515.5,3,fall,orf,61\n", encoding="utf-8")
    res = read_screening(p, COLS)
    assert res.data["student_id"].tolist() == ["4512", "004513", "4514", "4515.5"]
    note = [n for n in res.notes if ".0" in n]
    assert len(note) == 1 and note[0].startswith("2 student id(s) ended in .0")


def test_excel_file_with_a_date_formatted_score(tmp_path):
    p = tmp_path / "winter.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Student ID", "Grade", "Window", "Measure", "Score", "Date"])
    ws.append([12, 3, "winter", "orf", 97, dt.datetime(2026, 1, 12)])
    ws.append([13, 3, "winter", "orf", dt.datetime(1900, 3, 27), dt.datetime(2026, 1, 12)])
    ws.append([14, 3, "winter", "orf", 79, "not a date"])
    wb.save(p)
    res = read_screening(p, {**COLS, "Date": "date"})
    assert res.n_accepted == 1 and res.data["student_id"].tolist() == ["12"]
    assert res.data["date"].tolist() == [pd.Timestamp("2026-01-12")]
    assert res.rejected[["row", "reason"]].values.tolist() == [
        [3, "score looks like a date (Excel date formatting?), not a number"],
        [4, "date is not a readable date"],
    ]


def test_missing_or_unsupported_files(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_screening(tmp_path / "nope.csv")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(DataError, match="not a .csv or .xlsx"):
        read_screening(tmp_path / "x.json")


def test_summary_text():
    res = read_screening(_export(GOOD + [["", 2, "fall", "orf", 1], ["0199", 2, "fall", "orf", 999]]), COLS)
    text = res.summary()
    assert text.splitlines()[0] == "read_screening from DataFrame: 7 rows in, 5 accepted, 2 rejected"
    assert "missing student id" in text and "row 8, score (Score): '999'" in text
    assert repr(res) == "LoadResult(screening, source='DataFrame', n_in=7, n_accepted=5, n_rejected=2)"


# --------------------------------------------------------------------------
# fuzz: nothing is dropped silently
# --------------------------------------------------------------------------

cell = st.one_of(
    st.none(), st.just(""), st.just("NA"), st.text(max_size=4), st.integers(-5, 400),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2030, 1, 1)),
    st.sampled_from(["fall", "Winter", "EOY", "orf", "srss", "math_dcpm", "3", "K", "0012", float("inf"), 1e300, -0.0]),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(cell, cell, cell, cell, cell), max_size=25))
def test_row_accounting_holds_for_any_input(rows):
    df = _export([list(r) for r in rows])
    res = read_screening(df, COLS)
    assert res.n_in == len(rows) == res.n_accepted + res.n_rejected
    assert len(res.data) == res.n_accepted
    assert res.rejected["row"].nunique() == res.n_rejected
    accepted, rejected = set(res.data["source_row"]), set(res.rejected["row"])
    assert not accepted & rejected
    assert accepted | rejected == set(range(2, len(rows) + 2))
    if res.n_rejected:
        with pytest.raises(DataError, match=r"row \d+, column"):
            read_screening(df, COLS, strict=True)
    else:
        assert read_screening(df, COLS, strict=True).n_accepted == len(rows)
    d = res.data
    assert d["student_id"].str.len().gt(0).all()
    assert d["season"].isin(["fall", "winter", "spring"]).all()
    assert d["grade"].between(1, 6).all()
    for m, (lo, hi) in DEFAULT_MEASURE_RANGES.items():
        assert d.loc[d["measure"] == m, "score"].between(lo, hi).all()
    assert not d.duplicated(["student_id", "season", "measure"]).any()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "", None]), st.one_of(st.integers(-2, 30), st.text(max_size=2)),
                          st.one_of(st.integers(-10, 400), st.text(max_size=3))), max_size=20))
def test_progress_row_accounting_holds_for_any_input(rows):
    df = pd.DataFrame(rows, columns=["id", "wk", "wcpm"])
    res = read_progress(df, {"id": "student_id", "wk": "week", "wcpm": "score"}, measure="orf")
    assert res.n_in == res.n_accepted + res.n_rejected == len(rows)
    assert res.rejected["row"].nunique() == res.n_rejected
    assert (res.data["week"] >= 0).all()
    assert not res.data.duplicated(["student_id", "measure", "week"]).any()


# --------------------------------------------------------------------------
# read_progress
# --------------------------------------------------------------------------

def test_read_progress_weeks_and_checks():
    df = pd.DataFrame({
        "Student": ["s1", "s1", "s1", "s1", "s2", "s2", None],
        "Week": [0, 1, 2, 2, 0, -1, 3],
        "Probe": ["orf"] * 7,
        "WCPM": [40, 42, 45, 46, 30, 31, 20],
    })
    res = read_progress(df, {"Student": "student_id", "Week": "week", "Probe": "measure", "WCPM": "score"})
    assert (res.n_in, res.n_accepted, res.n_rejected) == (7, 4, 3)
    assert res.rejected[["row", "reason"]].values.tolist() == [
        [5, "duplicate of row 4 (same student, measure and week)"],
        [7, "week -1 is negative"],
        [8, "missing student id"],
    ]
    tr = fit_trends(res.data)
    # s1: weeks 0,1,2 scores 40,42,45 -> slope = sum((x-1)(y-42.33))/sum((x-1)^2) = (-1*-2.33 + 1*2.67)/2 = 2.5
    assert tr.loc["s1", "slope"] == pytest.approx(2.5)


def test_read_progress_from_dates():
    df = pd.DataFrame({"student_id": ["a", "a", "a", "b"],
                       "date": ["2026-01-07", "2026-01-14", "2026-01-28", "2026-02-04"],
                       "measure": "orf", "score": [20, 22, 25, 50], "interventionist": ["Ms Lee"] * 4})
    res = read_progress(df)
    assert res.n_rejected == 0
    # weeks since each student's first probe: 0, 7/7, 21/7 for a; 0 for b
    assert res.data["week"].tolist() == [0.0, 1.0, 3.0, 0.0]
    assert res.data["interventionist"].tolist() == ["Ms Lee"] * 4
    bad = read_progress(df.assign(date=["2026-01-07", "someday", "2026-01-07", None]))
    assert bad.rejected["reason"].tolist() == ["date is not a readable date",
                                               "duplicate of row 2 (same student, measure and date)",
                                               "missing week and date"]
    with pytest.raises(DataError, match="week or date"):
        read_progress(df.drop(columns="date"))


# --------------------------------------------------------------------------
# deidentify
# --------------------------------------------------------------------------

def _expected_hash(salt: str, sid: str, length: int = 16) -> str:
    return hashlib.sha256((salt + "\x1f" + sid).encode("utf-8")).hexdigest()[:length]


SALT = "Kx7-pQ2v_Lm9RtZ4wY8n"  # 20 characters, 20 different
SALT2 = "another-secret-9f3Qz"


def test_deidentify_hashes_and_keeps_only_the_allow_list():
    df = pd.DataFrame({
        "student_id": ["0012", "0013", "0012"], "First Name": ["Ana", "Ben", "Ana"],
        "last_name": ["Ruiz", "Lee", "Ruiz"], "Student Name": ["x", "y", "x"], "DOB": ["a", "b", "a"],
        "Home Address": ["1", "2", "1"], "Parent Email": ["p", "q", "p"], "phone": ["1", "2", "1"],
        "SASID": ["9", "8", "9"], "school_name": ["S", "S", "S"], "teacher": ["T", "T", "T"],
        "score": [60, 70, 65], "grade": [3, 3, 3],
    })
    before = df.copy()
    d = deidentify(df, "student_id", salt=SALT)
    # allow-list: only the analysis columns stay; everything else (names, staff, school name) goes
    assert d.kept == ("score", "grade")
    assert d.dropped == ("First Name", "last_name", "Student Name", "DOB", "Home Address", "Parent Email",
                         "phone", "SASID", "school_name", "teacher")
    assert list(d.data.columns) == ["student_id", "score", "grade"]
    assert d.data["student_id"].tolist() == [_expected_hash(SALT, "0012"), _expected_hash(SALT, "0013"),
                                             _expected_hash(SALT, "0012")]
    assert d.n_ids == 2
    pd.testing.assert_frame_equal(df, before)  # input untouched
    other = deidentify(df, "student_id", salt=SALT2).data["student_id"]
    assert not (other == d.data["student_id"]).any()
    assert "dropped 10 column(s)" in d.summary()


def test_deidentify_drops_the_identifier_columns_the_old_pattern_list_kept():
    # the columns of the 75-case trial that slipped through a deny-list
    cols = ["Student", "Username", "Student Number", "Guardian", "Notes", "Nombre del alumno", "Last Name.1",
            "Nom", "name_index"]
    df = pd.DataFrame({"student_id": ["1", "2"], **{c: ["x", "y"] for c in cols}, "score": [1, 2]})
    d = deidentify(df, "student_id", salt=SALT)
    assert set(d.dropped) == set(cols) and list(d.data.columns) == ["student_id", "score"]


def test_deidentify_options_and_errors():
    df = pd.DataFrame({"id": [12, 13.0], "name": ["a", "b"], "room": ["1", "2"], "grade": [3, 3]})
    d = deidentify(df, "id", salt=SALT, length=8, keep=["name", "room"], drop=["grade"])
    assert d.kept == ("name", "room") and d.dropped == ("grade",)
    assert d.kept_personal == ("name",) and "WARNING" in d.summary()
    assert d.data["id"].tolist() == [_expected_hash(SALT, "12", 8), _expected_hash(SALT, "13", 8)]
    for weak in ["", "a", "pepper", "aaaaaaaaaaaaaaaaaaaa", "abababababababababab"]:
        with pytest.raises(DataError, match="salt") as e:
            deidentify(df, "id", salt=weak)
        # a generated salt is offered in the message
        offered = re.search(r"generated just now: (\S+)", str(e.value)).group(1)
        assert len(offered) >= 16 and deidentify(df, "id", salt=offered).n_ids == 2
    with pytest.raises(DataError, match="id_column"):
        deidentify(df, "student", salt=SALT)
    with pytest.raises(DataError, match="position 1"):
        deidentify(pd.DataFrame({"id": ["1", None]}), "id", salt=SALT)
    with pytest.raises(DataError, match="length"):
        deidentify(df, "id", salt=SALT, length=4)
    with pytest.raises(DataError, match="DataFrame"):
        deidentify([1, 2], "id", salt=SALT)


def test_new_salt_is_long_and_fresh():
    salts = {new_salt() for _ in range(20)}
    assert len(salts) == 20 and all(len(s) >= MIN_SALT_LENGTH for s in salts)


@settings(max_examples=50, deadline=None)
@given(ids=st.lists(st.one_of(st.integers(0, 10**9), st.text(min_size=1, max_size=8).filter(lambda s: s.strip()
                                                                                               and s.strip().lower() not in {"na", "n/a", "nan", "null", "none", "-", "--", "#n/a"})),
                    min_size=1, max_size=30),
       salt=st.text(min_size=16, max_size=30).filter(lambda s: len(set(s)) >= 8))
def test_deidentify_is_deterministic_and_one_to_one(ids, salt):
    df = pd.DataFrame({"sid": pd.Series(ids, dtype=object)})
    a = deidentify(df, "sid", salt=salt).data["sid"]
    b = deidentify(df, "sid", salt=salt).data["sid"]
    assert a.tolist() == b.tolist()
    norm = [str(i).strip() for i in ids]
    assert a.nunique() == len(set(norm))
    assert a.tolist() == [_expected_hash(salt, s) for s in norm]


def test_screening_table_of_a_cohort_loads_cleanly():
    from mtss_teach.cohorts import make_cohort

    c = make_cohort(200, seed=3, tables=("screening",))
    res = read_screening(c.screening.drop(columns="date"), strict=True)
    assert res.n_accepted == len(c.screening)


# ---------------------------------------------------------------------------
# regressions for bugs found by tests/test_fuzz_public_api.py (IO_BUGS)
# ---------------------------------------------------------------------------

def _one_row(**cells):
    base = {"student_id": ["S1"], "grade": [3], "season": ["fall"], "measure": ["orf"], "score": [50]}
    base.update({k: [v] for k, v in cells.items()})
    return pd.DataFrame(base, dtype=object)


def _rejected_on(res, col):
    assert res.n_in == res.n_accepted + res.n_rejected == 1
    assert res.n_rejected == 1
    return res.rejected.loc[res.rejected["column"] == col, "reason"].tolist()


@pytest.mark.parametrize("col,value,reason", [
    ("grade", 10**400, "grade"),           # used to raise OverflowError (int too large for a float)
    ("score", 10**400, "not a number"),    # idem
    ("score", 1 + 2j, "not a number"),     # used to be accepted as its real part, 1.0
    ("score", pd.Timedelta(5), "not a number"),        # used to be accepted as 5 ns -> 5.0
    ("score", np.timedelta64(5, "s"), "not a number"),
    ("season", ["fall"], "unknown season"),            # used to raise ValueError
    ("measure", ["orf"], "unknown measure"),           # idem
])
def test_odd_cells_are_rejected_with_a_reason(col, value, reason):
    why = _rejected_on(read_screening(_one_row(**{col: value})), col)
    assert why and reason in why[0]


def test_excel_serial_dates_are_read_as_excel_means():
    # Excel day 0 is 1899-12-30: 2023-03-15 - 1899-12-30 = 45000 days (checked with datetime below)
    assert (dt.date(2023, 3, 15) - dt.date(1899, 12, 30)).days == 45000
    res = read_screening(_one_row(date=45000))
    assert res.n_accepted == 1
    assert res.data["date"].iloc[0] == pd.Timestamp("2023-03-15")
    res = read_screening(_one_row(date=45000.5))  # half a day: noon
    assert res.data["date"].iloc[0] == pd.Timestamp("2023-03-15 12:00")


@pytest.mark.parametrize("value", [3.5, 0, -45000, 10**400, True, 1 + 2j])
def test_numbers_that_are_not_plausible_excel_serials_are_rejected(value):
    why = _rejected_on(read_screening(_one_row(date=value)), "date")
    assert why and ("Excel date serial" in why[0] or "not a readable date" in why[0])


def test_dates_beyond_pandas_range_are_rejected_not_wrapped():
    why = _rejected_on(read_screening(_one_row(date="3000-01-01")), "date")
    assert why == ["date 3000-01-01 is outside the supported range (1677-09-22 to 2262-04-11)"]
    ok = read_screening(_one_row(date="2262-04-10"))
    assert ok.n_accepted == 1 and ok.data["date"].iloc[0].year == 2262


def test_progress_weeks_from_excel_serial_dates():
    res = read_progress(pd.DataFrame({"student_id": ["a", "a"], "date": [45000, 45007],
                                      "measure": ["orf", "orf"], "score": [40, 41]}))
    assert res.n_accepted == 2
    assert res.data["week"].tolist() == [0.0, 1.0]  # 45007 - 45000 = 7 days = 1 week
    assert res.data["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-03-15", "2023-03-22"]


def test_read_progress_with_a_grade_column():
    # used to raise NameError ('allowed' is not defined)
    res = read_progress(pd.DataFrame({"student_id": ["a", "b"], "week": [1, 1], "measure": ["orf", "orf"],
                                      "score": [40, 41], "grade": [3, 9]}))
    assert res.n_accepted == 1 and res.data["grade"].tolist() == [3]
    assert res.rejected["reason"].tolist() == ["grade 9 is not one of 1, 2, 3, 4, 5, 6"]


@pytest.mark.parametrize("call,name", [
    (lambda: read_screening(pd.concat([_one_row(), _one_row()[["score"]]], axis=1)), "path_or_frame"),
    (lambda: read_screening(_one_row(), grades=None), "grades"),
    (lambda: read_screening(_one_row(), grades=3), "grades"),
    (lambda: read_screening(_one_row(), measure_ranges={"orf": [1, [2, 3]]}), "measure_ranges"),
    (lambda: deidentify(pd.DataFrame({"id": [1]}), {}, "salt"), "id_column"),
    (lambda: deidentify(pd.DataFrame({"id": [1]}), "id", SALT, drop=[{}]), "drop"),
    (lambda: deidentify(pd.DataFrame([[1, 2]], columns=["id", "id"]), "id", "s"), "df"),
])
def test_bad_arguments_raise_dataerror_naming_them(call, name):
    with pytest.raises(DataError, match=rf"^{name}\b"):
        call()


@settings(max_examples=60, deadline=None)
@given(value=st.one_of(st.integers(-10**500, 10**500), st.floats(), st.complex_numbers(), st.booleans(),
                       st.timedeltas(), st.lists(st.integers(), max_size=2), st.text(max_size=6)))
def test_any_score_or_date_cell_is_accepted_or_rejected_never_raises(value):
    for col in ("score", "date", "season", "grade"):
        res = read_screening(_one_row(**{col: value}))
        assert res.n_in == res.n_accepted + res.n_rejected == 1
        if res.n_accepted and col == "score":
            assert isinstance(value, (int, float, str)) and not isinstance(value, bool)


def test_measure_argument_with_a_measure_column_rejects_other_measures_by_row():
    # spreadsheet rows 2-5 (row 1 is the header)
    df = pd.DataFrame({"id": ["a", "b", "c", "d"], "grade": [3, 3, 3, 3], "season": ["fall"] * 4,
                       "measure": ["ORF", "math_dcpm", None, "maze"], "score": [40, 20, 50, 10]})
    cols = {"id": "student_id"}
    res = read_screening(df, cols, measure="orf")
    assert res.data["student_id"].tolist() == ["a", "c"]  # "ORF" is orf; a blank cell takes measure=
    assert res.data["measure"].tolist() == ["orf", "orf"]
    assert res.rejected[["row", "reason"]].values.tolist() == [
        [3, "measure 'math_dcpm' is not the measure='orf' asked for"],
        [5, "measure 'maze' is not the measure='orf' asked for"]]
    assert res.n_accepted + len(res.rejected) == len(df)
    # without measure=, every listed measure is kept and the blank and unknown ones are rejected
    res = read_screening(df, cols)
    assert res.data["student_id"].tolist() == ["a", "b"]
    assert sorted(res.rejected["row"].tolist()) == [4, 5]
    with pytest.raises(DataError, match="'maze' is not one of"):
        read_screening(df, cols, measure="maze")


def test_summary_never_drops_a_note_silently():
    from mtss_teach.io import LoadResult

    notes = tuple(f"note {i}" for i in range(8))
    empty = pd.DataFrame({"row": [], "column": [], "value": [], "reason": []})
    text = LoadResult(data=pd.DataFrame(), rejected=empty, n_in=0, n_accepted=0, n_rejected=0,
                      notes=notes).summary()
    assert "note 5" in text and "note 6" not in text and "(2 more note(s): see .notes)" in text
