"""DecisionRuleLab: how often is a decision rule right? (wraps ``progress.simulate_decisions``)."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd

from .. import norms, progress
from ..errors import DataError
from ..formatting import sentence_case
from ._app import MtssApp
from ._controls import Dropdown
from ._charts import chart_call
from ._html import fmt, metrics_html, table_html

__all__ = ["DecisionRuleLab", "SCENARIOS", "N_STUDENTS", "WEEK_RANGE"]

#: Where the simulated students' true growth comes from.
SCENARIOS: dict[str, str] = {
    "dataset": "True growth of this dataset's monitored students in the grade",
    "on_track": "Every student truly grows exactly at the goal rate",
    "no_growth": "Every student truly makes no growth (0 a week)",
}
#: Simulated students per setting (the library's default).
N_STUDENTS = 2000
#: Weeks of monitoring the lab lets a leader try (and draws on the accuracy curve).
WEEK_RANGE = (4, 20)



class DecisionRuleLab(MtssApp):
    """Set measurement error, weeks of data and a rule; see how often the rule is right.

    Every number is :func:`mtss_teach.progress.simulate_decisions`: the goal
    line rises at the IRIS typical growth of the chosen grade
    (:func:`mtss_teach.norms.typical_growth`), each probe adds normal error
    with SD = the chosen SEM (a CBM-R probe's SEM is about 10 WCPM), and the
    rule decides after the chosen number of weekly points. The chart shows
    the accuracy for every number of weeks from 4 to 20 at the current
    settings, so a leader can rediscover that accuracy rises with weeks and
    falls with error (Christ et al. 2012; Hintze et al. 2018).

    Works without a cohort for the "on track" and "no growth" scenarios;
    the "dataset" scenario uses the true weekly growth in the cohort's
    ``truth`` table.

    Examples
    --------
    >>> from mtss_teach.widgets import DecisionRuleLab
    >>> lab = DecisionRuleLab.from_dataset(draw="off")
    >>> lab.set(rule="four_point", sem=10, weeks=6, scenario="on_track", grade=3)
    >>> 0 <= lab.metrics["accuracy"] <= 1
    True
    """

    title = "Decision-rule lab"
    purpose = ("How often is a progress-monitoring decision right? Set the measurement error, the weeks "
               "of data and the rule: the lab simulates 2,000 students and scores every decision "
               "against the truth.")

    def _build(self) -> None:
        style = {"description_width": "initial"}
        self.w_scenario = W.Dropdown(description="True growth", style=style, layout=W.Layout(width="36em"),
                                     options=[(v, k) for k, v in SCENARIOS.items()], value="on_track")
        self.w_grade = W.Dropdown(description="Grade", style=style, layout=W.Layout(width="9em"),
                                  options=[2, 3, 4, 5, 6], value=3)
        self.w_rule = W.Dropdown(description="Rule", style=style, layout=W.Layout(width="22em"),
                                 options=[(sentence_case(progress.RULE_LABELS[r]), r) for r in progress.RULES], value="four_point")
        self.w_sem = W.IntSlider(description="Measurement error, SEM (WCPM)", min=0, max=20, value=10,
                                 style=style, continuous_update=False, layout=W.Layout(width="30em"))
        self.w_sem.add_class("mtss-sem")
        self.w_weeks = W.IntSlider(description="Weeks of monitoring", min=WEEK_RANGE[0], max=WEEK_RANGE[1],
                                   value=6, style=style, continuous_update=False, layout=W.Layout(width="30em"))
        self.w_weeks.add_class("mtss-weeks")
        self.w_metrics = W.HTML()
        self.w_metrics.add_class("mtss-lab-metrics")
        self.w_table = W.HTML()
        self.p_curve = self._pane("accuracy")
        self._watch(self.w_scenario, self.w_grade, self.w_rule, self.w_sem, self.w_weeks)

    def _layout(self) -> list[W.Widget]:
        return [
            W.HBox([self.w_scenario, self.w_grade], layout=W.Layout(flex_flow="row wrap")),
            self.w_rule,
            W.HBox([self.w_sem, self.w_weeks], layout=W.Layout(flex_flow="row wrap")),
            self.w_metrics,
            self.p_curve.widget,
            self.w_table,
        ]

    def _clear(self) -> None:
        super()._clear()
        self.w_metrics.value = ""
        self.w_table.value = ""

    def _on_cohort(self) -> None:
        truth = getattr(self.cohort, "truth", None)
        self._truth = None
        if isinstance(truth, pd.DataFrame) and {"student_id", "true_slope"} <= set(truth.columns):
            students = getattr(self.cohort, "students", None)
            t = truth[truth["true_slope"].notna()]
            if isinstance(students, pd.DataFrame):
                t = t.merge(students[["student_id", "grade"]], on="student_id", how="left")
                self._truth = t

    def _true_slopes(self, scenario: str, grade: int, aim: float) -> tuple[Any, int | None]:
        if scenario == "on_track":
            return aim, N_STUDENTS
        if scenario == "no_growth":
            return 0.0, N_STUDENTS
        if self._truth is None:
            raise DataError("scenario: this dataset has no true growth (truth table); choose "
                            "'on track' or 'no growth'")
        slopes = self._truth.loc[self._truth["grade"] == grade, "true_slope"].to_numpy(dtype=float)
        if slopes.size == 0:
            raise DataError(f"grade: no grade-{grade} student is monitored in this dataset; choose another grade")
        # the dataset's students, repeated in order up to the simulation size
        return np.resize(slopes, N_STUDENTS), None

    def _update(self) -> None:
        scenario, grade, rule = self.w_scenario.value, int(self.w_grade.value), self.w_rule.value
        sem, weeks = float(self.w_sem.value), int(self.w_weeks.value)
        aim = norms.typical_growth(grade, "orf")
        slopes, n = self._true_slopes(scenario, grade, aim)
        out = progress.simulate_decisions(slopes, aim, sem, weeks, rule, n=n, seed=0)
        allrow = out[out["truth"] == "all"].iloc[0]
        waiting = bool(allrow["collect_more_data"] == 1.0)
        acc = None if waiting else float(allrow["correct"])
        first = None
        if waiting:  # the rule has too few points to decide: say so, not "0% right"
            tried = progress.accuracy_by_weeks(0.0, aim, 0.0, rule, range(weeks, WEEK_RANGE[1] + 1), n=1)
            deciding = tried.loc[~tried["waiting"], "weeks"]
            first = int(deciding.iloc[0]) if len(deciding) else None
            right = ('<div class="mtss-metric"><span class="mtss-metric-label">Decisions right</span>'
                     '<span class="mtss-metric-value mtss-waiting" data-metric="accuracy" data-value="waiting">'
                     "waiting for more data</span></div>")
            wait_note = (f'<div class="mtss-decision mtss-waiting-note">With {weeks} weekly points the '
                         f"{progress.RULE_LABELS[rule]} does not decide yet: every call is “collect more data”, "
                         "so it is neither right nor wrong"
                         + (f"; it decides from {first} points." if first else ".") + "</div>")
        else:
            right = metrics_html([("Decisions right", acc, "accuracy", "pct")])
            wait_note = ""
        self.w_metrics.value = wait_note + '<div class="mtss-metrics">' + _strip_row(right) + _strip_row(metrics_html([
            (progress.ACTION_LABELS[a], allrow[a], a, "pct") for a in progress.ACTIONS
        ])) + "</div>" + (f'<div class="mtss-note" data-metric="settings" data-value="{scenario}/{grade}/{rule}/{sem:g}/{weeks}">'
              f'Goal line: {fmt(aim)} WCPM a week (IRIS typical growth, grade {grade}). '
              f"{weeks} weekly points, SEM {fmt(sem)} WCPM, {progress.RULE_LABELS[rule]}, "
              f"{N_STUDENTS:,} simulated students.</div>")
        shown = out.drop(columns=["rule", "n_points", "sem", "aim_slope", "tolerance"]).rename(columns={
            "truth": "truth (true growth vs goal)", "students": "students",
            **{a: progress.ACTION_LABELS[a].lower() for a in progress.ACTIONS}, "correct": "right"})
        if waiting:  # no decision yet: neither right nor wrong
            shown["right"] = "waiting"
        pct = {c: (lambda v: fmt(v, "pct")) for c in shown.columns if c not in ("truth (true growth vs goal)",
                                                                                "students")}
        self.w_table.value = table_html(shown, formats=pct,
                                        caption="Share of each decision by the truth (rows sum to 100%).")
        self._metrics = {
            "scenario": scenario, "grade": grade, "rule": rule, "sem": sem, "weeks": weeks, "aim_slope": aim,
            "n": N_STUDENTS, "seed": 0, "accuracy": acc, "waiting": waiting, "decides_from": first,
            "shares": {a: float(allrow[a]) for a in progress.ACTIONS},
            "by_truth": out.to_dict("records"),
        }

        self.p_curve.draw(chart_call("accuracy_by_weeks_chart", accuracy_curve(slopes, aim, sem, rule, n), weeks,
                                     rule=rule, sem=sem, week_range=WEEK_RANGE))

    def _controls(self) -> dict[str, W.Widget]:
        return {"scenario": self.w_scenario, "grade": self.w_grade, "rule": self.w_rule,
                "sem": self.w_sem, "weeks": self.w_weeks}

    def set(self, **values: Any) -> None:
        """Set several controls (``scenario, grade, rule, sem, weeks``) and update once."""
        names = {"scenario": self.w_scenario, "grade": self.w_grade, "rule": self.w_rule,
                 "sem": self.w_sem, "weeks": self.w_weeks}
        self._set_many(names, values)
        self._safe(self.refresh)


def accuracy_curve(slopes: Any, aim: float, sem: float, rule: str, n: int | None,
                   weeks: range | None = None) -> pd.DataFrame:
    """The lab's curve: :func:`mtss_teach.progress.accuracy_by_weeks` over :data:`WEEK_RANGE` (seed 0).

    Examples
    --------
    >>> from mtss_teach.widgets.decision_lab import accuracy_curve
    >>> accuracy_curve(1.0, 1.0, 10, "trend", 500, range(8, 10))["weeks"].tolist()
    [8, 9]
    """
    ws = weeks or range(WEEK_RANGE[0], WEEK_RANGE[1] + 1)
    return progress.accuracy_by_weeks(slopes, aim, sem, rule, ws, n=n, seed=0)


def _strip_row(html_row: str) -> str:
    """The items of a :func:`metrics_html` row without the row's own wrapper."""
    head = '<div class="mtss-metrics">'
    return html_row[len(head):-len("</div>")] if html_row.startswith(head) else html_row
