"""EquityLens: tier placement, screening risk and ODRs by subgroup, with risk ratios and suppression."""

from __future__ import annotations

from typing import Any, Callable

import ipywidgets as W
import numpy as np
import pandas as pd

from .. import behavior, equity, norms
from ..errors import DataError
from ._app import MtssApp
from ._controls import options_with_all
from ._data import table_of
from ._charts import chart_call
from ._html import fmt, table_html

__all__ = ["EquityLens", "OUTCOMES", "GROUPINGS"]

#: Outcomes the lens can disaggregate (key -> words for people).
OUTCOMES: dict[str, str] = {
    "tier3_winter": "Placed in Tier 3 (winter)",
    "tier23_winter": "Placed in Tier 2 or 3 (winter)",
    "orf_well_below_winter": "Winter reading screening: well below benchmark (under the 20th percentile)",
    "odr_2plus": "2 or more major office discipline referrals",
    "oss": "1 or more out-of-school suspensions",
}

#: Student characteristics to disaggregate by (column -> words).
GROUPINGS: dict[str, str] = {
    "race_ethnicity": "Race/ethnicity (the seven IDEA groups)",
    "sex": "Sex",
    "english_learner": "English learner",
    "disability": "Disability (IEP)",
    "free_reduced_lunch": "Free or reduced-price lunch",
}

#: The threshold the app starts with. It is an example, not a standard:
#: States set their own risk-ratio thresholds (34 CFR 300.647).

_FLAG_WORDS = {"english_learner": ("English learner", "Not an English learner"),
               "disability": ("Student with a disability", "No disability"),
               "free_reduced_lunch": ("Free/reduced lunch", "Not free/reduced lunch")}


def _why(hidden: str, ratio: float) -> str:
    if hidden == "small cell":
        return "suppressed: small cell"
    if hidden:
        return "suppressed: so that a small cell cannot be worked out from the totals"
    if not np.isfinite(ratio):
        return "not computed: this group or the other students are under the minimums"
    return ""


class EquityLens(MtssApp):
    """Disaggregate an outcome by subgroup: risk, risk ratio, and small-cell suppression.

    The per-group counts are handed to
    :func:`mtss_teach.equity.disproportionality` (risk, comparison risk,
    risk ratio, risk difference, composition, E-formula; ratios only where
    the cell and n-size minimums are met). The table shown to people passes
    through :func:`mtss_teach.equity.suppress_small_cells`: counts (and
    group sizes) under the minimum cell size are suppressed, and so is the
    risk that would reveal them. The chart is
    :func:`mtss_teach.charts.risk_ratio_chart`.

    The comparison group is "all other students" in the selection (the
    whole dataset, or one school). The denominator is every enrolled
    student in the selection: an MTSS lens. (For IDEA significant
    disproportionality, placement and discipline use children with
    disabilities as the denominator.) The threshold starts at
    :data:`mtss_teach.equity.EXAMPLE_RISK_RATIO_THRESHOLD`, an example only: States set their own.

    Examples
    --------
    >>> from mtss_teach.widgets import EquityLens
    >>> lens = EquityLens.from_dataset(draw="off")
    >>> lens.set(outcome="tier23_winter", group_by="sex")
    >>> sorted(lens.metrics["risk_ratio"])
    ['female', 'male']
    """

    title = "Equity lens"
    purpose = ("Disaggregate tier placement, screening risk and office discipline referrals by subgroup: "
               "risk, risk ratios against the other students, and small cells suppressed.")

    def _build(self) -> None:
        style = {"description_width": "initial"}
        self.w_school = W.Dropdown(description="Compare within", style=style, layout=W.Layout(width="20em"))
        self.w_outcome = W.Dropdown(description="Outcome", style=style, layout=W.Layout(width="44em"),
                                    options=[(v, k) for k, v in OUTCOMES.items()], value="tier3_winter")
        self.w_group = W.Dropdown(description="Group by", style=style, layout=W.Layout(width="30em"),
                                  options=[(v, k) for k, v in GROUPINGS.items()], value="race_ethnicity")
        # never below the library's floor: a hidden cell must stay hidden
        self.w_min_cell = W.BoundedIntText(value=10, min=equity.MIN_CELL_FLOOR, max=1000,
                                           description="Minimum cell size",
                                           style=style, layout=W.Layout(width="14em"))
        self.w_min_n = W.BoundedIntText(value=30, min=0, max=100000, description="Minimum n-size",
                                        style=style, layout=W.Layout(width="14em"))
        self.w_threshold = W.BoundedFloatText(value=equity.EXAMPLE_RISK_RATIO_THRESHOLD, min=0.1, max=100, step=0.1,
                                              description="Risk-ratio threshold", style=style,
                                              layout=W.Layout(width="16em"))
        self.w_threshold.add_class("mtss-threshold")
        self.w_table = W.HTML()
        self.w_table.add_class("mtss-equity-table")
        self.w_summary = W.HTML()
        self.p_ratio = self._pane("risk_ratio")
        self._watch(self.w_school, self.w_outcome, self.w_group, self.w_min_cell, self.w_min_n, self.w_threshold)

    def _layout(self) -> list[W.Widget]:
        return [
            W.HBox([self.w_school, self.w_group], layout=W.Layout(flex_flow="row wrap")),
            self.w_outcome,
            W.HBox([self.w_min_cell, self.w_min_n, self.w_threshold], layout=W.Layout(flex_flow="row wrap")),
            W.HTML('<div class="mtss-note">Minimums of 10 (cell) and 30 (n-size) or less are presumptively '
                   "reasonable under IDEA (34 CFR 300.647). The threshold is an example: your State sets "
                   f"its own. The minimum cell size cannot go below {equity.MIN_CELL_FLOOR}; small counts are "
                   "hidden, and so is the next smallest wherever a hidden one could be worked out from the "
                   "totals or from another grouping.</div>"),
            self.w_summary,
            self.p_ratio.widget,
            self.w_table,
        ]

    def _clear(self) -> None:
        super()._clear()
        self.w_table.value = ""
        self.w_summary.value = ""

    # -- data ----------------------------------------------------------------

    def _on_cohort(self) -> None:
        students = table_of(self.cohort, "students", "the equity lens")
        self._students = students.set_index("student_id")
        schools = sorted(self._students["school"].astype(str).unique())
        self.w_school.options = options_with_all(schools, "the whole dataset")
        self.w_school.value = None
        self._flags: dict[str, Callable[[], pd.Series]] = {
            "tier3_winter": lambda: self._tier_flag(lambda t: t == 3),
            "tier23_winter": lambda: self._tier_flag(lambda t: t >= 2),
            "orf_well_below_winter": self._screen_flag,
            "odr_2plus": self._odr_flag,
            "oss": self._oss_flag,
        }
        self._cache: dict[str, pd.Series] = {}

    def _flag(self, outcome: str) -> pd.Series:
        if outcome not in self._cache:
            self._cache[outcome] = self._flags[outcome]()
        return self._cache[outcome]

    def _tier_flag(self, test: Callable[[pd.Series], pd.Series]) -> pd.Series:
        tiers = table_of(self.cohort, "tiers", "a tier-placement outcome")
        w = tiers[tiers["season"].astype(str) == "winter"].set_index("student_id")["tier"]
        return test(w.reindex(self._students.index)).fillna(False).astype(bool)

    def _screen_flag(self) -> pd.Series:
        scr = table_of(self.cohort, "screening", "the screening outcome")
        s = scr[(scr["season"].astype(str) == "winter") & (scr["measure"].astype(str) == "orf")]
        s = s.set_index("student_id").reindex(self._students.index)
        out = pd.Series(False, index=self._students.index)
        for grade, idx in s.groupby(self._students["grade"]).groups.items():
            scores = s.loc[idx, "score"]
            status = norms.benchmark_status(scores.astype(float), int(grade), "winter", system="percentile")
            out.loc[idx] = (status == "well_below").to_numpy()
        return out

    def _odr_flag(self) -> pd.Series:
        beh = table_of(self.cohort, "behavior", "an ODR outcome")
        majors = behavior.counted_referrals(beh, majors_only="type" in beh.columns)
        counts = majors["student_id"].value_counts().reindex(self._students.index, fill_value=0)
        return pd.Series(behavior.odr_band(counts.to_numpy()) != "0-1", index=counts.index)

    def _oss_flag(self) -> pd.Series:
        beh = table_of(self.cohort, "behavior", "a suspension outcome")
        if "action" not in beh.columns:
            raise DataError("cohort: the behavior table has no 'action' column, so suspensions are unknown")
        oss = beh.loc[beh["action"].astype(str) == "out-of-school suspension", "student_id"].unique()
        return pd.Series(self._students.index.isin(oss), index=self._students.index)

    # -- update --------------------------------------------------------------

    def _group_labels(self, st: pd.DataFrame, by: str) -> pd.Series:
        groups = st[by]
        if by in _FLAG_WORDS:
            yes, no = _FLAG_WORDS[by]
            return groups.astype(bool).map({True: yes, False: no})
        return groups.astype(str)

    def _table(self, st: pd.DataFrame, flag: pd.Series, by: str, extra: dict | None = None) -> pd.DataFrame:
        keys = ["group"] + list(extra or {})
        frame = pd.DataFrame({"group": self._group_labels(st, by).to_numpy(), "flag": flag.to_numpy(dtype=bool),
                              **{k: v.to_numpy() for k, v in (extra or {}).items()}})
        table = (frame.groupby(keys, sort=True).agg(count=("flag", "sum"), total=("flag", "size")).reset_index())
        table["count"] = table["count"].astype(np.int64)
        table["total"] = table["total"].astype(np.int64)
        return table

    def counts_table(self) -> pd.DataFrame:
        """The ``group, count, total`` table handed to the library for the current choices."""
        school, outcome, by = self.w_school.value, self.w_outcome.value, self.w_group.value
        flag = self._flag(outcome)
        st = self._students
        if school is not None:
            keep = st["school"].astype(str) == school
            st, flag = st[keep], flag[keep]
        if len(st) == 0:
            raise DataError(f"selection: no students in {school}")
        return self._table(st, flag, by)

    def protected_table(self, min_cell: int) -> pd.DataFrame:
        """The current selection's table after small-cell and complementary suppression.

        Suppression is worked out on every school and the whole dataset at
        once (:func:`mtss_teach.equity.protect_counts` with ``by="school"``),
        so no view -- another school, the whole, another grouping -- gives a
        hidden cell back by subtraction.
        """
        school, outcome, by = self.w_school.value, self.w_outcome.value, self.w_group.value
        flag = self._flag(outcome)
        st = self._students
        schools = st["school"].astype(str)
        if schools.nunique() > 1:
            full = self._table(st, flag, by, {"school": schools})
            prot = equity.protect_counts(full, min_cell, by="school")
            part = prot[prot["school"] == (school if school is not None else "(all)")].drop(columns="school")
        else:
            part = equity.protect_counts(self._table(st, flag, by), min_cell)
        return part.reset_index(drop=True)

    def _update(self) -> None:
        table = self.counts_table()
        min_cell, min_n = int(self.w_min_cell.value), int(self.w_min_n.value)
        min_cell = equity.check_min_cell(min_cell)
        threshold = float(self.w_threshold.value)
        result = equity.disproportionality(table, min_cell=min_cell, min_n=min_n)
        prot = self.protected_table(min_cell).set_index("group").reindex(result.index)
        why = prot["why"].fillna("").to_numpy(dtype=object)
        hide = prot["count_suppressed"].fillna(True).to_numpy(dtype=bool)
        hide_total = prot["total_suppressed"].fillna(True).to_numpy(dtype=bool)
        # what people may see: hidden groups have no count, no risk and no ratio (the ratio would give the
        # count back from the totals)
        shown_result = result.copy()
        shown_result.loc[hide, "risk_ratio"] = np.nan
        shown_result.loc[hide, "note"] = [
            result["note"].iloc[i] if "< min_cell" in result["note"].iloc[i]
            else "suppressed so that a small cell cannot be worked out from the totals"
            for i in np.flatnonzero(hide)]
        small = f"<{min_cell}"
        shown = pd.DataFrame({
            "group": result.index.astype(str),
            "students": [("suppressed" if w != "small cell" else small) if h else str(int(v))
                         for h, w, v in zip(hide_total, why, result["total"])],
            "with the outcome": [("suppressed" if w != "small cell" else small) if h else str(int(v))
                                 for h, w, v in zip(hide, why, result["count"])],
            "risk": [("suppressed" if h else fmt(r, "pct")) for h, r in zip(hide, result["risk"])],
            "risk ratio": [fmt(v) for v in shown_result["risk_ratio"]],
            # the library's note names the small numbers; people see only why
            "note": [_why(w if h else "", v) for h, w, v in zip(hide, why, shown_result["risk_ratio"])],
        })
        note = prot.attrs.get("suppression_note", "") or (
            f"Counts under {min_cell} are suppressed, and so is the next smallest wherever a suppressed one "
            "could be worked out from the totals.")
        self.w_table.value = table_html(shown, max_rows=20, caption=note, css_id="mtss-equity-table")
        rr = shown_result["risk_ratio"]
        above = [str(g) for g, v in rr.items() if np.isfinite(v) and v >= threshold]
        label = OUTCOMES[self.w_outcome.value]
        self.w_summary.value = (
            '<div class="mtss-note" data-metric="above_threshold" data-value="'
            + "|".join(above) + '">'
            + (f"At or above the threshold {fmt(threshold)}: <b>{', '.join(above)}</b>." if above else
               f"No group with a computed risk ratio is at or above the threshold {fmt(threshold)}.")
            + "</div>")
        self._metrics = {
            "school": self.w_school.value, "outcome": self.w_outcome.value, "group_by": self.w_group.value,
            "min_cell": min_cell, "min_n": min_n, "threshold": threshold,
            "count": {str(g): int(v) for g, v in result["count"].items()},
            "total": {str(g): int(v) for g, v in result["total"].items()},
            "risk": {str(g): float(v) for g, v in result["risk"].items()},
            "risk_ratio": {str(g): float(v) for g, v in rr.items()},
            "above_threshold": above,
            "suppressed": [str(g) for g, h in zip(result.index, hide) if h],
            "complementary": [str(g) for g, h, w in zip(result.index, hide, why) if h and w != "small cell"],
        }

        self.p_ratio.draw(chart_call("risk_ratio_chart", shown_result, threshold, outcome=label.lower(), width=420))

    def _controls(self) -> dict[str, W.Widget]:
        # a link to this view carries them all (a room poll round asks about the view the facilitator sees);
        # a link's minimum cell size below the library's floor is refused like any value the control lacks
        return {"school": self.w_school, "outcome": self.w_outcome, "group_by": self.w_group,
                "min_cell": self.w_min_cell, "min_n": self.w_min_n, "threshold": self.w_threshold}

    def set(self, **values: Any) -> None:
        """Set controls (``school, outcome, group_by, min_cell, min_n, threshold``) and update once."""
        self._set_many(self._controls(), values)
        self._safe(self.refresh)
