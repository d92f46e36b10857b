"""Tests for mtss_teach.explorers and the static explorers page (book/explorers.md).

Two levels, as the issue asks:

(a) spec level, no browser: the tables the sliders pick from equal direct
    library calls (and scikit-learn for the 2x2 counts); the Vega-Lite spec is
    then *evaluated* by Vega itself (vl-convert renders it to SVG with the
    parameter set to a value) and the text it draws is compared with the
    library's answer for that value;
(b) in headless Chromium with the network off: the built page is opened, the
    sliders and radio buttons are moved like a reader would, and the text in
    the SVG is compared with the library's answer; the console must show no
    error and nothing may be requested off-site.
"""

from __future__ import annotations

import ast
import copy
import math
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix

from mtss_teach import DataError, explorers, fidelity, progress, screening
from mtss_teach.charts import ACTION_LABELS

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "explorers.md"
VL_VERSION = "6.4"  # the book's mtss_vegalite_version (_config.yml)

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def svg_texts(spec: dict, **params) -> list[str]:
    """Render ``spec`` with Vega (vl-convert) at the given parameter values.

    Returns the text of every text mark; a multi-line text's lines are joined
    with single spaces.
    """
    import vl_convert as vlc

    spec = copy.deepcopy(spec)
    for p in spec.get("params", []):
        if p["name"] in params:
            p["value"] = params[p["name"]]
    missing = set(params) - {p["name"] for p in spec.get("params", [])}
    assert not missing, f"no such parameters: {missing}"
    svg = vlc.vegalite_to_svg(spec, vl_version=VL_VERSION)
    root = ET.fromstring(svg)
    out = []
    for el in root.iter("{http://www.w3.org/2000/svg}text"):
        spans = [t.text or "" for t in el.iter("{http://www.w3.org/2000/svg}tspan")]
        out.append(" ".join(spans) if spans else (el.text or ""))
    return out


def fmt_num(x: float) -> str:
    """The page's number style: 70.0 -> '70', 72.5 -> '72.5'."""
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def p2(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2f}"


def expected_screening_lines(ca: screening.ClassificationAccuracy, direction: str = "below") -> list[str]:
    """The four lines the page must show for the library's result ``ca``."""
    c = fmt_num(ca.cut)
    return [
        f"Cut {c}: {ca.tp + ca.fp} of {ca.n} students flagged (score {direction} {c})",
        f"Sensitivity {p2(ca.sensitivity)}: {ca.tp} of {ca.tp + ca.fn} at-risk students flagged",
        f"Specificity {p2(ca.specificity)}: {ca.tn} of {ca.tn + ca.fp} not-at-risk students not flagged",
        f"PPV {p2(ca.ppv)}: {ca.tp} of {ca.tp + ca.fp} flagged students are at risk",
    ]


def expected_tfi_line(sheet: dict, tier: int) -> str:
    """The page's summary for ``sheet``, from the library's tfi_scores."""
    row = fidelity.tfi_scores(sheet).loc[tier]
    verdict = "meets" if row["meets"] else "below"
    return (f"Tier {tier} scale score: {int(row['points'])} of {int(row['possible'])} points = "
            f"{row['percent']:.1f}%, {verdict} the 70% criterion")


def tier_items(tier: int) -> list[str]:
    items = fidelity.tfi_items()
    return items.loc[items["tier"] == tier, "item"].tolist()


RNG = np.random.default_rng(7)
N = 400
SCORES = np.round(RNG.normal(85, 30, N).clip(0, 200))
AT_RISK = (SCORES + RNG.normal(0, 18, N)) < 70

SERIES_WEEKS = np.arange(3, 21)
SERIES_SCORES = np.round(20 + 0.9 * (SERIES_WEEKS - 1) + RNG.normal(0, 8, SERIES_WEEKS.size))
BASE_WEEKS, BASE_SCORES = [0, 1, 2], [18, 22, 20]

# ---------------------------------------------------------------------------
# (a) screening cut explorer, spec level
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cut_table():
    return explorers.screening_cut_table(SCORES, AT_RISK)


def test_cut_table_rows_equal_classification_accuracy(cut_table):
    for row in cut_table.itertuples():
        ca = screening.classification_accuracy(SCORES, AT_RISK, row.cut)
        assert (row.tp, row.fp, row.tn, row.fn, row.n) == (ca.tp, ca.fp, ca.tn, ca.fn, ca.n)
        for f in ("sensitivity", "specificity", "ppv", "npv"):
            a, b = getattr(row, f), getattr(ca, f)
            assert (math.isnan(a) and math.isnan(b)) or a == b, (row.cut, f)
        assert [row.flagged_text, row.sensitivity_text, row.specificity_text, row.ppv_text] == \
            expected_screening_lines(ca)


@pytest.mark.parametrize("cut", [30, 55, 70, 88, 120])
def test_cut_table_counts_equal_sklearn(cut_table, cut):
    row = cut_table.set_index("cut").loc[float(cut)]
    tn, fp, fn, tp = confusion_matrix(AT_RISK, SCORES < cut, labels=[False, True]).ravel()
    assert (row["tp"], row["fp"], row["tn"], row["fn"]) == (tp, fp, tn, fn)


def test_cut_table_spans_nobody_to_everybody_flagged(cut_table):
    assert cut_table["flagged"].iloc[0] == 0
    assert cut_table["flagged"].iloc[-1] == N
    assert np.allclose(np.diff(cut_table["cut"]), 1.0)


def test_cut_table_above_direction_and_custom_range():
    t = explorers.screening_cut_table([1, 2, 3, 4], [0, 0, 1, 1], risk_when="above", cut_range=(1, 3), step=0.5)
    assert t["cut"].tolist() == [1.0, 1.5, 2.0, 2.5, 3.0]
    # flag score > cut: cut 2 flags 3, 4 (both at risk) -> sensitivity 1, specificity 1
    assert t.loc[t["cut"] == 2.0, ["tp", "fp"]].values.tolist() == [[2, 0]]
    assert t.loc[2, "flagged_text"] == "Cut 2: 2 of 4 students flagged (score above 2)"


@pytest.fixture(scope="module")
def cut_spec():
    return explorers.screening_cut_explorer(SCORES, AT_RISK, cut=70).to_dict()


def test_cut_explorer_slider_matches_the_table(cut_spec, cut_table):
    (param,) = cut_spec["params"]
    assert param["name"] == "cut" and param["value"] == 70.0
    assert param["bind"]["input"] == "range"
    assert (param["bind"]["min"], param["bind"]["max"], param["bind"]["step"]) == (
        cut_table["cut"].iloc[0], cut_table["cut"].iloc[-1], 1.0)
    # Every slider position picks exactly one row of the table (the filter is |cut - value| < step / 2).
    cuts = cut_table["cut"].to_numpy()
    for v in np.arange(param["bind"]["min"], param["bind"]["max"] + 0.5, param["bind"]["step"]):
        assert int((np.abs(cuts - v) < 0.5).sum()) == 1


def test_cut_explorer_embeds_the_table_text(cut_spec, cut_table):
    rows = [rows for rows in cut_spec["datasets"].values() if rows and "sensitivity_text" in rows[0]]
    assert len(rows) == 1
    assert [r["sensitivity_text"] for r in rows[0]] == cut_table["sensitivity_text"].tolist()
    assert [r["cut"] for r in rows[0]] == cut_table["cut"].tolist()


@pytest.mark.parametrize("cut", [0.0, 52.0, 70.0, 97.0, None])
def test_cut_explorer_drawn_by_vega_shows_the_library_numbers(cut_spec, cut):
    value = cut if cut is not None else cut_spec["params"][0]["bind"]["max"]
    texts = svg_texts(cut_spec, cut=value)
    ca = screening.classification_accuracy(SCORES, AT_RISK, value)
    for line in expected_screening_lines(ca):
        assert line in texts, line
    assert f"Cut {fmt_num(value)}" in texts  # the ROC diamond's label follows the slider too


def test_cut_explorer_bad_input():
    with pytest.raises(DataError, match="at_risk: value at position 2"):
        explorers.screening_cut_explorer([1, 2, 3], [0, 1, 5])
    with pytest.raises(DataError, match="length mismatch"):
        explorers.screening_cut_table([1, 2, 3], [0, 1])
    with pytest.raises(DataError, match="cut: 500 is outside the slider range"):
        explorers.screening_cut_explorer([1, 2, 3], [0, 1, 1], cut=500)
    with pytest.raises(DataError, match=r"cut_range: 2002 slider positions from 0 to 200.1"):
        explorers.screening_cut_table([0, 200], [0, 1], step=0.1)  # 0 to 200 + one step: 2002
    with pytest.raises(DataError, match="cut_range: hi 1 must be above lo 5"):
        explorers.screening_cut_table([0, 200], [0, 1], cut_range=(5, 1))
    with pytest.raises(DataError, match="step"):
        explorers.screening_cut_table([0, 200], [0, 1], step=0)


@settings(max_examples=40, deadline=None)
@given(scores=st.lists(st.integers(0, 150), min_size=1, max_size=40), data=st.data())
def test_cut_table_names_the_first_missing_score(scores, data):
    i = data.draw(st.integers(0, len(scores) - 1))
    s = [float(x) for x in scores]
    s[i] = float("nan")
    with pytest.raises(DataError, match=rf"scores: score at position {i} is missing"):
        explorers.screening_cut_table(s, [0] * len(s))


# ---------------------------------------------------------------------------
# (a) aimline explorer, spec level
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def aim_table():
    return explorers.aimline_decision_table(SERIES_WEEKS, SERIES_SCORES, BASE_WEEKS, BASE_SCORES)


def test_aim_table_default_grid(aim_table):
    # median of 18, 22, 20 is 20 at week 1; goal week = last week 20 (19 weeks later)
    goals = np.unique(aim_table["goal"])
    assert goals[0] == 20 and goals[-1] == 20 + 3 * 19
    assert len(aim_table) == goals.size * SERIES_WEEKS.size


def test_aim_table_rows_equal_direct_library_calls(aim_table):
    for i in np.random.default_rng(3).choice(len(aim_table), 60, replace=False):
        row = aim_table.iloc[i]
        k = int(row["weeks_of_data"])
        line = progress.aimline(BASE_WEEKS, BASE_SCORES, goal=row["goal"], goal_week=20)
        d = progress.decide(SERIES_WEEKS[:k], SERIES_SCORES[:k], line)
        assert (row["start_week"], row["start_score"], row["slope"]) == (line.start_week, line.start_score,
                                                                         line.slope)
        assert (row["action"], row["reason"], row["points_used"]) == (d.action, d.reason, d.points_used)


def test_aim_table_before_six_points_collects_more_data(aim_table):
    assert set(aim_table.loc[aim_table["weeks_of_data"] < 6, "action"]) == {"collect_more_data"}


@pytest.fixture(scope="module")
def aim_spec():
    return explorers.aimline_explorer(SERIES_WEEKS, SERIES_SCORES, BASE_WEEKS, BASE_SCORES, goal=40).to_dict()


def test_aim_explorer_params(aim_spec):
    p = {q["name"]: q for q in aim_spec["params"]}
    assert p["goal"]["value"] == 40.0 and p["goal"]["bind"]["min"] == 20 and p["goal"]["bind"]["max"] == 77
    assert p["weeks"]["bind"]["min"] == 1 and p["weeks"]["bind"]["max"] == SERIES_WEEKS.size


@pytest.mark.parametrize("goal,k", [(40, 18), (40, 5), (25, 9), (60, 12), (77, 18), (20, 7)])
def test_aim_explorer_drawn_by_vega_shows_the_library_decision(aim_spec, goal, k):
    texts = svg_texts(aim_spec, goal=goal, weeks=k)
    line = progress.aimline(BASE_WEEKS, BASE_SCORES, goal=goal, goal_week=20)
    d = progress.decide(SERIES_WEEKS[:k], SERIES_SCORES[:k], line)
    head = f"Four-point rule, after {k} score(s) (through week {SERIES_WEEKS[k - 1]}): {ACTION_LABELS[d.action]}."
    assert head in texts
    assert d.reason in texts
    slope = fmt_num(round(line.slope, 2))
    assert f"Goal {goal} by week 20 ({slope} a week)" in texts


def test_aim_explorer_bad_input():
    with pytest.raises(DataError, match="goal: 41.5 is not one of the slider's goals"):
        explorers.aimline_explorer(SERIES_WEEKS, SERIES_SCORES, BASE_WEEKS, BASE_SCORES, goal=41.5)
    with pytest.raises(DataError, match="rule"):
        explorers.aimline_decision_table(SERIES_WEEKS, SERIES_SCORES, BASE_WEEKS, BASE_SCORES, rule="three_point")
    with pytest.raises(DataError, match="length mismatch"):
        explorers.aimline_decision_table([1, 2], [1], BASE_WEEKS, BASE_SCORES)
    with pytest.raises(DataError, match="goal_week"):
        explorers.aimline_decision_table(SERIES_WEEKS, SERIES_SCORES, BASE_WEEKS, BASE_SCORES, goal_week=0)
    with pytest.raises(DataError, match="keep the page small"):
        explorers.aimline_decision_table(np.arange(3, 203), np.ones(200), BASE_WEEKS, BASE_SCORES,
                                         goals=np.arange(200))


# ---------------------------------------------------------------------------
# (a) fidelity explorer, spec level
# ---------------------------------------------------------------------------


def _sheet(tier: int, points: int) -> dict:
    """A sheet of one tier with exactly ``points`` points (1s first, then 2s)."""
    items = tier_items(tier)
    sheet = {it: 0 for it in items}
    for it in items:
        if points <= 0:
            break
        sheet[it] = 1
        points -= 1
    for it in items:
        if points <= 0:
            break
        sheet[it] = 2
        points -= 1
    return sheet


# Tier 1: 30 points possible, 70% = 21; Tier 2: 26 -> 18.2, so 19 meets and 18 does not;
# Tier 3: 34 -> 23.8, so 24 meets and 23 does not.
BOUNDARY_SHEETS = [(1, 21), (1, 20), (2, 19), (2, 18), (3, 24), (3, 23), (1, 0), (3, 34)]


@pytest.mark.parametrize("tier,points", BOUNDARY_SHEETS)
def test_fidelity_explorer_drawn_by_vega_equals_tfi_scores_at_the_boundary(tier, points):
    sheet = _sheet(tier, points)
    spec = explorers.fidelity_explorer(tier).to_dict()  # starts at all 0
    texts = svg_texts(spec, **{explorers.tfi_param_name(k): v for k, v in sheet.items()})
    assert expected_tfi_line(sheet, tier) in texts


@pytest.mark.parametrize("seed", range(4))
def test_fidelity_explorer_random_sheets_equal_tfi_scores(seed):
    rng = np.random.default_rng(seed)
    tier = int(rng.integers(1, 4))
    sheet = {it: int(rng.integers(0, 3)) for it in tier_items(tier)}
    spec = explorers.fidelity_explorer(tier, sheet).to_dict()  # the sheet as starting values
    assert expected_tfi_line(sheet, tier) in svg_texts(spec)


def test_fidelity_explorer_one_control_per_item():
    spec = explorers.fidelity_explorer(2).to_dict()
    params = spec["params"]
    assert [p["name"] for p in params] == [explorers.tfi_param_name(i) for i in tier_items(2)]
    assert all(p["bind"]["input"] == "radio" and p["bind"]["options"] == [0, 1, 2] for p in params)
    assert any("*" in p["bind"]["name"] for p in params)  # 2.12's name is unverified (CHECK)
    assert "unverified" in " ".join(spec["title"]["subtitle"])


def test_fidelity_explorer_bad_input():
    with pytest.raises(DataError, match="tier"):
        explorers.fidelity_explorer(4)
    with pytest.raises(DataError, match="'9.9'"):
        explorers.fidelity_explorer(1, {"9.9": 1})
    with pytest.raises(DataError, match="scored 0, 1 or 2"):
        explorers.fidelity_explorer(1, {"1.1": 3})
    with pytest.raises(DataError, match="item"):
        explorers.tfi_param_name("one")


# ---------------------------------------------------------------------------
# (b) the built page in a real browser
# ---------------------------------------------------------------------------


def _code_cells(md: Path) -> list[str]:
    text = md.read_text(encoding="utf-8")
    cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, flags=re.S)
    return ["\n".join(ln for ln in c.splitlines() if not ln.startswith(":")) for c in cells]


def _run_page_cells() -> list[dict]:
    """Run each code cell of the page; return its namespace (``_chart`` = last expression)."""
    spaces, ns = [], {}
    for i, src in enumerate(_code_cells(PAGE)):
        tree = ast.parse(src)
        last = tree.body.pop()
        exec(compile(tree, f"explorers.md[{i}]", "exec"), ns)
        chart = eval(compile(ast.Expression(last.value), f"explorers.md[{i}]", "eval"), ns)
        spaces.append(dict(ns, _chart=chart))
    return spaces


@pytest.fixture(scope="module")
def page_cells():
    return _run_page_cells()


def test_page_has_the_three_explorers(page_cells):
    names = [sorted(p["name"] for p in c["_chart"].to_dict()["params"]) for c in page_cells]
    assert names[0] == ["cut"]
    assert names[1] == ["goal", "weeks"]
    assert names[2] == sorted(explorers.tfi_param_name(i) for i in tier_items(1))


def test_page_cells_hide_their_code():
    text = PAGE.read_text(encoding="utf-8")
    assert text.count("```{code-cell}") == 3
    assert text.count(":tags: [remove-input]") == 3


def _inputs_stamp() -> str:
    """Hash of everything the page's output depends on (page, library, shipped data)."""
    import hashlib

    h = hashlib.sha1()
    files = [PAGE, ROOT / "_config.yml", ROOT / "datasets" / "manifest.json"]
    files += sorted((ROOT / "mtss_teach").rglob("*.py")) + sorted((ROOT / "mtss_teach" / "data").glob("*"))
    for f in files:
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def explorers_html() -> Path:
    """The built page: from the book build if it is there and newer, else a throwaway build.

    The throwaway book lives in ``_build/.explorers_page`` (git-ignored) and is
    rebuilt from scratch whenever the page, the library or the shipped data
    change, so it is never stale and a second run is quick.
    """
    built = ROOT / "_build" / "html" / "book" / "explorers.html"
    if built.exists() and built.stat().st_mtime >= PAGE.stat().st_mtime:
        return built
    tmp = ROOT / "_build" / ".explorers_page"
    page = tmp / "_build" / "html" / "book" / "explorers.html"
    stamp = _inputs_stamp()
    if page.exists() and (tmp / "STAMP").exists() and (tmp / "STAMP").read_text() == stamp:
        return page
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", tmp / "_config.yml")
    shutil.copytree(ROOT / "_static", tmp / "_static")
    for name in ("explorers.md", "glossary.md", "references.md", "references.bib"):
        shutil.copy(ROOT / "book" / name, tmp / "book" / name)
    (tmp / "_toc.yml").write_text(
        "format: jb-book\nroot: book/explorers\nchapters:\n  - file: book/glossary\n  - file: book/references\n"
    )
    exe = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(exe), "build", str(tmp), "--keep-going"], capture_output=True, text=True,
                          timeout=900)
    if proc.returncode != 0 or not page.exists():
        pytest.fail("throwaway build of book/explorers.md failed:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
    (tmp / "STAMP").write_text(stamp)
    return page


def _open(offline_page, html: Path):
    page = offline_page.page
    page.goto(html.as_uri())
    page.wait_for_function(
        "document.querySelectorAll('.mtss-vega-embed svg').length === 3", timeout=30_000)
    return page


def _texts(container) -> list[str]:
    return container.evaluate(
        """el => Array.from(el.querySelectorAll('svg text')).map(t => {
               const spans = t.querySelectorAll('tspan');
               return spans.length ? Array.from(spans).map(s => s.textContent).join(' ') : t.textContent;
           })""")


def _set_range(container, name: str, value) -> None:
    container.locator(f"input[name='{name}']").evaluate(
        """(el, v) => { el.value = v;
                        el.dispatchEvent(new Event('input', {bubbles: true}));
                        el.dispatchEvent(new Event('change', {bubbles: true})); }""",
        str(value),
    )


def _wait_for_text(container, needle: str, timeout_ms: int = 5000) -> list[str]:
    container.page.wait_for_function(
        """([el, needle]) => Array.from(el.querySelectorAll('svg text'))
               .some(t => t.textContent.includes(needle))""",
        arg=[container.element_handle(), needle], timeout=timeout_ms)
    return _texts(container)


def _explorer(page, param: str):
    return page.locator(".mtss-vega-embed").filter(has=page.locator(f"input[name='{param}']")).first


@pytest.mark.browser
@pytest.mark.slow
def test_page_renders_offline_without_errors(offline_page, explorers_html):
    page = _open(offline_page, explorers_html)
    embeds = page.locator(".mtss-vega-embed")
    assert embeds.count() == 3
    for i in range(3):
        label = embeds.nth(i).get_attribute("aria-label") or ""
        assert label.startswith("Interactive"), label
        # No chart is wider than the text column it sits in.
        w, col = embeds.nth(i).evaluate(
            "el => [el.querySelector('svg').getBoundingClientRect().width,"
            " el.parentElement.getBoundingClientRect().width]")
        assert w <= col + 1, (i, w, col)
    page.wait_for_timeout(300)
    assert offline_page.console_errors == []
    assert offline_page.blocked == []


@pytest.mark.browser
@pytest.mark.slow
def test_cut_slider_shows_the_library_numbers(offline_page, explorers_html, page_cells):
    ns = page_cells[0]
    scores, at_risk = ns["fall"]["score"].to_numpy(), ns["not_proficient"]
    page = _open(offline_page, explorers_html)
    box = _explorer(page, "cut")
    first = _texts(box)
    for line in expected_screening_lines(screening.classification_accuracy(scores, at_risk, 70)):
        assert line in first  # the starting position
    slider = box.locator("input[name='cut']")
    lo, hi = float(slider.get_attribute("min")), float(slider.get_attribute("max"))
    for cut in (lo, 41.0, 63.0, 85.0, 112.0, hi):
        _set_range(box, "cut", fmt_num(cut))
        ca = screening.classification_accuracy(scores, at_risk, cut)
        lines = expected_screening_lines(ca)
        texts = _wait_for_text(box, lines[0])
        for line in lines:
            assert line in texts, (cut, line)
    assert offline_page.console_errors == []
    assert offline_page.blocked == []


@pytest.mark.browser
@pytest.mark.slow
def test_goal_and_weeks_sliders_show_the_library_decision(offline_page, explorers_html, page_cells):
    ns = page_cells[1]
    base, mon = ns["baseline"], ns["monitoring"]
    w, s = mon["week"].to_numpy(dtype=float), mon["score"].to_numpy(dtype=float)
    goal_week = float(w.max())
    page = _open(offline_page, explorers_html)
    box = _explorer(page, "goal")
    goal_in = box.locator("input[name='goal']")
    g_lo, g_hi = float(goal_in.get_attribute("min")), float(goal_in.get_attribute("max"))
    seen = set()
    for goal, k in ((45, len(w)), (g_lo, 8), (g_hi, 8), (30, 5), (38, 11), (52, 14)):
        _set_range(box, "goal", fmt_num(goal))
        _set_range(box, "weeks", k)
        line = progress.aimline(base["week"], base["score"], goal=goal, goal_week=goal_week)
        d = progress.decide(w[:k], s[:k], line)
        head = (f"Four-point rule, after {k} score(s) (through week {fmt_num(w[k - 1])}): "
                f"{ACTION_LABELS[d.action]}.")
        texts = _wait_for_text(box, head)
        assert d.reason in texts, (goal, k)
        seen.add(d.action)
    assert len(seen) >= 2  # the sliders really change the answer
    assert offline_page.console_errors == []
    assert offline_page.blocked == []


@pytest.mark.browser
@pytest.mark.slow
def test_tfi_buttons_show_the_library_scale_score(offline_page, explorers_html, page_cells):
    ns = page_cells[2]
    sheet = {k: int(v) for k, v in ns["sheet"][["item", "score"]].astype({"item": str}).values}
    tier1 = {k: v for k, v in sheet.items() if k.startswith("1.")}
    page = _open(offline_page, explorers_html)
    box = _explorer(page, explorers.tfi_param_name("1.1"))
    assert expected_tfi_line(tier1, 1) in _texts(box)  # the school's own sheet to start
    items = tier_items(1)
    plan = [
        {it: 2 for it in items},  # 30 of 30 = 100%
        _sheet(1, 21),  # 21 of 30 = 70.0%: meets
        _sheet(1, 20),  # 20 of 30 = 66.7%: below
        {it: int(v) for it, v in zip(items, np.random.default_rng(11).integers(0, 3, len(items)))},
    ]
    for target in plan:
        for it in items:
            box.locator(f"input[name='{explorers.tfi_param_name(it)}'][value='{target[it]}']").check()
        want = expected_tfi_line(target, 1)
        assert want in _wait_for_text(box, want)
    assert offline_page.console_errors == []
    assert offline_page.blocked == []
