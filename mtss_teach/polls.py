"""The room's answers: a small local store for live decision polls.

In room mode a facilitator starts a *round* on a question an app asks (the
Aimline coach's decision for one student at week 8, the cut score a table
chose, a tier placement…). Each participant commits one answer per round,
and may change it until the round closes; the facilitator's room view shows
how many have answered and how the answers spread, then reveals the
library's answer for the same inputs (and, on simulated data, the truth).

Everything lives in one SQLite file in the server's run folder, written only
through this module. Participants are known by a random key their browser
keeps for the session and, if they choose, a nickname: no personal data is
asked for or stored, and :meth:`PollStore.new_session` wipes everything.

Examples
--------
>>> from mtss_teach.polls import PollStore
>>> store = PollStore(":memory:")
>>> r = store.start_round("aimline", "Student 7 at week 8: what should the team do?",
...                       choices=["keep going", "change the intervention", "raise the goal"],
...                       answer="change the intervention")
>>> store.commit(r, "key-a", "keep going")
>>> store.commit(r, "key-b", "change the intervention")
>>> store.commit(r, "key-a", "change the intervention")   # a changed mind counts once
>>> store.counts(r)[["answer", "count"]].to_dict("records")
[{'answer': 'keep going', 'count': 0}, {'answer': 'change the intervention', 'count': 2}, {'answer': 'raise the goal', 'count': 0}]
"""

from __future__ import annotations

import csv
import io as _io
import json
import math
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from .errors import DataError

__all__ = ["Round", "PollStore", "MAX_NICKNAME", "MAX_ANSWER", "ENV", "store_from_env"]

#: The environment variable holding the store's path: the room server sets it for itself and its kernels.
ENV = "MTSS_POLL_STORE"

#: Longest nickname kept (longer ones are refused, not cut).
MAX_NICKNAME = 24
#: Longest free-text answer kept.
MAX_ANSWER = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL,
    prompt TEXT NOT NULL,
    choices TEXT,            -- JSON list, or NULL for a number
    answer TEXT,             -- JSON: the library's answer, shown on reveal
    truth TEXT,              -- JSON: the simulated truth, shown on reveal
    view TEXT,               -- JSON: the app's settings the question is about (a link's query)
    notes TEXT,              -- JSON: for the room view on reveal (why; what each number answer gives)
    state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'revealed')),
    started REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS commits (
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    participant TEXT NOT NULL,
    nickname TEXT,
    value TEXT NOT NULL,     -- JSON
    at REAL NOT NULL,
    PRIMARY KEY (round_id, participant)
);
"""


@dataclass(frozen=True)
class Round:
    """One question put to the room."""

    id: int
    app: str
    prompt: str
    choices: tuple[str, ...] | None
    answer: Any
    truth: Any
    state: str
    view: dict | None = None
    notes: dict | None = None

    @property
    def is_open(self) -> bool:
        return self.state == "open"


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{name}: expected non-empty text")
    value = value.strip()
    if len(value) > limit:
        raise DataError(f"{name}: {len(value)} characters; at most {limit}")
    return value


class PollStore:
    """The room's rounds and answers in one SQLite file.

    Safe to use from many processes at once (each app kernel opens its own
    store on the same file): SQLite's write-ahead log and a busy timeout
    serialise the writes, and each commit is one transaction.

    Parameters
    ----------
    path : str or Path
        The database file (created if missing), or ``":memory:"`` for a
        store private to this object.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
        self._db.executescript(_SCHEMA)
        cols = {r[1] for r in self._db.execute("PRAGMA table_info(rounds)")}
        for col in ("view", "notes"):  # a store written before rounds carried them
            if col not in cols:
                try:
                    self._db.execute(f"ALTER TABLE rounds ADD COLUMN {col} TEXT")
                except sqlite3.OperationalError:  # another process added it first
                    pass

    def close(self) -> None:
        self._db.close()

    # -- facilitator ---------------------------------------------------------

    def new_session(self) -> None:
        """Forget every round and every answer."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM commits")
            self._db.execute("DELETE FROM rounds")
            self._db.execute("COMMIT")

    def start_round(self, app: str, prompt: str, *, choices: Sequence[str] | None = None,
                    answer: Any = None, truth: Any = None, view: dict | None = None,
                    notes: dict | None = None) -> int:
        """Open a round and return its id; rounds already open for ``app`` close.

        ``choices`` lists the answers a participant picks from; ``None``
        means the answer is a number (a cut score, a goal). ``view`` holds
        the app's settings the question is about (a link's query as a dict),
        so a participant's app can open the same view; ``notes`` (JSON-able)
        is for the facilitator's room view on reveal.
        """
        if view is not None and (not isinstance(view, dict)
                                 or not all(isinstance(k, str) and isinstance(v, str) for k, v in view.items())):
            raise DataError("view: expected a dict of text settings (a link's query)")
        app = _text(app, "app", 64)
        prompt = _text(prompt, "prompt", 500)
        if choices is not None:
            choices = [_text(c, "choices", MAX_ANSWER) for c in choices]
            if len(choices) < 2 or len(set(choices)) != len(choices):
                raise DataError("choices: at least two different answers")
            if answer is not None and answer not in choices:
                raise DataError("answer: must be one of the choices")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("UPDATE rounds SET state = 'closed' WHERE app = ? AND state = 'open'", (app,))
            cur = self._db.execute(
                "INSERT INTO rounds (app, prompt, choices, answer, truth, view, notes, state, started) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)",
                (app, prompt, None if choices is None else json.dumps(choices),
                 json.dumps(answer), json.dumps(truth), None if view is None else json.dumps(view),
                 None if notes is None else json.dumps(notes), time.time()))
            self._db.execute("COMMIT")
        return int(cur.lastrowid)

    def close_round(self, round_id: int) -> None:
        """Stop taking answers."""
        self._set_state(round_id, "closed", only_from=("open",))

    def reveal(self, round_id: int) -> Round:
        """Close the round (if open) and mark its answer as shown."""
        self._set_state(round_id, "revealed", only_from=("open", "closed", "revealed"))
        return self.round(round_id)

    def _set_state(self, round_id: int, state: str, only_from: tuple[str, ...]) -> None:
        current = self.round(round_id).state
        if current not in only_from:
            raise DataError(f"round {round_id}: is {current}")
        with self._lock:
            self._db.execute("UPDATE rounds SET state = ? WHERE id = ?", (state, round_id))

    # -- reading -------------------------------------------------------------

    def round(self, round_id: int) -> Round:
        row = self._db.execute("SELECT id, app, prompt, choices, answer, truth, state, view, notes FROM rounds "
                               "WHERE id = ?", (int(round_id),)).fetchone()
        if row is None:
            raise DataError(f"round {round_id}: no such round (a new session may have cleared it)")
        rid, app, prompt, choices, answer, truth, state, view, notes = row
        return Round(rid, app, prompt, None if choices is None else tuple(json.loads(choices)),
                     json.loads(answer), json.loads(truth), state, None if view is None else json.loads(view),
                     None if notes is None else json.loads(notes))

    def current_round(self, app: str) -> Round | None:
        """The open round for ``app``, if any."""
        row = self._db.execute("SELECT id FROM rounds WHERE app = ? AND state = 'open' ORDER BY id DESC LIMIT 1",
                               (app,)).fetchone()
        return None if row is None else self.round(row[0])

    def latest_round(self, app: str) -> Round | None:
        """The newest round for ``app`` whatever its state (a participant's app shows it until the next one)."""
        row = self._db.execute("SELECT id FROM rounds WHERE app = ? ORDER BY id DESC LIMIT 1", (app,)).fetchone()
        return None if row is None else self.round(row[0])

    def answered(self, round_id: int) -> int:
        """How many participants have an answer in this round."""
        return int(self._db.execute("SELECT COUNT(*) FROM commits WHERE round_id = ?", (int(round_id),)).fetchone()[0])

    def rounds(self) -> list[Round]:
        return [self.round(r[0]) for r in self._db.execute("SELECT id FROM rounds ORDER BY id")]

    # -- participants --------------------------------------------------------

    def commit(self, round_id: int, participant: str, value: Any, nickname: str | None = None) -> None:
        """Record (or replace) one participant's answer to an open round."""
        participant = _text(participant, "participant", 128)
        if nickname is not None and nickname.strip():
            nickname = _text(nickname, "nickname", MAX_NICKNAME)
        else:
            nickname = None
        rnd = self.round(round_id)
        if not rnd.is_open:
            raise DataError(f"round {round_id}: closed; answers are no longer taken")
        if rnd.choices is not None:
            if value not in rnd.choices:
                raise DataError("answer: not one of this round's choices")
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise DataError("answer: expected a finite number")
            value = float(value)
        with self._lock:
            self._db.execute(
                "INSERT INTO commits (round_id, participant, nickname, value, at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (round_id, participant) DO UPDATE SET value = excluded.value, "
                "nickname = excluded.nickname, at = excluded.at",
                (rnd.id, participant, nickname, json.dumps(value), time.time()))

    def my_answer(self, round_id: int, participant: str) -> Any:
        """This participant's own answer (``None`` before they commit); never another's."""
        row = self._db.execute("SELECT value FROM commits WHERE round_id = ? AND participant = ?",
                               (int(round_id), participant)).fetchone()
        return None if row is None else json.loads(row[0])

    # -- the room view -------------------------------------------------------

    def answers(self, round_id: int, *, names: bool = False) -> pd.DataFrame:
        """Every answer to a round, oldest first: ``answer`` (and ``nickname`` when ``names``)."""
        rnd = self.round(round_id)
        rows = self._db.execute("SELECT nickname, value FROM commits WHERE round_id = ? ORDER BY at, participant",
                                (rnd.id,)).fetchall()
        table = pd.DataFrame({"answer": [json.loads(v) for _, v in rows]})
        if names:
            table.insert(0, "nickname", [n or "" for n, _ in rows])
        return table

    def counts(self, round_id: int) -> pd.DataFrame:
        """How many chose each answer: ``answer``, ``count``, ``share``, ``is_answer``.

        Every choice is listed (with 0 where nobody chose it), in the order
        the round gave them; numeric rounds list each distinct value. The
        ``is_answer`` column is filled only once the round is revealed.
        """
        rnd = self.round(round_id)
        given = self.answers(round_id)["answer"]
        values = list(rnd.choices) if rnd.choices is not None else sorted(set(given))
        count = [int((given == v).sum()) for v in values]
        total = sum(count)
        table = pd.DataFrame({"answer": values, "count": count,
                              "share": [c / total if total else float("nan") for c in count]})
        revealed = rnd.state == "revealed" and rnd.answer is not None
        table["is_answer"] = [v == rnd.answer for v in values] if revealed else pd.NA
        return table

    def export_csv(self, round_id: int) -> str:
        """The round's anonymous answers with the library's answer (and the truth of a choice round), as CSV text."""
        rnd = self.round(round_id)
        out = _io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        truth = rnd.truth if rnd.choices is not None else None  # a choice the simulation says was right
        writer.writerow(["round", "app", "question", "answer_given", "library_answer", "matches_library",
                         "truth", "matches_truth"])
        for value in self.answers(round_id)["answer"]:
            writer.writerow([rnd.id, rnd.app, rnd.prompt, value,
                             "" if rnd.answer is None else rnd.answer,
                             "" if rnd.answer is None else value == rnd.answer,
                             "" if truth is None else truth,
                             "" if truth is None else value == truth])
        return out.getvalue()


def store_from_env() -> PollStore | None:
    """The room's store when this process runs under the room server (``MTSS_POLL_STORE`` set), else None.

    Examples
    --------
    >>> import os
    >>> from mtss_teach.polls import ENV, store_from_env
    >>> os.environ.pop(ENV, None) and None
    >>> store_from_env() is None
    True
    """
    import os

    path = os.environ.get(ENV, "").strip()
    if not path:
        return None
    return PollStore(path)
