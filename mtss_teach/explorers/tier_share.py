"""The tier-share and classwide explorer (courses 1 and 3)."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from .. import screening
from .._validate import check_choice, check_number, plain as _plain
from ..charts import PALETTE
from ..errors import DataError
from ..formatting import number, percent
from ._shared import LIVE

__all__ = ["tier_share_table", "classwide_table", "tier_share_explorer", "ALL_SCHOOLS"]


ALL_SCHOOLS = "All schools"


def _cohort(cohort: Any, need: tuple[str, ...]) -> Any:
    """A Cohort (or a shipped dataset's name) that has the tables in ``need``."""
    if isinstance(cohort, str):
        from .. import datasets  # data layer; imported here so the core stays light

        cohort = datasets.load(cohort)
    for name in need:
        table = getattr(cohort, name, None)
        if not isinstance(table, pd.DataFrame):
            raise DataError(f"cohort: expected a Cohort (or a dataset name) with a '{name}' table")
    return cohort


def _season_rows(df: pd.DataFrame, season: str, name: str) -> pd.DataFrame:
    s = df["season"].astype(str).str.lower()
    out = df[s == season]
    if out.empty:
        raise DataError(f"season: the cohort's {name} table has no rows for season {season!r}")
    return out


def _placed(cohort: Any, season: str) -> pd.DataFrame:
    """Students of ``cohort`` with their tier in ``season`` (school, grade, classroom, tier)."""
    tiers = _season_rows(cohort.tiers, season, "tiers")
    dup = tiers["student_id"].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataError(f"cohort: student_id {_plain(tiers['student_id'].iloc[i])!r} has two {season} tiers "
                        f"(row {tiers.index[i]!r}; duplicate id)")
    st = cohort.students[["student_id", "school", "grade", "classroom"]]
    out = tiers[["student_id", "tier"]].merge(st, on="student_id", how="left", validate="one_to_one")
    missing = out["school"].isna().to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise DataError(f"cohort: student_id {_plain(out['student_id'].iloc[i])!r} in tiers is not in students")
    return out.assign(school=out["school"].astype(str), classroom=out["classroom"].astype(str),
                      grade=out["grade"].astype(np.int64))


def _core_lines(cohort: Any, options: list[str], subject: str) -> dict[tuple[str, int], str]:
    """The outcome verdict on the core per (school option, grade), from ``screening.core_effectiveness``.

    "Core alone" means Tier 1 at every screening of the year (the most intensive tier the student
    had); the goal is the outcomes table's ``proficient`` in ``subject``. Students without a result
    are left out and counted in the sentence; a cohort without outcomes gets a sentence saying the
    check cannot be made.
    """
    out = getattr(cohort, "outcomes", None)
    st = cohort.students[["student_id", "school", "grade"]].assign(
        school=lambda d: d["school"].astype(str), grade=lambda d: d["grade"].astype(np.int64))
    most = cohort.tiers.groupby("student_id", observed=True)["tier"].max().rename("tier")
    year = st.merge(most, left_on="student_id", right_index=True, how="inner")
    have = (isinstance(out, pd.DataFrame) and {"student_id", "subject", "proficient"} <= set(out.columns)
            and (out["subject"].astype(str) == subject).any())
    lines: dict[tuple[str, int], str] = {}
    if not have:
        for school in options:
            for grade in sorted(year["grade"].unique()):
                lines[(school, int(grade))] = (f"Whether the core works is judged by outcomes; this data has no "
                                               f"{subject} results, so that check is not made here.")
        return lines
    res = out[out["subject"].astype(str) == subject]
    dup = res["student_id"].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataError(f"cohort: student_id {_plain(res['student_id'].iloc[i])!r} has two {subject} outcomes "
                        f"(row {res.index[i]!r}; duplicate id)")
    year = year.merge(res[["student_id", "proficient"]], on="student_id", how="left")
    missing = year["proficient"].isna()
    for school in options:
        part = year if school == ALL_SCHOOLS else year[year["school"] == school]
        for grade, g in part.groupby("grade", sort=True):
            ok = g[~missing.loc[g.index]]
            left = len(g) - len(ok)
            note = f" ({left} without a result left out)" if left else ""
            if ok.empty:
                lines[(school, int(grade))] = (f"Judged by outcomes: no student here has a state {subject} "
                                               f"result{note}, so the core cannot be judged.")
                continue
            r = screening.core_effectiveness(ok["proficient"].astype(bool).to_numpy(), ok["tier"].to_numpy()).iloc[0]
            verdict = ("meets" if r["core_effective"] else "falls short of")
            lines[(school, int(grade))] = (
                f"Judged by outcomes: {percent(r['share_core_effective'], 1, trim=True)} of {int(r['n'])} students passed "
                f"the state {subject} test with core instruction alone{note}, which {verdict} the usual "
                f"expectation of about {percent(r['expectation'], 2, trim=True)}.")
    return lines


def tier_share_table(cohort: Any, *, season: str = "winter", outcome_subject: str = "reading") -> pd.DataFrame:
    """The library's tier shares for every (school, grade) a reader can pick, and the core's outcomes.

    The tier shares describe how support is spread against the 80/15/5
    convention; they are the team's own placements, so they give no
    verdict on the core. The verdict on the core comes from outcomes
    (:func:`mtss_teach.screening.core_effectiveness`): the share of the
    grade's students who met the goal (``proficient`` in the cohort's
    ``outcomes`` for ``outcome_subject``) with core instruction alone
    (Tier 1 at every screening of the year).

    Parameters
    ----------
    cohort : Cohort or str
        A cohort with ``students`` and ``tiers`` tables (and, for the
        outcome verdict, ``outcomes``), or a shipped dataset's name (see
        :func:`mtss_teach.datasets.list_datasets`).
    season : {"fall", "winter", "spring"}, default "winter"
        The screening whose placements are shown.
    outcome_subject : str, default "reading"
        The outcomes' ``subject`` that is the goal.

    Returns
    -------
    pandas.DataFrame
        One row per (school, grade, tier), ``school`` being each school and,
        when there are several, ``"All schools"``: ``count, share, n,
        expected`` (the 80/15/5 convention, :func:`mtss_teach.screening.tier_share_expectations`),
        ``tier1_vs_convention`` (placement share minus the convention's
        Tier 1 share; a description, not a verdict) -- from
        :func:`mtss_teach.screening.tier_shares` of that grade's tiers -- and
        the text the page shows: ``label``, ``line1``, ``line2`` and
        ``core_line`` (the outcome verdict, or why it cannot be made).

    Examples
    --------
    >>> from mtss_teach.explorers import tier_share_table
    >>> t = tier_share_table("weak_tier1")
    >>> t["school"].unique().tolist(), t["grade"].unique().tolist()
    (['School 01'], [1, 2, 3, 4, 5, 6])
    >>> t.query("grade == 3")[["tier", "count", "n"]].values.tolist()
    [[1, 22, 100], [2, 37, 100], [3, 41, 100]]
    >>> t.query("grade == 3")["line1"].iloc[0]
    'Grade 3, School 01: Tier 1 alone serves 22% of 100 students (the 80/15/5 convention has about 80% there)'
    """
    se = check_choice(season, "season", ("fall", "winter", "spring"))
    c = _cohort(cohort, ("students", "tiers"))
    placed = _placed(c, se)
    from ..screening import tier_share_expectations

    exp = tier_share_expectations().set_index("tier")["expected_share"].to_dict()
    schools = sorted(placed["school"].unique())
    options = ([ALL_SCHOOLS] if len(schools) > 1 else []) + schools
    core = _core_lines(c, options, str(outcome_subject))
    rows = []
    for school in options:
        part = placed if school == ALL_SCHOOLS else placed[placed["school"] == school]
        for grade, g in part.groupby("grade", sort=True):
            ts = screening.tier_shares(g["tier"].to_numpy())
            where = "all schools" if school == ALL_SCHOOLS else school
            line1 = (f"Grade {grade}, {where}: Tier 1 alone serves {percent(ts.share1, 1, trim=True)} of "
                     f"{ts.n} students (the 80/15/5 convention has about {percent(ts.tier1_convention, 2, trim=True)} "
                     "there)")
            line2 = (f"Tier 2: {percent(ts.share2, 1, trim=True)} ({ts.tier2} students); Tier 3: "
                     f"{percent(ts.share3, 1, trim=True)} ({ts.tier3} students); {se} placements. The convention "
                     f"has about {percent(exp[2], 2, trim=True)} and {percent(exp[3], 2, trim=True)}.")
            core_line = core.get((school, int(grade)),
                                 "Judged by outcomes: no student of this grade has tiers all year, so the core "
                                 "cannot be judged.")
            for tier, count, share in ((1, ts.tier1, ts.share1), (2, ts.tier2, ts.share2), (3, ts.tier3, ts.share3)):
                rows.append({"school": school, "grade": int(grade), "tier": tier, "count": count, "share": share,
                             "n": ts.n, "expected": ts.tier1_convention if tier == 1 else float(exp[tier]),
                             "tier1_vs_convention": ts.tier1_vs_convention,
                             "label": f"{percent(share, 1, trim=True)} ({count} students)", "line1": line1,
                             "line2": line2, "core_line": core_line})
    return pd.DataFrame(rows)


def classwide_table(
    cohort: Any,
    *,
    season: str = "winter",
    measure: str = "math_dcpm",
) -> pd.DataFrame:
    """The library's classwide-problem check for every classroom, by its grade's criterion.

    Each classroom is judged by :func:`mtss_teach.classwide.classwide_check`:
    more than half of the class below the grade's published frustrational
    criterion (14 digits correct per minute in grades 2-3, 24 in grades
    4-5; Burns, VanDerHeyden & Jiban 2006). Classrooms of a grade with no
    published criterion keep their row, marked "not checked", with the
    reason.

    Parameters
    ----------
    cohort : Cohort or str
        With ``students`` (``school, grade, classroom``) and ``screening``
        (long: ``student_id, season, measure, score``) tables, or a shipped
        dataset's name.
    season : {"fall", "winter", "spring"}, default "winter"
    measure : str, default "math_dcpm"
        A ``measure`` of the screening table (digits correct per minute).

    Returns
    -------
    pandas.DataFrame
        One row per (school, grade, classroom): ``n`` students screened,
        ``made`` (whether the grade has a criterion), ``criterion`` (NaN when
        not), ``below`` (students under it; -1 when not checked),
        ``problem`` (False when not checked), ``label`` and ``reason``.

    Examples
    --------
    >>> from mtss_teach.explorers import classwide_table
    >>> t = classwide_table("weak_tier1")
    >>> t.query("grade == 3")[["classroom", "n", "below", "problem"]].head(2).values.tolist()
    [['01-3A', 20, 14, True], ['01-3B', 20, 13, True]]
    >>> float(t.query("grade == 4")["criterion"].iloc[0]), bool(t.query("grade == 1")["made"].any())
    (24.0, False)
    """
    from .. import classwide

    se = check_choice(season, "season", ("fall", "winter", "spring"))
    c = _cohort(cohort, ("students", "screening"))
    scr = _season_rows(c.screening, se, "screening")
    known = sorted(scr["measure"].astype(str).unique())
    if measure not in known:
        raise DataError(f"measure: {measure!r} is not in the cohort's {se} screening (has {', '.join(known)})")
    scr = scr[scr["measure"].astype(str) == measure]
    st = c.students[["student_id", "school", "grade", "classroom"]]
    m = scr[["student_id", "score"]].merge(st, on="student_id", how="left", validate="many_to_one")
    missing = m["school"].isna().to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise DataError(f"cohort: student_id {_plain(m['student_id'].iloc[i])!r} in screening is not in students")
    rows = []
    for (school, grade, room), g in m.groupby(["school", "grade", "classroom"], observed=True, sort=True):
        r = classwide.classwide_check(g["score"].to_numpy(dtype=float), int(grade))
        if r.made:
            label = (f"{r.below} of {r.n} below {number(r.criterion.frustrational_below)}: "
                     f"{'classwide' if r.problem else 'not classwide'}")
        else:
            label = "not checked: no published criterion"
        rows.append({"school": str(school), "grade": int(grade), "classroom": str(room), "n": r.n,
                     "made": r.made,
                     "criterion": r.criterion.frustrational_below if r.made else np.nan,
                     "below": r.below if r.made else -1, "problem": bool(r.problem) if r.made else False,
                     "label": label, "reason": r.reason})
    if not rows:
        raise DataError(f"cohort: no {se} {measure} scores to check")
    return pd.DataFrame(rows)




def tier_share_explorer(
    cohort: Any,
    *,
    season: str = "winter",
    measure: str = "math_dcpm",
    grade: int | None = None,
    school: str | None = None,
    criterion: float | None = None,
    measure_label: str = "Math computation",
    units: str = "digits correct per minute",
    outcome_subject: str = "reading",
    title: str | None = None,
    width: int = 560,
) -> alt.VConcatChart:
    """Pick a grade (and school): tier shares against 80/15/5, the core's outcomes, classwide problems.

    The page shows the grade's tier shares (:func:`tier_share_table`, from
    :func:`mtss_teach.screening.tier_shares`) against the 80/15/5
    convention -- a description of how support is spread, not a verdict on
    the core, since the team's own cut decides it -- and beside them the
    verdict on the core by outcomes (the share of students who passed the
    state test with core instruction alone,
    :func:`mtss_teach.screening.core_effectiveness`), and, for each classroom, how many students score below
    *that grade's* published frustrational criterion and whether that is a
    classwide problem (:func:`classwide_table`, from
    :func:`mtss_teach.classwide.classwide_check`). A grade with no published
    criterion says so instead of borrowing another grade's.

    Parameters
    ----------
    cohort : Cohort or str
    season, measure
        As in :func:`classwide_table`.
    grade : int, optional
        Starting grade (default: the lowest).
    school : str, optional
        Starting school (default: all schools, or the only one).
    criterion : float, optional
        Kept for older pages: if given, it must be the starting grade's
        published criterion (:func:`mtss_teach.classwide.classwide_criterion`);
        the explorer always uses each grade's own.
    measure_label, units, title : str
    outcome_subject : str, default "reading"
        As in :func:`tier_share_table`.
    width : int

    Returns
    -------
    altair.VConcatChart
        Parameters ``grade`` (radio buttons) and ``school`` (a select, only
        when the cohort has several schools).

    Examples
    --------
    >>> from mtss_teach.explorers import tier_share_explorer
    >>> spec = tier_share_explorer("district_small", grade=3).to_dict()
    >>> [(p["name"], p["value"], p["bind"]["input"]) for p in spec["params"]]
    [('grade', 3, 'radio'), ('school', 'All schools', 'select')]
    """
    se = check_choice(season, "season", ("fall", "winter", "spring"))
    c = _cohort(cohort, ("students", "tiers", "screening"))
    shares = tier_share_table(c, season=se, outcome_subject=outcome_subject)
    wide = classwide_table(c, season=se, measure=measure)
    grades = sorted(int(g) for g in shares["grade"].unique())
    g0 = grades[0] if grade is None else check_choice(grade, "grade", grades)
    options = list(dict.fromkeys(shares["school"]))
    many = len(options) > 1
    if school is None:
        s0 = options[0]
    else:
        s0 = check_choice(school, "school", options) if not isinstance(school, str) else school
        if s0 not in options:
            raise DataError(f"school: {school!r} is not one of {options}")
    if criterion is not None:
        from .. import classwide

        published = classwide.classwide_criterion(g0).frustrational_below
        if check_number(criterion, "criterion") != published:
            raise DataError(f"criterion: grade {g0}'s published criterion is {number(published)} {units} "
                            f"(Burns, VanDerHeyden & Jiban 2006), not {number(criterion)}; the explorer uses "
                            "each grade's own criterion")

    params = [alt.param(name="grade", value=int(g0), bind=alt.binding_radio(
        options=grades, labels=[f"Grade {g}" for g in grades], name="Grade: "))]
    if many:
        params.append(alt.param(name="school", value=s0, bind=alt.binding_select(options=options, name="School ")))
    pick = "datum.grade == grade" + (" && datum.school == school" if many else "")
    pick_room = "datum.grade == grade" + (
        f" && (school == {ALL_SCHOOLS!r} || datum.school == school)" if many else "")

    # Tier shares: the library's numbers per (school, grade).
    texts = shares.drop_duplicates(["school", "grade"])[["school", "grade", "line1", "line2", "core_line"]]
    tiers = shares[["school", "grade", "tier", "share", "expected", "label"]].assign(
        tier=[f"Tier {t}" for t in shares["tier"]], pct=100 * shares["share"], exp_pct=100 * shares["expected"])
    tiers = tiers.assign(label=[lab.replace(" (", "\n(") for lab in tiers["label"]],
                         exp_label=[f"expected about {number(e)}%" for e in tiers["exp_pct"]],
                         label_y=np.maximum(tiers["pct"], tiers["exp_pct"]))
    tiers = tiers.drop(columns=["share", "expected"])
    names = ["Tier 1", "Tier 2", "Tier 3"]
    x_t = alt.X("tier:N", title="Tier (black tick: the 80/15/5 convention)", sort=names,
                axis=alt.Axis(labelAngle=0))
    base = alt.Chart(tiers).transform_filter(pick)
    t_bars = base.mark_bar(size=46).encode(
        x=x_t, y=alt.Y("pct:Q", title="Share of students (%)", scale=alt.Scale(domain=[0, 100]),
                       axis=alt.Axis(orient="right")),
        color=alt.Color("tier:N", scale=alt.Scale(domain=names, range=[PALETTE["tier1"], PALETTE["tier2"],
                                                                        PALETTE["tier3"]]), legend=None),
        tooltip=[alt.Tooltip("tier:N", title="Tier"), alt.Tooltip("label:N", title="Share"),
                 alt.Tooltip("exp_label:N", title="Convention")])
    t_tick = base.mark_tick(color=PALETTE["reference"], thickness=3, size=70).encode(x=x_t, y=alt.Y("exp_pct:Q"))
    t_text = base.mark_text(dy=-20, fontSize=11, lineBreak="\n").encode(x=x_t, y=alt.Y("label_y:Q"), text=alt.Text("label:N"))
    tier_panel = alt.layer(t_bars, t_tick, t_text).properties(
        width=200, height=200, title=alt.TitleParams("Students by tier", anchor="start", fontSize=12))

    # Classwide check: the library's answer per classroom, by the grade's own criterion.
    rooms = wide[["school", "grade", "classroom", "n", "made", "below", "problem", "label"]].assign(
        pct=np.where(wide["made"], 100.0 * wide["below"].clip(lower=0) / wide["n"], 0.0),
        status=np.where(~wide["made"], "Not checked (no published criterion)",
                        np.where(wide["problem"], "Classwide problem", "No classwide problem")))
    status_dom = ["Classwide problem", "No classwide problem", "Not checked (no published criterion)"]
    y_r = alt.Y("classroom:N", title="Classroom", sort="ascending")
    rbase = alt.Chart(rooms).transform_filter(pick_room)
    r_bars = rbase.mark_bar(size=14).encode(
        y=y_r, x=alt.X("pct:Q", title="Students below the criterion (% of the class)",
                       scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("status:N", scale=alt.Scale(domain=status_dom, range=[PALETTE["below"], PALETTE["meets"],
                                                                               PALETTE["reference"]]),
                        legend=alt.Legend(title="Check", orient="bottom")),
        tooltip=[alt.Tooltip("classroom:N", title="Classroom"), alt.Tooltip("label:N", title="Students")])
    half = alt.Chart(pd.DataFrame({"x": [50.0], "t": ["half the class"]}))
    r_rule = half.mark_rule(color=PALETTE["reference"], strokeDash=[6, 3], strokeWidth=2).encode(x=alt.X("x:Q"))
    r_text = rbase.mark_text(align="left", dx=6, fontSize=11).encode(y=y_r, x=alt.XDatum(100),
                                                                    text=alt.Text("label:N"))
    room_panel = alt.layer(r_bars, r_rule, r_text).properties(
        width=130, height=alt.Step(22),
        title=alt.TitleParams("Classwide check: more than half below the grade's criterion?", anchor="start",
                              fontSize=12))

    totals = (wide.assign(key=wide["school"]) if not many else pd.concat(
        [wide.assign(key=wide["school"]), wide.assign(key=ALL_SCHOOLS)], ignore_index=True))
    summary = totals.groupby(["key", "grade"], sort=True).agg(
        rooms=("problem", "size"), problems=("problem", "sum"), made=("made", "all"),
        criterion=("criterion", "first")).reset_index().rename(columns={"key": "school"})
    summary = summary.assign(
        line3=[(f"{int(p)} of {int(r)} classrooms have a classwide problem in {measure_label.lower()} ({se})."
                if made else f"Grade {g}: no published classwide criterion in {measure_label.lower()}.")
               for p, r, made, g in zip(summary["problems"], summary["rooms"], summary["made"], summary["grade"])],
        line4=[(f"A classwide problem: more than half the class below {number(cr)} {units}, the grade {g} "
                "criterion (Burns et al. 2006)." if made else
                "Burns et al. (2006) give grades 2-5 only, so the classwide check is not made.")
               for made, cr, g in zip(summary["made"], summary["criterion"], summary["grade"])])
    sbase = alt.Chart(summary).transform_filter(pick)
    text_layers = [
        alt.Chart(texts).transform_filter(pick).mark_text(
            align="left", baseline="top", fontSize=13, fontWeight="bold", x=0, y=4, limit=0)
        .encode(text=alt.Text("line1:N")),
        alt.Chart(texts).transform_filter(pick).mark_text(
            align="left", baseline="top", fontSize=12, x=0, y=25, limit=0).encode(text=alt.Text("line2:N")),
        alt.Chart(texts).transform_filter(pick).mark_text(
            align="left", baseline="top", fontSize=13, fontWeight="bold", x=0, y=46, limit=0)
        .encode(text=alt.Text("core_line:N")),
        sbase.mark_text(align="left", baseline="top", fontSize=13, fontWeight="bold", x=0, y=71, limit=0)
        .encode(text=alt.Text("line3:N")),
        sbase.mark_text(align="left", baseline="top", fontSize=12, x=0, y=91, limit=0)
        .encode(text=alt.Text("line4:N")),
    ]
    text_panel = alt.layer(*text_layers).properties(name=LIVE, width=width, height=109)

    head = title or "Tier 1 health explorer: tier shares and classwide problems"
    desc = (f"Interactive tier-share explorer: choose a grade{' and a school' if many else ''}; the text and "
            f"bars show the share of students in each tier ({se}) against the 80/15/5 convention (how support "
            f"is spread, not a verdict on the core), the text judges the core by outcomes (students who "
            f"passed the state {outcome_subject} test with core instruction alone, against the usual "
            f"expectation of about {percent(float(screening.core_expectation()['expected_share'].iloc[0]), 2, trim=True)}), "
            "and the "
            f"classroom bars show how many students in each class score below the grade's published "
            f"frustrational criterion in {measure_label.lower()} ({units}) and whether that is a classwide "
            "problem (more than half the class); grades with no published criterion are not checked.")
    row = alt.hconcat(tier_panel, room_panel, spacing=30).resolve_scale(color="independent")
    return alt.vconcat(text_panel, row, spacing=12).add_params(
        *params).properties(
        title=alt.TitleParams(head, subtitle=["80/15/5 is a planning convention, not a norm: it describes how "
                                              "support is spread.", "Whether the core works is judged by "
                                              "outcomes. Pick a grade under the chart."], anchor="start"),
        description=desc,
    )
