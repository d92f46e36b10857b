"""What the course's ``nbgrader_config.py`` plugs into nbgrader.

- :func:`announce_student` / :func:`forget_student`: autograde's pre/post
  convert hooks; they put the submission's student and assignment ids in
  the environment the grading kernel starts with
  (:func:`mtss_teach.exercises.graded_learner_id` reads them there).
- :class:`PipelineOnly`: the first sanitize step of ``nbgrader autograde``;
  it refuses to grade unless the course's pipeline
  (``python -m mtss_teach.grading autograde``) runs nbgrader. Formgrader's
  own "autograde" button and a bare ``nbgrader autograde`` would skip the
  pipeline's checks (the re-check of credited tests outside the learner's
  kernel, the tamper scan, the id check, the report), so they are refused
  with a message naming the command to use.
- :class:`CapOutput`: caps each cell's output (1 MB by default) after
  execution, keeping the start and a note saying how much was cut.
- :class:`HideTestInternals`: a feedback step; a failing test shows its
  task's message, never the hidden test's code (which a traceback would
  print), its tolerances or the server's file paths.
"""

from __future__ import annotations

import json
import os
import re
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from .course import PIPELINE_ENV, TRUNCATION_NOTE

__all__ = ["announce_student", "forget_student", "PipelineOnly", "CapOutput", "HideTestInternals",
           "PIPELINE_ONLY_MESSAGE"]

#: :data:`mtss_teach.exercises.RECORD_MIME`, repeated here so nbgrader's process does not import the
#: exercises module (and the whole library it snapshots) just to name it; a test checks they agree.
RECORD_MIME = "application/vnd.mtss-teach.check+json"

PIPELINE_ONLY_MESSAGE = (
    "This course autogrades only through `python -m mtss_teach.grading autograde SUBMISSIONS` "
    "(run in the course folder). nbgrader's own autograde -- formgrader's Autograde button, or a bare "
    "`nbgrader autograde` -- would skip the course's checks: the re-check of every credited test outside "
    "the learner's kernel, the tamper scan, the learner-id check and grading_report.csv. "
    "See the instructors' grading page."
)


def announce_student(assignment=None, student=None, notebooks=None, **_):
    """Autograde pre-convert hook: the ids of the submission about to be graded, for the kernel."""
    os.environ["MTSS_GRADED_STUDENT"] = ""
    os.environ["MTSS_GRADED_ASSIGNMENT"] = ""
    if notebooks:
        # <submitted>/<student>/<assignment>/exercise.ipynb
        parts = os.path.normpath(str(notebooks[0])).split(os.sep)
        if len(parts) >= 3:
            os.environ["MTSS_GRADED_STUDENT"] = parts[-3]
            os.environ["MTSS_GRADED_ASSIGNMENT"] = parts[-2]


def forget_student(assignment=None, student=None, notebooks=None, **_):
    """Autograde post-convert hook."""
    os.environ["MTSS_GRADED_STUDENT"] = ""
    os.environ["MTSS_GRADED_ASSIGNMENT"] = ""


class PipelineOnly(NbGraderPreprocessor):
    """Refuse to autograde outside the course's pipeline (see :data:`PIPELINE_ONLY_MESSAGE`)."""

    def preprocess(self, nb, resources):
        if os.environ.get(PIPELINE_ENV) != "1":
            self.log.error(PIPELINE_ONLY_MESSAGE)
            raise RuntimeError(PIPELINE_ONLY_MESSAGE)
        return nb, resources


def _human(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


class CapOutput(NbGraderPreprocessor):
    """Cap the size of each code cell's outputs, with a note where output was cut.

    The check records of :mod:`mtss_teach.exercises` (small) are always kept;
    every other output counts towards ``max_bytes``. Text is cut at the cap
    and a note (``TRUNCATION_NOTE``) is appended; outputs after the cap are
    dropped.
    """

    max_bytes = Integer(1_000_000, help="most bytes of output kept per cell").tag(config=True)
    max_record_bytes = Integer(65_536, help="largest check record kept").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.get("cell_type") != "code" or not cell.get("outputs"):
            return cell, resources

        def size(o) -> int:
            return len(json.dumps(o, ensure_ascii=False).encode("utf-8"))

        total = sum(size(o) for o in cell.outputs)
        if total <= self.max_bytes:
            return cell, resources
        kept, used = [], 0
        for o in cell.outputs:
            data = o.get("data") or {}
            if RECORD_MIME in data:
                if size(o) <= self.max_record_bytes:
                    kept.append(o)
                continue
            n = size(o)
            if used + n <= self.max_bytes:
                kept.append(o)
                used += n
                continue
            room = self.max_bytes - used
            if room > 200 and o.get("output_type") == "stream":
                text = o.get("text", "")
                text = "".join(text) if isinstance(text, list) else text
                o["text"] = text.encode("utf-8")[:room - 200].decode("utf-8", "ignore")
                kept.append(o)
            used = self.max_bytes
        from nbformat.v4 import new_output

        kept.append(new_output("stream", name="stdout",
                               text="\n" + TRUNCATION_NOTE.format(total=_human(total), cap=_human(self.max_bytes))
                               + "\n"))
        cell.outputs = kept
        return cell, resources


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\s\\/:'\"<>]+){2,}[\\/]([^\s\\/:'\"<>]+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_paths(text: str) -> str:
    """Replace absolute file paths by their last part (``/srv/x/mtss_teach/screening.py`` -> ``screening.py``).

    Examples
    --------
    >>> from mtss_teach.grading.nbgrader_hooks import strip_paths
    >>> strip_paths("File /srv/course/mtss_teach/screening.py:12, in auc")
    'File screening.py:12, in auc'
    """
    return _PATH.sub(lambda m: m.group(1), text)


class HideTestInternals(NbGraderPreprocessor):
    """Feedback step: failing tests show their message only; no test code, tolerance or server path.

    In a test cell (``grade``), an error becomes one line, ``ename: message``
    (the checks' messages name the task's answer and what is wrong, never
    the expected value or the tolerance); stderr (library warnings, with
    their file paths) is dropped; the check records are removed. In every
    other cell, absolute file paths in tracebacks and printed text are cut
    to the file's name.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.get("cell_type") != "code":
            return cell, resources

        nbg = (cell.get("metadata") or {}).get("nbgrader") or {}
        is_test = bool(nbg.get("grade")) and not nbg.get("solution")
        out = []
        for o in cell.get("outputs", []):
            kind = o.get("output_type")
            data = o.get("data") or {}
            if RECORD_MIME in data:
                continue
            if kind == "error":
                ename = strip_paths(_ANSI.sub("", str(o.get("ename", "Error"))))
                evalue = strip_paths(_ANSI.sub("", str(o.get("evalue", ""))))
                if is_test:
                    msg = _test_message(ename, evalue)
                    o["traceback"] = [msg]
                    o["evalue"] = evalue
                else:
                    o["traceback"] = [strip_paths(t) for t in o.get("traceback", [])]
                    o["evalue"] = evalue
                out.append(o)
            elif kind == "stream":
                if is_test and o.get("name") == "stderr":
                    continue
                text = o.get("text", "")
                o["text"] = strip_paths("".join(text) if isinstance(text, list) else text)
                out.append(o)
            else:
                for k, v in list(data.items()):
                    if isinstance(v, str) and k.startswith("text/"):
                        data[k] = strip_paths(v)
                out.append(o)
        cell["outputs"] = out
        return cell, resources


def _test_message(ename: str, evalue: str) -> str:
    if ename == "AssertionError":
        return f"Not yet: {evalue}" if evalue else "Not yet: this task's answer is not right."
    if ename == "NameError":
        return f"Not answered: {evalue} (run the task's answer cell, and keep the variable's name)."
    if ename in ("CellTimeoutError", "KeyboardInterrupt"):
        return "This test did not finish in time (a cell before it ran too long)."
    return f"This test could not run: {ename}: {evalue}"

