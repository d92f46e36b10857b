"""DataMeeting: a grade-level data meeting -- the team's entry and exit criteria against the rules."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd

from .. import norms, screening
from .. import formatting
from ..errors import DataError
from ._app import MtssApp
from ._controls import Dropdown, options_with_all
from ._data import table_of
from ._html import fmt, metrics_html, table_html

__all__ = ["DataMeeting", "RULE_SYSTEMS"]

#: Published rules the team's sort is compared with (``norms.benchmark_status`` systems).
RULE_SYSTEMS: dict[str, str] = {
    "acadience": "Acadience benchmark goals (grades 1-3)",
    "percentile": "Percentile cuts 20th / 40th (Hasbrouck & Tindal norms, DIBELS 6th-edition practice)",
}


_PREVIOUS = {"winter": "fall", "spring": "winter"}


def _tiers_from_status(status: Any) -> np.ndarray:
    return np.asarray(norms.support_tier(np.asarray(status, dtype=object)), dtype=np.int64)


class DataMeeting(MtssApp):
    """Sort a grade into Tiers 1/2/3 by the team's stated criteria; compare with the rules.

    The team states its criteria as percentiles of the Hasbrouck & Tindal
    (2017) ORF norms: *entry* -- Tier 3 below one percentile, Tier 2 below a
    higher one; *exit* (winter and spring) -- a student supported last
    season returns to Tier 1 at or above the exit percentile, and otherwise
    stays supported (Tier 2 at least). Each student's standing comes from
    :func:`mtss_teach.norms.benchmark_status` (``system="percentile"`` with
    the team's cuts). The comparison rule is
    :func:`~mtss_teach.norms.benchmark_status` with a published system
    (Acadience goals for grades 1-3, or the 20th/40th percentile practice),
    read as tiers by :func:`~mtss_teach.norms.support_tier`. The school's recorded tiers (the
    cohort's ``tiers`` table) are shown beside both. Tier shares come from
    :func:`mtss_teach.screening.tier_shares` (against 80/15/5), and Tier 1
    health from :func:`~mtss_teach.screening.classwide_problem` with the
    math instructional range (:func:`~mtss_teach.screening.math_instructional_table`,
    grades 2-5).

    Examples
    --------
    >>> from mtss_teach.widgets import DataMeeting
    >>> meeting = DataMeeting.from_dataset(draw="off")
    >>> meeting.set(grade=3, season="winter", tier3_below=10, tier2_below=25, exit_at=40)
    >>> round(sum(meeting.metrics["team_shares"]), 6)
    1.0
    """

    title = "Data meeting"
    purpose = ("A grade-level data meeting: state your team's entry and exit criteria, sort the students "
               "into Tiers 1, 2 and 3, and compare with the published rules, the school's records and "
               "the 80/15/5 expectation.")

    def _build(self) -> None:
        style = {"description_width": "initial"}
        self.w_school = Dropdown(description="School", style=style, layout=W.Layout(width="15em"))
        self.w_grade = W.Dropdown(description="Grade", style=style, layout=W.Layout(width="9em"))
        self.w_season = W.Dropdown(description="Season", options=list(norms.SEASONS), value="winter",
                                   style=style, layout=W.Layout(width="11em"))
        self.w_season.add_class("mtss-season")
        self.w_t3 = W.IntSlider(description="Tier 3 if below percentile", min=10, max=89, value=10, style=style,
                                continuous_update=False, layout=W.Layout(width="30em"))
        self.w_t3.add_class("mtss-tier3-cut")
        self.w_t2 = W.IntSlider(description="Tier 2 if below percentile", min=11, max=90, value=25, style=style,
                                continuous_update=False, layout=W.Layout(width="30em"))
        self.w_t2.add_class("mtss-tier2-cut")
        self.w_exit = W.IntSlider(description="Exit to Tier 1 at or above percentile", min=11, max=90, value=40,
                                  style=style, continuous_update=False, layout=W.Layout(width="30em"))
        self.w_rule = W.Dropdown(description="Compare with", style=style, layout=W.Layout(width="44em"),
                                 options=[(v, k) for k, v in RULE_SYSTEMS.items()], value="acadience")
        self.w_metrics = W.HTML()
        self.w_metrics.add_class("mtss-meeting-metrics")
        self.w_cross = W.HTML()
        self.w_list = W.HTML()
        self.w_health = W.HTML()
        self.p_shares = self._pane("tier_shares")
        self._watch(self.w_school, self.w_season, self.w_t3, self.w_t2, self.w_exit, self.w_rule)
        self._watch(self.w_grade, handler=self._grade_changed)

    def _grade_changed(self) -> None:
        if int(self.w_grade.value) > 3 and self.w_rule.value == "acadience":
            with self._hold():  # Acadience goals are shipped for grades 1-3 only
                self.w_rule.value = "percentile"
        self.refresh()

    def _layout(self) -> list[W.Widget]:
        return [
            W.HBox([self.w_school, self.w_grade, self.w_season], layout=W.Layout(flex_flow="row wrap")),
            W.HTML('<div class="mtss-note">Your team\'s criteria (percentiles of the Hasbrouck &amp; Tindal '
                   "2017 ORF norms; the start values are only a starting point).</div>"),
            self.w_t3, self.w_t2, self.w_exit,
            self.w_rule,
            self.w_metrics,
            W.HBox([self.p_shares.widget, self.w_cross], layout=W.Layout(flex_flow="row wrap")),
            W.Accordion(children=[self.w_list, self.w_health],
                        titles=("Students the team and the rule place differently", "Tier 1 health")),
        ]

    def _clear(self) -> None:
        super()._clear()
        for w in (self.w_metrics, self.w_cross, self.w_list, self.w_health):
            w.value = ""

    # -- data ----------------------------------------------------------------

    def _on_cohort(self) -> None:
        self._students = table_of(self.cohort, "students", "the data meeting").set_index("student_id")
        self._screening = table_of(self.cohort, "screening", "the data meeting")
        tiers = getattr(self.cohort, "tiers", None)
        self._tiers = tiers if isinstance(tiers, pd.DataFrame) and len(tiers) else None
        schools = sorted(self._students["school"].astype(str).unique())
        self.w_school.options = options_with_all(schools, "All schools")
        self.w_school.value = None
        grades = sorted(int(g) for g in self._students["grade"].unique())
        self.w_grade.options = grades
        self.w_grade.value = 3 if 3 in grades else grades[0]

    def _scores(self, measure: str, season: str) -> pd.DataFrame:
        s = self._screening
        rows = s[(s["measure"].astype(str) == measure) & (s["season"].astype(str) == season)]
        info = self._students.reindex(rows["student_id"].to_numpy())
        keep = info["grade"].to_numpy() == self.w_grade.value
        if self.w_school.value is not None:
            keep &= info["school"].astype(str).to_numpy() == self.w_school.value
        rows = rows[keep]
        return pd.DataFrame({
            "student_id": rows["student_id"].to_numpy(),
            "classroom": self._students.loc[rows["student_id"].to_numpy(), "classroom"].astype(str).to_numpy(),
            "score": rows["score"].to_numpy(dtype=float),
        })

    def _recorded(self, season: str, ids: np.ndarray) -> np.ndarray | None:
        if self._tiers is None:
            return None
        t = self._tiers[self._tiers["season"].astype(str) == season].set_index("student_id")["tier"]
        return t.reindex(ids).to_numpy(dtype=float)

    # -- update --------------------------------------------------------------

    def _update(self) -> None:
        grade, season, rule = int(self.w_grade.value), self.w_season.value, self.w_rule.value
        t3, t2, ex = int(self.w_t3.value), int(self.w_t2.value), int(self.w_exit.value)
        self.w_exit.disabled = season not in _PREVIOUS
        df = self._scores("orf", season)
        where = f"{self.w_school.value or 'all schools'}, grade {grade}, {season}"
        if len(df) == 0:
            raise DataError(f"selection: no oral reading fluency scores for {where}")
        if rule == "acadience" and grade > 3:
            raise DataError(f"rule: Acadience goals are shipped for grades 1-3 only; for grade {grade} compare "
                            "with the percentile cuts")
        # the team's sort: entry criteria, then exit criteria for students supported last season
        prev_season = _PREVIOUS.get(season)
        prev = self._recorded(prev_season, df["student_id"].to_numpy()) if prev_season else None
        placed = screening.place_tiers(df["score"], grade, season, tier3_below=t3, tier2_below=t2,
                                       exit_at=ex if prev is not None else None, previous_tiers=prev)
        team = placed["tier"].to_numpy()
        exit_note = ""
        if prev is not None:
            supported, exits = placed["supported"].to_numpy(), placed["exits"].to_numpy()
            exit_note = (f" {int(supported.sum())} were supported in {prev_season}; {int(exits.sum())} "
                         f"reach the exit criterion.")
        rule_tier = _tiers_from_status(norms.benchmark_status(df["score"], grade, season, system=rule))
        recorded = self._recorded(season, df["student_id"].to_numpy())
        team_s = screening.tier_shares(team)
        rule_s = screening.tier_shares(rule_tier)
        rec_s = screening.tier_shares(recorded) if recorded is not None and not np.isnan(recorded).any() else None
        agree = float(np.mean(team == rule_tier))
        differ = team != rule_tier
        items = [
            ("Students", len(df), "students", "int"),
            ("Team: Tier 1", team_s.share1, "team_tier1", "pct"),
            ("Team: Tier 2", team_s.share2, "team_tier2", "pct"),
            ("Team: Tier 3", team_s.share3, "team_tier3", "pct"),
            ("Rule: Tier 1", rule_s.share1, "rule_tier1", "pct"),
            ("Rule: Tier 2", rule_s.share2, "rule_tier2", "pct"),
            ("Rule: Tier 3", rule_s.share3, "rule_tier3", "pct"),
            ("Team and rule agree", agree, "agreement", "pct"),
        ]
        note = (f"{where}: {len(df)} students. The team's Tier 1 share is {fmt(team_s.share1, 'pct')} "
                f"(the 80/15/5 convention has about {formatting.percent(team_s.tier1_convention, 2, trim=True)} there: a description of "
                "how support is spread, not a verdict on the core, which is judged by outcomes)." + exit_note)
        if rec_s is not None:
            note += (f" The school recorded {fmt(rec_s.share1, 'pct')} / {fmt(rec_s.share2, 'pct')} / "
                     f"{fmt(rec_s.share3, 'pct')} in Tiers 1/2/3.")
        crit = f"{t3}/{t2}/{ex if prev is not None else ''}"
        criteria = (f'<div class="mtss-note" data-metric="criteria" data-value="{crit}">Team criteria: Tier 3 below '
                    f"the {t3}th percentile, Tier 2 below the {t2}th"
                    + (f"; supported students exit at or above the {ex}th." if prev is not None else ".") + "</div>")
        self.w_metrics.value = criteria + metrics_html(items) + f'<div class="mtss-note">{note}</div>'
        cross = pd.crosstab(pd.Series(team, name="team"), pd.Series(rule_tier, name="rule")).reindex(
            index=[1, 2, 3], columns=[1, 2, 3], fill_value=0)
        cross.index = [f"Team: Tier {i}" for i in cross.index]
        cross.columns = [f"Rule: Tier {j}" for j in cross.columns]
        self.w_cross.value = table_html(cross, index=True, caption="Students by the team's tier (rows) and the "
                                                                   "rule's tier (columns).")
        pct = norms.orf_percentile(df["score"], grade, season)
        diff = pd.DataFrame({
            "student": df["student_id"].astype(str), "classroom": df["classroom"],
            "ORF (WCPM)": df["score"].map(lambda v: fmt(v, "int")),
            "percentile": [("<10" if p <= 10 else ">90" if p >= 90 else fmt(p, "num", 0)) for p in pct],
            "team tier": team, "rule tier": rule_tier,
            "recorded tier": (["—"] * len(df) if recorded is None else
                              [("—" if np.isnan(r) else str(int(r))) for r in recorded]),
        })[differ]
        self.w_list.value = (table_html(diff, max_rows=80, caption=f"{int(differ.sum())} students placed "
                                                                   "differently by the team and the rule.")
                             if differ.any() else '<div class="mtss-note">The team and the rule agree on '
                                                  "every student.</div>")
        classwide = self._tier1_health(grade, season)
        self._metrics = {
            "school": self.w_school.value, "grade": grade, "season": season, "rule": rule,
            "tier3_below": t3, "tier2_below": t2, "exit_at": ex, "students": len(df),
            "team_tiers": dict(zip(df["student_id"].tolist(), team.tolist())),
            "rule_tiers": dict(zip(df["student_id"].tolist(), rule_tier.tolist())),
            "team_shares": [team_s.share1, team_s.share2, team_s.share3],
            "rule_shares": [rule_s.share1, rule_s.share2, rule_s.share3],
            "recorded_shares": None if rec_s is None else [rec_s.share1, rec_s.share2, rec_s.share3],
            "team_tier1_vs_convention": team_s.tier1_vs_convention,
            "agreement": agree, "disagreements": int(differ.sum()),
            "classwide_problem": classwide,
        }

        def chart(shares: Any = team_s) -> Any:
            from .. import charts
            return charts.tier_share_chart(shares, title="Your team's placement against 80/15/5",
                                           width=320, height=200)

        self.p_shares.draw(chart)

    def _tier1_health(self, grade: int, season: str) -> dict[str, bool]:
        """Classwide math problems by classroom (VanDerHeyden; Burns et al. 2006 ranges, grades 2-5)."""
        table = screening.math_instructional_table()
        row = table[table["grade"] == grade]
        if row.empty:
            self.w_health.value = (f'<div class="mtss-note">The math instructional range is published for grades '
                                   f"2-5; grade {grade} has none, so no classwide check.</div>")
            return {}
        low = float(row["instructional_low"].iloc[0])
        math = self._scores("math_dcpm", season)
        if len(math) == 0:
            self.w_health.value = '<div class="mtss-note">No math screening scores for this selection.</div>'
            return {}
        out, rows = {}, []
        for room, g in math.groupby("classroom", sort=True):
            level = screening.math_instructional_level(g["score"], grade)
            problem = screening.classwide_problem(g["score"], frustrational_below=low)
            out[str(room)] = problem
            rows.append({"classroom": room, "students": len(g),
                         "frustrational": fmt(float(np.mean(np.asarray(level) == "frustrational")), "pct"),
                         "classwide problem": "yes" if problem else "no"})
        self.w_health.value = table_html(
            pd.DataFrame(rows), caption=f"Math computation, {season}: a classwide problem when more than half the "
                                        f"class is frustrational (under {fmt(low)} digits correct per minute).")
        return out

    def _controls(self) -> dict[str, W.Widget]:
        return {"school": self.w_school, "grade": self.w_grade, "season": self.w_season, "tier3_below": self.w_t3,
                "tier2_below": self.w_t2, "exit_at": self.w_exit, "rule": self.w_rule}

    def set(self, **values: Any) -> None:
        """Set controls (``school, grade, season, tier3_below, tier2_below, exit_at, rule``), update once."""
        names = {"school": self.w_school, "grade": self.w_grade, "season": self.w_season, "tier3_below": self.w_t3,
                 "tier2_below": self.w_t2, "exit_at": self.w_exit, "rule": self.w_rule}
        self._set_many(names, values)
        if "grade" in values and "rule" not in values and int(self.w_grade.value) > 3 \
                and self.w_rule.value == "acadience":
            with self._hold():  # Acadience goals are shipped for grades 1-3 only
                self.w_rule.value = "percentile"
        self._safe(self.refresh)
