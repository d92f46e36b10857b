"""From a folder of submissions to notebooks nbgrader can grade, or a reason why not.

Layout read: ``SUBMISSIONS/<folder>/<assignment>/exercise.ipynb``, where
``<folder>`` is the learner id (``nbgrader collect``'s layout) or, for an LMS
download, a login the course roster maps to a learner id. Each submission
is checked before nbgrader sees it, and every problem ends in a visible
state (:mod:`mtss_teach.grading.report`), never in a silent 0:

- a renamed notebook (the folder's only ``.ipynb``) is graded, with a note;
- a byte-order mark is removed, and a file that is not UTF-8 (Windows-1252,
  UTF-16) is read in its encoding, with a note;
- a file that is not a notebook, a notebook with no cells, none of the
  exercise's cells, or another course's exercise is *not gradable*;
- a notebook from an older release that lacks some of the exercise's cells
  gets them from the current release (unanswered), and *needs review*;
- the instructor's nbgrader metadata is put back on every known cell, and
  forged metadata removed (:func:`mtss_teach.grading.credit._restore_metadata`);
- the ``LEARNER_ID`` the learner typed is read (:mod:`mtss_teach.grading.identity`).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .course import NOTEBOOK
from .credit import _restore_metadata
from .identity import typed_learner_id
from .report import SubmissionResult
from .scan import scan_notebook

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
MAX_NOTEBOOK_BYTES = 50_000_000


@dataclass
class Found:
    """One submission folder: who, which assignment, which notebook file (or the problem)."""

    folder: str
    assignment: str
    adir: Path
    student: str
    notebook: Path | None = None
    problem: str = ""
    notes: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)


def _notebooks_in(adir: Path) -> list[Path]:
    return sorted(p for p in adir.rglob("*.ipynb")
                  if p.is_file() and ".ipynb_checkpoints" not in p.parts and not p.name.startswith("."))


def find_submissions(subs: Path, known: set[str], roster: Any = None) -> list[Found]:
    """Every ``<folder>/<assignment>`` under ``subs``, with its learner id and notebook (or a problem)."""
    out: list[Found] = []
    for sdir in sorted(p for p in subs.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for adir in sorted(p for p in sdir.iterdir() if p.is_dir() and not p.name.startswith(".")):
            folder, assignment = sdir.name, adir.name
            f = Found(folder, assignment, adir, folder)
            if roster is not None:
                mapped = roster.learner_for(folder)
                if mapped:
                    f.student = mapped
                    if mapped != folder:
                        f.notes.append(f"folder {folder} is learner {mapped} on the roster")
                else:
                    f.review.append(f"folder {folder} is not on the roster")
            if not _ID.match(f.student):
                f.problem = f"the folder name {folder!r} is not a valid learner id" + (
                    " and is not on the roster" if roster is not None else "")
            elif assignment not in known:
                f.problem = f"unknown assignment folder {assignment!r} (known: {', '.join(sorted(known))})"
            else:
                nbs = _notebooks_in(adir)
                exact = [p for p in nbs if p.parent == adir and p.name == NOTEBOOK]
                if exact:
                    f.notebook = exact[0]
                elif len(nbs) == 1:
                    f.notebook = nbs[0]
                    f.notes.append(f"renamed notebook: graded {nbs[0].relative_to(adir)} as {NOTEBOOK}")
                elif not nbs:
                    f.problem = f"no notebook in the submission folder (expected {NOTEBOOK})"
                else:
                    like = [p for p in nbs if "exercise" in p.name.lower()]
                    if len(like) == 1:
                        f.notebook = like[0]
                        f.notes.append(f"renamed notebook: graded {like[0].relative_to(adir)} as {NOTEBOOK}")
                    else:
                        names = ", ".join(str(p.relative_to(adir)) for p in nbs)
                        f.problem = f"several notebooks and none is {NOTEBOOK}: {names}"
            out.append(f)
    return out


def decode(raw: bytes) -> tuple[str, list[str]]:
    """Notebook text from file bytes, and notes on any conversion (UTF-8 with or without BOM, UTF-16, cp1252).

    Examples
    --------
    >>> from mtss_teach.grading.intake import decode
    >>> decode(b'\\xef\\xbb\\xbf{}')
    ('{}', ['the file began with a byte-order mark (removed)'])
    >>> decode('{"a": "caf\\u00e9"}'.encode("cp1252"))[1]
    ['the file was not UTF-8 (read as windows-1252)']
    """
    notes: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), ["the file was UTF-16 (converted to UTF-8)"]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        notes.append("the file began with a byte-order mark (removed)")
    try:
        return raw.decode("utf-8"), notes
    except UnicodeDecodeError:
        pass
    # Windows-1252 first: Windows' own default where this course is used (and a superset of Latin-1's
    # printable characters); only bytes it cannot decode send the guess to charset-normalizer.
    try:
        return raw.decode("windows-1252"), notes + ["the file was not UTF-8 (read as windows-1252)"]
    except UnicodeDecodeError:
        pass
    enc = "latin-1"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is not None and best.encoding:
            enc = best.encoding.replace("_", "-")
    except ImportError:  # pragma: no cover - charset-normalizer is a dependency
        pass
    try:
        text = raw.decode(enc)
    except (UnicodeDecodeError, LookupError):
        enc = "latin-1"
        text = raw.decode(enc)
    return text, notes + [f"the file was not UTF-8 (read as {enc})"]


def _sources_digest(canon_sources: dict[str, str]) -> str:
    h = hashlib.sha256()
    for k in sorted(canon_sources):
        h.update(k.encode() + b"\0" + canon_sources[k].encode("utf-8") + b"\0")
    return h.hexdigest()


def fingerprint_context(student: str, assignment: str, canon_sources: dict[str, str], mode: str) -> str:
    """What besides the notebook's bytes decides a grade: who, the assignment's tests, the options."""
    h = hashlib.sha256(f"{student}|{assignment}|{mode}|".encode() + _sources_digest(canon_sources).encode())
    return h.hexdigest()[:16]


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def unchanged(fp: str, current: str, context: str) -> bool:
    """True when a stored fingerprint (``raw.staged.context``) matches the current file and context."""
    parts = fp.split(".")
    return len(parts) == 3 and parts[2] == context and current in (parts[0], parts[1])


def _gid(cell: dict) -> str | None:
    nbg = (cell.get("metadata") or {}).get("nbgrader") if isinstance(cell, dict) else None
    return nbg.get("grade_id") if isinstance(nbg, dict) and isinstance(nbg.get("grade_id"), str) else None


def _src(cell: dict) -> str:
    s = cell.get("source", "")
    return ("".join(s) if isinstance(s, list) else s if isinstance(s, str) else "").strip()


def which_course(nb: dict, assignment: str, course_sources: dict[str, set[str]]) -> str | None:
    """The assignment whose locked code cells this notebook carries, when it is not ``assignment``; else None."""
    code = {_src(c) for c in nb.get("cells", []) if isinstance(c, dict) and c.get("cell_type") == "code"}
    code.discard("")
    own = len(code & course_sources.get(assignment, set()))
    if own:
        return None
    best, hits = None, 0
    for a, srcs in course_sources.items():
        n = len(code & srcs)
        if a != assignment and n > hits:
            best, hits = a, n
    if best:
        return best
    text = "\n".join(code)
    mentioned = [a for a in course_sources if f'"{a}"' in text or f"'{a}'" in text]
    if mentioned and assignment not in mentioned:
        return mentioned[0]
    return None


def add_missing_cells(nb: dict, release: dict, canonical: dict[str, dict]) -> list[str]:
    """Insert the release's cells this notebook lacks, each after its predecessor; returns their grade ids."""
    cells = nb["cells"]
    present = {}
    for i, c in enumerate(cells):
        g = _gid(c)
        if g in canonical and g not in present:
            present[g] = i
    after: dict[int, list[dict]] = {}
    added: list[str] = []
    last = -1
    for rc in release.get("cells", []):
        g = _gid(rc)
        if g is None or g not in canonical:
            continue
        if g in present:
            last = present[g]
        else:
            after.setdefault(last, []).append(json.loads(json.dumps(rc)))
            added.append(g)
    if not added:
        return []
    out = list(after.get(-1, []))
    for i, c in enumerate(cells):
        out.append(c)
        out.extend(after.get(i, []))
    nb["cells"] = out
    return added


def read_notebook(raw: bytes) -> tuple[dict | None, list[str], str]:
    """(notebook, notes, problem): parse file bytes as a notebook, or say why not."""
    if len(raw) > MAX_NOTEBOOK_BYTES:
        return None, [], f"the notebook file is {len(raw) / 1e6:.0f} MB (over {MAX_NOTEBOOK_BYTES / 1e6:.0f} MB)"
    text, notes = decode(raw)
    if not text.strip():
        return None, notes, "the notebook file is empty"
    try:
        nb = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        return None, notes, "not a notebook: the file is not valid notebook JSON" + (f" (line {line})" if line else "")
    if isinstance(nb, dict) and nb.get("nbformat") == 3 and isinstance(nb.get("worksheets"), list):
        try:
            import nbformat

            nb = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
            notes.append("an old notebook format (v3), converted")
        except Exception:  # noqa: BLE001
            return None, notes, "not a notebook this course can read (nbformat 3 that could not be converted)"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, notes, "not a notebook: no list of cells"
    if not all(isinstance(c, dict) and isinstance(c.get("cell_type"), str) for c in nb["cells"]):
        return None, notes, "not a notebook: an entry of 'cells' is not a cell"
    nb.setdefault("metadata", {})
    nb.setdefault("nbformat", 4)
    nb.setdefault("nbformat_minor", 5)
    for c in nb["cells"]:
        c.setdefault("metadata", {})
        c.setdefault("source", "")
        if c["cell_type"] == "code":
            c.setdefault("outputs", [])
            c.setdefault("execution_count", None)
    if not nb["cells"]:
        return None, notes, "the notebook has no cells"
    return nb, notes, ""


def stage(found: Found, root: Path, canonical: dict[str, dict], course_sources: dict[str, set[str]],
          release: dict | None, raw: bytes, in_place: bool) -> tuple[SubmissionResult, bytes | None]:
    """Check one submission and write it to ``submitted/<student>/<assignment>/``; returns the result and the bytes written."""
    res = SubmissionResult(found.student, found.assignment, submitted_as=found.folder,
                           notes=list(found.notes), review_reasons=list(found.review))
    res.notebook_file = str(found.notebook.relative_to(found.adir)) if found.notebook else ""
    nb, notes, problem = read_notebook(raw)
    res.notes += notes
    if problem:
        res.error = problem
        return res, None
    other = which_course(nb, found.assignment, course_sources)
    known_ids = {_gid(c) for c in nb["cells"]} & set(canonical)
    if other:
        res.error = f"this is the exercise of {other}, handed in for {found.assignment}"
        return res, None
    own_sources = course_sources.get(found.assignment, set())
    if not known_ids and not ({_src(c) for c in nb["cells"]} & own_sources):
        res.error = "the notebook has none of the exercise's cells (not the exercise notebook?)"
        return res, None
    res.typed_learner_id, res.typed_problem = typed_learner_id(nb)
    res.typed_learner_id = res.typed_learner_id or ""
    res.tamper_flags = scan_notebook(nb, canonical)
    res.metadata_restored = _restore_metadata(nb, canonical)
    if release is not None:
        added = add_missing_cells(nb, release, canonical)
        if added:
            answers = [g for g in added if canonical[g].get("solution")]
            if answers:
                res.review_reasons.append("older release or deleted answer cells: " + ", ".join(answers)
                                          + " added from the current release (unanswered)")
            else:
                res.notes.append("cells put back from the current release: " + ", ".join(added))
            _restore_metadata(nb, canonical)
    dest = root / "submitted" / found.student / found.assignment
    if not in_place:
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for p in found.adir.iterdir():
            if p.is_file() and p.suffix != ".ipynb":
                shutil.copy2(p, dest / p.name)
    data = json.dumps(nb, indent=1, ensure_ascii=False).encode("utf-8")
    (dest / NOTEBOOK).write_bytes(data)
    return res, data
