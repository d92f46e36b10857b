"""YourData: a leader's own export -- upload, map the columns, see what was rejected, then the course views.

Everything happens in the kernel's memory: the uploaded file is read from
the upload's bytes, never saved; nothing is written unless the leader
presses a download link (the rejection report, built in the page). Student
ids are replaced by salted codes by default (:func:`mtss_teach.io.deidentify`
with a salt made for the session, or the leader's own to keep codes the same
across files); names and every column not needed are left behind (the
allow-list). Every number comes from the library: loading and checks
(:mod:`mtss_teach.io`), benchmark status (:func:`mtss_teach.norms.benchmark_status`
or a local table, :func:`mtss_teach.io.local_benchmark_status`), tiers
(:func:`mtss_teach.norms.support_tier`, :func:`mtss_teach.screening.tier_shares`),
trends and decisions (:mod:`mtss_teach.progress`), risk ratios
(:func:`mtss_teach.equity.disproportionality`) and suppression
(:func:`mtss_teach.equity.protect_counts`, :func:`mtss_teach.equity.protect_distribution`)
with a minimum cell size that cannot go below
:data:`mtss_teach.equity.MIN_CELL_FLOOR`.
"""

from __future__ import annotations

import base64
import html
import logging
from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd

from .. import equity, io, norms, progress, screening
from .. import formatting
from ..errors import DataError
from ._charts import ChartPane, chart_call
from ._html import _STYLE, fmt, message_html, metrics_html, table_html

__all__ = ["YourData", "TARGETS"]

log = logging.getLogger("mtss_teach.widgets")

#: What a column of the export can be mapped to (our name -> words for people).
TARGETS: dict[str, dict[str, str]] = {
    "screening": {"student_id": "Student ID", "grade": "Grade", "season": "Season (fall, winter, spring)",
                  "measure": "Measure", "score": "Score", "date": "Test date"},
    "progress": {"student_id": "Student ID", "week": "Week", "date": "Probe date", "measure": "Measure",
                 "score": "Score", "grade": "Grade", "interventionist": "Interventionist"},
}
GROUP = "__group__"  # a column kept for the equity view (a student characteristic)
_ENCODINGS = [("detect", ""), ("UTF-8", "utf-8"), ("Windows-1252 (Western European)", "cp1252"),
              ("UTF-16", "utf-16")]
_SEPS = [("detect", ""), ("comma ,", ","), ("semicolon ;", ";"), ("tab", "\t")]
_DATES = [("detect (ask if unclear)", ""), ("day first: 03/09 = 3 September", "dayfirst"),
          ("month first: 03/09 = 9 March", "monthfirst")]
_STATUS_WORDS = {"well_below": "well below benchmark", "below": "below benchmark", "at": "at benchmark",
                 "above": "above benchmark", "no benchmark": "no benchmark for this grade and season"}


# The library's messages name its options (``dayfirst=``, ``sep=``...) for people who call it; on this page the
# same choice is a control. Each pair: the library's words -> the control to use.
_APP_WORDS: list[tuple[str, str]] = [
    (r"pass dayfirst=True \(03/09/2024 = 3 September\) or dayfirst=False \(= 9 March\),? or "
     r"date_format='%d/%m/%Y'(?: or '%m/%d/%Y')?",
     "choose the date order under 'Dates' in step 1 (day first: 03/09/2024 is 3 September; month first: "
     "9 March), then load again"),
    (r"leave encoding= out to let the library detect it", "set 'Text encoding' to 'detect'"),
    (r"\(or pass encoding='\.\.\.', e\.g\. 'cp1252'\)", "(or choose the text encoding in step 1)"),
    (r"pass sep=',' \(comma\), sep=';' \(semicolon\) or sep='\\t' \(tab\)",
     "choose it under 'Columns separated by' in step 1"),
    (r" ?\(pass columns=\{'Your name': 'our_name', \.\.\.\}\)", "; mark it in step 2"),
    (r"^(?:path_or_frame|columns|encoding|sep|decimal|header_row|sheet_name|file|selection|student|equity|group|"
     r"mapping|benchmarks): ", ""),
    (r"^date \(([^)]*)\): ", r"Column '\1': "),
    (r" \(mtss_teach\.io\.new_salt\(\) makes another\)", ""),
    (r"^salt: ", "Your own code key: "),
    (r", or give its name as sheet_name\)", ")"),
    (r" \(the decimal mark here is ',': pass decimal='\.' if it is '\.'\)",
     " (in this file the decimal mark is a comma: 12,5)"),
]


def app_words(message: str, kind: str = "screening", capital: bool = True) -> str:
    """A library message in the words of this page: its controls instead of the options of a function call.

    Examples
    --------
    >>> from mtss_teach.widgets.your_data import app_words
    >>> app_words("columns: the input has no column for ['student_id', 'grade']; its columns are ['Naam'] "
    ...           "(pass columns={'Your name': 'our_name', ...})")
    "The file has no column for Student ID, Grade; its columns are ['Naam']; mark it in step 2"
    """
    import re

    out = str(message)
    for pattern, words in _APP_WORDS:
        out = re.sub(pattern, words, out)
    targets = TARGETS.get(kind, TARGETS["screening"])

    def names(m: "re.Match[str]") -> str:
        items = re.findall(r"'([^']*)'", m.group(1))
        return ", ".join(targets.get(i, i) for i in items)

    out = re.sub(r"no column for \[([^\]]*)\]", lambda m: "no column for " + names(m), out)
    out = out.replace("the input", "the file")
    return out[:1].upper() + out[1:] if capital else out


#: The progress view takes a student's first scores as the baseline and needs at least one more.
_BASELINE = 3
_LEAST_SCORES = _BASELINE + 1


class _Host:
    """What a ChartPane needs of its app."""

    def __init__(self, draw: str) -> None:
        import threading

        self.draw = draw
        self._held_lock = threading.Lock()
        self._held_draws = None


class YourData:
    """Load a school's own screening or progress export and look at it with the course's views.

    Parameters
    ----------
    draw : {"background", "sync", "off"}
        How charts are drawn (as in the other apps).

    Examples
    --------
    >>> from mtss_teach.widgets.your_data import YourData
    >>> app = YourData(draw="off")
    >>> csv = b"Student ID,Grade,Season,Measure,Score\\n0012,3,fall,orf,88\\n0013,3,fall,orf,41\\n"
    >>> app.load_bytes(csv, "export.csv")
    >>> app.metrics["suggested"]["Student ID"]
    'student_id'
    >>> app.apply_mapping()
    >>> app.metrics["n_in"], app.metrics["n_accepted"], app.metrics["deidentified"]
    (2, 2, True)
    """

    title = "Your school's data"
    purpose = ("Upload your screening or progress-monitoring export, check how its columns were read, see every "
               "row that was set aside and why, then look at it with the same views the courses use.")

    def __init__(self, draw: str = "background") -> None:
        self.draw = draw
        self._host = _Host(draw)
        self._metrics: dict[str, Any] = {"stage": "waiting for a file"}
        self._message_text = ""
        self._raw: io.RawTable | None = None
        self._result: io.LoadResult | None = None
        self._data: pd.DataFrame | None = None
        self._benchmarks: pd.DataFrame | None = None
        self._salt = io.new_salt()
        self._build()

    # -- layout -----------------------------------------------------------------

    def _build(self) -> None:
        style = {"description_width": "initial"}
        self.w_message = W.HTML()
        self.w_kind = W.ToggleButtons(options=[("Screening export", "screening"), ("Progress monitoring", "progress")],
                                      value="screening", description="This file is")
        self.w_upload = W.FileUpload(accept=".csv,.txt,.tsv,.xlsx", multiple=False, description="Choose file")
        self.w_upload.add_class("mtss-upload")
        self.w_encoding = W.Dropdown(options=_ENCODINGS, value="", description="Text encoding", style=style)
        self.w_sep = W.Dropdown(options=_SEPS, value="", description="Columns separated by", style=style)
        self.w_dates = W.Dropdown(options=_DATES, value="", description="Dates", style=style,
                                  layout=W.Layout(width="26em"))
        self.w_read = W.HTML()
        self.w_mapping = W.VBox()
        self.w_apply = W.Button(description="Load with these columns", button_style="primary",
                                layout=W.Layout(width="16em"))
        self.w_apply.add_class("mtss-apply")
        self.w_deid = W.Checkbox(value=True, description="Replace student ids with codes (recommended)",
                                 indent=False, layout=W.Layout(width="30em"))
        self.w_salt = W.Password(description="Your own code key (optional)", style=style,
                                 placeholder="leave empty: a new key for this session",
                                 layout=W.Layout(width="30em"))
        self.w_report = W.HTML()
        self.w_report.add_class("mtss-report")
        self.w_bench_upload = W.FileUpload(accept=".csv,.xlsx", multiple=False,
                                           description="Local benchmarks")
        self.w_bench = W.HTML('<div class="mtss-note">Benchmarks: US defaults (Hasbrouck &amp; Tindal 2017 oral '
                              "reading fluency percentiles; cut for risk at the 20th, benchmark at the 40th). "
                              "Outside the US, load your own table.</div>")
        # views
        self.w_grade = W.Dropdown(description="Grade", style=style, layout=W.Layout(width="10em"))
        self.w_season = W.Dropdown(description="Season", style=style, layout=W.Layout(width="12em"))
        self.w_measure = W.Dropdown(description="Measure", style=style, layout=W.Layout(width="14em"))
        self.w_min_cell = W.BoundedIntText(value=10, min=equity.MIN_CELL_FLOOR, max=1000,
                                           description="Minimum cell size", style=style,
                                           layout=W.Layout(width="13em"))
        self.w_screen = W.HTML()
        self.w_tiers = W.HTML()
        self.w_group = W.Dropdown(description="Group by", style=style, layout=W.Layout(width="22em"))
        self.w_equity = W.HTML()
        self.w_student = W.Dropdown(description="Student (code)", style=style, layout=W.Layout(width="24em"))
        self.w_goal = W.FloatText(description="Goal score", style=style, layout=W.Layout(width="12em"))
        self.w_goal_week = W.FloatText(description="Goal week", style=style, layout=W.Layout(width="12em"))
        self.w_progress = W.HTML()
        self.p_screen = ChartPane(self._host, "screening")
        self.p_tiers = ChartPane(self._host, "tiers")
        self.p_equity = ChartPane(self._host, "equity")
        self.p_progress = ChartPane(self._host, "progress")
        self.w_upload.observe(lambda _c: self._safe(self._on_upload), "value")
        self.w_bench_upload.observe(lambda _c: self._safe(self._on_bench), "value")
        for w in (self.w_encoding, self.w_sep, self.w_kind):
            w.observe(lambda _c: self._safe(self._reread), "value")
        self.w_apply.on_click(lambda _b: self._safe(self.apply_mapping))
        for w in (self.w_grade, self.w_season, self.w_measure, self.w_min_cell, self.w_group):
            w.observe(lambda _c: self._safe(self._views), "value")
        for w in (self.w_student, self.w_goal, self.w_goal_week):
            w.observe(lambda _c: self._safe(self._progress_view), "value")

    @property
    def ui(self) -> W.VBox:
        """The whole app."""
        if not hasattr(self, "_ui"):
            head = W.HTML(_STYLE + f'<h2 class="mtss-title">{html.escape(self.title)}</h2>'
                          f'<p class="mtss-purpose">{html.escape(self.purpose)}</p>'
                          '<div class="mtss-note"><b>Private by default.</b> Your file is read in this session\'s '
                          "memory only and is gone when you close the page; nothing is saved unless you press a "
                          "download link. Student ids are replaced with codes and names are never used.</div>")
            limit = W.HTML('<div class="mtss-note">CSV (.csv, .txt, .tsv) or Excel (.xlsx). The app server takes '
                           "files up to about 10 MB (some 200,000 rows); for a larger export, export one grade "
                           "or one season at a time.</div>")
            step1 = W.VBox([W.HTML("<h3>1. Your file</h3>"), self.w_kind, self.w_upload, limit,
                            W.HBox([self.w_encoding, self.w_sep], layout=W.Layout(flex_flow="row wrap")),
                            self.w_dates, self.w_read])
            step2 = W.VBox([W.HTML("<h3>2. Your columns</h3><div class='mtss-note'>Suggested from the column "
                                   "names; correct any that are wrong. Columns marked 'not used' stay behind."
                                   "</div>"), self.w_mapping, self.w_deid, self.w_salt, self.w_apply])
            step3 = W.VBox([W.HTML("<h3>3. What was read, and what was set aside</h3>"), self.w_report])
            screen_tab = W.VBox([W.HBox([self.w_grade, self.w_season, self.w_measure],
                                        layout=W.Layout(flex_flow="row wrap")),
                                 self.w_bench, self.w_bench_upload, self.w_screen, self.p_screen.widget])
            tier_tab = W.VBox([self.w_min_cell, self.w_tiers, self.p_tiers.widget])
            eq_tab = W.VBox([self.w_group, self.w_equity, self.p_equity.widget])
            pm_tab = W.VBox([self.w_student, W.HBox([self.w_goal, self.w_goal_week]), self.w_progress,
                             self.p_progress.widget])
            self.w_tabs = W.Tab(children=[screen_tab, tier_tab, eq_tab, pm_tab])
            for i, t in enumerate(["Screening", "Tiers", "Equity", "Progress"]):
                self.w_tabs.set_title(i, t)
            step4 = W.VBox([W.HTML("<h3>4. The course views, on your data</h3>"), self.w_tabs])
            self._ui = W.VBox([head, self.w_message, step1, step2, step3, step4], layout=W.Layout(width="100%"))
            self._ui.add_class("mtss-app")
            self._ui.add_class("mtss-app-yourdata")
        return self._ui

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)

    @classmethod
    def app(cls, **kwargs: Any) -> "YourData":
        """The app as the Voila page builds it."""
        return cls(**kwargs)

    # -- state ------------------------------------------------------------------

    @property
    def metrics(self) -> dict[str, Any]:
        """What the app shows now (a copy), for tests."""
        return dict(self._metrics)

    @property
    def message(self) -> str:
        return self._message_text

    def _say(self, text: str, kind: str = "problem") -> None:
        self._message_text = text
        self.w_message.value = message_html(text, kind)

    def _safe(self, fn: Any) -> bool:
        try:
            self._say("")
            fn()
            return True
        except DataError as exc:
            self._say(app_words(str(exc), self.w_kind.value))
        except Exception as exc:  # never a traceback on the page
            log.exception("YourData failed")
            self._say(f"Something went wrong ({type(exc).__name__}). Check the file and try again.")
        return False

    # -- step 1: read -------------------------------------------------------------

    def _on_upload(self) -> None:
        files = self.w_upload.value
        if not files:
            return
        f = files[0]
        self.load_bytes(bytes(f["content"]), str(f["name"]))

    def load_bytes(self, content: bytes, name: str) -> None:
        """Read an export's bytes (what the upload gives) and suggest a column mapping."""
        self._bytes, self._name = content, name
        self._reread()

    def _reread(self) -> None:
        if not hasattr(self, "_bytes"):
            return
        self._result, self._data = None, None
        self.w_report.value = ""
        self._raw = io.read_table(self._bytes, name=self._name, encoding=self.w_encoding.value or None,
                                  sep=self.w_sep.value or None,
                                  sheet_name=0)
        raw = self._raw
        kind = self.w_kind.value
        suggested = io.suggest_columns(raw, kind=kind)
        self._metrics = {"stage": "columns", "suggested": suggested, "records": raw.n_records,
                         "columns": list(raw.frame.columns)}
        where = "line" if raw.sep is not None else "row"  # a CSV's lines, an Excel sheet's rows
        self.w_read.value = ('<div class="mtss-note">' + html.escape(
            f"{raw.source}: {formatting.counted(raw.n_records, 'row')} after the header "
            f"({where} {raw.header_row}), "
            f"{formatting.counted(len(raw.frame.columns), 'column')}"
            + (f", {formatting.counted(raw.n_blank, 'blank line')} skipped" if raw.n_blank else "")
            + ". " + app_words("; ".join(app_words(n, capital=False) for n in raw.notes))) + "</div>")
        options = [("not used", "")] + [(w, k) for k, w in TARGETS[kind].items()] + \
            [("a student group, for the equity view", GROUP)]
        rows = []
        self._selectors: dict[str, W.Dropdown] = {}
        for col in raw.frame.columns:
            dd = W.Dropdown(options=options, value=suggested.get(col, ""), description=str(col),
                            style={"description_width": "14em"}, layout=W.Layout(width="34em"))
            dd.add_class("mtss-map")
            self._selectors[col] = dd
            rows.append(dd)
        self.w_mapping.children = rows

    def set_mapping(self, mapping: dict[str, str | None]) -> None:
        """Correct the suggested mapping: ``{their column: our name, or None for not used}``."""
        for col, target in mapping.items():
            if col not in getattr(self, "_selectors", {}):
                raise DataError(f"mapping: {col!r} is not a column of the file")
            self._selectors[col].value = target or ""

    # -- step 2/3: load, report ------------------------------------------------------

    def apply_mapping(self) -> None:
        """Load the file with the mapping shown, de-identify, and fill the report and the views."""
        if self._raw is None:
            raise DataError("file: upload an export first")
        chosen = {c: dd.value for c, dd in self._selectors.items() if dd.value}
        columns = {c: t for c, t in chosen.items() if t != GROUP}
        self._groups = [c for c, t in chosen.items() if t == GROUP]
        for g in self._groups:  # a group's labels are printed: never names, ids or notes
            io.check_group_column(self._raw.frame[g], g)
        targets = list(columns.values())
        dup = [t for t in set(targets) if targets.count(t) > 1]
        if dup:
            raise DataError(f"columns: two columns are marked as {TARGETS[self.w_kind.value][dup[0]]!r}; keep one")
        reader = io.read_screening if self.w_kind.value == "screening" else io.read_progress
        kw: dict[str, Any] = {"dayfirst": {"": None, "dayfirst": True, "monthfirst": False}[self.w_dates.value]}
        if self.w_kind.value == "screening" and "measure" not in targets:
            kw["measure"] = "orf"
        if self.w_kind.value == "progress" and "measure" not in targets:
            kw["measure"] = "orf"
        res = reader(self._raw, columns, **kw)
        self._result = res
        data = res.data.copy()
        # student characteristics for the equity view, joined by the row they came from
        if self._groups:
            pos = pd.Series(np.arange(len(self._raw.rows)), index=self._raw.rows)
            idx = pos.reindex(data["source_row"]).to_numpy()
            for g in self._groups:
                data[f"group: {g}"] = self._raw.frame[g].to_numpy(dtype=object)[idx]
        deid = bool(self.w_deid.value)
        if deid:
            salt = self.w_salt.value or self._salt
            d = io.deidentify(data, "student_id", salt=salt, keep=[c for c in data.columns if c.startswith("group: ")])
            data = d.data
        self._data = data
        self._metrics.update({"stage": "loaded", "n_in": res.n_in, "n_accepted": res.n_accepted, "n_rejected": res.n_rejected,
                              "n_blank": res.n_blank, "deidentified": deid, "mapping": dict(res.mapping or {})})
        self._report()
        self._prepare_views()

    def _report(self) -> None:
        res = self._result
        assert res is not None
        head = metrics_html([("Rows in the file", res.n_in, "n_in", "int"),
                             ("Accepted", res.n_accepted, "n_accepted", "int"),
                             ("Set aside", res.n_rejected, "n_rejected", "int"),
                             ("Blank lines", res.n_blank, "n_blank", "int")])
        notes = "".join(f'<div class="mtss-note">{html.escape(app_words(n))}</div>' for n in res.notes)
        if res.n_rejected:
            rej = res.rejected
            plain = {r: app_words(r, capital=False) for r in pd.unique(rej["reason"])}  # once per distinct reason
            rej = rej.assign(reason=rej["reason"].map(plain))
            kinds = rej.drop_duplicates("row")["reason"].map(io._result.reason_kind).value_counts()
            why = pd.DataFrame({"reason": kinds.index, "rows": kinds.to_numpy()})
            table = table_html(why.head(12), caption="Why rows were set aside:", css_id="mtss-reasons")
            shown = rej.assign(column=rej["column"].str.replace(
                r"^\w+ \((.*)\)$", r"\1", regex=True)).rename(columns={"row": "line / row in your file"})
            detail = table_html(shown, max_rows=30, caption="The rows set aside (first 30):",
                                css_id="mtss-rejected")
            csv = rej.to_csv(index=False).encode("utf-8")
            href = "data:text/csv;base64," + base64.b64encode(csv).decode("ascii")
            link = (f'<p><a class="mtss-download" download="rows-set-aside.csv" href="{href}">Download the list of '
                    f"rows set aside (CSV, {formatting.counted(len(rej), 'line')})</a> &mdash; "
                    "made in your browser from "
                    "memory; keep it as private as the export itself.</p>")
        else:
            table, detail, link = '<div class="mtss-note">No row was set aside.</div>', "", ""
        self.w_report.value = head + notes + table + detail + link

    # -- step 4: views ----------------------------------------------------------------

    def _prepare_views(self) -> None:
        d = self._data
        assert d is not None
        self._quiet = True
        try:
            if "grade" in d:
                grades = sorted(int(g) for g in d["grade"].unique())
                self.w_grade.options = grades
                self.w_grade.value = grades[0] if grades else None
            if "season" in d:
                seasons = [s for s in ("fall", "winter", "spring") if s in set(d["season"].astype(str))]
                self.w_season.options = seasons
                self.w_season.value = seasons[0] if seasons else None
            measures = sorted(set(d["measure"].astype(str)))
            self.w_measure.options = measures
            self.w_measure.value = measures[0] if measures else None
            groups = [c for c in d.columns if c.startswith("group: ")]
            self.w_group.options = [(c[len("group: "):], c) for c in groups]
            self.w_group.value = groups[0] if groups else None
            if self.w_kind.value == "progress":
                n_scores = d["student_id"].astype(str).value_counts()
                ids = sorted(n_scores.index)
                self.w_student.options = ids
                # start on a student with enough scores for the progress view, when there is one
                enough = [i for i in ids if n_scores[i] >= _LEAST_SCORES]
                self.w_student.value = (enough or ids)[0] if ids else None
        finally:
            self._quiet = False
        self._views()
        if self.w_kind.value == "progress":
            self._progress_view()

    def _has_above(self) -> bool:
        b = self._benchmarks
        return b is not None and "above" in b.columns and b["above"].notna().any()

    def _status(self, rows: pd.DataFrame) -> pd.Series:
        """Benchmark status: the local table when loaded, else the US defaults (ORF percentiles)."""
        if self._benchmarks is not None:
            return io.local_benchmark_status(rows, self._benchmarks)
        out = pd.Series("no benchmark", index=rows.index, dtype=object)
        ok = (rows["measure"].astype(str) == "orf")
        for (g, s), part in rows[ok].groupby([rows["grade"], rows["season"].astype(str)], observed=True):
            try:
                st = norms.benchmark_status(part["score"].to_numpy(dtype=float), int(g), s, system="percentile")
            except DataError:  # no published norm for this grade and season (e.g. grade 1 fall)
                continue
            out.loc[part.index] = np.asarray(st, dtype=object)
        return out

    def _views(self) -> None:
        if getattr(self, "_quiet", False) or self._data is None or self.w_kind.value != "screening":
            if self._data is not None and self.w_kind.value == "progress":
                self.w_screen.value = self.w_tiers.value = self.w_equity.value = (
                    '<div class="mtss-note">Screening, tiers and equity need a screening export.</div>')
            return
        d = self._data
        m = equity.check_min_cell(self.w_min_cell.value)
        sel = d[(d["grade"] == self.w_grade.value) & (d["season"].astype(str) == self.w_season.value)
                & (d["measure"].astype(str) == self.w_measure.value)]
        if len(sel) == 0:
            raise DataError("selection: no students for this grade, season and measure")
        status = self._status(sel)
        # every status the benchmarks in use can give, zeros included (a missing row would publish its zero);
        # statuses and tiers are the same students grouped two ways: protected together
        cats = ["well_below", "below", "at"] + (["above"] if self._has_above() or (status == "above").any() else [])
        counts = status.value_counts().reindex(cats, fill_value=0)
        if (status == "no benchmark").any():
            counts.loc["no benchmark"] = int((status == "no benchmark").sum())
        known_n = int((status != "no benchmark").sum())
        if known_n == 0:
            counts = counts.loc[["no benchmark"]]
        tier_of = {c: (f"Tier {int(norms.support_tier(c))}" if c != "no benchmark" else c) for c in counts.index}
        prot, tp = equity.protect_rollup(counts.astype(np.int64), tier_of, m)
        self._metrics.update({"n_selected": int(len(sel)),
                              "status_counts": {_STATUS_WORDS[k]: int(v) for k, v in counts.items()},
                              "status_shown": {_STATUS_WORDS[str(k)]: (None if pd.isna(v) else int(v))
                                               for k, v in prot["count"].items()}})

        def cell(c: Any, h: bool, w: str, pct_of: int | None = None) -> str:
            if w == "small cell":
                return f"fewer than {m}"
            if h:
                return "hidden"
            return str(int(c)) + (f" ({fmt(c / pct_of, 'pct')})" if pct_of else "")

        shown = pd.DataFrame({"benchmark status": [_STATUS_WORDS[str(k)] for k in prot.index],
                              "students": [cell(c, h, w) for c, h, w in
                                           zip(prot["count"], prot["suppressed"], prot["why"])]})
        self.w_screen.value = table_html(shown, caption=(
            f"{len(sel):,} students in grade {self.w_grade.value}, {self.w_season.value}. Counts under {m} are "
            "hidden, and so is the next smallest where a hidden one could be worked out from the total "
            "or from the tier table."), css_id="mtss-status")
        cut = None
        if self._benchmarks is None and self.w_measure.value == "orf":
            try:
                cut = float(norms.orf_norm(int(self.w_grade.value), str(self.w_season.value), 25))
            except DataError:
                cut = None
        width = None
        if cut is not None and not prot["suppressed"].any():
            width = equity.protected_bin_width(sel["score"].to_numpy(dtype=float), cut, m)
        self._metrics["screen_bin_width"] = width
        if cut is None:
            self.p_screen.clear("No chart: no published cut for this measure, grade and season.")
        elif prot["suppressed"].any() or width is None:
            self.p_screen.clear(f"No chart: it would show a group of fewer than {m} students (or give a hidden "
                                "count back), to protect them.")
        else:
            scores = sel["score"].to_numpy(dtype=float)
            self.p_screen.draw(chart_call("screening_chart", scores, cut, measure="Oral reading fluency",
                                          bin_width=width, title="Your scores, with the 25th-percentile line"))
        # tiers from status (Acadience support levels -> tiers), protected with the status table
        if known_n:
            tiers = np.asarray(norms.support_tier(status[status != "no benchmark"].to_numpy()), dtype=float)
            ts = screening.tier_shares(tiers)
            tp = tp.loc[sorted((t for t in tp.index if t != "no benchmark"), key=str)]
            cells = [cell(c, h, w, ts.n) for c, h, w in zip(tp["count"], tp["suppressed"], tp["why"])]
            # a share or a total would give a hidden count back: shown only when what they reveal is shown
            nb_hidden = "no benchmark" in prot.index and bool(prot.loc["no benchmark", "suppressed"])
            if nb_hidden or tp["suppressed"].any():
                cells = [cell(c, h, w) for c, h, w in zip(tp["count"], tp["suppressed"], tp["why"])]
            share = (f"Tier 1 share: {fmt(ts.share1, 'pct')} " if not (tp.loc["Tier 1", "suppressed"] or nb_hidden)
                     else "Tier 1 share: hidden with its count ")
            n_txt = "Students" if nb_hidden else f"{ts.n:,} students"
            self.w_tiers.value = table_html(pd.DataFrame({"tier (from benchmark status)": tp.index,
                                                          "students": cells}),
                                            caption=f"{n_txt} with a benchmark status. {share}"
                                                    f"(the 80/15/5 convention has about "
                                                    f"{formatting.percent(ts.tier1_convention, 2, trim=True)}; how support is spread, "
                                                    "not whether the core works).",
                                            css_id="mtss-tiers")
            self._metrics["tiers"] = {"tier1": ts.tier1, "tier2": ts.tier2, "tier3": ts.tier3}
            self._metrics["tiers_shown"] = {str(k): (None if pd.isna(v) else int(v)) for k, v in tp["count"].items()}
            if tp["suppressed"].any():
                self.p_tiers.clear("No chart: a tier has fewer students than the minimum cell size.")
            else:
                self.p_tiers.draw(chart_call("tier_share_chart", ts))
        else:
            self.w_tiers.value = '<div class="mtss-note">No student has a benchmark status here.</div>'
            self.p_tiers.clear()
        self._equity_view(sel, status, m)

    def _equity_view(self, sel: pd.DataFrame, status: pd.Series, m: int) -> None:
        g = self.w_group.value
        if not g:
            self.w_equity.value = ('<div class="mtss-note">Mark a column such as English learner or '
                                   "disability as 'a student group' in step 2 to see risk ratios.</div>")
            self.p_equity.clear()
            return
        known = status != "no benchmark"
        frame = pd.DataFrame({"group": sel.loc[known, g].map(lambda v: "(blank)" if pd.isna(v) or str(v).strip() == ""
                                                              else str(v).strip()),
                              "flag": (status[known] == "well_below").to_numpy()})
        table = frame.groupby("group").agg(count=("flag", "sum"), total=("flag", "size")).reset_index()
        if len(table) < 2:
            raise DataError("equity: the group column has one value only; choose another")
        result = equity.disproportionality(table, min_cell=m, min_n=30)
        prot = equity.protect_counts(table, m).set_index("group").reindex(result.index)
        hide = prot["count_suppressed"].to_numpy(dtype=bool)
        shown_result = result.copy()
        shown_result.loc[hide, "risk_ratio"] = np.nan
        words = {"small cell": f"fewer than {m}", "complementary": "hidden", "": ""}
        out = pd.DataFrame({
            "group": result.index.astype(str),
            "students": [words[w] if ht else str(int(t)) for t, ht, w in
                         zip(result["total"], prot["total_suppressed"], prot["why"])],
            "well below benchmark": [words[w] if h else str(int(c)) for c, h, w in
                                     zip(result["count"], hide, prot["why"])],
            "risk ratio": [fmt(v) for v in shown_result["risk_ratio"]],
        })
        self.w_equity.value = table_html(out, caption=prot.attrs.get("suppression_note", ""), css_id="mtss-equity")
        self._metrics["equity_hidden"] = [str(x) for x, h in zip(result.index, hide) if h]
        self.p_equity.draw(chart_call("risk_ratio_chart", shown_result, equity.EXAMPLE_RISK_RATIO_THRESHOLD,
                                      outcome="well below benchmark"))

    def _progress_view(self) -> None:
        if getattr(self, "_quiet", False) or self._data is None or self.w_kind.value != "progress":
            return
        d = self._data
        sid = self.w_student.value
        one = d[d["student_id"].astype(str) == sid].sort_values("week")
        if len(one) < _LEAST_SCORES:
            raise DataError(f"student: fewer than {_LEAST_SCORES} scores; the trend and the decision rules need more")
        weeks = one["week"].to_numpy(dtype=float)
        scores = one["score"].to_numpy(dtype=float)
        bw, bs, w, s = weeks[:_BASELINE], scores[:_BASELINE], weeks[_BASELINE:], scores[_BASELINE:]
        goal, goal_week = self.w_goal.value, self.w_goal_week.value
        if not goal or not goal_week:
            self.w_progress.value = ('<div class="mtss-note">Type the goal and the goal week from the student\'s '
                                     "plan to draw the aimline.</div>")
            self.p_progress.clear()
            self._metrics["progress"] = {"n_points": int(len(one))}
            return
        line = progress.aimline(bw, bs, goal=float(goal), goal_week=float(goal_week))
        dec = progress.decide(w, s, line) if len(w) >= 1 else None
        self._metrics["progress"] = {"n_points": int(len(one)), "decision": getattr(dec, "action", None)}
        self.w_progress.value = ('<div class="mtss-note">' + html.escape(
            f"{len(one)} scores; first three are the baseline. " + (str(getattr(dec, "reason", "")) if dec else ""))
            + "</div>")
        self.p_progress.draw(chart_call("progress_chart", w, s, line, baseline_weeks=bw, baseline_scores=bs))

    # -- local benchmarks -----------------------------------------------------------------

    def _on_bench(self) -> None:
        files = self.w_bench_upload.value
        if not files:
            return
        f = files[0]
        self.load_benchmarks(bytes(f["content"]), str(f["name"]))

    def load_benchmarks(self, content: bytes, name: str) -> None:
        """Use a local benchmark table (see :func:`mtss_teach.io.read_benchmarks`) instead of the US defaults."""
        table = io.read_benchmarks(content, name=name)
        self._benchmarks = table
        src = "; ".join(sorted(set(f"{s} ({y})" for s, y in zip(table["source"], table["year"]))))
        self.w_bench.value = ('<div class="mtss-note">Benchmarks: your local table ' + html.escape(
            f"({len(table)} rows; source: {src})") + ".</div>")
        self._metrics["benchmarks"] = {"rows": int(len(table)), "source": src}
        if self._data is not None:
            self._views()
