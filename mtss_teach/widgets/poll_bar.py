"""The poll bar: a participant's side of a room's poll round, inside every app.

In room mode (the room server sets ``MTSS_POLL_STORE`` for its kernels) each
app shows a small bar under its facilitator bar. When the facilitator
starts a round on this app, the bar shows the question, the answers to
pick from (or a number box), an optional nickname and **Commit**; a
participant may change the answer until the round closes. On reveal the
bar shows the library's answer (and the truth, where the data is
simulated). The bar never shows anyone else's answer.

Who is who: a random key kept in the browser's ``localStorage``
(:class:`BrowserKey`, a tiny anywidget: no network, no personal data), so
a participant's answer survives a reload and a new kernel. The answers
live in the room's store (:class:`mtss_teach.polls.PollStore`), not in the
kernel.
"""

from __future__ import annotations

import html
import logging
import os
import threading
from typing import Any

import ipywidgets as W
from traitlets import Bool, Unicode

from ..errors import DataError
from ..polls import ENV, PollStore, Round, store_from_env

__all__ = ["BrowserKey", "PollBar", "poll_bar_for", "page_app_path"]

log = logging.getLogger("mtss_teach.widgets")

#: How often the bar looks for a new round or a change of state (seconds).
POLL_INTERVAL = 1.5

_KEY_ESM = r"""
function newKey() {
  const b = new Uint8Array(16);
  (self.crypto || window.crypto).getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
function render({ model, el }) {
  let key = null, kept = true;
  try { key = window.localStorage.getItem("mtss-poll-key"); } catch (e) { kept = false; }
  if (!key) {
    key = newKey();
    try { window.localStorage.setItem("mtss-poll-key", key); } catch (e) { kept = false; }
  }
  let nick = "";
  try { nick = window.localStorage.getItem("mtss-poll-nickname") || ""; } catch (e) {}
  model.set("key", key);
  model.set("kept", kept);
  if (nick && !model.get("nickname")) { model.set("nickname", nick); }
  model.save_changes();
  model.on("change:nickname", () => {
    try { window.localStorage.setItem("mtss-poll-nickname", model.get("nickname") || ""); } catch (e) {}
  });
  el.setAttribute("data-mtss-poll-key", "ready");
  el.style.display = "none";
}
export default { render };
"""


def _browser_key_class() -> type:
    import anywidget

    class BrowserKey(anywidget.AnyWidget):
        """A participant's random key, kept in this browser's localStorage (and a nickname, if given)."""

        _esm = _KEY_ESM
        key = Unicode("").tag(sync=True)
        kept = Bool(True).tag(sync=True)
        nickname = Unicode("").tag(sync=True)

    return BrowserKey


_BROWSER_KEY: type | None = None


def BrowserKey(**kwargs: Any) -> Any:  # noqa: N802 - a factory that looks like the class
    """The hidden anywidget that reads (or makes) this browser's poll key (anywidget imported on first use)."""
    global _BROWSER_KEY
    if _BROWSER_KEY is None:
        _BROWSER_KEY = _browser_key_class()
    return _BROWSER_KEY(**kwargs)


def page_app_path() -> str | None:
    """The app notebook this kernel's page shows (``modules/.../app.ipynb``), from Voila's ``SCRIPT_NAME``."""
    script = os.environ.get("SCRIPT_NAME", "")
    marker = "/voila/render/"
    if marker not in script:
        return None
    return script.split(marker, 1)[1].split("?", 1)[0] or None


_CSS = """
<style>
.mtss-poll-bar { border: 2px solid #0072B2; border-radius: 6px; background: #EEF6FB; padding: .3em .7em;
  margin: .3em 0 .5em 0; line-height: 1.4; }
.mtss-poll-bar .mtss-poll-prompt { font-weight: 600; }
.mtss-poll-bar .mtss-poll-status { font-size: .9em; color: #333; }
</style>
"""


class PollBar:
    """The participant's side of a poll round in one app (see the module docstring).

    Parameters
    ----------
    app : MtssApp, optional
        The app the bar sits in ("Open the question's view" applies the
        round's settings to it).
    app_path : str
        The app's notebook path (rounds are kept per app); default: this page's.
    store : PollStore, optional
        Default: the room's store (``MTSS_POLL_STORE``).
    interval : float or None
        Seconds between looks at the store; None: no background thread
        (tests call :meth:`sync`).

    Examples
    --------
    >>> from mtss_teach.polls import PollStore
    >>> from mtss_teach.widgets.poll_bar import PollBar
    >>> store = PollStore(":memory:")
    >>> bar = PollBar(app_path="modules/04-progress-monitoring/app.ipynb", store=store, interval=None)
    >>> r = store.start_round("modules/04-progress-monitoring/app.ipynb", "What now?", choices=["a", "b"])
    >>> bar.key.key = "k1"; bar.sync(); bar.choose("b"); bar.commit()
    >>> store.my_answer(r, "k1")
    'b'
    """

    def __init__(self, app: Any = None, *, app_path: str | None = None, store: PollStore | None = None,
                 interval: float | None = POLL_INTERVAL) -> None:
        self.app = app
        self.app_path = app_path or page_app_path()
        if not self.app_path:
            raise DataError("poll bar: this page's app is not known (no SCRIPT_NAME from Voila)")
        if store is None:
            store = store_from_env()
            if store is None:
                raise DataError(f"poll bar: no room store ({ENV} is not set)")
        self.store = store
        self.round: Round | None = None
        self._seen: tuple | None = None
        self.key = BrowserKey()
        self.w_prompt = W.HTML()
        self.w_choice = W.ToggleButtons(options=[], value=None, style={"button_width": "auto"})
        self.w_choice.add_class("mtss-poll-choice")
        # text, not a number box: an empty box is "no answer yet", never a committed 0
        self.w_number = W.Text(description="Your answer", placeholder="a number", style={"description_width": "initial"},
                               layout=W.Layout(width="14em"))
        self.w_number.add_class("mtss-poll-number")
        self.w_nickname = W.Text(placeholder="nickname (optional)", layout=W.Layout(width="13em"),
                                 tooltip="Shown to the facilitator only if names are turned on; not needed")
        self.w_nickname.add_class("mtss-poll-nickname")
        W.link((self.key, "nickname"), (self.w_nickname, "value"))
        self.w_commit = W.Button(description="Commit my answer", button_style="primary", layout=W.Layout(width="13em"))
        self.w_commit.add_class("mtss-poll-commit")
        self.w_commit.on_click(lambda _b: self._safe(self.commit))
        self.w_view = W.Button(description="Open the question's view", layout=W.Layout(width="15em"),
                               tooltip="Set this app to the dataset, student and week the question is about")
        self.w_view.add_class("mtss-poll-view")
        self.w_view.on_click(lambda _b: self._safe(self.open_view))
        self.w_status = W.HTML()
        self.w_status.add_class("mtss-poll-status")
        self.widget = W.VBox([W.HTML(_CSS), self.w_prompt,
                              W.HBox([self.w_choice, self.w_number], layout=W.Layout(flex_flow="row wrap")),
                              W.HBox([self.w_nickname, self.w_commit, self.w_view, self.w_status],
                                     layout=W.Layout(flex_flow="row wrap", align_items="center")),
                              self.key],
                             layout=W.Layout(display="none"))
        self.widget.add_class("mtss-poll-bar")
        self.key.observe(lambda _c: self._safe(self._key_arrived), "key")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.sync()
        if interval:
            t = threading.Thread(target=self._loop, args=(float(interval),), daemon=True, name="mtss-poll-bar")
            t.start()

    # -- the round ----------------------------------------------------------------

    def _key_arrived(self) -> None:
        with self._lock:
            self._set_controls()
            self._render()

    def _loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.sync()
            except Exception:  # noqa: BLE001 - keep looking; the bar says what it can
                log.exception("poll bar: reading the room's store failed")

    def stop(self) -> None:
        """Stop looking for rounds (the page is going away)."""
        self._stop.set()

    def sync(self) -> None:
        """Look for this app's latest round and show it (called every :data:`POLL_INTERVAL` seconds)."""
        with self._lock:
            rnd = self.store.latest_round(self.app_path)
            seen = None if rnd is None else (rnd.id, rnd.state)
            if seen == self._seen:
                return
            self._seen = seen
            new = rnd is None or self.round is None or rnd.id != self.round.id
            self.round = rnd
            if new:
                self._set_controls()
            self._render()

    def _set_controls(self) -> None:
        rnd = self.round
        if rnd is None:
            return
        mine = self.store.my_answer(rnd.id, self.key.key) if self.key.key else None
        if rnd.choices is not None:
            self.w_choice.options = list(rnd.choices)
            self.w_choice.value = mine if mine in rnd.choices else None
        else:
            self.w_choice.options = []
            self.w_number.value = "" if mine is None else _show(float(mine))

    def _render(self) -> None:
        rnd = self.round
        if rnd is None:
            self.widget.layout.display = "none"
            return
        self.widget.layout.display = ""
        mine = self.store.my_answer(rnd.id, self.key.key) if self.key.key else None
        if mine is not None and rnd.choices is not None and self.w_choice.value is None:
            self.w_choice.value = mine
        numeric = rnd.choices is None
        self.w_choice.layout.display = "none" if numeric else ""
        self.w_number.layout.display = "" if numeric else "none"
        is_open = rnd.is_open
        for w in (self.w_choice, self.w_number, self.w_nickname, self.w_commit):
            w.disabled = not is_open or not self.key.key
        self.w_view.layout.display = "" if (rnd.view and self.app is not None) else "none"
        head = {"open": "Room poll", "closed": "Room poll (closed)", "revealed": "Room poll (revealed)"}[rnd.state]
        self.w_prompt.value = (f'<div class="mtss-poll-prompt" data-round="{rnd.id}" data-state="{rnd.state}">'
                               f"{head}: {html.escape(rnd.prompt)}</div>")
        parts = []
        if mine is not None:
            parts.append(f'Your answer: <b data-mtss-my-answer="{html.escape(str(mine))}">'
                         f"{html.escape(_show(mine))}</b>"
                         + (" (you can change it until the round closes)." if is_open else "."))
        elif is_open:
            parts.append("Pick your answer and commit; you can change it until the round closes."
                         if self.key.key else "Getting this browser ready…")
        else:
            parts.append("The round is closed; no answer was committed from this browser.")
        if rnd.state == "revealed" and rnd.answer is not None:
            parts.append(f"The library's answer: <b>{html.escape(_show(rnd.answer))}</b>.")
            if rnd.truth is not None and rnd.choices is not None:
                parts.append(f"The truth (simulation): <b>{html.escape(_show(rnd.truth))}</b>.")
        if not self.key.kept and self.key.key:
            parts.append("This browser does not keep data, so your answer is forgotten if the page reloads.")
        self.w_status.value = f'<span class="mtss-poll-status">{" ".join(parts)}</span>'

    # -- what the buttons do ---------------------------------------------------------

    def choose(self, value: Any) -> None:
        """Pick an answer (a choice, or a number for a number round)."""
        if self.round is not None and self.round.choices is None:
            self.w_number.value = _show(float(value))
        else:
            self.w_choice.value = value

    def commit(self) -> None:
        """Commit (or change) this browser's answer to the open round."""
        rnd = self.round
        if rnd is None or not rnd.is_open:
            raise DataError("the round is closed; answers are no longer taken")
        if not self.key.key:
            raise DataError("this page is still getting ready; try again in a second")
        if rnd.choices is None:
            text = self.w_number.value.strip().replace(",", ".")
            if not text:
                raise DataError("type your answer (a number) first, then commit")
            try:
                value = float(text)
            except ValueError:
                raise DataError(f"“{text[:20]}” is not a number; type a number such as 92") from None
        else:
            value = self.w_choice.value
        if value is None:
            raise DataError("pick an answer first, then commit")
        self.store.commit(rnd.id, self.key.key, value, nickname=self.w_nickname.value or None)
        self._render()

    def open_view(self) -> None:
        """Set the app to the view the question is about (its dataset, student, week ...)."""
        if self.round is None or not self.round.view or self.app is None:
            return
        self.app.open_link(dict(self.round.view))

    def _safe(self, fn: Any) -> None:
        try:
            fn()
        except DataError as exc:
            self.w_status.value = f'<span class="mtss-poll-status"><b>{html.escape(str(exc))}</b></span>'
        except Exception as exc:  # noqa: BLE001 - never a traceback in the page
            log.exception("poll bar")
            self.w_status.value = (f'<span class="mtss-poll-status"><b>The poll did not work '
                                   f"({html.escape(type(exc).__name__)}); try again.</b></span>")


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def poll_bar_for(app: Any) -> W.Widget | None:
    """The poll bar for an app's page in room mode; None outside it (``MTSS_POLL_STORE`` unset or no page).

    A bar that cannot start says so in the page instead of disappearing.
    """
    if not os.environ.get(ENV) or not page_app_path():
        return None
    try:
        return PollBar(app).widget
    except Exception as exc:  # noqa: BLE001 - the app still works; the room is told why the poll is missing
        log.exception("poll bar could not start")
        return W.HTML(f'<div class="mtss-note">The room poll is not available on this page '
                      f"({html.escape(str(exc) or type(exc).__name__)}).</div>")
