"""Tests for mtss_teach.cohorts.

Expected values come from the published sources (typed into
tests/reference_values.py, not read from the package's data files), from hand arithmetic shown
in comments, or from independent libraries (scipy, scikit-learn).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import roc_auc_score

from mtss_teach import DataError
from mtss_teach.behavior import odr_band, srss_risk
from mtss_teach.cohorts import (
    MEASURES,
    SCENARIOS,
    TABLES,
    Cohort,
    cohort_params,
    data_dictionary,
    make_cohort,
    scenarios,
)
from mtss_teach.fidelity import checklist_fidelity, tfi_scores
from mtss_teach.norms import benchmark_status
from mtss_teach.screening import auc, classwide_problem, math_instructional_level, tier_shares

from reference_values import HT2017, IRIS_GROWTH_BY_GRADE as IRIS  # noqa: E402 (published values)
# the seven IDEA race/ethnicity groups (34 CFR 300.646 reporting categories)
IDEA_GROUPS = [
    "Hispanic/Latino", "American Indian or Alaska Native", "Asian", "Black or African American",
    "Native Hawaiian or Other Pacific Islander", "White", "Two or more races",
]


@pytest.fixture(scope="module")
def big() -> Cohort:
    """60,000 students, healthy scenario, every table."""
    return make_cohort(60_000, seed=2024)


@pytest.fixture(scope="module")
def small() -> Cohort:
    return make_cohort(600, seed=5)


def _wide(screening: pd.DataFrame, measure: str) -> pd.DataFrame:
    s = screening[screening["measure"] == measure]
    w = s.pivot(index="student_id", columns="season", values="score")
    w.columns = w.columns.astype(str)
    return w.join(s.drop_duplicates("student_id").set_index("student_id")["grade"])


# --------------------------------------------------------------------------
# calibration (issue: "Calibrated, not invented")
# --------------------------------------------------------------------------

def test_orf_percentiles_within_3_wcpm_of_hasbrouck_tindal_at_60000(big):
    w = _wide(big.screening, "orf")
    worst = 0.0
    checked = 0
    for g, seasons in HT2017.items():
        for season, ref in seasons.items():
            scores = w.loc[w["grade"] == g, season].to_numpy()
            got = np.percentile(scores, [10, 25, 50, 75, 90])
            diff = np.abs(got - np.array(ref))
            worst = max(worst, diff.max())
            assert diff.max() <= 3, f"grade {g} {season}: {got} vs H&T {ref}"
            checked += 1
    assert checked == 17  # 6 grades x 3 seasons minus grade 1 fall
    assert worst > 0  # sanity: the comparison really ran on sampled data


def test_grade1_fall_is_the_documented_model():
    # modelling choice: fall = winter^2 / spring per percentile, e.g.
    # 10th 9^2/18 = 4.5, 25th 16^2/34 = 7.53, 50th 29^2/60 = 14.02,
    # 75th 59^2/91 = 38.25, 90th 97^2/116 = 81.11
    p = cohort_params()["orf"]["grade1_fall"]
    assert p["tag"] == "model"
    expected = [81 / 18, 256 / 34, 841 / 60, 3481 / 91, 9409 / 116]
    got = [p["wcpm"][k] for k in (10, 25, 50, 75, 90)]
    np.testing.assert_allclose(got, expected, atol=0.2)
    c = make_cohort(30_000, seed=9, grades=(1,), tables=("screening",))
    q = np.percentile(_wide(c.screening, "orf")["fall"], [10, 25, 50, 75, 90])
    np.testing.assert_allclose(q, expected, atol=3)


def test_season_scores_correlate_like_orf_retests(big):
    w = _wide(big.screening, "orf")
    for g in range(1, 7):
        x = w[w["grade"] == g]
        fw = stats.spearmanr(x["fall"], x["winter"]).statistic
        ws = stats.spearmanr(x["winter"], x["spring"]).statistic
        fs = stats.spearmanr(x["fall"], x["spring"]).statistic
        assert 0.85 <= fw <= 0.95, (g, fw)
        assert 0.85 <= ws <= 0.95, (g, ws)
        assert 0.80 <= fs <= 0.95, (g, fs)
        assert fs < min(fw, ws)  # further apart in time -> lower correlation


def test_tier23_true_growth_centres_on_iris_norms(big):
    t = big.truth[big.truth["monitored"]].merge(big.students[["student_id", "grade"]], on="student_id")
    for g, norm in IRIS.items():
        x = t[t["grade"] == g]
        assert len(x) > 500
        assert x["growth_norm"].eq(norm).all()
        assert abs(x["true_slope"].mean() - norm) <= 0.1, (g, x["true_slope"].mean())


def _ols_slopes(progress: pd.DataFrame) -> pd.Series:
    # OLS slope per student by the textbook formula sum((x-xm)(y-ym)) / sum((x-xm)^2)
    p = progress.assign(
        xm=progress.groupby("student_id")["week"].transform("mean"),
        ym=progress.groupby("student_id")["score"].transform("mean"),
    )
    p = p.assign(sxy=(p["week"] - p["xm"]) * (p["score"] - p["ym"]), sxx=(p["week"] - p["xm"]) ** 2)
    g = p.groupby("student_id")[["sxy", "sxx"]].sum()
    return g["sxy"] / g["sxx"]


def test_observed_progress_slopes_centre_on_norms(big):
    slopes = _ols_slopes(big.progress).rename("slope").reset_index()
    s = slopes.merge(big.students[["student_id", "grade"]], on="student_id")
    for g, norm in IRIS.items():
        assert abs(s.loc[s["grade"] == g, "slope"].mean() - norm) <= 0.15, g


def _residual_sd(c: Cohort) -> float:
    p = c.progress.merge(c.truth, on="student_id")
    true = p["true_orf_winter"] + p["true_slope"] * p["week"]
    keep = true > 40  # away from the clip at 0 WCPM
    return float((p["score"] - true)[keep].std())


def test_probe_error_defaults_to_sem_10_and_can_be_changed(big):
    # rounding to whole WCPM adds variance 1/12: sqrt(100 + 1/12) = 10.004
    assert abs(_residual_sd(big) - 10.0) < 0.2
    c5 = make_cohort(20_000, seed=3, sem=5, tables=("progress", "truth"))
    assert abs(_residual_sd(c5) - 5.0) < 0.2
    assert c5.params["sem"] == 5


def test_progress_has_20_weekly_probes_for_winter_tier23_students(big):
    p, t = big.progress, big.tiers
    winter23 = set(t.loc[(t["season"] == "winter") & (t["tier"] >= 2), "student_id"])
    assert set(p["student_id"]) == winter23
    per = p.groupby("student_id").size()
    assert per.eq(20).all()
    assert (p["date"].dt.day_of_week == 2).all()  # Wednesdays
    assert p["measure"].eq("orf").all()
    # the week is calendar weeks since the first probe; spring break has no probe
    weeks = sorted(p["week"].unique())
    assert weeks[0] == 0 and len(weeks) == 20 and weeks[-1] == 20
    assert set(big.truth.loc[big.truth["monitored"], "student_id"]) == winter23


def test_fall_orf_predicts_spring_outcome_auc_between_075_and_092(big):
    w = _wide(big.screening, "orf")
    o = big.outcomes[big.outcomes["subject"] == "reading"].set_index("student_id")
    for g in range(1, 7):
        ids = w.index[w["grade"] == g]
        not_prof = ~o.loc[ids, "proficient"].to_numpy()
        fall = w.loc[ids, "fall"].to_numpy()
        a = roc_auc_score(not_prof, -fall)  # lower score = more risk
        assert 0.75 <= a <= 0.92, (g, a)
        assert auc(fall, not_prof, risk_when="below") == pytest.approx(a, abs=1e-9)


def test_outcome_scale_and_proficient_flag(big):
    o = big.outcomes
    assert o["scale_score"].between(150, 450).all()
    assert (o["proficient"] == (o["scale_score"] >= 300)).all()
    share = o["proficient"].mean()
    assert 0.50 <= share <= 0.60  # modelled 55% proficient


def test_math_dcpm_sits_sensibly_in_burns_ranges(big):
    s = big.screening[(big.screening["measure"] == "math_dcpm")]
    for g in (2, 3, 4, 5):
        lv = pd.Series(math_instructional_level(s.loc[s["grade"] == g, "score"].to_numpy(), g))
        shares = lv.value_counts(normalize=True)
        # documented band (datasets/README.md): most instructional, some below and above
        assert 0.45 <= shares["instructional"] <= 0.75, (g, shares.to_dict())
        assert 0.10 <= shares["frustrational"] <= 0.40, (g, shares.to_dict())
        assert 0.05 <= shares["mastery"] <= 0.35, (g, shares.to_dict())


def test_srss_and_odr_bands_about_80_15_5(big):
    s = big.screening[big.screening["measure"] == "srss"]
    risk = pd.Series(srss_risk(s["score"].to_numpy())).value_counts(normalize=True)
    for band, target in (("low", 0.80), ("moderate", 0.15), ("high", 0.05)):
        assert abs(risk[band] - target) <= 0.04, risk.to_dict()
    b = big.behavior
    majors = b[b["type"] == "major"].groupby("student_id").size().reindex(big.students["student_id"], fill_value=0)
    bands = pd.Series(odr_band(majors.to_numpy())).value_counts(normalize=True)
    for band, target in (("0-1", 0.80), ("2-5", 0.15), ("6+", 0.05)):
        assert abs(bands[band] - target) <= 0.04, bands.to_dict()


def test_october_catch(big):
    # McIntosh, Frank & Spaulding (2010): half of the students with 6+ ODRs had 2+ by the end of
    # October; 79% by the end of December
    b = big.behavior[big.behavior["type"] == "major"]
    n = b.groupby("student_id").size()
    six = n.index[n >= 6]
    by_oct = b[b["date"] <= "2025-10-31"].groupby("student_id").size().reindex(six, fill_value=0)
    by_dec = b[b["date"] <= "2025-12-31"].groupby("student_id").size().reindex(six, fill_value=0)
    assert abs((by_oct >= 2).mean() - 0.50) <= 0.08
    assert abs((by_dec >= 2).mean() - 0.79) <= 0.08


def test_behavior_events_within_school_year(big):
    b = big.behavior
    assert b["date"].between("2025-08-25", "2026-05-29").all()
    assert (b["date"].dt.day_of_week < 5).all()
    assert (b["month"].astype(str) == b["date"].dt.strftime("%Y-%m")).all()
    assert (b.loc[b["type"] == "minor", "action"] == "teacher-managed").all()
    assert not (b.loc[b["type"] == "major", "action"] == "teacher-managed").any()


def test_tier_shares_about_80_15_5(big):
    for season in ("fall", "winter", "spring"):
        t = big.tiers.loc[big.tiers["season"] == season, "tier"]
        ts = tier_shares(t)
        assert abs(ts.share1 - 0.80) <= 0.03
        assert 0.10 <= ts.share2 <= 0.17
        assert 0.04 <= ts.share3 <= 0.08


def test_tiers_follow_benchmark_status(small):
    scr = small.screening[(small.screening["measure"] == "orf") & (small.screening["season"] == "winter")
                          & (small.screening["grade"] == 3)]
    t = small.tiers[small.tiers["season"] == "winter"].set_index("student_id")["tier"]
    st_ = benchmark_status(scr["score"].to_numpy(), 3, "winter", system="percentile", cuts=(10, 20))
    tiers = t.loc[scr["student_id"]].to_numpy()
    assert (tiers[st_ == "at"] == 1).all()
    assert (tiers[st_ != "at"] >= 2).all()
    assert (tiers[st_ == "below"] == 2).all()  # Tier 3 needs "well_below"


def test_tier_entry_and_exit_dates(small):
    t = small.tiers.pivot(index="student_id", columns="season", values="tier")
    e = small.tiers.pivot(index="student_id", columns="season", values="entry_date")
    x = small.tiers.pivot(index="student_id", columns="season", values="exit_date")
    dec = {"fall": pd.Timestamp("2025-09-15"), "winter": pd.Timestamp("2026-01-07"),
           "spring": pd.Timestamp("2026-05-13")}
    assert (e["fall"] == dec["fall"]).all()
    changed = t["winter"] != t["fall"]
    assert (e.loc[changed, "winter"] == dec["winter"]).all()
    assert (x.loc[changed, "fall"] == dec["winter"]).all()
    assert (e.loc[~changed, "winter"] == e.loc[~changed, "fall"]).all()
    assert x["spring"].isna().all()
    kept = (t["fall"] == t["winter"]) & (t["winter"] == t["spring"])
    assert x.loc[kept, "fall"].isna().all()
    assert changed.any() and kept.any()


def test_interventions_consistent(small):
    iv, t = small.interventions, small.tiers
    m = iv.merge(t, on=["student_id", "season"], suffixes=("", "_t"))
    assert len(m) == len(iv) and (m["tier"] == m["tier_t"]).all()
    assert len(iv) == (t["tier"] >= 2).sum()
    assert (iv["sessions_delivered"] <= iv["sessions_planned"]).all()
    assert (iv["minutes_planned"] == iv["sessions_planned"] * iv["minutes_per_session"]).all()
    assert (iv["minutes_delivered"] == iv["sessions_delivered"] * iv["minutes_per_session"]).all()
    size = iv.groupby("group", observed=True).agg(n=("student_id", "size"), tier=("tier", "first"),
                                                  who=("interventionist", "nunique"))
    assert (size["who"] == 1).all()
    assert (size.loc[size["tier"] == 2, "n"] <= 5).all() and (size.loc[size["tier"] == 3, "n"] <= 3).all()
    # progress is monitored by the student's winter interventionist
    w = iv[iv["season"] == "winter"].set_index("student_id")["interventionist"].astype(str)
    p = small.progress.drop_duplicates("student_id").set_index("student_id")["interventionist"].astype(str)
    assert (p == w.loc[p.index]).all()


def test_fidelity_and_tfi_tables_score_with_the_fidelity_module(small):
    f = checklist_fidelity(small.fidelity, by="interventionist")
    assert len(f) == small.fidelity["interventionist"].nunique()
    assert f["adherence"].between(0, 100).all()
    for school, sheet in small.tfi.groupby("school", observed=True):
        sc = tfi_scores(sheet[["item", "score"]].assign(item=sheet["item"].astype(str)))
        assert list(sc.index) == [1, 2, 3]
    assert small.tfi.groupby("school", observed=True).size().eq(45).all()


def test_fidelity_varies_by_interventionist_and_low_fidelity_lowers_growth(big):
    f = checklist_fidelity(big.fidelity, by="interventionist")
    assert f["adherence"].std() > 5  # interventionists differ
    low = make_cohort(60_000, seed=2024, scenario="low_fidelity", tables=("truth", "fidelity"))
    fl = checklist_fidelity(low.fidelity, by="interventionist")
    assert fl["adherence"].mean() < 70 < f["adherence"].mean()
    ratio = lambda c: (c.truth["true_slope"] / c.truth["growth_norm"]).mean()  # noqa: E731
    assert abs(ratio(big) - 1.0) < 0.1
    assert ratio(low) < 0.7
    # within the healthy district, students of higher-adherence interventionists grow faster
    p = big.progress.drop_duplicates("student_id")[["student_id", "interventionist"]]
    p = p.merge(big.truth, on="student_id")
    per = p.assign(r=p["true_slope"] / p["growth_norm"]).groupby("interventionist", observed=True)["r"].mean()
    both = pd.concat([per, f["adherence"]], axis=1, join="inner")
    assert stats.spearmanr(both.iloc[:, 0], both.iloc[:, 1]).statistic > 0.2


# --------------------------------------------------------------------------
# scenarios
# --------------------------------------------------------------------------

def test_scenario_names_and_docs():
    assert SCENARIOS == ("healthy", "weak_tier1", "disproportionate", "low_fidelity")
    d = scenarios()
    assert d["scenario"].tolist() == list(SCENARIOS)
    assert d["description"].str.len().gt(80).all()
    doc = make_cohort.__doc__
    for s in SCENARIOS:
        assert f'``"{s}"``' in doc


def test_unknown_scenario_lists_valid_names():
    with pytest.raises(DataError, match="healthy.*weak_tier1.*disproportionate.*low_fidelity"):
        make_cohort(10, seed=1, scenario="sunny")


def test_weak_tier1_most_of_grade_below_benchmark_and_classwide_problems():
    c = make_cohort(6_000, seed=4, scenario="weak_tier1", tables=("screening",))
    s = c.screening
    for season in ("fall", "winter", "spring"):
        x = s[(s["measure"] == "orf") & (s["grade"] == 3) & (s["season"] == season)]["score"].to_numpy()
        below = np.isin(benchmark_status(x, 3, season), ["below", "well_below"]).mean()
        assert below > 0.6, (season, below)
        y = s[(s["measure"] == "orf") & (s["grade"] == 4) & (s["season"] == season)]["score"].to_numpy()
        assert np.isin(benchmark_status(y, 4, season, system="percentile"), ["below", "well_below"]).mean() < 0.5
    m = s[(s["measure"] == "math_dcpm") & (s["season"] == "winter")].merge(c.students[["student_id", "classroom"]])
    share = {}
    for g in (2, 3):
        cls = m[m["grade"] == g].groupby("classroom", observed=True)["score"]
        share[g] = np.mean([classwide_problem(v.to_numpy(), 14) for _, v in cls])  # grades 2-3 range 14-31
    assert share[3] > 0.5 and share[2] < 0.2, share


def _risk_ratio(flag: pd.Series, group: pd.Series) -> float:
    return flag[group].mean() / flag[~group].mean()


def test_disproportionate_overidentifies_and_suspends_focus_group():
    for scen, lo, hi in (("healthy", 0.75, 1.33), ("disproportionate", 2.0, 6.0)):
        c = make_cohort(30_000, seed=8, scenario=scen, tables=("tiers", "behavior"))
        st_ = c.students.set_index("student_id")
        grp = st_["race_ethnicity"] == "Hispanic/Latino"
        t3 = c.tiers[c.tiers["season"] == "winter"].set_index("student_id")["tier"].eq(3)
        rr_t3 = _risk_ratio(t3.loc[st_.index], grp)
        sus_ids = set(c.behavior.loc[c.behavior["action"] == "out-of-school suspension", "student_id"])
        sus = pd.Series(st_.index.isin(list(sus_ids)), index=st_.index)
        rr_sus = _risk_ratio(sus, grp)
        assert lo <= rr_t3 <= hi, (scen, rr_t3)
        assert lo <= rr_sus <= hi, (scen, rr_sus)


def test_disproportionate_scores_equal_healthy_scores():
    a = make_cohort(2_000, seed=8, scenario="healthy", tables=("screening",))
    b = make_cohort(2_000, seed=8, scenario="disproportionate", tables=("screening",))
    pd.testing.assert_frame_equal(a.screening, b.screening)
    pd.testing.assert_frame_equal(a.students, b.students)


def test_low_fidelity_lowers_tfi_tier2_and_3():
    c = make_cohort(50_000, seed=8, scenario="low_fidelity", tables=("tfi",))
    pct = c.tfi.groupby("tier")["score"].mean() / 2 * 100
    assert pct[1] > 70 and pct[2] < 70 and pct[3] < 70


def test_overrides_change_knobs_and_unknown_override_is_an_error():
    c = make_cohort(600, seed=1, scenario="weak_tier1", weak_grade=5, tables=("screening",))
    assert c.params["knobs"]["weak_grade"] == 5
    with pytest.raises(DataError, match="unknown argument.*bogus.*weak_grade"):
        make_cohort(60, seed=1, bogus=3)
    with pytest.raises(DataError, match="weak_grade"):
        make_cohort(60, seed=1, grades=(1, 2), weak_grade=3)
    with pytest.raises(DataError, match="focus_group"):
        make_cohort(60, seed=1, focus_group="Martians")
    with pytest.raises(DataError, match="tfi_tier1.*sum to 1"):
        make_cohort(60, seed=1, tfi_tier1=[0.5, 0.5, 0.5])
    with pytest.raises(DataError, match="progress_weeks"):
        make_cohort(60, seed=1, progress_weeks=60)


# --------------------------------------------------------------------------
# structure, schema, determinism
# --------------------------------------------------------------------------

def test_every_table_matches_the_data_dictionary(small):
    d = data_dictionary()
    assert set(d["table"]) == set(TABLES)
    for name, df in small.tables().items():
        spec = d[d["table"] == name]
        assert list(df.columns) == spec["column"].tolist(), name
        for col, typ, levels in zip(spec["column"], spec["type"], spec["levels"]):
            s = df[col]
            if typ == "int":
                assert s.dtype == np.int64
            elif typ == "bool":
                assert s.dtype == bool
            elif typ == "date":
                assert str(s.dtype).startswith("datetime64")
            elif typ == "category":
                assert isinstance(s.dtype, pd.CategoricalDtype)
                if levels:
                    assert list(s.cat.categories) == levels.split("; ")


def test_students_table(small):
    s = small.students
    assert s["student_id"].is_unique and s["student_id"].is_monotonic_increasing
    assert list(s["race_ethnicity"].cat.categories) == IDEA_GROUPS
    assert s["grade"].value_counts().eq(100).all()  # 600 students split evenly over 6 grades
    assert set(s["sex"]) == {"female", "male"}
    assert s.groupby("classroom", observed=True)["grade"].nunique().eq(1).all()
    assert s.groupby("classroom", observed=True).size().le(24).all()


def test_demographic_shares_are_the_documented_modelling_choices(big):
    s = big.students
    p = cohort_params()["demographics"]
    assert p["tag"] == "model"
    share = s["race_ethnicity"].value_counts(normalize=True)
    for g, v in p["race_ethnicity"].items():
        assert abs(share[g] - v) < 0.01
    assert abs(s["english_learner"].mean() - 0.10) < 0.01
    assert abs(s["disability"].mean() - 0.15) < 0.01
    assert abs(s["free_reduced_lunch"].mean() - 0.50) < 0.01
    # disability more common among weaker readers; race independent of reading
    w = _wide(big.screening, "orf").join(s.set_index("student_id")[["disability", "race_ethnicity"]])
    z = w.groupby("grade")["winter"].rank(pct=True)
    assert z[w["disability"]].mean() < 0.4
    by_race = z.groupby(w["race_ethnicity"], observed=True).mean()
    assert (by_race.loc[["Hispanic/Latino", "White", "Black or African American"]] - 0.5).abs().max() < 0.02


def test_screening_long_format_and_ranges(small):
    s = small.screening
    assert len(s) == 600 * 9
    assert not s.duplicated(["student_id", "season", "measure"]).any()
    assert list(s["measure"].cat.categories) == list(MEASURES)
    rng = {"orf": (0, 300), "math_dcpm": (0, 150), "srss": (0, 21)}
    for m, (lo, hi) in rng.items():
        assert s.loc[s["measure"] == m, "score"].between(lo, hi).all()
    assert s["student_id"].is_monotonic_increasing


def test_tables_subset_gives_identical_tables(small):
    sub = make_cohort(600, seed=5, tables=("screening", "behavior"))
    assert set(sub.tables()) == {"students", "screening", "behavior"}
    pd.testing.assert_frame_equal(sub.screening, small.screening)
    pd.testing.assert_frame_equal(sub.behavior, small.behavior)
    pd.testing.assert_frame_equal(sub.students, small.students)
    with pytest.raises(DataError, match="tables"):
        make_cohort(60, seed=1, tables=("students", "grades"))


def test_same_arguments_give_byte_identical_csvs(tmp_path):
    a = make_cohort(400, seed=77, n_schools=2, scenario="disproportionate")
    b = make_cohort(400, seed=77, n_schools=2, scenario="disproportionate")
    pa, pb = a.to_csv(tmp_path / "a"), b.to_csv(tmp_path / "b")
    assert [p.name for p in pa] == [f"{t}.csv" for t in TABLES]
    for x, y in zip(pa, pb):
        assert x.read_bytes() == y.read_bytes(), x.name
    c = make_cohort(400, seed=78, n_schools=2, scenario="disproportionate")
    pc = c.to_csv(tmp_path / "c")
    assert pc[1].read_bytes() != pa[1].read_bytes()  # another seed, other data


def test_csv_roundtrip_equals_generated(small, tmp_path):
    small.to_csv(tmp_path)
    back = Cohort.from_csv(tmp_path)
    for name, df in small.tables().items():
        pd.testing.assert_frame_equal(getattr(back, name), df, check_exact=True)
    text = (tmp_path / "truth.csv").read_text().splitlines()[1]
    assert text.count(".") == 3  # two-decimal floats; empty growth for unmonitored
    with pytest.raises(DataError, match="students.csv"):
        Cohort.from_csv(tmp_path / "nowhere")


def test_manifest_and_repr(small):
    m = small.manifest
    assert m["generator_version"] == cohort_params()["generator_version"]
    assert m["arguments"]["seed"] == 5 and m["arguments"]["n_students"] == 600
    assert m["rows"]["screening"] == 5400
    # normals: 3 flags + 6 reading + 6 math + 3 srss per student, plus class
    # effects, outcomes, behaviour, progress ... at least 18 per student
    assert m["normal_draws"] >= 18 * 600
    assert repr(small).startswith("Cohort(scenario='healthy', students=600")


def test_district_scale_screening_counts_normals():
    c = make_cohort(10_000, seed=1, tables=("students", "screening"))
    n_classes = c.students["classroom"].nunique()
    # 3 flag latents + 3 true + 3 error reading + 3 math innovations + 3 math
    # error + 3 SRSS = 18 per student, + one reading and one math effect per class
    assert c.manifest["normal_draws"] == 18 * 10_000 + 2 * n_classes


def test_default_number_of_schools():
    assert make_cohort(1200, seed=1, tables=()).students["school"].nunique() == 2  # round(1200/500)
    assert make_cohort(100, seed=1, tables=()).students["school"].nunique() == 1
    assert make_cohort(100, seed=1, n_schools=4, tables=()).students["school"].nunique() == 4


# --------------------------------------------------------------------------
# input checks (hypothesis)
# --------------------------------------------------------------------------

def _valid_size(x) -> bool:
    return (isinstance(x, (int, float)) and not isinstance(x, bool) and np.isfinite(x)
            and float(x).is_integer() and 1 <= x <= 5_000_000)


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.integers(max_value=0), st.integers(min_value=5_000_001), st.floats().filter(lambda x: not _valid_size(x)),
                 st.text(max_size=3), st.just(True), st.just(None)))
def test_bad_n_students_is_a_data_error(n):
    with pytest.raises(DataError, match="n_students"):
        make_cohort(n, seed=1, tables=())


@settings(max_examples=30, deadline=None)
@given(st.one_of(st.lists(st.integers(), max_size=4), st.text(max_size=3), st.lists(st.floats(), min_size=1, max_size=3)))
@example([-(2**64)])  # numpy's isfinite cannot take an int below -2**63; the test must still judge it
@example([2**64, 3])
def test_grades_checked(grades):
    valid = (isinstance(grades, list) and grades and len(set(grades)) == len(grades)
             and all(isinstance(g, (int, float)) and not isinstance(g, bool) and math.isfinite(g)
                     and float(g).is_integer() and 1 <= g <= 6 for g in grades))
    if valid:
        c = make_cohort(60, seed=1, grades=grades, tables=())
        assert set(c.students["grade"]) == {int(g) for g in grades}
    else:
        with pytest.raises(DataError, match="grades"):
            make_cohort(60, seed=1, grades=grades, tables=())


@settings(max_examples=25, deadline=None)
@given(n=st.integers(min_value=1, max_value=400), seed=st.integers(min_value=0, max_value=2**40),
       scen=st.sampled_from(SCENARIOS))
def test_any_valid_small_cohort_is_consistent(n, seed, scen):
    c = make_cohort(n, seed, scenario=scen)
    assert len(c.students) == n
    assert len(c.screening) == 9 * n and len(c.tiers) == 3 * n and len(c.outcomes) == 2 * n
    assert set(c.progress["student_id"]) <= set(c.students["student_id"])
    assert c.tiers["tier"].between(1, 3).all()
    assert (c.tiers["exit_date"].isna() | (c.tiers["exit_date"] > c.tiers["entry_date"])).all()


@settings(max_examples=30, deadline=None)
@given(st.one_of(st.floats(max_value=-1e-9), st.floats(min_value=100.0001), st.just(float("nan")), st.text(max_size=2)))
def test_bad_sem_is_a_data_error(sem):
    with pytest.raises(DataError, match="sem"):
        make_cohort(20, seed=1, sem=sem, tables=())


@settings(max_examples=20, deadline=None)
@given(st.one_of(st.integers(max_value=-1), st.floats(), st.text(max_size=2)))
def test_bad_seed_is_a_data_error(seed):
    if isinstance(seed, float) and np.isfinite(seed) and seed >= 0 and seed.is_integer() and seed <= 2**53:
        return
    with pytest.raises(DataError, match="seed"):
        make_cohort(20, seed=seed, tables=())


def test_n_schools_checked():
    with pytest.raises(DataError, match="n_schools"):
        make_cohort(10, seed=1, n_schools=11)
    with pytest.raises(DataError, match="n_schools"):
        make_cohort(10, seed=1, n_schools=0)


def test_school_days_counts_weekdays_minus_holidays():
    from mtss_teach.cohorts import cohort_params, school_days

    cal = cohort_params()["calendar"]
    # Independent count with pandas: business days in [first, last] minus the
    # listed holidays that fall on weekdays (the YAML says 200 - 25 = 175).
    weekdays = pd.bdate_range(cal["first_day"], cal["last_day"])
    holidays = pd.to_datetime(cal["holidays"])
    expected = len(weekdays.difference(holidays))
    assert school_days() == expected == 175


# ---------------------------------------------------------------------------
# regressions for bugs found by tests/test_fuzz_public_api.py (COHORT_BUGS,
# test_fuzz_cohort_from_csv)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("call,name", [
    (lambda: make_cohort(10, 1, tables=("students",)).to_csv(5), "folder"),
    (lambda: Cohort.from_csv(5), "folder"),
    (lambda: Cohort.from_csv(None), "folder"),
    (lambda: make_cohort(10, 1, grades=[1, [2, 3]]), "grades"),       # ragged: used to raise ValueError
    (lambda: make_cohort(10, 1, tables=5), "tables"),                 # used to raise TypeError
    (lambda: make_cohort(10, 1, tables=("students",), tfi_tier1=[1, [2]]), "tfi_tier1"),
])
def test_bad_arguments_raise_dataerror_naming_them(call, name):
    with pytest.raises(DataError, match=rf"^{name}\b"):
        call()


def _corrupt(folder, corruption):
    if corruption == "garbage":
        (folder / "students.csv").write_bytes(b"\xff\xfe\x00garbage")
        return "students"
    if corruption == "empty":
        (folder / "students.csv").write_text("")
        return "students"
    if corruption == "columns":
        (folder / "screening.csv").write_text("a,b\n1,2\n")
        return "screening"
    if corruption == "bad_number":
        lines = (folder / "screening.csv").read_text().splitlines()
        header = lines[0].split(",")
        cells = lines[1].split(",")
        cells[header.index("score")] = "abc"
        lines[1] = ",".join(cells)
        (folder / "screening.csv").write_text("\n".join(lines) + "\n")
        return "screening"
    raise AssertionError(corruption)


@pytest.mark.parametrize("corruption", ["garbage", "empty", "columns", "bad_number"])
def test_from_csv_on_a_corrupt_file_raises_dataerror_naming_the_table(tmp_path, corruption):
    c = make_cohort(40, seed=3, tables=("students", "screening"))
    c.to_csv(tmp_path)
    table = _corrupt(tmp_path, corruption)
    with pytest.raises(DataError, match=rf"^{table}\b"):
        Cohort.from_csv(tmp_path)


def test_from_csv_round_trip_still_exact(tmp_path):
    c = make_cohort(40, seed=3, tables=("students", "screening"))
    c.to_csv(tmp_path)
    back = Cohort.from_csv(str(tmp_path))
    assert back.students.equals(c.students) and back.screening.equals(c.screening)


@settings(max_examples=40, deadline=None)
@given(tables=st.one_of(st.integers(), st.floats(), st.none(), st.booleans(),
                        st.lists(st.one_of(st.sampled_from(list(TABLES)), st.integers(), st.lists(st.text(), max_size=2)),
                                 max_size=3)))
def test_tables_argument_is_checked(tables):
    try:
        c = make_cohort(20, seed=1, tables=tables)
    except DataError as exc:
        assert str(exc).startswith("tables")
    else:
        assert "students" in c.tables()
