"""Self-checks with instant feedback for the static book (no server, no CDN).

A self-check is a short list of questions: multiple choice (every option
carries its own explanation, shown when the reader picks it) or numeric
(correct within a tolerance, with an explanation shown after checking).
:class:`SelfCheck` renders itself as one self-contained block of HTML with
an inline script and style (``_repr_html_``), so a lesson's hidden-input
code cell just displays it::

    ```{code-cell} python
    :tags: [remove-input]
    from mtss_teach.selfcheck import SelfCheck, choice, numeric
    from mtss_teach.norms import orf_norm
    SelfCheck("Check your understanding", [
        numeric("What is the grade 3 winter 50th percentile (WCPM)?",
                answer=orf_norm(3, "winter", 50), tolerance=0,
                explanation="Hasbrouck & Tindal (2017): grade 3, winter, 50th = 97 WCPM."),
        choice("A tier is ...", [
            ("the support a student receives now", True, "Yes: tiers describe support, not students."),
            ("a label that follows the student", False, "No: ..."),
        ]),
    ])
    ```

Answers may be computed live with the library when the book is built (as
above), or read from ``modules/<course>/selfcheck.yml`` with
:func:`load_selfcheck` (``answer: {call: mtss_teach.norms.orf_norm, args:
[3, winter, 50]}`` calls a library function at build time).

Self-check answers are for self-study and are in the page; graded exercise
answers never are (see :mod:`mtss_teach.exercises`).
"""

from __future__ import annotations

import hashlib
import html
import importlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from .errors import DataError
from .formatting import machine

__all__ = ["Option", "Question", "SelfCheck", "choice", "numeric", "parse_response", "from_dict", "load_selfcheck"]


@dataclass(frozen=True)
class Option:
    """One answer option of a multiple-choice question."""

    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Question:
    """A self-check question.

    ``kind`` is ``"choice"`` (``options``; at least one correct) or
    ``"numeric"`` (``answer`` within ``tolerance``, inclusive).
    """

    prompt: str
    kind: str
    options: tuple[Option, ...] = ()
    answer: float | None = None
    tolerance: float = 0.0
    explanation: str = ""
    unit: str = ""

    def is_correct(self, response: Any) -> bool:
        """Whether a response is right: an option index, or a number.

        Examples
        --------
        >>> from mtss_teach.selfcheck import numeric
        >>> q = numeric("2 + 2?", answer=4, tolerance=0.5, explanation="Four.")
        >>> q.is_correct(4.4), q.is_correct(4.6)
        (True, False)
        """
        if self.kind == "choice":
            return isinstance(response, int) and 0 <= response < len(self.options) and self.options[response].correct
        v = parse_response(response, self.unit)
        # a little slack for floating point, relative to the answer's size (an answer
        # typed exactly at the tolerance's edge is right)
        a = float(self.answer)
        return v is not None and abs(v - a) <= self.tolerance + 1e-9 * max(1.0, abs(a))


_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$", re.IGNORECASE)


def _is_percent_unit(unit: str) -> bool:
    return unit.strip().lower() in ("%", "percent", "per cent", "percentage")


def parse_response(response: Any, unit: str = "") -> float | None:
    """Read a typed answer as a number, the way the page's script does.

    A decimal comma is read as a point. A trailing percent sign means
    hundredths ("49%" is 0.49) unless the question's own unit is a
    percentage, where "49%" and "49" are both 49. Anything that is not one
    number gives ``None``. The page's script (``_JS``) follows the same rule;
    the tests check the two agree in a browser.

    Examples
    --------
    >>> from mtss_teach.selfcheck import parse_response
    >>> parse_response("49%"), parse_response("0,49"), parse_response("49%", unit="%")
    (0.49, 0.49, 49.0)
    >>> parse_response("forty") is None, parse_response("0.49%")
    (True, 0.0049)
    """
    if isinstance(response, bool):
        return None
    if isinstance(response, (int, float)):
        v = float(response)
        return v if math.isfinite(v) else None
    if not isinstance(response, str):
        return None
    raw = response.strip().replace(",", ".")
    percent = raw.endswith("%")
    raw = raw.rstrip("%").strip()
    if not _NUMBER.match(raw):
        return None
    v = float(raw)
    if not math.isfinite(v):
        return None
    if percent and not _is_percent_unit(unit):
        v = v / 100.0
    return v


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{name}: expected non-empty text, got {value!r}")
    return value.strip()


def choice(prompt: str, options: Sequence[Any]) -> Question:
    """A multiple-choice question; each option is ``(text, correct, explanation)``.

    Options may also be mappings with keys ``text``, ``correct``,
    ``explanation``. At least two options, at least one correct, and every
    option needs an explanation.

    Examples
    --------
    >>> from mtss_teach.selfcheck import choice
    >>> q = choice("Which rule needs the most points?", [
    ...     ("four-point", False, "It looks at 4 points."),
    ...     ("trend", True, "About 8 points are common.")])
    >>> [o.correct for o in q.options]
    [False, True]
    """
    p = _text(prompt, "prompt")
    opts = []
    if isinstance(options, (str, bytes)) or not isinstance(options, Sequence):
        raise DataError(f"options: expected a list of (text, correct, explanation), got {options!r}")
    for i, o in enumerate(options):
        if isinstance(o, Mapping):
            t, c, e = o.get("text"), o.get("correct", False), o.get("explanation")
        elif isinstance(o, (tuple, list)) and len(o) == 3:
            t, c, e = o
        else:
            raise DataError(f"options: option at position {i} should be (text, correct, explanation), got {o!r}")
        if not isinstance(c, bool):
            raise DataError(f"options: 'correct' at position {i} should be True or False, got {c!r}")
        opts.append(Option(_text(t, f"options[{i}].text"), c, _text(e, f"options[{i}].explanation")))
    if len(opts) < 2:
        raise DataError(f"options: a multiple-choice question needs at least 2 options, got {len(opts)}")
    if not any(o.correct for o in opts):
        raise DataError(f"options: no option is marked correct in {p!r}")
    return Question(prompt=p, kind="choice", options=tuple(opts))


def numeric(prompt: str, answer: float, tolerance: float = 0.0, explanation: str = "", unit: str = "") -> Question:
    """A numeric question: right when within ``tolerance`` of ``answer``.

    Examples
    --------
    >>> from mtss_teach.selfcheck import numeric
    >>> numeric("Sensitivity?", answer=0.8, tolerance=0.01, explanation="TP/(TP+FN)").tolerance
    0.01
    >>> numeric("Sensitivity?", answer=float("nan"), explanation="x")
    Traceback (most recent call last):
    ...
    mtss_teach.errors.DataError: answer: expected a finite number, got nan
    """
    p = _text(prompt, "prompt")
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) and not hasattr(answer, "__float__"):
        raise DataError(f"answer: expected a number, got {answer!r}")
    a = float(answer)
    if not math.isfinite(a):
        raise DataError(f"answer: expected a finite number, got {answer!r}")
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not math.isfinite(tolerance) or tolerance < 0:
        raise DataError(f"tolerance: expected a number of at least 0, got {tolerance!r}")
    return Question(prompt=p, kind="numeric", answer=a, tolerance=float(tolerance),
                    explanation=_text(explanation, "explanation"), unit=str(unit or ""))


# ---------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------

_CSS = """
.mtss-selfcheck{border:1px solid #9aa5b1;border-radius:6px;padding:0.8em 1em;margin:1em 0;background:#f8fafc;color:#1f2328;color-scheme:light}
.mtss-selfcheck h3{margin-top:0.2em;font-size:1.1em;color:inherit}
.mtss-selfcheck fieldset{border:none;border-top:1px solid #d0d7de;margin:0.6em 0 0;padding:0.6em 0 0}
.mtss-selfcheck legend{font-weight:600;padding:0;color:inherit}
.mtss-selfcheck label{display:block;margin:0.25em 0;cursor:pointer}
.mtss-selfcheck .sc-feedback{margin-top:0.4em;padding:0.3em 0.6em;border-left:4px solid transparent}
.mtss-selfcheck .sc-feedback[data-state=correct]{border-color:#0072b2;background:#e6f1f8}
.mtss-selfcheck .sc-feedback[data-state=wrong]{border-color:#d55e00;background:#fbece4}
.mtss-selfcheck .sc-numeric input{width:8em;margin-right:0.4em}
.mtss-selfcheck button{cursor:pointer}
.mtss-selfcheck .sc-visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
"""

# One small script, defined once per page, then run for each block.
_JS = r"""
(function(){
  if(!window.mtssSelfCheck){
    window.mtssSelfCheck=function(root){
      if(!root||root.dataset.ready)return;root.dataset.ready="1";
      function show(fb,ok,text){fb.hidden=false;fb.dataset.state=ok?"correct":"wrong";
        fb.textContent=(ok?"Correct. ":"Not quite. ")+text;}
      root.querySelectorAll(".sc-choice").forEach(function(fs){
        var fb=fs.querySelector(".sc-feedback");
        fs.querySelectorAll("input[type=radio]").forEach(function(inp){
          inp.addEventListener("change",function(){
            show(fb,inp.dataset.correct==="1",inp.dataset.explanation);});});});
      root.querySelectorAll(".sc-numeric").forEach(function(fs){
        var fb=fs.querySelector(".sc-feedback"),inp=fs.querySelector("input"),btn=fs.querySelector("button");
        function check(){
          var raw=(inp.value||"").trim().replace(",",".");
          var pct=/%$/.test(raw);raw=raw.replace(/%$/,"").trim();
          var v=parseFloat(raw);
          if(raw===""||!isFinite(v)||!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw)){
            fb.hidden=false;fb.dataset.state="wrong";fb.textContent="Type a number first.";return;}
          if(pct&&fs.dataset.percent!=="1"){v=v/100;}
          var a=parseFloat(fs.dataset.answer),t=parseFloat(fs.dataset.tolerance);
          show(fb,Math.abs(v-a)<=t+1e-9*Math.max(1,Math.abs(a)),fs.dataset.explanation);}
        btn.addEventListener("click",check);
        inp.addEventListener("keydown",function(e){if(e.key==="Enter"){e.preventDefault();check();}});});
    };
  }
  var s=document.currentScript,root=s&&s.previousElementSibling;
  if(root&&root.classList.contains("mtss-selfcheck")){window.mtssSelfCheck(root);}
  else{document.querySelectorAll(".mtss-selfcheck").forEach(window.mtssSelfCheck);}
})();
"""


@dataclass(frozen=True)
class SelfCheck:
    """A titled list of questions that renders as interactive HTML.

    Examples
    --------
    >>> from mtss_teach.selfcheck import SelfCheck, numeric
    >>> sc = SelfCheck("Check", [numeric("1 + 1?", answer=2, explanation="Two.")])
    >>> html = sc._repr_html_()
    >>> "<script" in html and "http" not in html
    True
    """

    title: str
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def __init__(self, title: str, questions: Iterable[Question]) -> None:
        qs = tuple(questions)
        if not qs:
            raise DataError("questions: a self-check needs at least one question")
        for i, q in enumerate(qs):
            if not isinstance(q, Question):
                raise DataError(f"questions: item at position {i} is not a Question (use choice() or numeric())")
        object.__setattr__(self, "title", _text(title, "title"))
        object.__setattr__(self, "questions", qs)

    @property
    def uid(self) -> str:
        """A stable id (same questions, same id) for the HTML block."""
        blob = json.dumps([self.title, [repr(q) for q in self.questions]], sort_keys=True)
        return "sc-" + hashlib.sha1(blob.encode("utf-8")).hexdigest()[:10]

    def to_html(self) -> str:
        """Self-contained HTML: the block, a scoped style and an inline script."""
        e = html.escape
        uid = self.uid
        parts = [f'<div class="mtss-selfcheck" id="{uid}" role="group" aria-label="{e(self.title)}">',
                 f"<style>{_CSS.strip()}</style>", f"<h3>{e(self.title)}</h3>"]
        for qi, q in enumerate(self.questions, start=1):
            qid = f"{uid}-q{qi}"
            if q.kind == "choice":
                parts.append(f'<fieldset class="sc-choice" id="{qid}"><legend>{qi}. {e(q.prompt)}</legend>')
                for oi, o in enumerate(q.options):
                    parts.append(
                        f'<label><input type="radio" name="{qid}" value="{oi}" '
                        f'data-correct="{1 if o.correct else 0}" data-explanation="{e(o.explanation)}"> '
                        f"{e(o.text)}</label>"
                    )
            else:
                unit = f" <span class=\"sc-unit\">{e(q.unit)}</span>" if q.unit else ""
                parts.append(
                    f'<fieldset class="sc-numeric" id="{qid}" data-answer="{machine(q.answer)}" '
                    f'data-tolerance="{machine(q.tolerance)}" data-percent="{1 if _is_percent_unit(q.unit) else 0}" '
                    f'data-explanation="{e(q.explanation)}">'
                    f"<legend>{qi}. {e(q.prompt)}</legend>"
                    f'<label for="{qid}-in" class="sc-visually-hidden">Your answer</label>'
                    f'<input id="{qid}-in" type="text" inputmode="decimal" autocomplete="off">{unit} '
                    f'<button type="button">Check</button>'
                )
            parts.append('<div class="sc-feedback" role="status" aria-live="polite" hidden></div></fieldset>')
        parts.append("</div>")
        parts.append(f"<script>{_JS.strip()}</script>")
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __len__(self) -> int:
        return len(self.questions)


# ---------------------------------------------------------------------------
# YAML
# ---------------------------------------------------------------------------


def _resolve_answer(value: Any, where: str) -> Any:
    """A number, or ``{call: mtss_teach.x.f, args: [...], kwargs: {...}, attr: name, item: key}``."""
    if not isinstance(value, Mapping):
        return value
    target = value.get("call")
    if not isinstance(target, str) or not target.startswith("mtss_teach."):
        raise DataError(f"{where}: 'call' must name a function in mtss_teach, got {target!r}")
    mod_name, _, fn_name = target.rpartition(".")
    try:
        fn = getattr(importlib.import_module(mod_name), fn_name)
    except (ImportError, AttributeError):
        raise DataError(f"{where}: no function {target!r}") from None
    out = fn(*value.get("args", []), **dict(value.get("kwargs", {})))
    if "attr" in value:
        out = getattr(out, value["attr"])
    if "item" in value:
        out = out[value["item"]]
    return out


def from_dict(data: Mapping[str, Any]) -> SelfCheck:
    """Build a :class:`SelfCheck` from parsed YAML/JSON.

    Schema::

        title: Check your understanding
        questions:
          - prompt: ...
            options:                 # multiple choice
              - {text: ..., correct: true, explanation: ...}
              - {text: ..., correct: false, explanation: ...}
          - prompt: ...
            answer: 97               # or {call: mtss_teach.norms.orf_norm, args: [3, winter, 50]}
            tolerance: 0
            unit: WCPM
            explanation: ...

    Examples
    --------
    >>> from mtss_teach.selfcheck import from_dict
    >>> sc = from_dict({"title": "T", "questions": [
    ...     {"prompt": "Grade 3 winter median?", "answer": {"call": "mtss_teach.norms.orf_norm",
    ...      "args": [3, "winter", 50]}, "tolerance": 0, "explanation": "H&T 2017."}]})
    >>> sc.questions[0].answer
    97.0
    """
    if not isinstance(data, Mapping):
        raise DataError(f"self-check: expected a mapping with 'title' and 'questions', got {type(data).__name__}")
    qs = data.get("questions")
    if not isinstance(qs, Sequence) or isinstance(qs, (str, bytes)):
        raise DataError("questions: expected a list of questions")
    out = []
    for i, q in enumerate(qs):
        where = f"questions[{i}]"
        if not isinstance(q, Mapping):
            raise DataError(f"{where}: expected a mapping, got {q!r}")
        if "options" in q:
            out.append(choice(q.get("prompt"), q["options"]))
        elif "answer" in q:
            out.append(numeric(q.get("prompt"), _resolve_answer(q["answer"], where), q.get("tolerance", 0.0),
                               q.get("explanation", ""), q.get("unit", "")))
        else:
            raise DataError(f"{where}: needs 'options' (multiple choice) or 'answer' (numeric)")
    return SelfCheck(data.get("title", "Check your understanding"), out)


def load_selfcheck(source: str | Path) -> SelfCheck:
    """Load a self-check: a course id (``modules/<course>/selfcheck.yml``) or a YAML path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mtss_teach.selfcheck import load_selfcheck
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "selfcheck.yml"
    >>> _ = p.write_text("title: T\\nquestions:\\n  - prompt: 1+1?\\n    answer: 2\\n    explanation: Two.\\n")
    >>> len(load_selfcheck(p))
    1
    """
    path = Path(source)
    if not path.suffix:
        path = Path(__file__).resolve().parents[1] / "modules" / str(source) / "selfcheck.yml"
    if not path.is_file():
        raise DataError(f"source: no self-check file at {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"source: {path} is not valid YAML ({exc})") from None
    return from_dict(data)
