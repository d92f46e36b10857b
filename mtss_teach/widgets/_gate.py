"""The gate that holds an app's first charts until its page shows the widgets.

It watches IPython's cell events and ipywidgets' control comm
(``Widget._handle_control_comm_msg``, a private ipywidgets 8 API); the one
place the apps depend on ipywidgets' internals. When the API is not there,
a timer opens the gate.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

log = logging.getLogger("mtss_teach.widgets")

__all__: list[str] = []  # private to the apps


def _cell_running() -> bool:
    """True while a notebook kernel is executing a cell (an ``execute_request``) on this thread."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    ip = get_ipython()
    if ip is None or getattr(ip, "kernel", None) is None or threading.current_thread() is not threading.main_thread():
        return False
    header = (getattr(ip, "parent_header", None) or {}).get("header", {})
    return header.get("msg_type") == "execute_request"


class _FirstChartsGate:
    """Hold an app's first charts until its page shows the widgets; then call ``release``.

    Built while a kernel runs the cell that makes the app (a Voila page, a
    notebook). ``release`` is called once, as soon as both

    * the cell has ended (IPython's ``post_run_cell``), and
    * a front end has fetched the widget states: the page's widget manager
      sends ``request_states`` on the ``jupyter.widget.control`` comm and the
      kernel has answered it (already true in JupyterLab, where the control
      comm opened earlier),

    or ``fallback`` seconds after the cell ended, whichever comes first (a
    kernel with no page, a front end without the control protocol).
    Drawing a chart costs CPU and, while Altair builds it, the GIL; started
    earlier it slows the kernel's answer to the page and the first numbers
    appear later.
    """

    FALLBACK = 3.0  # seconds after the cell ends
    _live: "list[_FirstChartsGate]" = []  # not fired yet
    _hooked = False
    _lock = threading.Lock()

    def __init__(self, release: Callable[[], None], fallback: float | None = None) -> None:
        from IPython import get_ipython
        from ipywidgets import Widget

        self._release = release
        self._fallback = self.FALLBACK if fallback is None else fallback
        self._cell_done = False
        self._front_done = getattr(Widget, "_control_comm", None) is not None
        self._fired = False
        self._ip = get_ipython()
        with _FirstChartsGate._lock:
            _FirstChartsGate._live.append(self)
        if not self._front_done:
            self._hook_control_comm()
        self._ip.events.register("post_run_cell", self._on_cell_end)

    @classmethod
    def _hook_control_comm(cls) -> None:
        """Wrap ipywidgets' handler of the control comm so an answered request opens the gates."""
        with cls._lock:
            if cls._hooked:
                return
            cls._hooked = True
        try:
            from comm import get_comm_manager
            from ipywidgets import Widget

            def opened(comm: Any, msg: dict) -> None:
                Widget.handle_control_comm_opened(comm, msg)

                def on_msg(m: dict) -> None:
                    Widget._handle_control_comm_msg(m)  # answers request_states
                    cls._front_end_ready()

                comm.on_msg(on_msg)

            get_comm_manager().register_target("jupyter.widget.control", opened)
        except Exception:  # pragma: no cover - another ipywidgets: the fallback timer opens the gates
            log.debug("could not watch the widget control comm", exc_info=True)

    @classmethod
    def _front_end_ready(cls) -> None:
        with cls._lock:
            gates = list(cls._live)
        for g in gates:
            g._front_done = True
            g._maybe()

    def _on_cell_end(self, *_: Any) -> None:
        try:
            self._ip.events.unregister("post_run_cell", self._on_cell_end)
        except ValueError:
            pass
        self._cell_done = True
        timer = threading.Timer(self._fallback, self.fire)
        timer.daemon = True
        timer.start()
        self._maybe()

    def _maybe(self) -> None:
        if self._cell_done and self._front_done:
            self.fire()

    def fire(self) -> None:
        """Release the held charts now (once)."""
        with _FirstChartsGate._lock:
            if self._fired:
                return
            self._fired = True
            _FirstChartsGate._live.remove(self)
        self._release()

    @classmethod
    def fire_all(cls) -> None:
        """Release every app's held charts now (used by :func:`wait_for_charts`)."""
        with cls._lock:
            gates = list(cls._live)
        for g in gates:
            g.fire()
