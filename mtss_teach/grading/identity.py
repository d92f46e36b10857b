"""Whose submission is this, and whose scenario did the learner work on?

Two ids meet at grading time:

the **account** (the id the grade is recorded under)
    The nbgrader student id: the submission's folder name under the
    submissions folder, or, for a submission downloaded from an LMS, the
    learner id the course roster (:mod:`mtss_teach.roster`) gives for the
    folder's LMS login. On JupyterHub it is the hub user name
    (``JUPYTERHUB_USER``), which is what ``nbgrader collect`` names the folder.

the **typed id** (whose scenario the answers were computed for)
    The ``LEARNER_ID = "..."`` the learner typed in the exercise's first
    cell. The locked setup cell draws the scenario from it, so every answer
    in the notebook belongs to that id's scenario.

The hidden tests grade against the typed id's scenario (so an honest slip
-- the placeholder left in, an LMS login typed instead of the course login
-- costs nothing), and when the two ids differ the submission is marked
"needs review: id mismatch (typed X, graded as Y)" in
``grading_report.csv``, ``grades.csv`` and the formgrader comment. A learner
who hands in a classmate's notebook (or types a classmate's id) gets the
classmate's scenario graded -- and the instructor sees the mismatch. When no
usable id was typed (cell deleted, empty text), the account's scenario is
graded and the submission is marked for review too. ``--bind-learner-id``
(``MTSS_BIND_LEARNER_ID=1``) grades the account's scenario whatever was
typed (a mismatch then usually scores 0, still marked for review).

Before submitting, ``nbgrader validate`` (with this course's
``nbgrader_config.py``) and ``python -m mtss_teach.grading validate NOTEBOOK``
print a warning when the typed id is the placeholder or differs from the
account (``JUPYTERHUB_USER``, or ``MTSS_LEARNER_ID`` where a course sets it).
"""

from __future__ import annotations

import ast
import os
import sys
from typing import Any

__all__ = ["PLACEHOLDER_IDS", "typed_learner_id", "id_review", "validate_warnings", "warn_on_validate",
           "account_id"]



# Ids that mean "the learner did not type their own": one list for the notebooks and the
# grader (mtss_teach.exercises.PLACEHOLDER_IDS). Read on first use, not at import: every
# nbgrader command loads this module (through nbgrader_config.py), and importing the
# exercises (their scenarios, scipy) would cost each one ~0.7 s of CPU for nothing.
def __getattr__(name: str) -> Any:
    if name == "PLACEHOLDER_IDS":
        from ..exercises import PLACEHOLDER_IDS

        return PLACEHOLDER_IDS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _is_placeholder_id(typed: str) -> bool:
    from ..exercises import is_placeholder_id

    return is_placeholder_id(typed)


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else (src if isinstance(src, str) else "")


def typed_learner_id(nb: dict) -> tuple[str | None, str]:
    """The ``LEARNER_ID`` a notebook sets before its setup cell, read without running it.

    Returns ``(id, "")``, or ``(None, why)`` when no cell before the setup
    cell (the first locked code cell) assigns ``LEARNER_ID`` a plain text
    value. The last such assignment wins, as it would when the notebook runs.

    Examples
    --------
    >>> from mtss_teach.grading.identity import typed_learner_id
    >>> nb = {"cells": [{"cell_type": "code", "source": 'LEARNER_ID = " ada "', "metadata": {}}]}
    >>> typed_learner_id(nb)
    ('ada', '')
    >>> typed_learner_id({"cells": []})
    (None, 'no cell sets LEARNER_ID')
    """
    found: str | None = None
    why = "no cell sets LEARNER_ID"
    for cell in nb.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        nbg = (cell.get("metadata") or {}).get("nbgrader") or {}
        if isinstance(nbg, dict) and nbg.get("locked"):
            break  # the setup cell: the scenario is drawn here
        try:
            tree = ast.parse("\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                                       for ln in _source(cell).splitlines()))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == "LEARNER_ID" for t in targets):
                    v = node.value
                    if isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value.strip():
                        found, why = v.value.strip(), ""
                    else:
                        found, why = None, "LEARNER_ID is not set to your login as text"
    return found, why


def id_review(account: str, typed: str | None, record_ids: set[str] | None = None,
              typed_problem: str = "", bound: bool = False) -> str:
    """The "needs review" reason about identity, or "" when the ids agree.

    ``record_ids`` are the learner ids the hidden tests' check records name
    (the scenario actually graded); they take precedence over the typed id
    read from the notebook's text.

    Examples
    --------
    >>> from mtss_teach.grading.identity import id_review
    >>> id_review("ada", "ada")
    ''
    >>> id_review("ada", "demo-learner")
    'id mismatch (typed demo-learner, graded as ada)'
    """
    ids = set(record_ids or ())
    graded_for = next(iter(ids)) if len(ids) == 1 else typed
    if typed is None and not ids:
        how = "the account's scenario" if not bound else "the account's scenario (bound)"
        return f"no usable LEARNER_ID ({typed_problem or 'not found'}); graded with {how} as {account}"
    if len(ids) > 1:
        return f"id mismatch (the tests graded several ids: {', '.join(sorted(ids))}; graded as {account})"
    if graded_for is not None and graded_for.strip().casefold() != account.strip().casefold():
        shown = typed if typed is not None else graded_for
        return f"id mismatch (typed {shown}, graded as {account})"
    if typed is not None and typed.strip().casefold() != account.strip().casefold():
        return f"id mismatch (typed {typed}, graded as {account})"
    return ""


def account_id(env: dict | None = None) -> str | None:
    """The learner's account where they work: ``JUPYTERHUB_USER``, else ``MTSS_LEARNER_ID``, else None."""
    env = os.environ if env is None else env
    for key in ("JUPYTERHUB_USER", "MTSS_LEARNER_ID"):
        v = (env.get(key) or "").strip()
        if v:
            return v
    return None


def validate_warnings(nb: dict, account: str | None = None) -> list[str]:
    """What to tell a learner about their ``LEARNER_ID`` before they submit ([] when all is well).

    Examples
    --------
    >>> from mtss_teach.grading.identity import validate_warnings
    >>> nb = {"cells": [{"cell_type": "code", "source": 'LEARNER_ID = "demo-learner"', "metadata": {}}]}
    >>> validate_warnings(nb, "ada")[0].startswith("LEARNER_ID is still the placeholder")
    True
    """
    typed, why = typed_learner_id(nb)
    out: list[str] = []
    if typed is None:
        out.append(f"LEARNER_ID: {why}. Type your course login between the quotes in the first cell, "
                   "then restart the kernel and run every cell.")
    elif _is_placeholder_id(typed):
        out.append(f"LEARNER_ID is still the placeholder {typed!r}. Type your course login"
                   + (f" ({account!r})" if account else "")
                   + " in the first cell, then restart the kernel and run every cell: your answers must be "
                     "for your own scenario. As it is, your instructor will see an id mismatch.")
    elif account and typed.casefold() != account.casefold():
        out.append(f"LEARNER_ID is {typed!r}, but you are logged in as {account!r}. If {account!r} is your "
                   "course login, type it in the first cell, restart the kernel and run every cell; "
                   "otherwise your instructor will see an id mismatch and review your submission.")
    return out


def warn_on_validate(notebook: Any = None, **_: Any) -> None:
    """``Execute.on_notebook_start`` hook: print :func:`validate_warnings` during ``nbgrader validate``.

    Does nothing outside validation (``NBGRADER_EXECUTION`` is ``validate``
    while nbgrader validates) or when ``MTSS_SKIP_ID_WARNING`` is set.
    """
    if os.environ.get("NBGRADER_EXECUTION") != "validate" or os.environ.get("MTSS_SKIP_ID_WARNING"):
        return
    try:
        nb = notebook if isinstance(notebook, dict) else {}
        msgs = validate_warnings(nb, account_id())
    except Exception:  # noqa: BLE001 - a warning must never stop validation
        return
    for m in msgs:
        sys.stdout.write("\n" + "=" * 90 + "\nWARNING (your learner id): " + m + "\n" + "=" * 90 + "\n")
    sys.stdout.flush()
