"""AimlineCoach: read one student's progress week by week, commit, then see the rule and the truth."""

from __future__ import annotations

import html
import math
from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd

from .. import cohorts, norms, progress
from ..errors import DataError
from ..formatting import counted, sentence_case
from ._app import MtssApp
from ._data import table_of
from ._charts import chart_call
from ._html import fmt, metrics_html

__all__ = ["AimlineCoach", "ACTION_LABELS", "TRUTH_TOLERANCE"]

#: Plain-language labels of :data:`mtss_teach.progress.ACTIONS` (the one table is
#: :data:`mtss_teach.progress.ACTION_LABELS`; kept here under its old name).
ACTION_LABELS = progress.ACTION_LABELS

#: "About on the goal line" for the truth: a true slope within this many
#: points a week of the aimline's slope (:data:`mtss_teach.progress.AIM_TOLERANCE`,
#: the band :func:`mtss_teach.progress.correct_action` and the decision-accuracy
#: simulator use by default).
TRUTH_TOLERANCE = progress.AIM_TOLERANCE


def last_school_week() -> int:
    """The last whole week of the school year, counted from the start of progress monitoring (week 0).

    From the synthetic cohorts' calendar (``cohort_params.yml``): the weeks
    from ``progress_start`` to ``last_day``. A goal set for a later week
    would fall after the school year ends.

    Examples
    --------
    >>> from mtss_teach.widgets.aimline import last_school_week
    >>> last_school_week()
    20
    """
    cal = cohorts.cohort_params()["calendar"]
    days = (np.datetime64(str(cal["last_day"])) - np.datetime64(str(cal["progress_start"]))).astype(int)
    return int(days // 7)



class AimlineCoach(MtssApp):
    """Pick a student, set baseline and goal, and step through the weeks.

    Each week the learner commits to a decision *before* the app reveals
    what the chosen rule says (:func:`mtss_teach.progress.decide`) and what
    the truth is. The truth comes from the simulation's answer key (the
    cohort's ``truth`` table): the student's true weekly growth, judged
    against the goal line by the same library function without measurement
    error (:func:`~mtss_teach.progress.decide` with the trend rule on the
    error-free growth line, tolerance :data:`TRUTH_TOLERANCE`), which is
    :func:`mtss_teach.progress.correct_action`.

    A goal the student cannot have (negative, not a number, beyond the
    0-300 WCPM the library accepts, at or below the baseline for reading
    fluency, where higher is better) or a goal week outside the school year
    gets a sentence, not a decision. Each week takes one commitment: going
    back to a week already decided shows that decision again.

    The baseline is the student's first probes (3 by default); the aimline
    comes from :func:`mtss_teach.progress.aimline`; the starting goal is
    :func:`mtss_teach.progress.goal_from_roi` with the IRIS typical growth of
    the student's grade (:func:`mtss_teach.norms.typical_growth`; grade 1 has
    no ORF growth norm, so the word-identification-fluency norm is used and
    the app says so).

    Examples
    --------
    >>> from mtss_teach.widgets import AimlineCoach
    >>> app = AimlineCoach.from_dataset(draw="off")
    >>> app.show_weeks(8)
    >>> app.commit("continue")
    >>> app.metrics["decision"] in ("raise_goal", "continue", "change_intervention", "collect_more_data")
    True
    """

    title = "Aimline coach"
    purpose = ("Pick a student, set the baseline and the goal, choose a trend method and a decision rule, "
               "then step through the weeks. Commit to a decision each week before the app reveals "
               "the rule's answer and the truth from the simulation.")

    def _build(self) -> None:
        style = {"description_width": "initial"}
        self._shown = 1
        self._revealed = False
        self._tally = {"commits": 0, "match_rule": 0, "match_truth": 0}
        self._committed: dict[int, str] = {}
        self.w_student = W.Dropdown(description="Student", style=style, layout=W.Layout(width="24em"))
        self.w_student.add_class("mtss-student")
        self.w_baseline = W.IntSlider(description="Baseline probes", min=1, max=5, value=3, style=style,
                                      continuous_update=False, layout=W.Layout(width="19em"))
        self.w_goal = W.FloatText(description="Goal (WCPM)", style=style, layout=W.Layout(width="11em"))
        self.w_goal.add_class("mtss-goal")
        self.w_goal_week = W.IntText(description="by week", style=style, layout=W.Layout(width="8em"))
        self.w_goal_week.add_class("mtss-goal-week")
        self.w_norm = W.Button(description="Goal from growth norm", layout=W.Layout(width="12em"),
                               tooltip="goal = baseline median + typical weekly growth x weeks")
        self.w_method = W.Dropdown(description="Trend", style=style, layout=W.Layout(width="15em"),
                                   options=[(sentence_case(progress.TREND_METHOD_LABELS[m]), m) for m in progress.TREND_METHODS], value="ols")
        self.w_rule = W.Dropdown(description="Rule", style=style, layout=W.Layout(width="19em"),
                                 options=[(sentence_case(progress.RULE_LABELS[r]), r) for r in progress.RULES], value="four_point")
        self.w_back = W.Button(description="◀ Back a week", layout=W.Layout(width="9em"))
        self.w_next = W.Button(description="Next week ▶", layout=W.Layout(width="9em"))
        self.w_next.add_class("mtss-next-week")
        self.w_choice = W.ToggleButtons(options=[(v, k) for k, v in ACTION_LABELS.items()], value=None,
                                        style={"button_width": "15em"})
        self.w_choice.add_class("mtss-choice")
        self.w_commit = W.Button(description="Commit and reveal", button_style="primary",
                                 layout=W.Layout(width="15em"))
        self.w_commit.add_class("mtss-commit")
        self.w_status = W.HTML()
        self.w_status.add_class("mtss-aimline-status")
        self.w_answer = W.HTML()
        self.w_answer.add_class("mtss-aimline-answer")
        self.w_numbers = W.HTML()
        self.w_numbers.add_class("mtss-aimline-numbers")
        self.w_tally = W.HTML()
        self.p_progress = self._pane("progress")
        self._watch(self.w_student, handler=self._student_changed)
        self._watch(self.w_baseline, handler=self._baseline_changed)
        self._watch(self.w_goal, self.w_goal_week, self.w_method, self.w_rule)
        self.w_norm.on_click(lambda _b: self._safe(self._goal_from_norm_clicked))
        self.w_next.on_click(lambda _b: self._safe(lambda: self.show_weeks(self._shown + 1)))
        self.w_back.on_click(lambda _b: self._safe(lambda: self.show_weeks(self._shown - 1)))
        self.w_commit.on_click(lambda _b: self._safe(self._commit_clicked))

    def _layout(self) -> list[W.Widget]:
        # projector-sized (1024 x 768): the week's controls, the chart, the decision buttons, "Commit and
        # reveal" and the answer all fit on one screen; the chart on the left, the decision on the right
        row = W.Layout(flex_flow="row wrap", align_items="center")
        decide = W.VBox([W.HTML('<b>Your decision</b>'), self.w_choice, self.w_commit, self.w_answer],
                        layout=W.Layout(width="27em", min_width="20em", flex="1 1 20em"))
        decide.add_class("mtss-aimline-decide")
        chart = W.VBox([self.p_progress.widget, self.w_numbers], layout=W.Layout(flex="0 1 540px", min_width="360px"))
        return [
            W.HBox([self.w_student, self.w_baseline, self.w_method, self.w_rule], layout=row),
            W.HBox([self.w_goal, self.w_goal_week, self.w_norm, self.w_back, self.w_next, self.w_status],
                   layout=row),
            W.HBox([chart, decide], layout=W.Layout(flex_flow="row wrap", align_items="flex-start")),
            self.w_tally,
        ]

    def _controls(self) -> dict[str, W.Widget]:
        return {"student": self.w_student, "baseline": self.w_baseline, "goal_week": self.w_goal_week,
                "goal": self.w_goal, "method": self.w_method, "rule": self.w_rule}

    def _link_extra(self) -> dict[str, str]:
        weeks = getattr(self, "_weeks", None)
        nb = int(self.w_baseline.value)
        if weeks is None or weeks.size <= nb:
            return {"week": ""}
        k = int(min(max(self._shown, 1), weeks.size - nb))
        return {"week": _week_text(weeks[nb + k - 1])}

    def _apply_extra(self, params: dict[str, str]) -> list[str]:
        text = params.get("week")
        if not text:
            return []
        try:
            week = float(text)
            if not math.isfinite(week):
                raise ValueError(text)
        except ValueError:
            return [f"the link's week “{text}” is not a week number; the first week is shown"]
        nb = int(self.w_baseline.value)
        k = int(np.sum(self._weeks[nb:] <= week))
        self.show_weeks(max(k, 1))
        return []

    def _clear(self) -> None:
        super()._clear()
        self.w_status.value = ""
        self.w_answer.value = ""
        self.w_numbers.value = ""
        self.w_commit.disabled = True

    # -- data --------------------------------------------------------------

    def _on_cohort(self) -> None:
        prog = table_of(self.cohort, "progress", "the aimline coach")
        students = table_of(self.cohort, "students", "the aimline coach").set_index("student_id")
        if "measure" in prog.columns:
            prog = prog[prog["measure"].astype(str) == "orf"]
        self._progress = {sid: g.sort_values("week", kind="stable")
                          for sid, g in prog.groupby("student_id", sort=True)}
        if not self._progress:
            raise DataError("cohort: this dataset has no oral-reading-fluency progress monitoring")
        truth = getattr(self.cohort, "truth", None)
        self._truth = truth.set_index("student_id") if isinstance(truth, pd.DataFrame) else None
        self._grades = students["grade"]
        opts = []
        for sid, g in self._progress.items():
            grade = int(self._grades.get(sid, 0))
            who = str(g["interventionist"].iloc[0]) if "interventionist" in g.columns else ""
            opts.append((f"{sid} · grade {grade} · {len(g)} probes" + (f" · {who}" if who else ""), sid))
        self.w_student.options = opts
        self.w_student.value = opts[0][1]
        self._load_student()

    def _load_student(self) -> None:
        sid = self.w_student.value
        g = self._progress[sid]
        self._weeks = g["week"].to_numpy(dtype=float)
        self._scores = g["score"].to_numpy(dtype=float)
        self._grade = int(self._grades.get(sid, 0))
        self._tally = {"commits": 0, "match_rule": 0, "match_truth": 0}
        self._committed = {}
        nb = int(self.w_baseline.value)
        if self._weeks.size < nb + 1:
            raise DataError(
                f"student: {sid} has only {counted(self._weeks.size, 'probe')}; "
                f"a baseline of {nb} plus at least one monitoring point needs {nb + 1}. "
                "Choose another student or fewer baseline probes.")
        with self._hold():
            self.w_goal_week.value = int(self._weeks[-1])
            self._shown = 1
            self._revealed = False
            self.w_choice.value = None
            self._set_goal_from_norm()

    def _growth_norm(self) -> tuple[float, str]:
        try:
            return norms.typical_growth(self._grade, "orf"), ""
        except DataError:
            if self._grade == 1:
                return (norms.typical_growth(1, "wif"),
                        "Grade 1 has no published ORF growth norm; the word identification fluency norm "
                        "(IRIS) is used as a stand-in.")
            raise

    def _set_goal_from_norm(self) -> None:
        nb = int(self.w_baseline.value)
        bw, bs = self._weeks[:nb], self._scores[:nb]
        roi, note = self._growth_norm()
        start_week = float(np.median(bw))
        self._check_goal_week(start_week)
        weeks = float(self.w_goal_week.value) - start_week
        self.w_goal.value = round(progress.goal_from_roi(float(np.median(bs)), roi, weeks), 1)
        self._norm_note = note

    # -- events ------------------------------------------------------------

    def _student_changed(self) -> None:
        self._load_student()
        self.refresh()

    def _baseline_changed(self) -> None:
        self._load_student()
        self.refresh()

    def _goal_from_norm_clicked(self) -> None:
        with self._hold():
            self._set_goal_from_norm()
        self.refresh()

    def _commit_clicked(self) -> None:
        if self.w_choice.value is None:
            self._say("choose your decision first, then commit.", "note")
            return
        self.commit(self.w_choice.value)

    # -- impossible inputs: a sentence, not a verdict ---------------------------

    def _check_goal_week(self, start_week: float) -> None:
        gw = float(self.w_goal_week.value)
        last = max(last_school_week(), int(np.max(self._weeks)))  # a cohort of your own may monitor longer
        if gw <= start_week:
            raise DataError(f"Goal week: the goal week ({gw:g}) must come after the baseline (week {start_week:g}); "
                            f"choose a week from {start_week + 1:g} to {last}.")
        if gw > last:
            raise DataError(f"Goal week: week {gw:g} is after the end of the school year (week {last} of "
                            f"progress monitoring); choose a week from {start_week + 1:g} to {last}.")

    def _check_goal(self, baseline_median: float) -> None:
        goal = float(self.w_goal.value)
        if not math.isfinite(goal):
            raise DataError("Goal: the goal must be a number of words correct per minute.")
        if goal < 0:
            raise DataError(f"Goal: a goal of {goal:g} is negative; a goal is a number of words read correctly "
                            "in a minute, 0 or more.")
        if goal > norms.ORF_MAX:
            raise DataError(f"Goal: a goal of {goal:g} words correct per minute is more than the "
                            f"{norms.ORF_MAX:g} this library accepts for oral reading fluency; set a goal a "
                            "student can reach, or use “Goal from growth norm”.")
        if goal <= baseline_median:
            raise DataError(f"Goal: the goal ({goal:g}) is not above the baseline median ({baseline_median:g}). "
                            "In reading fluency higher is better, so a goal must be above where the student "
                            "starts; raise it, or use “Goal from growth norm”.")

    # -- scripting (what the buttons do) ------------------------------------

    def show_weeks(self, k: int) -> None:
        """Show the first ``k`` monitoring points (after the baseline); hides the answer again."""
        nb = int(self.w_baseline.value)
        total = self._weeks.size - nb
        self._shown = int(min(max(k, 1), total))
        done = self._committed.get(self._shown)
        self._revealed = done is not None  # a week already decided shows its decision again
        with self._hold():
            self.w_choice.value = done
        self._safe(self.refresh)

    def commit(self, action: str) -> None:
        """Commit to ``action`` for the weeks shown, then reveal the rule's answer and the truth."""
        if action not in ACTION_LABELS:
            raise DataError(f"action: {action!r} is not one of {', '.join(ACTION_LABELS)}")
        if self._shown in self._committed:
            self._say(f"you have already committed a decision for this week "
                      f"(“{ACTION_LABELS[self._committed[self._shown]]}”); one decision a week. "
                      "Go to the next week to decide again.", "note")
            return
        with self._hold():
            self.w_choice.value = action
        self._revealed = True
        self._safe(self.refresh)
        m = self._metrics
        if m:
            self._committed[self._shown] = action
            self.w_commit.disabled = True
            self._tally["commits"] += 1
            self._tally["match_rule"] += int(action == m["decision"])
            self._tally["match_truth"] += int(m["truth"] is not None and action == m["truth"])
            self._metrics["tally"] = dict(self._tally)
            self._show_tally()

    # -- update ------------------------------------------------------------

    def _truth_action(self, line: progress.Aimline) -> tuple[str | None, float]:
        sid = self.w_student.value
        if self._truth is None or sid not in self._truth.index or "true_slope" not in self._truth.columns:
            return None, float("nan")
        slope = float(self._truth.loc[sid, "true_slope"])
        if not np.isfinite(slope):
            return None, float("nan")
        return progress.correct_action(slope, line.slope, tolerance=TRUTH_TOLERANCE), slope

    def _update(self) -> None:
        nb = int(self.w_baseline.value)
        sid = self.w_student.value
        if self._weeks.size < nb + 1:
            raise DataError(f"student: {sid} has only {self._weeks.size} probes; a baseline of {nb} plus "
                            "one monitoring point needs more. Choose another student or fewer baseline probes.")
        bw, bs = self._weeks[:nb], self._scores[:nb]
        mw_all, ms_all = self._weeks[nb:], self._scores[nb:]
        k = int(min(self._shown, mw_all.size))
        mw, ms = mw_all[:k], ms_all[:k]
        self._check_goal_week(float(np.median(bw)))
        self._check_goal(float(np.median(bs)))
        line = progress.aimline(bw, bs, goal=float(self.w_goal.value), goal_week=float(self.w_goal_week.value))
        method, rule = self.w_method.value, self.w_rule.value
        try:
            tr = progress.trend(mw, ms, method=method)
            trend_slope, trend_note = tr.slope, ""
        except DataError as exc:
            tr, trend_slope, trend_note = None, float("nan"), str(exc)
        dec = progress.decide(mw, ms, line, rule=rule)
        truth, true_slope = self._truth_action(line)
        self.w_back.disabled = k <= 1
        self.w_next.disabled = k >= mw_all.size
        self.w_commit.disabled = k in self._committed
        self.w_status.value = (
            f'<span class="mtss-note" data-metric="points_shown" data-value="{k}">Week {fmt(mw[-1])}: '
            f"{k} of {mw_all.size} monitoring points shown after {counted(nb, 'baseline probe')}."
            "</span>")
        numbers = [
            ("Baseline median", line.start_score, "baseline_median", "num"),
            ("Goal", line.goal, "goal", "num"),
            ("Goal line slope (WCPM/week)", line.slope, "aim_slope", "num"),
            (f"Trend slope, {progress.TREND_METHOD_LABELS[method]}", trend_slope, "trend_slope", "num"),
        ]
        note = getattr(self, "_norm_note", "")
        if self._revealed:
            choice = self.w_choice.value
            truth_txt = (f"The student's true growth is {fmt(true_slope)} WCPM a week against the goal line's "
                         f"{fmt(line.slope)}: the right call is <b>{ACTION_LABELS[truth]}</b>."
                         if truth is not None else "The true growth of this student is not known in this dataset.")
            verdict = []
            if choice is not None:
                verdict.append("You agreed with the rule." if choice == dec.action else
                               f"You chose “{ACTION_LABELS[choice]}”; the rule says otherwise.")
                if truth is not None:
                    verdict.append("Your call matches the truth." if choice == truth else
                                   "Your call does not match the truth.")
            self.w_answer.value = (
                f'<div class="mtss-decision"><b>{sentence_case(progress.RULE_LABELS[rule])}:</b> '
                f'<span data-metric="decision" data-value="{dec.action}">{ACTION_LABELS[dec.action]}</span>. '
                f"{html.escape(dec.reason)}</div>"
                + f'<div class="mtss-decision"><b>Truth (simulation):</b> '
                f'<span data-metric="truth" data-value="{truth or ""}">{truth_txt}</span></div>'
                + (f'<div class="mtss-note">{" ".join(verdict)}</div>' if verdict else "")
                + (f'<div class="mtss-note">{html.escape(note)}</div>' if note else "")
            )
        else:
            self.w_answer.value = (
                '<div class="mtss-hidden-answer">Commit to a decision to see what the rule says '
                "and what the truth is.</div>"
                + (f'<div class="mtss-note">{html.escape(note)}</div>' if note else "")
                + (f'<div class="mtss-note">{html.escape(trend_note)}</div>' if trend_note else "")
            )
        self.w_numbers.value = metrics_html(numbers)
        self._metrics = {
            "student_id": sid, "grade": self._grade, "baseline_points": nb,
            "baseline_median": line.start_score, "start_week": line.start_week,
            "goal": line.goal, "goal_week": line.goal_week, "aim_slope": line.slope,
            "points_shown": k, "week": float(mw[-1]), "method": method, "trend_slope": trend_slope,
            "rule": rule, "choice": self.w_choice.value, "revealed": self._revealed,
            "decision": dec.action if self._revealed else None,
            "reason": dec.reason if self._revealed else None,
            "truth": truth if self._revealed else None,
            "true_slope": true_slope if self._revealed else None,
            "tally": dict(self._tally),
        }
        self._show_tally()
        shown_dec = dec if self._revealed else None
        label = f"Student {sid} (grade {self._grade})"

        self.p_progress.draw(chart_call(
            "progress_chart", mw, ms, line, baseline_weeks=bw, baseline_scores=bs, trend=method,
            decision=shown_dec, title=f"{label}: oral reading fluency", width=470, height=230))

    def _show_tally(self) -> None:
        t = self._tally
        if t["commits"]:
            self.w_tally.value = (f'<div class="mtss-note">So far: {t["match_rule"]} of {t["commits"]} decisions '
                                  f'matched the rule, {t["match_truth"]} matched the truth.</div>')
        else:
            self.w_tally.value = ""


def _week_text(w: float) -> str:
    return str(int(w)) if float(w).is_integer() else f"{w:g}"
