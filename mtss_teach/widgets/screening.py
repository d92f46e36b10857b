"""ScreeningExplorer: move the cut score and see who is flagged and who is missed."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd

from .. import behavior, norms, screening
from ..errors import DataError
from ._app import MtssApp
from ._controls import Dropdown, options_with_all
from ._data import table_of
from ._html import fmt, metrics_html, table_html

__all__ = ["ScreeningExplorer", "MEASURES"]

#: Screening measures of a cohort: label, units, flag direction, and the criterion used.
MEASURES: dict[str, dict[str, str]] = {
    "orf": {
        "label": "Oral reading fluency",
        "units": "words correct per minute",
        "risk_when": "below",
        "criterion": "not proficient on the end-of-year reading test",
    },
    "math_dcpm": {
        "label": "Math computation",
        "units": "digits correct per minute",
        "risk_when": "below",
        "criterion": "not proficient on the end-of-year math test",
    },
    "srss": {
        "label": "Student Risk Screening Scale",
        "units": "total points, 0-21",
        "risk_when": "above",
        "criterion": "2 or more major office discipline referrals this year (ODR band 2-5 or 6+)",
    },
}

#: The starting cut reaches this sensitivity with the best specificity
#: (Compton et al. 2006 suggest sensitivity .90 as a minimum [S2]).
START_SENSITIVITY = 0.90


class ScreeningExplorer(MtssApp):
    """Choose school, grade, season and measure; move the cut; see the consequences.

    Every number comes from :mod:`mtss_teach.screening`:
    :func:`~mtss_teach.screening.classification_accuracy` at the cut (the
    metrics and the confusion matrix), :func:`~mtss_teach.screening.roc_curve`
    and :func:`~mtss_teach.screening.auc` (the ROC chart), and
    :func:`~mtss_teach.screening.cut_for_sensitivity` for the starting cut
    (sensitivity .90; for the SRSS the start is the published low/moderate
    boundary of :func:`mtss_teach.behavior.srss_bands`).
    The criterion ("at risk") is the end-of-year state test (not proficient)
    for ORF and math, and 2+ major ODRs (:func:`mtss_teach.behavior.odr_band`)
    for the SRSS.

    Parameters
    ----------
    cohort, dataset, chooser, draw
        See :class:`~mtss_teach.widgets._base.MtssApp`.

    Examples
    --------
    >>> from mtss_teach.widgets import ScreeningExplorer
    >>> app = ScreeningExplorer.from_dataset(draw="off")
    >>> app.set(grade=3, season="fall", measure="orf", cut=70)
    >>> sorted(k for k in app.metrics if k in ("sensitivity", "specificity", "ppv"))
    ['ppv', 'sensitivity', 'specificity']
    """

    title = "Screening explorer"
    purpose = ("Choose a school, grade, season and measure, then move the cut score: see who the "
               "screener flags, who it misses, and its sensitivity, specificity and PPV.")

    # -- build -------------------------------------------------------------

    def _build(self) -> None:
        self._sel: pd.DataFrame | None = None
        style = {"description_width": "initial"}
        self.w_school = Dropdown(description="School", style=style, layout=W.Layout(width="15em"))
        self.w_grade = W.Dropdown(description="Grade", style=style, layout=W.Layout(width="9em"))
        self.w_season = W.Dropdown(description="Season", options=list(norms.SEASONS), value="fall",
                                   style=style, layout=W.Layout(width="11em"))
        self.w_season.add_class("mtss-season")
        self.w_measure = W.Dropdown(description="Measure", style=style, layout=W.Layout(width="22em"),
                                    options=[(v["label"], k) for k, v in MEASURES.items()], value="orf")
        self.w_cut = W.IntSlider(description="Cut score", min=0, max=100, value=50, style=style,
                                 continuous_update=False, layout=W.Layout(width="34em"))
        self.w_cut.add_class("mtss-cut")
        self.w_rule = W.HTML()
        self.w_metrics = W.HTML()
        self.w_metrics.add_class("mtss-screening-metrics")
        self.w_flagged = W.HTML()
        self.p_confusion = self._pane("confusion")
        self.p_roc = self._pane("roc")
        self.p_dist = self._pane("distribution")
        self._watch(self.w_school, self.w_grade, self.w_season, self.w_measure, handler=self._selection_changed)
        self._watch(self.w_cut)

    def _layout(self) -> list[W.Widget]:
        flagged = W.Accordion(children=[self.w_flagged], titles=("Flagged students",))
        return [
            W.HBox([self.w_school, self.w_grade, self.w_season, self.w_measure],
                   layout=W.Layout(flex_flow="row wrap")),
            W.HBox([self.w_cut, self.w_rule], layout=W.Layout(flex_flow="row wrap", align_items="center")),
            self.w_metrics,
            W.HBox([self.p_confusion.widget, self.p_roc.widget], layout=W.Layout(flex_flow="row wrap")),
            self.p_dist.widget,
            flagged,
        ]

    def _clear(self) -> None:
        super()._clear()
        self.w_metrics.value = ""
        self.w_flagged.value = ""

    # -- data --------------------------------------------------------------

    def _on_cohort(self) -> None:
        c = self.cohort
        students = table_of(c, "students", "the screening explorer")
        scr = table_of(c, "screening", "the screening explorer")
        self._students = students.set_index("student_id")
        self._screening = scr
        crit: dict[str, pd.Series] = {}
        out = getattr(c, "outcomes", None)
        if isinstance(out, pd.DataFrame) and len(out):
            for subject, measure in (("reading", "orf"), ("math", "math_dcpm")):
                o = out[out["subject"] == subject]
                crit[measure] = pd.Series(~o["proficient"].astype(bool).to_numpy(), index=o["student_id"].to_numpy())
        beh = getattr(c, "behavior", None)
        if isinstance(beh, pd.DataFrame):
            majors = beh[beh["type"].astype(str).str.lower() == "major"] if "type" in beh.columns else beh
            counts = majors["student_id"].value_counts().reindex(self._students.index, fill_value=0)
            crit["srss"] = pd.Series(behavior.odr_band(counts.to_numpy()) != "0-1", index=counts.index)
        self._criterion = crit
        self._curve_key: tuple | None = None
        schools = sorted(self._students["school"].astype(str).unique())
        self.w_school.options = options_with_all(schools, "All schools")
        self.w_school.value = None
        grades = sorted(int(g) for g in scr["grade"].unique()) if "grade" in scr.columns else \
            sorted(int(g) for g in self._students["grade"].unique())
        self.w_grade.options = grades
        self.w_grade.value = 3 if 3 in grades else grades[0]
        self.w_measure.options = [(v["label"], k) for k, v in MEASURES.items()
                                  if k in set(scr["measure"].astype(str))]
        values = [v for _, v in self.w_measure.options]
        if not values:
            raise DataError("cohort: the screening table has none of the measures orf, math_dcpm, srss")
        self.w_measure.value = "orf" if "orf" in values else values[0]
        self._sel = None
        self._select(reset_cut=True)

    def _selection(self) -> pd.DataFrame:
        """The selected students' scores joined with their criterion (library input)."""
        school, grade, season, measure = self.w_school.value, self.w_grade.value, self.w_season.value, \
            self.w_measure.value
        s = self._screening
        rows = s[(s["measure"].astype(str) == measure) & (s["season"].astype(str) == season)]
        ids = rows["student_id"].to_numpy()
        info = self._students.reindex(ids)
        keep = (info["grade"].to_numpy() == grade)
        if school is not None:
            keep &= (info["school"].astype(str).to_numpy() == school)
        rows = rows[keep]
        where = f"{school or 'all schools'}, grade {grade}, {season}, {MEASURES[measure]['label']}"
        if len(rows) == 0:
            raise DataError(f"selection: no students match {where}; choose another school, grade or season")
        crit = self._criterion.get(measure)
        if crit is None:
            raise DataError(f"selection: this dataset has no criterion for {MEASURES[measure]['label']} "
                            f"({MEASURES[measure]['criterion']})")
        at_risk = crit.reindex(rows["student_id"].to_numpy())
        if at_risk.isna().any():
            sid = at_risk.index[at_risk.isna().to_numpy()][0]
            raise DataError(f"selection: student {sid} has no outcome ({MEASURES[measure]['criterion']})")
        sel = pd.DataFrame({
            "student_id": rows["student_id"].to_numpy(),
            "classroom": self._students.loc[rows["student_id"].to_numpy(), "classroom"].astype(str).to_numpy(),
            "score": rows["score"].to_numpy(dtype=float),
            "at_risk": at_risk.to_numpy(dtype=bool),
        })
        sel.attrs["where"] = where
        return sel

    def _select(self, reset_cut: bool) -> None:
        self._sel = None
        sel = self._selection()
        m = MEASURES[self.w_measure.value]
        self._sel = sel
        self._curve = screening.roc_curve(sel["score"], sel["at_risk"], risk_when=m["risk_when"])
        self._auc = screening.auc(sel["score"], sel["at_risk"], risk_when=m["risk_when"])
        lo, hi = int(np.floor(sel["score"].min())), int(np.ceil(sel["score"].max()))
        # the slider covers every cut from "nobody flagged" to "everybody flagged"
        new_min, new_max = (lo - 1, hi) if m["risk_when"] == "above" else (lo, hi + 1)
        with self._hold():
            self.w_cut.max = max(new_max, self.w_cut.max)  # widen first: min may never pass max
            self.w_cut.min = new_min
            self.w_cut.max = new_max
            if reset_cut:
                self.w_cut.value = self._start_cut(sel, m)

    def _start_cut(self, sel: pd.DataFrame, m: dict[str, str]) -> int:
        if self.w_measure.value == "srss":
            # the published SRSS bands: flag "moderate" or "high" (total above the low band)
            bands = behavior.srss_bands()
            return int(bands.loc[bands["band"] == "moderate", "low"].iloc[0]) - 1
        if not sel["at_risk"].any():
            return int(np.median(sel["score"]))
        cut = screening.cut_for_sensitivity(sel["score"], sel["at_risk"], START_SENSITIVITY,
                                            risk_when=m["risk_when"])
        if not np.isfinite(cut):
            return self.w_cut.max if cut > 0 else self.w_cut.min
        return int(round(cut))

    def _selection_changed(self) -> None:
        self._select(reset_cut=True)
        self.refresh()

    # -- update ------------------------------------------------------------

    def _update(self) -> None:
        if self._sel is None:
            self._select(reset_cut=False)
        sel, curve, auc = self._sel, self._curve, self._auc
        m = MEASURES[self.w_measure.value]
        cut = float(self.w_cut.value)
        ca = screening.classification_accuracy(sel["score"], sel["at_risk"], cut, risk_when=m["risk_when"])
        flagged_mask = (sel["score"] < cut) if m["risk_when"] == "below" else (sel["score"] > cut)
        # the list shows exactly the students the library counted as flagged
        if int(flagged_mask.sum()) != ca.tp + ca.fp:  # pragma: no cover - a library/app disagreement
            raise DataError("selection: flagged count disagrees with the library")
        sign = "<" if m["risk_when"] == "below" else ">"
        self.w_rule.value = (f'<span class="mtss-note">Flag a student when score {sign} {int(cut)} '
                             f'({m["units"]}). At risk = {m["criterion"]}.</span>')
        self.w_metrics.value = metrics_html([
            ("Cut score", cut, "cut", "int"),
            ("Students", ca.n, "students", "int"),
            ("At risk (base rate)", ca.base_rate, "base_rate", "prop"),
            ("Flagged", ca.tp + ca.fp, "flagged", "int"),
            ("Missed (at risk, not flagged)", ca.fn, "missed", "int"),
            ("Sensitivity", ca.sensitivity, "sensitivity", "prop"),
            ("Specificity", ca.specificity, "specificity", "prop"),
            ("PPV", ca.ppv, "ppv", "prop"),
            ("NPV", ca.npv, "npv", "prop"),
            ("AUC (all cuts)", auc, "auc", "prop"),
        ])
        flagged = sel[flagged_mask.to_numpy()].sort_values(["score", "student_id"], ascending=m["risk_when"] == "below")
        shown = pd.DataFrame({
            "student": flagged["student_id"].astype(str),
            "classroom": flagged["classroom"],
            "score": flagged["score"].map(lambda v: fmt(v, "int")),
            "at risk on the outcome": np.where(flagged["at_risk"], "yes", "no (false alarm)"),
        })
        self.w_flagged.value = table_html(
            shown, max_rows=60,
            caption=f"{len(flagged)} flagged in {sel.attrs['where']} (score {sign} {int(cut)}).")
        self._metrics = {
            "school": self.w_school.value, "grade": self.w_grade.value, "season": self.w_season.value,
            "measure": self.w_measure.value, "risk_when": m["risk_when"], "cut": cut,
            "students": ca.n, "flagged": ca.tp + ca.fp, "tp": ca.tp, "fp": ca.fp, "tn": ca.tn, "fn": ca.fn,
            "sensitivity": ca.sensitivity, "specificity": ca.specificity, "ppv": ca.ppv, "npv": ca.npv,
            "accuracy": ca.accuracy, "base_rate": ca.base_rate, "auc": auc,
            "flagged_ids": flagged["student_id"].tolist(),
        }
        if ca.tp + ca.fn == 0:
            self._say("nobody in this selection is at risk on the outcome, so sensitivity and the ROC "
                      "curve are undefined; choose a larger selection.", "note")

        units, label = m["units"], m["label"]
        scores, risk = sel["score"].to_numpy(), sel["at_risk"].to_numpy()

        def confusion(ca: Any = ca) -> Any:
            from .. import charts
            return charts.confusion_matrix_chart(ca, width=300, height=200)

        def roc(curve: Any = curve, ca: Any = ca, auc: float = auc) -> Any:
            from .. import charts
            return charts.roc_chart(curve, chosen=ca, auc=auc, width=280, height=280)

        def dist(scores: Any = scores, risk: Any = risk, cut: float = cut) -> Any:
            from .. import charts
            return charts.screening_chart(scores, cut, at_risk=risk, risk_when=m["risk_when"],
                                          measure=label, units=units, width=620, height=120)

        self.p_confusion.draw(confusion)
        self.p_roc.draw(roc)
        self.p_dist.draw(dist)

    def _controls(self) -> dict[str, W.Widget]:
        return {"school": self.w_school, "grade": self.w_grade, "season": self.w_season,
                "measure": self.w_measure, "cut": self.w_cut}

    # -- scripting -----------------------------------------------------------

    def set(self, *, school: Any = ..., grade: Any = ..., season: Any = ..., measure: Any = ...,
            cut: Any = ...) -> None:
        """Set several controls at once, then update once (as a facilitator would, for tests).

        A new selection resets the cut to the starting cut unless ``cut`` is given.
        """
        given = {k: v for k, v in (("school", school), ("grade", grade), ("season", season),
                                   ("measure", measure)) if v is not ...}
        self._set_many({"school": self.w_school, "grade": self.w_grade, "season": self.w_season,
                        "measure": self.w_measure}, given)
        if given and not self._safe(lambda: self._select(reset_cut=True)):
            return
        if cut is not ...:
            with self._hold():
                self.w_cut.value = int(cut)
        self._safe(self.refresh)
