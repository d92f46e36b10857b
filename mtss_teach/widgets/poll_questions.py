"""The questions an app puts to the room in a poll round, with the library's answer.

A round is about one *view* of an app: the settings a "link to this view"
carries (dataset, student, week, grade, cut ...). :func:`question_for`
opens the app on that view, off screen, and reads the question, the
choices, the library's answer and -- where the data is simulated -- the
truth from the app itself, so the room is shown exactly what a
participant's own app reveals (the app gets every number from the
library: :func:`mtss_teach.progress.decide` and
:func:`mtss_teach.progress.correct_action` in the Aimline coach,
:func:`mtss_teach.screening.cut_for_sensitivity` and
:func:`mtss_teach.screening.classification_accuracy` in the Screening
explorer, :func:`mtss_teach.norms.benchmark_status` in the Data meeting,
:func:`mtss_teach.equity.disproportionality` in the Equity lens). Nothing
here decides anything.

Examples
--------
>>> from mtss_teach.widgets.poll_questions import question_for
>>> q = question_for("AimlineCoach", {"dataset": "district-b", "week": "8"})
>>> q.choices[:2], q.answer in q.choices
(['Raise the goal', 'Keep the intervention going'], True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .. import formatting, norms
from ..errors import DataError
from ._data import dataset_label
from ._html import fmt

__all__ = ["Question", "QUESTIONS", "question_for", "has_question"]


@dataclass(frozen=True)
class Question:
    """One question for the room.

    ``choices`` is None for a number (a cut score). ``answer`` is the
    library's answer for the view; ``truth`` the simulation's (None when
    the data cannot say); ``explain`` one or two sentences shown on reveal;
    ``view`` the settings a participant's app opens; ``by_answer`` (numbers
    only) what each possible answer would give, shown beside the room's
    answers on reveal.
    """

    prompt: str
    choices: list[str] | None
    answer: Any
    truth: Any
    explain: str
    view: dict[str, str]
    by_answer: dict[str, str] = field(default_factory=dict)


def _open(cls: type, params: dict[str, str]) -> Any:
    app = cls(dataset=None, chooser=True, draw="off", header=False)
    app.open_link(dict(params))
    unknown = sorted(app.link_passthrough)
    if unknown:  # asking about the start view instead would be a silent change of question
        named = ", ".join(f"“{k}={params[k]}”" for k in unknown)
        raise DataError(f"the link's setting {named} is not one this app offers; copy the app's "
                        "“link to this view” again")
    if app.message and not app.metrics:
        raise DataError(f"this view cannot be asked about: {app.message}")
    if app.message:  # a link setting the app does not offer: say so rather than ask about another view
        raise DataError(f"the link does not open a view this app can show: {app.message}")
    return app


def _where(app: Any) -> str:
    return dataset_label(app.dataset) if app.dataset else "this dataset"


def _aimline(params: dict[str, str]) -> Question:
    from ..progress import ACTION_LABELS
    from .aimline import AimlineCoach

    app = _open(AimlineCoach, params)
    view = app.settings
    m = app.metrics
    # what the app reveals once a decision is committed: the rule's decision and the truth
    app.commit("continue")
    r = app.metrics
    if not r.get("revealed"):
        raise DataError(f"the Aimline coach could not decide this view: {app.message or 'no decision'}")
    week = fmt(m["week"])
    prompt = (f"{_where(app)}, student {m['student_id']} (grade {m['grade']}) at week {week}, "
              f"{formatting.counted(m['points_shown'], 'monitoring point')} after the baseline: "
              "what should the team do?")
    truth = ACTION_LABELS[r["truth"]] if r.get("truth") else None
    explain = f"The decision rule: {r['reason']}"
    if truth is not None:
        explain += (f" The student's true growth in the simulation is {fmt(r['true_slope'])} words a week against "
                    f"the goal line's {fmt(m['aim_slope'])}.")
    return Question(prompt, list(ACTION_LABELS.values()), ACTION_LABELS[r["decision"]], truth, explain, view)


def _screening(params: dict[str, str]) -> Question:
    from .. import screening
    from .screening import MEASURES, START_SENSITIVITY, ScreeningExplorer

    app = _open(ScreeningExplorer, params)
    m = app.metrics
    measure = MEASURES[m["measure"]]
    # participants open the facilitator's cut when the link has one; without one their app starts, as
    # the app always does, at the library's cut
    view = app.settings if "cut" in params else {k: v for k, v in app.settings.items() if k != "cut"}
    # the start cut of this selection (the app resets to it on a new selection)
    app.set(school=m["school"], grade=m["grade"], season=m["season"], measure=m["measure"])
    start = app.metrics["cut"]
    sel = app._selection()
    lo, hi = int(app.w_cut.min), int(app.w_cut.max)
    by_answer = {}
    for cut in range(lo, hi + 1):
        ca = screening.classification_accuracy(sel["score"], sel["at_risk"], float(cut),
                                               risk_when=measure["risk_when"])
        by_answer[f"{float(cut):g}"] = (f"flags {ca.tp + ca.fp}, misses {ca.fn} of {ca.tp + ca.fn} at risk; "
                                        f"sensitivity {fmt(ca.sensitivity, 'prop')}, "
                                        f"specificity {fmt(ca.specificity, 'prop')}")
    school = m["school"] or "all schools"
    prompt = (f"{_where(app)}, {school}, grade {m['grade']}, {m['season']} {measure['label'].lower()}: "
              f"which cut score would your team use? (a number; a student is flagged when the score is "
              f"{measure['risk_when']} it)")
    if m["measure"] == "srss":
        explain = "The library's cut is the published SRSS boundary between the low and moderate bands."
    else:
        explain = (f"The library's cut is the one that catches at least {formatting.percent(START_SENSITIVITY, 0)} of the students "
                   "who turned out to be at risk, with the best specificity (Compton et al. 2006 suggest "
                   "sensitivity .90 as a minimum).")
    truth = by_answer.get(f"{float(start):g}")
    return Question(prompt, None, float(start), truth, explain, view, by_answer)


def _tier(t: Any) -> str:
    return f"Tier {int(t)}"


def _data_meeting(params: dict[str, str]) -> Question:
    from .. import datasets
    from .data_meeting import RULE_SYSTEMS, DataMeeting

    app = _open(DataMeeting, params)
    m = app.metrics
    rule_tiers, team_tiers = m["rule_tiers"], m["team_tiers"]
    if not rule_tiers:
        raise DataError("this view has no students to place")
    sid = params.get("student")
    if sid is not None:
        match = [s for s in rule_tiers if str(s) == str(sid)]
        if not match:
            raise DataError(f"student {sid} is not in this view (grade {m['grade']}, {m['season']})")
        sid = match[0]
    else:  # the first student the team's criteria and the rule place differently, else the first
        differ = [s for s in sorted(rule_tiers) if rule_tiers[s] != team_tiers[s]]
        sid = differ[0] if differ else sorted(rule_tiers)[0]
    view = {**app.settings, "student": str(sid)}
    answer = _tier(rule_tiers[sid])
    truth = None
    true_note = ""
    if app.dataset is not None:
        try:
            t = datasets.load(app.dataset, "truth").set_index("student_id")
            col = f"true_orf_{m['season']}"
            if col in t.columns and sid in t.index and np.isfinite(float(t.loc[sid, col])):
                score = float(t.loc[sid, col])
                status = norms.benchmark_status(np.array([score]), int(m["grade"]), m["season"], system=m["rule"])
                truth = _tier(norms.support_tier(np.asarray(status, dtype=object))[0])
                true_note = (f" Without measurement error (the simulation's true score, {fmt(score)} words a "
                             f"minute) the same rule says {truth}.")
        except DataError:
            truth = None
    prompt = (f"{_where(app)}, grade {m['grade']}, {m['season']}: student {sid}. Which tier does the "
              f"published rule ({RULE_SYSTEMS[m['rule']].split(' (')[0]}) place this student in?")
    explain = (f"The rule places student {sid} in {answer}; your team's criteria on screen place them in "
               f"{_tier(team_tiers[sid])}.{true_note}")
    return Question(prompt, ["Tier 1", "Tier 2", "Tier 3"], answer, truth, explain, view)


def _lower_first(label: str) -> str:
    """A label inside a sentence: its first letter lower case, the rest (Tier, IDEA) as written."""
    return label[:1].lower() + label[1:]


def _equity(params: dict[str, str]) -> Question:
    from .equity import OUTCOMES, EquityLens

    app = _open(EquityLens, params)
    m = app.metrics
    above = m["above_threshold"]
    choices = ["Yes: at least one group is at or above the threshold", "No group is at or above the threshold"]
    answer = choices[0] if above else choices[1]
    outcome = _lower_first(OUTCOMES[m["outcome"]])  # "placed in Tier 3", not "tier 3"
    group = _lower_first(str(getattr(app.w_group, "label", None) or m["group_by"]))  # "the seven IDEA groups"
    prompt = (f"{_where(app)}, {m['school'] or 'all schools'}: looking at “{outcome}” by {group}, with a "
              f"risk-ratio threshold of {fmt(m['threshold'])}, is this disproportionate for any group?")
    if above:
        explain = f"Risk ratio at or above {fmt(m['threshold'])}: {', '.join(above)}."
    else:
        explain = f"No group with a computed risk ratio reaches {fmt(m['threshold'])}."
    if m["suppressed"]:
        explain += (f" {len(m['suppressed'])} group{'s are' if len(m['suppressed']) != 1 else ' is'} too small "
                    "to show (small cells suppressed); the rule cannot judge them.")
    return Question(prompt, choices, answer, None, explain, app.settings)


def _fidelity(params: dict[str, str]) -> Question:
    from .. import fidelity
    from .fidelity import FidelityScorer

    app = _open(FidelityScorer, params)
    m = app.metrics
    if m.get("mode") == "tfi":
        if 1 not in m.get("percent", {}):
            raise DataError("this view has no Tier 1 scale score to ask about; load a school's sheet")
        crit = fidelity.TFI_CRITERION
        choices = [f"Yes: Tier 1 is at or above {crit:g}%", f"No: Tier 1 is below {crit:g}%"]
        answer = choices[0] if m["meets"][1] else choices[1]
        sheet = str(getattr(app.w_school, "label", "") or "this sheet")
        prompt = (f"{_where(app)}, the Tiered Fidelity Inventory of {sheet}: does Tier 1 meet the "
                  f"{crit:g}% criterion?")
        explain = (f"Tier 1 scores {m['points'][1]} of {m['possible'][1]} points: {fmt(m['percent'][1])}% "
                   f"(criterion {crit:g}%).")
        if m["items_missing"][1]:
            explain += f" {m['items_missing'][1]} Tier 1 item(s) are not scored."
        return Question(prompt, choices, answer, None, explain, app.settings)
    choices = ["Yes: below the criterion", "No: at or above the criterion"]
    answer = choices[0] if m["below_criterion"] else choices[1]
    prompt = (f"{_where(app)}, the intervention checklist for {m['interventionist']}: is fidelity below the "
              f"{fidelity.FIDELITY_CRITERION:g}% criterion?")
    explain = (f"Adherence {fmt(m['adherence'])}%, sessions delivered {fmt(m['session_dosage'])}%, minutes "
               f"delivered {fmt(m['minute_dosage'])}%"
               + (f"; below the criterion: {m['below_what']}." if m["below_criterion"] else "."))
    return Question(prompt, choices, answer, None, explain, app.settings)


#: The apps with a poll round: widget class name -> how its question is read.
QUESTIONS: dict[str, Callable[[dict[str, str]], Question]] = {
    "AimlineCoach": _aimline,
    "ScreeningExplorer": _screening,
    "DataMeeting": _data_meeting,
    "EquityLens": _equity,
    "FidelityScorer": _fidelity,
}


def has_question(widget: str) -> bool:
    """Does this app (its widget class name) put a question to the room?"""
    return widget in QUESTIONS


def question_for(widget: str, params: dict[str, str] | None = None) -> Question:
    """The question ``widget``'s app asks on the view ``params`` (a link's query as a dict).

    Raises :class:`~mtss_teach.DataError` naming the problem when the app
    has no round or the view cannot be shown.
    """
    if widget not in QUESTIONS:
        raise DataError(f"app: no poll round for {widget}; rounds exist for {', '.join(QUESTIONS)}")
    params = {k: v for k, v in (params or {}).items() if k != "token"}
    return QUESTIONS[widget](params)
