"""Tests for mtss_teach.charts.

Expected numbers come from hand counts (arithmetic in comments), from numpy
or scikit-learn applied to the same inputs, or from the library function
the chart is documented to draw (the chart must show *its* answer, never a
re-computed one). Every chart is also checked for the house conventions:
title, description, axis titles with units, palette, and no embedded table
over Altair's 5,000-row limit on a 100,000-student cohort.
"""

from __future__ import annotations

import re

import altair as alt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix

from mtss_teach import DataError, charts, equity, fidelity, progress, screening
from mtss_teach.charts import OKABE_ITO, PALETTE

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def units(spec: dict):
    """Yield every unit/layer/concat spec in a Vega-Lite dict (depth first)."""
    yield spec
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for sub in spec.get(key, []):
            yield from units(sub)
    if "spec" in spec:
        yield from units(spec["spec"])


def datasets(spec: dict) -> dict[str, list[dict]]:
    return spec.get("datasets", {})


def rows_with(spec: dict, column: str) -> list[dict]:
    """Rows of the (single) embedded dataset having ``column``."""
    found = [rows for rows in datasets(spec).values() if rows and column in rows[0]]
    assert len(found) == 1, f"expected one dataset with {column!r}, found {len(found)}"
    return found[0]


def encodings(spec: dict):
    for u in units(spec):
        if "encoding" in u:
            yield u, u["encoding"]


def colours_in(obj) -> set[str]:
    """Every '#rrggbb' literal anywhere in the spec except inside data rows."""
    found: set[str] = set()

    def walk(o, key=None):
        if key == "datasets":
            return
        if isinstance(o, dict):
            for k, v in o.items():
                walk(v, k)
        elif isinstance(o, list):
            for v in o:
                walk(v, key)
        elif isinstance(o, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", o):
            found.add(o.upper())

    walk(obj)
    return found


def subtitle(spec: dict) -> list[str]:
    t = spec["title"]
    sub = t.get("subtitle", [])
    return [sub] if isinstance(sub, str) else list(sub)


# ---------------------------------------------------------------------------
# shared inputs
# ---------------------------------------------------------------------------

RNG = np.random.default_rng(20240601)
BIG_N = 100_000
BIG_SCORES = np.round(RNG.normal(90, 30, BIG_N).clip(0, 250))
BIG_RISK = (BIG_SCORES + RNG.normal(0, 20, BIG_N)) < 70

SMALL_SCORES = [40, 55, 60, 80, 90]
SMALL_RISK = [1, 1, 0, 1, 0]

LINE = progress.aimline([1, 2, 3], [30, 32, 31], goal=55, goal_week=14)  # median 31 at week 2 -> 2/week
WEEKS = list(range(4, 12))
LOW = [32, 33, 34, 33, 35, 34, 36, 35]

TFI_SHEET = {f"1.{i}": 2 for i in range(1, 16)}
TFI_SHEET.update({"1.13": 0, "1.14": 0, "1.15": 1, "1.12": 1, "1.11": 1, "1.10": 1})  # 9*2 + 4*1 = 22 of 30

EQUITY_TABLE = pd.DataFrame(
    {"group": ["Hispanic/Latino", "Asian", "Black or African American", "White"],
     "count": [40, 3, 60, 80], "total": [400, 90, 300, 1200]}
)


def big_events(n: int = BIG_N) -> tuple[pd.DataFrame, np.ndarray]:
    ids = np.arange(20_000)
    ev = pd.DataFrame({
        "student_id": RNG.choice(ids, n),
        "date": pd.Timestamp("2025-09-01") + pd.to_timedelta(RNG.integers(0, 270, n), unit="D"),
        "location": RNG.choice(["classroom", "hallway", "bus", "cafeteria"], n),
        "type": RNG.choice(["major", "minor"], n),
    })
    return ev, ids


def build_all(big: bool = False) -> dict[str, alt.TopLevelMixin]:
    s, y = (BIG_SCORES, BIG_RISK) if big else (np.array(SMALL_SCORES, float), np.array(SMALL_RISK, bool))
    ev, ids = big_events(BIG_N if big else 500)
    curve = screening.roc_curve(s, y)
    ca = screening.classification_accuracy(s, y, 70)
    tiers = RNG.choice([1, 2, 3], BIG_N if big else 50, p=[0.75, 0.18, 0.07])
    return {
        "progress": charts.progress_chart(WEEKS, LOW, LINE, baseline_weeks=[1, 2, 3], baseline_scores=[30, 32, 31],
                                          phase_changes={8: "New group"}),
        "screening": charts.screening_chart(s, 70, at_risk=y),
        "screening_all": charts.screening_chart(s, 70),
        "roc": charts.roc_chart(curve, chosen=ca, auc=screening.auc(s, y)),
        "confusion": charts.confusion_matrix_chart(ca),
        "tiers": charts.tier_share_chart(screening.tier_shares(tiers)),
        "tfi": charts.tfi_chart(fidelity.tfi_scores(TFI_SHEET)),
        "tfi_subscale": charts.tfi_chart(fidelity.tfi_scores(TFI_SHEET, by="subscale")),
        "risk_ratio": charts.risk_ratio_chart(equity.disproportionality(EQUITY_TABLE), threshold=2.0),
        "odr_month": charts.odr_chart(ev, "month"),
        "odr_location": charts.odr_chart(ev, "location"),
        "odr_band": charts.odr_chart(ev, "band", students=ids),
    }


@pytest.fixture(scope="module")
def small_charts():
    return {k: c.to_dict() for k, c in build_all(big=False).items()}


@pytest.fixture(scope="module")
def big_charts():
    return build_all(big=True)


CHART_NAMES = list(build_all(big=False))

# ---------------------------------------------------------------------------
# conventions every chart follows
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", CHART_NAMES)
def test_every_chart_has_title_and_description(small_charts, name):
    spec = small_charts[name]
    title = spec["title"]
    assert (title["text"] if isinstance(title, dict) else title).strip()
    assert len(spec["description"]) > 40  # a sentence, not a placeholder


@pytest.mark.parametrize("name", CHART_NAMES)
def test_every_positional_axis_has_a_title_and_quantities_have_units(small_charts, name):
    spec = small_charts[name]
    checked = 0
    for _, enc in encodings(spec):
        for ch in ("x", "y"):
            e = enc.get(ch)
            if not e or "field" not in e or e.get("axis", {}) is None:
                continue
            if e.get("type") == "quantitative" and "bin" not in e and ch == "x" and "title" not in e:
                # A layer reusing the axis of another layer (same field): titled elsewhere.
                continue
            title = e.get("title")
            if title is None:
                continue  # secondary layers without their own axis title share the first layer's
            checked += 1
            assert title.strip(), (name, ch)
            if e.get("type") == "quantitative":
                assert re.search(r"\(.+\)", title), f"{name}: {ch} title {title!r} has no unit"
    assert checked >= 2, f"{name}: no titled axes found"


@pytest.mark.parametrize("name", CHART_NAMES)
def test_every_colour_comes_from_the_palette(small_charts, name):
    allowed = {c.upper() for c in OKABE_ITO.values()} | {c.upper() for c in PALETTE.values()}
    stray = colours_in(small_charts[name]) - allowed
    assert not stray, f"{name}: colours outside the palette: {stray}"


def test_palette_is_okabe_ito_plus_neutrals_and_tints():
    okabe = {c.upper() for c in OKABE_ITO.values()}
    # Okabe & Ito (2008) values, typed from the paper's table:
    assert okabe == {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    for role, c in PALETTE.items():
        r, g, b = (int(c[i:i + 2], 16) for i in (1, 3, 5))
        grey = r == g == b
        tint_of = [o for o in OKABE_ITO.values()
                   if all(abs((255 - x) / max(255 - int(o[i:i + 2], 16), 1) - 0.15) < 0.02
                          for x, i in zip((r, g, b), (1, 3, 5)) if int(o[i:i + 2], 16) < 250)]
        assert c.upper() in okabe or grey or tint_of, (role, c)


def test_palette_roles_that_must_differ_do():
    assert PALETTE["flagged"] != PALETTE["not_flagged"]
    assert PALETTE["meets"] != PALETTE["below"]
    assert PALETTE["correct"] != PALETTE["error"]
    assert len({PALETTE["tier1"], PALETTE["tier2"], PALETTE["tier3"]}) == 3


@pytest.mark.parametrize("name", CHART_NAMES)
def test_no_configure_calls_so_charts_can_be_combined(small_charts, name):
    assert "config" not in small_charts[name] or set(small_charts[name]["config"]) <= {"view"}


@pytest.mark.parametrize("name", CHART_NAMES)
def test_100k_students_stay_far_under_the_row_limit(big_charts, name):
    spec = big_charts[name].to_dict()  # would raise MaxRowsError over 5,000 rows
    for rows in datasets(spec).values():
        assert len(rows) <= 1000, (name, len(rows))


# ---------------------------------------------------------------------------
# progress_chart
# ---------------------------------------------------------------------------


def test_progress_chart_shows_the_library_decision_and_reason(small_charts):
    spec = small_charts["progress"]
    d = progress.decide(WEEKS, LOW, LINE)
    assert d.action == "change_intervention"  # all of weeks 8-11 (35,34,36,35) under 43,45,47,49
    sub = subtitle(spec)
    assert sub[0] == "Decision (four-point rule): Change the intervention."
    assert " ".join(sub[1:]) == d.reason
    assert d.reason in spec["description"]


def test_progress_chart_calls_the_library_rather_than_its_own_rule(monkeypatch):
    fake = progress.Decision("raise_goal", "A sentence only the library could write.", 4, "four_point",
                             float("nan"), 2.0)
    monkeypatch.setattr(progress, "decide", lambda *a, **k: fake)
    spec = charts.progress_chart(WEEKS, LOW, LINE).to_dict()
    assert subtitle(spec)[0] == "Decision (four-point rule): Raise the goal."
    assert "A sentence only the library could write." in " ".join(subtitle(spec))


def test_progress_chart_lines_come_from_aimline_and_trend(small_charts):
    spec = small_charts["progress"]
    rows = rows_with(spec, "line")
    aim = [(r["week"], r["score"]) for r in rows if r["line"].startswith("Goal line")]
    assert aim == [(2.0, 31.0), (14.0, 55.0)]  # median week 2, median score 31 -> goal 55 at week 14
    t = progress.trend(WEEKS, LOW)
    tr = [(r["week"], r["score"]) for r in rows if r["line"].startswith("Trend")]
    assert tr == [(4.0, pytest.approx(t.at(4))), (11.0, pytest.approx(t.at(11)))]


def test_progress_chart_marks_the_four_points_the_rule_used_by_shape_and_colour(small_charts):
    spec = small_charts["progress"]
    pts = rows_with(spec, "role")
    used = [r["week"] for r in pts if r["role"] == "Used by the four-point rule"]
    assert used == [8.0, 9.0, 10.0, 11.0]
    assert [r["week"] for r in pts if r["role"] == "Baseline score"] == [1.0, 2.0, 3.0]
    role_enc = [enc for _, enc in encodings(spec) if enc.get("color", {}).get("field") == "role"]
    assert role_enc and role_enc[0]["shape"]["field"] == "role"  # meaning by shape too
    line_enc = [enc for _, enc in encodings(spec) if enc.get("color", {}).get("field") == "line"]
    assert line_enc and line_enc[0]["strokeDash"]["field"] == "line"  # and by dash


def test_progress_chart_phase_change_lines_are_labelled(small_charts):
    rows = [r for rows in datasets(small_charts["progress"]).values() for r in rows]
    assert {"week": 8.0, "label": "New group"} in rows
    assert {"week": 14.0, "score": 55.0, "label": "Goal 55 by week 14"} in rows


def test_progress_chart_too_few_points_for_a_trend_says_so():
    spec = charts.progress_chart([4], [30], LINE, trend="ols").to_dict()
    text = " ".join(subtitle(spec))
    assert "No trend line yet" in text
    assert "collect more data" in text.lower()


def test_progress_chart_accepts_a_decision_object_and_none():
    d = progress.decide(WEEKS, LOW, LINE, rule="trend", min_points=4)
    spec = charts.progress_chart(WEEKS, LOW, LINE, decision=d, trend=None).to_dict()
    assert subtitle(spec)[0].startswith("Decision (trend rule)")
    spec = charts.progress_chart(WEEKS, LOW, LINE, decision=None, trend=None).to_dict()
    assert "subtitle" not in spec["title"]


@pytest.mark.parametrize(
    "kwargs,needle",
    [
        (dict(weeks=[1, 2, 3], scores=[1, 2]), "length mismatch"),
        (dict(weeks=[1, 2, 3], scores=[1, float("nan"), 2]), "scores: score at position 1 is missing"),
        (dict(weeks=[1, 2], scores=[1, 2], aimline="line"), "aimline"),
        (dict(weeks=[1, 2], scores=[1, 2], baseline_weeks=[0]), "give both or neither"),
        (dict(weeks=[1, 2], scores=[1, 2], decision=3), "decision"),
        (dict(weeks=[1, 2], scores=[1, 2], trend="cubic"), "trend"),
        (dict(weeks=[1, 2], scores=[1, 2], phase_changes=["week 3"]), "phase_changes"),
    ],
)
def test_progress_chart_bad_input_raises_data_error(kwargs, needle):
    kw = dict(aimline=LINE)
    kw.update(kwargs)
    with pytest.raises(DataError, match=re.escape(needle)):
        charts.progress_chart(kw.pop("weeks"), kw.pop("scores"), kw.pop("aimline"), **kw)


# ---------------------------------------------------------------------------
# screening distribution, ROC, confusion matrix
# ---------------------------------------------------------------------------


def test_screening_histogram_counts_match_numpy_on_100k():
    cut = 70
    h = charts.screening_histogram(BIG_SCORES, cut, at_risk=BIG_RISK)
    assert h["count"].sum() == BIG_N
    flagged = h[h["flagged"]]
    assert flagged["count"].sum() == int((BIG_SCORES < cut).sum())
    at_risk_flagged = flagged[flagged["outcome"] == "At risk on the outcome"]["count"].sum()
    assert at_risk_flagged == int(((BIG_SCORES < cut) & BIG_RISK).sum())  # true positives


@settings(max_examples=60, deadline=None)
@given(
    scores=st.lists(st.integers(0, 200), min_size=1, max_size=80),
    cut=st.integers(-5, 210),
    width=st.sampled_from([1, 2.5, 5, 10]),
    direction=st.sampled_from(["below", "above"]),
)
def test_screening_histogram_bins_never_straddle_the_cut(scores, cut, width, direction):
    s = np.array(scores, float)
    h = charts.screening_histogram(s, cut, risk_when=direction, bin_width=width)
    for r in h.itertuples():
        if direction == "below":  # bins [start, end)
            inside = (s >= r.bin_start) & (s < r.bin_end)
            assert r.flagged == (r.bin_end <= cut) and (r.flagged or r.bin_start >= cut)
        else:  # bins (start, end]
            inside = (s > r.bin_start) & (s <= r.bin_end)
            assert r.flagged == (r.bin_start >= cut) and (r.flagged or r.bin_end <= cut)
        assert r.count == int(inside.sum())
    flag = (s < cut) if direction == "below" else (s > cut)
    assert h.loc[h["flagged"], "count"].sum() == int(flag.sum())



def test_screening_histogram_subnormal_span_by_hand():
    # scores 0 and 5e-324 (the smallest positive float), cut 0: the span is 5e-324, so
    # no round width fits 30 bins; the width is the smallest float, w = 5e-324.
    w = 5e-324
    h = charts.screening_histogram([w, 0], 0)
    # below: [0, w) holds 0 and [w, 2w) holds w; neither is below the cut
    assert h["bin_start"].tolist() == [0.0, w]
    assert h["bin_end"].tolist() == [w, 2 * w]
    assert h["count"].tolist() == [1, 1]
    assert h["flagged"].tolist() == [False, False]
    # above: (-w, 0] holds 0 (not above the cut), (0, w] holds w (above it: flagged)
    h = charts.screening_histogram([w, 0], 0, risk_when="above")
    assert h["bin_start"].tolist() == [-w, 0.0]
    assert h["count"].tolist() == [1, 1]
    assert h["flagged"].tolist() == [False, True]


def test_screening_histogram_score_sits_in_its_reported_bin():
    # width 0.1: (1.7 - 0) / 0.1 is exactly 17.0, but 0 + 17 * 0.1 is 1.7000000000000002 > 1.7,
    # so 1.7 is in the reported bin [16 * 0.1, 17 * 0.1) = [1.6, 1.7000000000000002).
    h = charts.screening_histogram([1.7], 0, bin_width=0.1)
    assert h["bin_start"].tolist() == [16 * 0.1] and h["bin_end"].tolist() == [17 * 0.1]
    assert h["bin_start"][0] <= 1.7 < h["bin_end"][0]


@pytest.mark.parametrize(
    "scores, cut, kw, needle",
    [
        # (1e300 - 25) / 1e-10 = 1e310 bins: past the largest float
        ([0, 1e300], 25, dict(bin_width=1e-10), "use a wider bin_width"),
        # 2**51 bins of width 1 above the cut: more than the 2**50 accepted
        ([2.0**51], 0, dict(bin_width=1), "use a wider bin_width"),
        # near 1e20 floats are 16384 apart: 1e20 + 1 == 1e20, so bins of width 1 have no width
        ([1e20 + 65536], 1e20, dict(bin_width=1), "cannot be represented"),
        # -1e308 to 1e308 is wider than the largest float (about 1.8e308)
        ([1e308, -1e308], 0, {}, "wider than the largest float"),
    ],
)
def test_screening_histogram_unbinnable_scores_raise_data_error(scores, cut, kw, needle):
    with pytest.raises(DataError, match=re.escape(needle)):
        charts.screening_histogram(scores, cut, **kw)


def test_screening_chart_subtitle_counts_by_hand(small_charts):
    # scores 40, 55, 60 are below 70: 3 of 5 flagged
    assert subtitle(small_charts["screening"])[0] == "Cut 70: 3 of 5 students flagged (score below 70)."
    spec = small_charts["screening"]
    panels = spec["facet"]["row"]
    assert panels["field"] == "panel"
    # at risk: 40, 55, 80 -> 40, 55 flagged; not at risk: 60, 90 -> 60 flagged
    assert panels["sort"] == ["At risk on the outcome: 3 students, 2 flagged",
                              "Not at risk on the outcome: 2 students, 1 flagged"]
    assert {r["panel"] for r in rows_with(spec, "panel")} == set(panels["sort"])


def test_screening_chart_flagged_differs_by_fill_and_outline_not_colour_alone(small_charts):
    bars = [enc for _, enc in encodings(small_charts["screening_all"]) if "fill" in enc]
    fill, stroke = bars[0]["fill"]["scale"]["range"], bars[0]["stroke"]["scale"]["range"]
    assert fill[1].upper() == "#FFFFFF"  # not flagged: hollow
    assert fill[0] == stroke[0]  # flagged: solid
    texts = [enc["text"]["datum"] for _, enc in encodings(small_charts["screening_all"]) if "text" in enc]
    assert texts == ["Cut 70: flag score below 70"]


def test_screening_chart_rejects_bad_input():
    with pytest.raises(DataError, match=r"at_risk: value at position 1 is 2"):
        charts.screening_chart([1, 2, 3], 2, at_risk=[0, 2, 1])
    with pytest.raises(DataError, match="length mismatch"):
        charts.screening_chart([1, 2, 3], 2, at_risk=[0, 1])
    with pytest.raises(DataError, match="bin_width"):
        charts.screening_chart([1, 2, 3], 2, bin_width=0)
    with pytest.raises(DataError, match="risk_when"):
        charts.screening_chart([1, 2, 3], 2, risk_when="under")


def test_roc_chart_point_is_the_library_accuracy_and_curve_is_thinned_with_ends(big_charts):
    spec = big_charts["roc"].to_dict()
    ca = screening.classification_accuracy(BIG_SCORES, BIG_RISK, 70)
    pts = [r for r in rows_with(spec, "label") if r["label"] == "Cut 70"]
    assert pts[0]["tpr"] == pytest.approx(ca.sensitivity)
    assert pts[0]["fpr"] == pytest.approx(1 - ca.specificity)
    curve = rows_with(spec, "order")
    assert len(curve) <= 500
    assert (curve[0]["fpr"], curve[0]["tpr"]) == (0.0, 0.0)
    assert (curve[-1]["fpr"], curve[-1]["tpr"]) == (1.0, 1.0)


def test_roc_chart_small_curve_keeps_every_cut_and_auc_by_hand(small_charts):
    spec = small_charts["roc"]
    assert len(rows_with(spec, "order")) == 6  # 5 distinct scores + the flag-everybody cut
    # AUC by hand: at risk {40, 55, 80} vs not {60, 90}; pairs where at-risk is lower:
    # 40<60, 40<90, 55<60, 55<90, 80<90 = 5 of 6
    assert subtitle(spec)[0] == "AUC 0.83. Chosen cut 70: sensitivity 0.67, specificity 0.50."


def test_roc_chart_rejects_bad_input():
    with pytest.raises(DataError, match="curve"):
        charts.roc_chart(pd.DataFrame({"x": [1]}))
    with pytest.raises(DataError, match="everybody or nobody"):
        charts.roc_chart(screening.roc_curve([1, 2, 3], [0, 0, 0]))
    with pytest.raises(DataError, match="chosen"):
        charts.roc_chart(screening.roc_curve([1, 2, 3], [0, 1, 0]), chosen=0.5)


def test_confusion_matrix_counts_equal_sklearn_on_100k(big_charts):
    spec = big_charts["confusion"].to_dict()
    rows = {r["cell"].split(" (")[0]: r["count"] for r in rows_with(spec, "cell")}
    tn, fp, fn, tp = confusion_matrix(BIG_RISK, BIG_SCORES < 70, labels=[False, True]).ravel()
    assert rows == {"Correctly flagged": tp, "False alarm": fp, "Missed": fn, "Correctly not flagged": tn}


def test_confusion_matrix_cells_are_named_in_words(small_charts):
    rows = rows_with(small_charts["confusion"], "cell")
    assert [r["line2"] for r in rows] == ["2 students", "1 students", "1 students", "1 students"]
    assert {r["kind"] for r in rows if r["line1"] in ("Missed", "False alarm")} == {"Error"}
    with pytest.raises(DataError, match="accuracy"):
        charts.confusion_matrix_chart({"tp": 1})


# ---------------------------------------------------------------------------
# tier shares, TFI
# ---------------------------------------------------------------------------


def test_tier_share_expectations_are_data_with_provenance():
    t = charts.tier_share_expectations()
    assert {"source", "year", "tag"} <= set(t.columns)
    assert t["expected_share"].tolist() == [0.80, 0.15, 0.05]  # the 80/15/5 convention
    assert set(t["tag"]) == {"S2"}


def test_tier_share_chart_labels_by_hand():
    spec = charts.tier_share_chart([1] * 7 + [2, 2, 3]).to_dict()
    rows = rows_with(spec, "label")
    assert [r["label"] for r in rows] == ["70% (7 students)", "20% (2 students)", "10% (1 students)"]
    assert [r["expected"] for r in rows] == [80.0, 15.0, 5.0]
    assert subtitle(spec)[0] == "Tier 1 alone serves 70% of 10 students; the 80/15/5 convention has about 80% there."
    spec = charts.tier_share_chart([1] * 8 + [2, 3]).to_dict()
    assert subtitle(spec)[0] == "Tier 1 alone serves 80% of 10 students; the 80/15/5 convention has about 80% there."


def test_tier_share_chart_gives_no_verdict_on_the_core():
    # The placement share is the team's own cut: the chart describes it against 80/15/5 and never
    # says it "meets" or falls "below" an expectation (issue 15: core health is judged by outcomes).
    for tiers in ([1] * 7 + [2, 2, 3], [1] * 9 + [3]):
        spec = charts.tier_share_chart(tiers).to_dict()
        text = " ".join(subtitle(spec)) + " " + spec["description"]
        assert "meets" not in text and "below" not in text and "expectation" not in text
        assert subtitle(spec)[-1] == "This shows how support is spread, not whether the core works."


def test_tier_share_chart_uses_the_library_expectation():
    spec = charts.tier_share_chart(screening.tier_shares([1] * 7 + [2, 2, 3], tier1_convention=0.7)).to_dict()
    assert subtitle(spec)[0].endswith("the 80/15/5 convention has about 70% there.")


def test_tier_share_chart_on_100k_matches_bincount(big_charts):
    spec = big_charts["tiers"].to_dict()
    rows = rows_with(spec, "label")
    assert sum(r["count"] for r in rows) == BIG_N


def test_tier_share_chart_rejects_bad_tiers():
    with pytest.raises(DataError, match="tiers: tier at position 2 is 4"):
        charts.tier_share_chart([1, 2, 4])


def test_tfi_chart_shows_the_library_scores(small_charts):
    rows = rows_with(small_charts["tfi"], "verdict")
    assert rows == [{"row": "Tier 1", "percent": pytest.approx(22 / 30 * 100), "points": 22, "possible": 30,
                     "verdict": "meets 70%", "label": "73.3% (22 of 30 points), meets 70%"}]


@pytest.mark.parametrize("points,verdict", [(21, "meets 70%"), (20, "below 70%")])
def test_tfi_chart_verdict_at_the_70_boundary(points, verdict):
    # Tier 1 has 15 items (30 points): 21/30 = 70.0% meets, 20/30 = 66.7% does not.
    sheet = {f"1.{i}": 1 for i in range(1, 16)}  # 15 points
    for i in range(1, points - 15 + 1):
        sheet[f"1.{i}"] = 2
    spec = charts.tfi_chart(fidelity.tfi_scores(sheet)).to_dict()
    assert rows_with(spec, "verdict")[0]["verdict"] == verdict


def test_tfi_chart_subscales_have_no_verdict(small_charts):
    rows = rows_with(small_charts["tfi_subscale"], "verdict")
    assert {r["verdict"] for r in rows} == {"subscale"}
    assert [r["row"] for r in rows] == ["Tier 1: Teams", "Tier 1: Implementation", "Tier 1: Evaluation"]


def test_tfi_chart_rejects_other_frames():
    with pytest.raises(DataError, match="tfi_scores"):
        charts.tfi_chart(pd.DataFrame({"a": [1]}))


# ---------------------------------------------------------------------------
# risk ratios
# ---------------------------------------------------------------------------


def test_risk_ratio_chart_values_and_suppressed_cells(small_charts):
    rows = rows_with(small_charts["risk_ratio"], "status")
    by = {r["group"]: r for r in rows}
    # Black: 60/300 = .20 vs others 123/1690 = .0728 -> 2.75
    assert by["Black or African American"]["ratio"] == pytest.approx(0.2 / (123 / 1690))
    assert by["Black or African American"]["label"] == "2.75 at or above 2"
    assert by["Asian"]["label"] == "suppressed (fewer than 10 with the outcome)"  # 3 < 10
    assert by["Asian"]["ratio"] is None
    # Hispanic/Latino: 40/400 = .10 vs 143/1590 = .0899 -> 1.11
    assert by["Hispanic/Latino"]["label"] == "1.11"


def test_risk_ratio_chart_never_embeds_counts(small_charts):
    for rows in datasets(small_charts["risk_ratio"]).values():
        for r in rows:
            assert not {"count", "total", "risk"} & set(r)
    assert "3" not in re.sub(r"[\d.]+ at or above|\d\.\d\d", "", small_charts["risk_ratio"]["description"])


def test_risk_ratio_chart_suppressed_is_shown_by_text_and_shape(small_charts):
    spec = small_charts["risk_ratio"]
    shapes = [enc["shape"] for _, enc in encodings(spec) if "shape" in enc]
    assert shapes and shapes[0]["field"] == "status"
    assert len(set(shapes[0]["scale"]["range"])) == 3
    texts = [enc["text"]["field"] for _, enc in encodings(spec) if "text" in enc]
    assert "label" in texts


def test_risk_ratio_chart_group_size_note():
    t = pd.DataFrame({"group": ["A", "B"], "count": [12, 40], "total": [20, 400]})  # A: total 20 < 30
    spec = charts.risk_ratio_chart(equity.disproportionality(t), threshold=3).to_dict()
    assert rows_with(spec, "status")[0]["label"] == "suppressed (group under 30 students)"


def test_risk_ratio_chart_rejects_bad_input():
    r = equity.disproportionality(EQUITY_TABLE)
    with pytest.raises(DataError, match="threshold"):
        charts.risk_ratio_chart(r, threshold=0)
    with pytest.raises(DataError, match="ratio"):
        charts.risk_ratio_chart(r, threshold=2, ratio="odds_ratio")
    with pytest.raises(DataError, match="disproportionality"):
        charts.risk_ratio_chart(EQUITY_TABLE, threshold=2)


# ---------------------------------------------------------------------------
# ODRs
# ---------------------------------------------------------------------------

EVENTS = pd.DataFrame({
    "student_id": [1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3],
    "date": ["2025-09-03", "2025-09-20", "2025-11-02", "2025-09-05", "2025-11-30",
             "2025-09-08", "2025-09-09", "2025-09-10", "2025-11-11", "2025-11-12", "2025-11-13"],
    "location": ["hall", "class", "class", "bus", "class", "class", "class", "hall", "hall", "bus", "class"],
    "type": ["major", "major", "minor", "major", "major", "major", "major", "major", "major", "major", "major"],
})


def test_odr_counts_by_month_fill_empty_months():
    t = charts.odr_counts(EVENTS, "month")
    # majors: Sep = 1,1 (s1) + 1 (s2) + 3 (s3) = 6; Oct = 0; Nov = 1 (s2) + 3 (s3) = 4
    assert t["label"].tolist() == ["Sep 2025", "Oct 2025", "Nov 2025"]
    assert t["odrs"].tolist() == [6, 0, 4]
    assert charts.odr_counts(EVENTS, "month", majors_only=False)["odrs"].sum() == 11


def test_odr_month_chart_shows_referrals_per_school_day():
    """SWIS reports referrals per school day in each month (issue #15); by hand: Sep 6/20, Oct 0/22, Nov 4/16."""
    days = pd.Series({"2025-09": 20, "2025-10": 22, "2025-11": 16})
    spec = charts.odr_chart(EVENTS, "month", school_days=days).to_dict()
    rows = rows_with(spec, "per_day")
    assert [(r["label"], r["referrals"], r["school_days"]) for r in rows] == [
        ("Sep 2025", 6, 20), ("Oct 2025", 0, 22), ("Nov 2025", 4, 16)]
    assert [r["per_day"] for r in rows] == pytest.approx([0.3, 0.0, 0.25])
    assert [r["per_day_text"] for r in rows] == ["0.3", "0", "0.25"]
    assert "most per school day in Sep 2025 (0.3 a day: 6 referrals in 20 school days)" in " ".join(
        spec["title"]["subtitle"])
    y = [enc["y"] for _, enc in encodings(spec) if "y" in enc]
    assert all(e["field"] == "per_day" for e in y)


def test_odr_month_chart_labels_do_not_overlap():
    spec = charts.odr_chart(EVENTS, "month", school_days=pd.Series({"2025-09": 20, "2025-10": 22, "2025-11": 16}))
    x = [enc["x"] for _, enc in encodings(spec.to_dict()) if "x" in enc][0]
    assert x["axis"]["labelExpr"] == "split(datum.label, ' ')[0]" and x["title"] == "Month (Sep 2025 to Nov 2025)"


def test_odr_month_chart_refuses_a_referral_outside_the_school_days():
    with pytest.raises(DataError, match="a month without school days"):
        charts.odr_chart(EVENTS, "month", school_days=pd.Series({"2025-09": 20, "2025-10": 22}))


def test_academy_calendar_school_days():
    # cohort_params.yml: 2025-08-25 to 2026-05-29, weekdays minus its holidays = 175 (cohorts.school_days)
    from mtss_teach.cohorts import school_days

    assert int(charts.academy_school_days().sum()) == school_days() == 175


def test_odr_counts_by_location_most_first():
    t = charts.odr_counts(EVENTS, "location")
    # majors: class 1(s1)+1(s2)+3(s3) = 5, hall 1+2 = 3, bus 1+1 = 2
    assert t.values.tolist() == [["class", 5], ["hall", 3], ["bus", 2]]


def test_odr_counts_by_band_counts_students_with_no_referral():
    t = charts.odr_counts(EVENTS, "band", students=[1, 2, 3, 4])
    # majors per student: 1 -> 2, 2 -> 2, 3 -> 6, 4 -> 0 => 0-1: {4}, 2-5: {1, 2}, 6+: {3}
    assert t[["band", "students"]].values.tolist() == [["0-1", 1], ["2-5", 2], ["6+", 1]]
    assert t["share"].tolist() == [0.25, 0.5, 0.25]
    assert t["tier_pattern"].tolist() == ["Tier 1", "Tier 2", "Tier 3"]


def test_odr_band_chart_on_100k_events_counts_every_student(big_charts):
    spec = big_charts["odr_band"].to_dict()
    assert sum(r["students"] for r in rows_with(spec, "students")) == 20_000


def test_odr_chart_every_bar_is_labelled_with_its_number(small_charts):
    for name in ("odr_month", "odr_location", "odr_band"):
        texts = [enc["text"]["field"] for _, enc in encodings(small_charts[name]) if "text" in enc]
        assert texts, name


@pytest.mark.parametrize(
    "by,kwargs,events,needle",
    [
        ("band", {}, EVENTS, "students: the band view needs the roster"),
        ("band", {"students": [1, 2]}, EVENTS, "events: student_id 3 at row 5 is not in students"),
        ("band", {"students": [1, 2, 3, 1]}, EVENTS, "students: id 1 at position 3 appears twice"),
        ("month", {}, EVENTS.assign(date=["2025-09-03"] * 10 + ["not a date"]), "date at row 10"),
        ("month", {}, EVENTS.drop(columns="type"), "missing column(s) 'type'"),
        ("hour", {}, EVENTS, "by"),
        ("location", {}, EVENTS.assign(location=[None] + ["x"] * 10), "location at row 0 is missing"),
    ],
)
def test_odr_counts_bad_input(by, kwargs, events, needle):
    with pytest.raises(DataError, match=re.escape(needle)):
        charts.odr_counts(events, by, **kwargs)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 30), data=st.data())
def test_odr_counts_names_the_first_unknown_student(n, data):
    roster = list(range(n))
    ids = data.draw(st.lists(st.integers(0, n + 5), min_size=1, max_size=40))
    ev = pd.DataFrame({"student_id": ids, "type": "major", "date": "2025-09-01", "location": "x"})
    bad = [i for i, v in enumerate(ids) if v >= n]
    if bad:
        with pytest.raises(DataError, match=rf"student_id {ids[bad[0]]} at row {bad[0]} is not in students"):
            charts.odr_counts(ev, "band", students=roster)
    else:
        t = charts.odr_counts(ev, "band", students=roster)
        assert t["students"].sum() == n


@settings(max_examples=40, deadline=None)
@given(scores=st.lists(st.floats(0, 200, allow_nan=False), min_size=2, max_size=30), data=st.data())
def test_progress_chart_names_the_first_nan_position(scores, data):
    i = data.draw(st.integers(0, len(scores) - 1))
    bad = list(scores)
    bad[i] = float("nan")
    with pytest.raises(DataError, match=rf"scores: score at position {i} is missing"):
        charts.progress_chart(list(range(len(bad))), bad, LINE)


# ---------------------------------------------------------------------------
# regressions for bugs found by tests/test_fuzz_public_api.py (CHART_BUGS):
# numbers in the date column of odr_counts
# ---------------------------------------------------------------------------

def _odr_events(dates):
    return pd.DataFrame({"student_id": [1, 2], "date": pd.Series(dates, dtype=object),
                         "location": ["class", "hall"], "type": ["major"] * 2})


def test_odr_counts_reads_excel_serials_as_excel_dates():
    # Excel day 0 is 1899-12-30: 45000 -> 2023-03-15, 45031 = 45000 + 31 -> 2023-04-15
    out = charts.odr_counts(_odr_events([45000, 45031]))
    assert out["label"].tolist() == ["Mar 2023", "Apr 2023"]
    assert out["odrs"].tolist() == [1, 1]


@pytest.mark.parametrize("value", [3.5, 0, 10**6, True, None, ""])
def test_odr_counts_rejects_numbers_that_are_not_dates(value):
    # 3.5 used to be read as 3.5 ns after 1970-01-01
    with pytest.raises(DataError, match=r"events: date at row 0 .*not a date"):
        charts.odr_counts(_odr_events([value, "2025-10-01"]))


@settings(max_examples=40, deadline=None)
@given(serial=st.integers(18264, 73050))
def test_odr_counts_serial_months_match_python_dates(serial):
    import datetime as dt

    want = (dt.date(1899, 12, 30) + dt.timedelta(days=serial)).strftime("%b %Y")  # independent: stdlib dates
    out = charts.odr_counts(_odr_events([serial, serial]))
    assert out["label"].tolist() == [want] and out["odrs"].tolist() == [2]


def test_progress_chart_names_its_own_argument_for_an_unknown_rule():
    from mtss_teach import progress as P

    line = P.aimline([1, 2, 3], [30, 32, 31], goal=55, goal_week=14)
    with pytest.raises(DataError, match=r"^decision: 'fourpoint' is not one of"):
        charts.progress_chart([4, 5, 6, 7, 8], [33, 35, 36, 38, 40], line, decision="fourpoint")


def test_a_group_whose_comparison_group_is_small_is_not_called_a_small_cell():
    # group A meets both minimums itself (40 of 200); everyone else is group B, 3 of 20: A's comparison
    # group is below the minimums, B is below its own. Hand-read from 34 CFR 300.647's minimums (10 and 30).
    from mtss_teach import equity
    from mtss_teach.charts import suppressed_label

    res = equity.disproportionality(pd.DataFrame({"group": ["A", "B"], "count": [40, 3], "total": [200, 20]}),
                                    min_cell=10, min_n=30)
    assert suppressed_label(res.loc["A", "note"], 10, 30) == "not computed (comparison group too small)"
    assert suppressed_label(res.loc["B", "note"], 10, 30) == "suppressed (small cell and small group)"
