"""The apps that can show a leader's own data: EquityLens and YourData (no browser).

EquityLens: the minimum cell size cannot go under the library's floor, and
no hidden cell can be worked out by switching the grouping or the school.
YourData: a messy upload is counted, mapped, reported and de-identified;
names never reach the page; local benchmarks replace the US defaults.
"""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd
import pytest

from mtss_teach import equity, io
from mtss_teach.widgets import EquityLens
from mtss_teach.widgets.equity import GROUPINGS
from mtss_teach.widgets.your_data import GROUP, YourData

DS = "healthy"


@pytest.fixture(scope="module")
def lens():
    return EquityLens.from_dataset("district_small", draw="off")  # two schools: views that overlap


def test_equity_lens_minimum_cannot_go_under_the_floor(lens):
    assert lens.w_min_cell.min == equity.MIN_CELL_FLOOR
    lens.set(min_cell=0)
    assert lens.w_min_cell.value >= equity.MIN_CELL_FLOOR and lens.metrics["min_cell"] >= equity.MIN_CELL_FLOOR
    lens.set(min_cell=10)


def _hidden(lens) -> dict[str, bool]:
    rows = re.findall(r"<tr>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", lens.w_table.value)
    return {g: not c.strip().isdigit() for g, _n, c in rows}


@pytest.mark.slow
def test_equity_lens_no_grouping_or_school_gives_a_hidden_cell_back(lens):
    schools = [None] + [s for s in lens.w_school.options[1:]]
    schools = [v if not isinstance(v, tuple) else v[1] for v in schools]
    checked = 0
    for outcome in ("tier3_winter", "oss"):
        for by in GROUPINGS:
            per_view = {}
            for school in schools:
                lens.set(outcome=outcome, group_by=by, min_cell=10, school=school)
                assert lens.message == ""
                per_view[school] = _hidden(lens)
                hid = [g for g, h in per_view[school].items() if h]
                # within one table: never exactly one count hidden (the total minus the others would give it)
                assert len(hid) != 1, (outcome, by, school, hid)
                shown_ratio = [g for g, v in lens.metrics["risk_ratio"].items() if np.isfinite(v)]
                assert not set(hid) & set(shown_ratio)  # a ratio shown would give the count back
                checked += 1
            # across schools and the whole: a group's count hidden in exactly one view is given back by
            # the whole minus the other schools
            groups = set().union(*[set(v) for v in per_view.values()])
            for g in groups:
                views = [s for s in schools if g in per_view[s]]
                k = sum(per_view[s][g] for s in views)
                assert k != 1 or len(views) == 1, (outcome, by, g, {s: per_view[s].get(g) for s in schools})
    assert checked >= 30 and len(schools) == 3


# ---------------------------------------------------------------------------
# YourData
# ---------------------------------------------------------------------------

MESSY = "\r\n".join([
    "Fall benchmark report;;;;;;",
    "Élève;Student ID;Grade;Benchmark Period;Words Correct;Test Date;EL",
    "Müller, Zoë;0101;3;BOY;62;03/09/2024;Y",
    "Doe, Ana;0102;3;BOY;41,5;13/09/2024;N",
    "",
    "Lee, Ben;1.23457E+09;3;BOY;55;04/09/2024;N",
    "Class Average;;3;BOY;53;;",
    'Ruiz, Tom;0104;3;BOY;70;05/09/2024;"N',
    "Kim, Joy;0105;3;BOY;999;06/09/2024;N",
    "Ng, Sam;0106;3;BOY;80;06/09/2024;Y",
]) + "\r\n"
NAMES = ["Müller", "Zoë", "Doe", "Ana", "Lee", "Ben", "Ruiz", "Tom", "Kim", "Joy", "Ng", "Sam"]


def _app() -> YourData:
    app = YourData(draw="off")
    app.load_bytes(MESSY.encode("cp1252"), "fall export.csv")
    return app


def test_your_data_reads_a_messy_upload_and_reports_every_line():
    app = _app()
    m = app.metrics
    # by hand: a title on line 1, the header on line 2, data on lines 3-4 and 6-10 (7), line 5 blank
    assert m["records"] == 7
    assert m["suggested"] == {"Student ID": "student_id", "Grade": "grade", "Benchmark Period": "season",
                              "Words Correct": "score", "Test Date": "date"}
    app.set_mapping({"EL": GROUP})
    app.apply_mapping()
    assert app.message == "", app.message
    m = app.metrics
    assert (m["n_in"], m["n_accepted"], m["n_rejected"], m["n_blank"]) == (7, 3, 4, 1)
    page = app.w_report.value
    # the lines of the file, as a leader sees them in a text editor
    rej = app._result.rejected
    assert sorted(set(rej["row"])) == [6, 7, 8, 9]
    reasons = " ".join(rej["reason"])
    for words in ("scientific notation", "summary row", "quote mark", "out of range"):
        assert words in reasons
    # line 8's stray quote swallowed lines 9-10: both read again (9: score 999 rejected; 10: accepted)
    d = app._data
    assert d["source_row"].tolist() == [3, 4, 10]
    assert d["score"].tolist() == [62.0, 41.5, 80.0]  # decimal comma in a semicolon file
    assert [str(x)[:10] for x in d["date"]] == ["2024-09-03", "2024-09-13", "2024-09-06"]  # 13/09: day-first
    # de-identified: codes, not ids; no names anywhere on the page; the download is built in the page
    assert m["deidentified"] and not set(d["student_id"]) & {"0101", "0102", "0106"}
    html = app.w_report.value + app.w_mapping.children[0].description + app.w_screen.value + app.w_tiers.value
    for name in NAMES:
        assert name not in app.w_report.value and name not in app.w_screen.value
    href = re.search(r'href="data:text/csv;base64,([^"]+)"', page).group(1)
    csv = base64.b64decode(href).decode("utf-8")
    assert csv.splitlines()[0] == "row,column,value,reason" and len(csv.splitlines()) == len(rej) + 1
    assert html


def test_your_data_views_use_the_library_and_hide_small_counts():
    rng = np.random.default_rng(3)
    n = 240
    df = pd.DataFrame({"Student ID": [f"{i:05d}" for i in range(n)], "Grade": 2, "Season": "winter",
                       "Measure": "orf", "Score": rng.integers(10, 140, n),
                       "Disability": np.where(np.arange(n) < 8, "Yes", "No")})
    app = YourData(draw="off")
    app.load_bytes(df.to_csv(index=False).encode(), "w.csv")
    app.set_mapping({"Disability": GROUP})
    app.apply_mapping()
    assert app.message == ""
    # status by hand from the library's norms: the percentile system with cuts 20 / 40
    from mtss_teach import norms

    status = pd.Series(norms.benchmark_status(df["Score"].to_numpy(dtype=float), 2, "winter", system="percentile"))
    want = status.map({"well_below": "well below benchmark", "below": "below benchmark",
                       "at": "at benchmark"}).value_counts().to_dict()
    assert app.metrics["status_counts"] == want
    # 8 students with a disability: fewer than 10 -> hidden, with its complement
    assert "Yes" in app.metrics["equity_hidden"] and len(app.metrics["equity_hidden"]) == 2
    app.w_min_cell.value = 0
    assert app.w_min_cell.value == equity.MIN_CELL_FLOOR


def test_your_data_local_benchmarks_replace_the_defaults():
    app = YourData(draw="off")
    df = pd.DataFrame({"Student ID": [f"{i:03d}" for i in range(30)], "Grade": 2, "Season": "fall",
                       "Measure": "orf", "Score": list(range(20, 80, 2))})
    app.load_bytes(df.to_csv(index=False).encode(), "a.csv")
    app.apply_mapping()
    bench = ("measure,grade,season,cut_for_risk,benchmark,source,year\n"
             "orf,2,fall,30,50,Regional reading benchmarks (example),2023\n")
    app.load_benchmarks(bench.encode(), "bench.csv")
    # by hand: scores 20, 22, ..., 78: under 30 -> 5 (20-28), 30-48 -> 10, 50 and over -> 15
    assert app.metrics["status_counts"] == {"at benchmark": 15, "below benchmark": 10, "well below benchmark": 5}
    assert "Regional reading benchmarks (example) (2023)" in app.metrics["benchmarks"]["source"]
    with pytest.raises(Exception, match="no source"):
        app.load_benchmarks(b"measure,grade,season,cut_for_risk,benchmark,source,year\norf,2,fall,30,50,,2023\n",
                            "b.csv")


def test_your_data_progress_view():
    weeks = list(range(8))
    df = pd.DataFrame({"Student ID": "P1", "Week": weeks, "Score": [30 + 2 * w for w in weeks]})
    app = YourData(draw="off")
    app.w_kind.value = "progress"
    app.load_bytes(df.to_csv(index=False).encode(), "pm.csv")
    app.apply_mapping()
    assert app.metrics["n_accepted"] == 8
    app.w_goal.value, app.w_goal_week.value = 60.0, 20.0
    assert app.metrics["progress"]["n_points"] == 8 and app.metrics["progress"]["decision"]


def test_read_benchmarks_checks_provenance_and_order():
    ok = pd.DataFrame({"measure": ["orf"], "grade": [3], "season": ["winter"], "cut_for_risk": [40],
                       "benchmark": [60], "above": [90], "source": ["x"], "year": ["2022"]})
    assert io.read_benchmarks(ok)["above"].tolist() == [90.0]
    with pytest.raises(Exception, match="cut_for_risk is above benchmark"):
        io.read_benchmarks(ok.assign(cut_for_risk=70))
    with pytest.raises(Exception, match="provenance"):
        io.read_benchmarks(ok.drop(columns="source"))


# ---------------------------------------------------------------------------
# the equity explorer (synthetic data): nothing under the floor in the page, and it says so
# ---------------------------------------------------------------------------


def test_equity_explorer_embeds_no_unsuppressed_choice():
    import json

    from mtss_teach import explorers

    # the case: a group of one (ratio 7.02 at minimum 0) must not be in the page at all
    t = pd.DataFrame({"group": ["A", "B", "C", "D"], "count": [1, 30, 21, 40], "total": [1, 300, 200, 380]})
    spec = explorers.equity_explorer(t, outcome="Tier 3").to_dict()
    rows = [r for d in spec["datasets"].values() for r in d if "mc" in r and "g" in r]
    assert rows and min(r["mc"] for r in rows) >= equity.MIN_CELL_FLOOR
    a = [r for r in rows if r["g"] == 0]  # group A, one student
    assert all(r["ratio"] is None or r["ratio"] != r["ratio"] for r in a)
    assert "Synthetic" in json.dumps(spec["title"])
    with pytest.raises(Exception, match="below the library's floor"):
        explorers.equity_table(t, min_cells=[0, 10])


# ---------------------------------------------------------------------------
# YourData: the status table, the tier table and the chart show the same students three ways
# ---------------------------------------------------------------------------

LOCAL_3 = (b"measure,grade,season,cut_for_risk,benchmark,above,source,year\n"
           b"orf,3,fall,53,74,120,Regional reading benchmarks (example),2024\n")


def _export(groups: list[tuple[int, int]]) -> bytes:
    lines, i = ["Student ID,Grade,Season,Measure,Score"], 0
    for score, k in groups:
        for _ in range(k):
            i += 1
            lines.append(f"S{i:04d},3,fall,orf,{score}")
    return ("\n".join(lines) + "\n").encode()


def _loaded(groups, bench: bytes | None = None, draw: str = "off") -> YourData:
    app = YourData(draw=draw)
    app.load_bytes(_export(groups), "fall.csv")
    app.apply_mapping()
    if bench is not None:
        app.load_benchmarks(bench, "local.csv")
    assert app.message == "", app.message
    return app


def test_your_data_tier_table_gives_no_hidden_status_back():
    # local cuts 53 / 74 / 120: scores 130 x3 -> above, 90 x40 -> at, 60 x12 -> below, 30 x8 -> well below.
    # Shown one table at a time, Tier 1 = 43 beside "at benchmark" = 40 gave "above" = 3 back.
    app = _loaded([(130, 3), (90, 40), (60, 12), (30, 8)], LOCAL_3)
    m = app.metrics
    assert m["status_counts"] == {"well below benchmark": 8, "below benchmark": 12, "at benchmark": 40,
                                  "above benchmark": 3}
    assert m["status_shown"] == {"well below benchmark": None, "below benchmark": 12, "at benchmark": 40,
                                 "above benchmark": None}
    assert m["tiers_shown"] == {"Tier 1": None, "Tier 2": 12, "Tier 3": None}
    assert "43" not in app.w_tiers.value and "68.3%" not in app.w_tiers.value  # 43 / 63


def test_your_data_tier_1_share_is_hidden_with_its_count():
    # US norms, grade 3 fall (percentile cuts: under 53 well below, 53-73 below, 74+ at): 4 at, 30 below,
    # 20 well below (54). The caption's "Tier 1 share: 7.4%" gave the hidden 4 back (4 / 54).
    app = _loaded([(90, 4), (60, 30), (30, 20)])
    assert app.metrics["tiers_shown"]["Tier 1"] is None
    assert "7.4%" not in app.w_tiers.value and "hidden with its count" in app.w_tiers.value
    # and no histogram: its bar at 90 would show the 4 students at benchmark
    assert app.metrics["screen_bin_width"] is None and "No chart" in app.p_screen.widget.value


@pytest.mark.slow
def test_your_data_screening_chart_shows_no_bar_under_the_minimum():
    # 25th-percentile line for grade 3 fall: 59 (the library's norm table). Nothing hidden in the tables
    # (well below 20, below 30, at 30); a chart at the default width would draw the lone 150s as a bar of 2.
    app = _loaded([(30, 20), (55, 10), (60, 20), (80, 28), (150, 2)], draw="sync")
    assert not any(v is None for v in app.metrics["status_shown"].values())
    w = app.metrics["screen_bin_width"]
    assert w is not None
    data = [r for d in app.p_screen.spec["datasets"].values() for r in d if "count" in r]
    assert data and min(r["count"] for r in data) >= 10
    assert sum(r["count"] for r in data) == 80


def test_every_page_with_an_explorer_says_its_students_are_made_up(built_book):
    # the explorers teach on synthetic cohorts; a reader must never take them for a real school's data
    pages = sorted(built_book.glob("modules/*/lesson.html")) + [built_book / "book" / "explorers.html"]
    checked = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if "mtss-vega-embed" not in text:
            continue
        words = re.sub(r"<[^>]+>", " ", text).lower()
        assert re.search(r"synthetic|made-up|made up", words), page.relative_to(built_book)
        checked += 1
    assert checked >= 10


def test_your_data_speaks_of_its_controls_not_of_function_options():
    # the library's refusals name dayfirst=, sep=, encoding=, columns=; the page names its own controls
    amb = b"Student ID,Grade,Season,Measure,Score,Date\n1,2,fall,orf,10,03/09/2024\n2,2,fall,orf,11,04/09/2024\n"
    app = YourData(draw="off")
    app.load_bytes(amb, "amb.csv")
    assert not app._safe(app.apply_mapping)
    assert "choose the date order under 'Dates' in step 1" in app.message
    app.w_dates.value = "dayfirst"  # the control the message names: now it loads
    assert app._safe(app.apply_mapping) and app.metrics["n_accepted"] == 2
    app = YourData(draw="off")
    app.w_encoding.value = "utf-8"
    assert not app._safe(lambda: app.load_bytes("Student ID,Nom\n1,Zoë\n".encode("cp1252"), "w.csv"))
    assert "set 'Text encoding' to 'detect'" in app.message
    assert not app._safe(lambda: app.load_bytes(b"a b c\n1 2 3\n", "x.csv"))
    assert "'Columns separated by' in step 1" in app.message
    app = YourData(draw="off")
    app.load_bytes("Leerling ID;Groep\n1;3\n".encode(), "nl.csv")
    assert not app._safe(app.apply_mapping)
    assert app.message.startswith("The file has no column for Student ID, Grade, Season")
    for option in ("dayfirst", "date_format", "sep=", "encoding=", "columns=", "student_id", "path_or_frame"):
        assert option not in app.message
    app = YourData(draw="off")
    app.load_bytes(b"Student ID,Grade,Season,Measure,Score\n1,3,fall,orf,50\n", "x.csv")
    app.w_salt.value = "short"  # the leader's own key, too weak: refused, with a strong one offered
    assert not app._safe(app.apply_mapping)
    assert app.message.startswith("Your own code key: too weak") and "generated just now" in app.message
    assert "mtss_teach" not in app.message and "salt" not in app.message.lower()
    app = YourData(draw="off")  # a row's reason, in the report and in the download
    app.load_bytes(b"Student ID;Grade;Season;Measure;Score\n1;3;fall;orf;1.234,5\n2;3;fall;orf;50\n", "d.csv")
    app.apply_mapping()
    assert "decimal=" not in app.w_report.value and "the decimal mark is a comma" in app.w_report.value
    href = re.search(r'href="data:text/csv;base64,([^"]+)"', app.w_report.value).group(1)
    assert "decimal=" not in base64.b64decode(href).decode("utf-8")


def test_your_data_progress_view_starts_on_a_student_with_a_trend():
    # P0-P9 have one score each, P10 five: the view opens on P10's code, not on an error about another
    # (codes are salted hashes, so a student picked by sort order alone is P10 one time in eleven)
    df = pd.DataFrame({"Student ID": [f"P{i}" for i in range(10)] + ["P10"] * 5,
                       "Week": [0] * 10 + [0, 1, 2, 3, 4], "Score": [20] * 10 + [30, 32, 34, 36, 38]})
    app = YourData(draw="off")
    app.w_kind.value = "progress"
    app.load_bytes(df.to_csv(index=False).encode(), "pm.csv")
    app.apply_mapping()
    assert app.message == "" and app.metrics["progress"]["n_points"] == 5


def test_your_data_never_prints_names_or_ids_as_group_labels():
    # a group's labels are printed even where its counts are hidden: a names column (or an id column,
    # 40 different values) marked "a student group" would print one student per row
    n = 40
    names = [f"{last}, {first}" for last in ("Doe", "Lee", "Ruiz", "Kim", "Ng") for first in
             ("Ana", "Ben", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal")]
    df = pd.DataFrame({"Pupil": names, "Student ID": [f"{i:03d}" for i in range(n)],
                       "Local Code": [f"C{i:03d}" for i in range(n)], "Grade": 3, "Season": "fall",
                       "Measure": "orf", "Score": np.arange(n) * 5, "EL": ["Y", "N"] * 20})
    for col, words in (("Pupil", "holds names"), ("Local Code", "40 different values")):
        app = YourData(draw="off")
        app.load_bytes(df.to_csv(index=False).encode(), "x.csv")
        app.set_mapping({col: GROUP})
        assert not app._safe(app.apply_mapping)
        assert words in app.message and app.message.startswith("Column"), app.message
        assert "Doe" not in app.w_equity.value and "C001" not in app.w_equity.value
    app = YourData(draw="off")
    app.load_bytes(df.to_csv(index=False).encode(), "x.csv")
    app.set_mapping({"EL": GROUP})
    assert app._safe(app.apply_mapping), app.message
