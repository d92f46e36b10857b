"""Learner ids: the seed of a learner's scenario, the placeholders, the notebooks' id check, and whose
scenario is graded under ``nbgrader autograde``."""

from __future__ import annotations

import hashlib
import os
import sys
from typing import Any

from ..errors import DataError
from ._shared import _MAX_ID_LEN, _autograde_account, _check_course, _check_learner_id, _launch_environ


def learner_seed(course: str, learner_id: str) -> int:
    """The random seed of one learner's scenario in one course.

    A SHA-256 of ``"<course>|<learner id>"`` (surrounding spaces ignored),
    so it is the same on every machine and run.

    Examples
    --------
    >>> from mtss_teach.exercises import learner_seed
    >>> learner_seed("02-screening", "ada") == learner_seed("02-screening", " ada ")
    True
    >>> learner_seed("02-screening", "ada") != learner_seed("02-screening", "bob")
    True
    """
    c = _check_course(course)
    lid = _check_learner_id(learner_id)
    digest = hashlib.sha256(f"{c}|{lid}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


#: The ``LEARNER_ID`` the exercise notebooks ship with; a learner who leaves
#: it is warned before submitting and their submission is marked for review.
PLACEHOLDER_LEARNER_ID = "demo-learner"


def graded_learner_id(learner_id: Any, course: str | None = None) -> str:
    """The learner id whose scenario is graded.

    The notebook's ``LEARNER_ID`` (``learner_id``): the setup cell drew the
    scenario from it, so the answers belong to it. Under ``nbgrader
    autograde`` with this course's ``nbgrader_config.py`` the kernel is also
    given the submission's student id (``MTSS_GRADED_STUDENT``, from its
    launch environment, which notebook code cannot change):

    - when ``LEARNER_ID`` is missing or unusable, that student id is graded;
    - with ``MTSS_BIND_LEARNER_ID=1`` (``autograde --bind-learner-id``),
      that student id is always graded, whatever ``LEARNER_ID`` says.

    When the two differ, the pipeline marks the submission "needs review:
    id mismatch" (see :mod:`mtss_teach.grading.identity`).

    Examples
    --------
    >>> from mtss_teach.exercises import graded_learner_id
    >>> graded_learner_id(" ada ")
    'ada'
    """
    env = _launch_environ()
    account = _autograde_account(env, course)
    bound = env.get("MTSS_BIND_LEARNER_ID", "0").strip().lower() not in ("", "0", "false", "no")
    if account and bound:
        return account
    try:
        return _check_learner_id(learner_id)
    except DataError:
        if account:
            return account
        raise


#: The ``LEARNER_ID`` the exercise notebooks ship with (and other obvious
#: placeholders): a learner who leaves one is warned before submitting.
#: The ids a notebook may carry before a learner types their own (compared case-insensitively),
#: used by the notebooks' own check and by the grading pipeline's id review alike.
PLACEHOLDER_IDS: tuple[str, ...] = ("demo-learner", "your-login", "your_login", "your-course-login", "learner",
                                    "student")


def is_placeholder_id(learner_id: Any) -> bool:
    """True when ``learner_id`` is empty or one of :data:`PLACEHOLDER_IDS` (any case, spaces around ignored).

    Examples
    --------
    >>> from mtss_teach.exercises import is_placeholder_id
    >>> is_placeholder_id(" YOUR_LOGIN "), is_placeholder_id(""), is_placeholder_id("ada")
    (True, True, False)
    """
    return not str(learner_id).strip() or str(learner_id).strip().lower() in PLACEHOLDER_IDS


def learner_id_problem(learner_id: Any, account: str | None = None) -> str:
    """Why ``learner_id`` is probably not the learner's course login ("" if it looks right).

    ``account`` is the login of the account the notebook runs under (the
    JupyterHub user), or None when that is not known.

    Examples
    --------
    >>> from mtss_teach.exercises import learner_id_problem
    >>> learner_id_problem("ada", account="ada")
    ''
    >>> learner_id_problem("demo-learner")[:38]
    'LEARNER_ID is still the placeholder "d'
    >>> learner_id_problem("ada", account="ada.l")[:40]
    'LEARNER_ID "ada" is not the login of the'
    """
    if not isinstance(learner_id, str) or not learner_id.strip():
        return ("LEARNER_ID is empty or not text: type your course login between the quotes in the first "
                "code cell, then Kernel -> Restart & Run All.")
    lid = learner_id.strip()
    if is_placeholder_id(lid):
        return (f'LEARNER_ID is still the placeholder "{lid}": type your course login in the first code cell, '
                "then Kernel -> Restart & Run All. Your numbers are drawn from it; answers computed for the "
                "placeholder are not your scenario's.")
    if len(lid) > _MAX_ID_LEN:
        return f"LEARNER_ID has {len(lid)} characters; a course login has at most {_MAX_ID_LEN}."
    if account and account.strip() and lid != account.strip():
        case = " (letters must match exactly, including capitals)" if lid.lower() == account.strip().lower() else ""
        return (f'LEARNER_ID "{lid}" is not the login of the account you are working in, "{account.strip()}"'
                f"{case}. Unless your instructor told you to use another id, change LEARNER_ID to "
                f'"{account.strip()}", then Kernel -> Restart & Run All: your instructor grades the scenario '
                "of your course login, and answers computed for another id will be flagged for review.")
    return ""


def check_learner_id(learner_id: Any) -> None:
    """The exercise notebooks' id check: warn *before* submitting when ``LEARNER_ID`` looks wrong.

    Compares the typed ``LEARNER_ID`` with the placeholder and, on
    JupyterHub, with the login of the account the notebook runs under
    (``JUPYTERHUB_USER``). A problem is written to standard error, so the
    notebook shows it in red and ``nbgrader validate`` lists the check cell
    as failed (it is a 0-point test cell); nothing is raised, so the rest of
    the notebook still runs. Without account information (a laptop, Binder)
    only the placeholder is checked, and a note says so. While nbgrader
    autogrades, the account is the grader's, so it is not compared (the
    grading pipeline compares ids itself).

    Examples
    --------
    >>> import os
    >>> from mtss_teach.exercises import check_learner_id
    >>> os.environ.pop("JUPYTERHUB_USER", None) and None
    >>> check_learner_id("ada")  # doctest: +ELLIPSIS
    LEARNER_ID is "ada". No course account is known here...
    """
    env = os.environ
    grading = env.get("NBGRADER_EXECUTION", "") == "autograde"
    account = None if grading else (env.get("JUPYTERHUB_USER") or "").strip() or None
    problem = learner_id_problem(learner_id, account)
    if problem:
        print("WARNING: " + problem, file=sys.stderr)
    elif account:
        print(f'LEARNER_ID "{learner_id.strip()}" is the login of this account: your scenario is yours.')
    elif not grading:
        print(f'LEARNER_ID is "{learner_id.strip()}". No course account is known here (not on the course\'s '
              "JupyterHub), so it cannot be compared: make sure it is exactly your course login.")
    return None
