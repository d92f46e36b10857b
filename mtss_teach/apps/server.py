"""The room server: Voila with a door in front of it.

``python -m mtss_teach.apps serve`` runs this module's :class:`RoomVoila`
(``python -m mtss_teach.apps.server`` with Voila's own options). It is
Voila 0.5 with these additions, all before Voila sees a request:

* **Host check.** A request whose ``Host`` is not this machine's name or
  address is refused (403), so a web page elsewhere cannot reach the
  server through a name it controls (DNS rebinding).
* **Token.** With a room token (``serve --ip 0.0.0.0`` always has one), a
  request without it -- in the address (``?token=``), the room cookie or an
  ``Authorization: token`` header -- gets a 403 page saying what to do,
  and no kernel is started. The first request with the token in the
  address gets the cookie and is sent to the same address without it.
* **Only the apps.** ``/voila/render/`` of anything not in the app list is
  refused (403) -- also with pre-heated kernels, where Voila runs no
  pre-launch hook.
* **Kernel cap.** At most ``max_kernels`` kernels run (default: what the
  free memory holds). Past it a participant gets the "room is full --
  retrying" page (503), which retries by itself.
* **Kernels given back.** Each app page gets Voila's ``_xsrf`` cookie, so
  the shutdown request the page sends when it is closed or reloaded is
  accepted (Voila leaves the cookie unset and the request is refused with
  403: voila-dashboards/voila#1458).
* **A room prepared in advance.** ``room_pool`` maps an app notebook to a
  number of pre-heated kernels (Voila's kernel pools); the pools are kept
  topped up within the cap, and the server prints ``Room ready`` (and
  writes ``ready_file``) once they are full.
* **The landing page without a kernel**, with the room's address, its
  token and a QR code when the room is open.
* **Charts drawn once for everyone.** Kernels send their Vega-Lite specs to
  the server, which turns them into SVG with one ``vl_convert`` engine
  instead of one per kernel (about 80 MB and 1 s of start-up saved per
  kernel; see ``apps/kernel_startup.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

__all__ = ["RoomVoila", "main"]

COOKIE = "mtss_room"
RENDER = "/voila/render/"


def _cookie_value(token: str) -> str:
    return hmac.new(token.encode(), b"mtss-room-cookie", hashlib.sha256).hexdigest()


def _make_app_class():
    """Build the Voila subclass (Voila is imported only when the server runs)."""
    import tornado.web
    from tornado.ioloop import PeriodicCallback
    from traitlets import Dict, Integer, List, Unicode
    from voila.app import Voila

    from . import pages, room, roomview
    from .registry import LANDING, app_by_path
    from .site import allowed_notebook

    class PageHandler(tornado.web.RequestHandler):
        """Writes one fixed page (refused, room full, landing) for any method."""

        def initialize(self, status: int, body: str, headers: dict | None = None,
                       cookie: str | None = None, content_type: str = "text/html; charset=utf-8") -> None:
            self._m_type = content_type
            self._m_status, self._m_body, self._m_headers, self._m_cookie = status, body, headers or {}, cookie

        def _answer(self, *args: Any, **kwargs: Any) -> None:
            self.set_status(self._m_status)
            self.set_header("Content-Type", self._m_type)
            self.set_header("Cache-Control", "no-store")
            for k, v in self._m_headers.items():
                self.set_header(k, v)
            if self._m_cookie:
                self.set_cookie(COOKIE, self._m_cookie, httponly=True, samesite="Lax", path="/")
            if self.request.method != "HEAD":
                self.write(self._m_body)
            self.finish()

        get = post = put = delete = patch = head = options = _answer

        def check_xsrf_cookie(self) -> None:  # a fixed page: nothing to protect
            return None

    class RenderRelease:
        """Mixin for Voila's render handler: the _xsrf cookie, and the capacity reservation released."""

        _room_reserved = False

        _room_rendering = False

        def __init__(self, application, request, **kwargs):
            # the gate reserved a place for this page's kernel: this handler gives it back when done
            self._room_reserved = bool(getattr(request, "_mtss_reserved", False))
            request._mtss_reserved = False
            super().__init__(application, request, **kwargs)
            application.settings["mtss_room"]._rendering += 1
            self._room_rendering = True

        async def prepare(self) -> None:  # noqa: D401
            await super().prepare()
            self.xsrf_token  # noqa: B018 - sets the _xsrf cookie the page's shutdown request needs

        def on_finish(self) -> None:
            self._room_release()
            super().on_finish()

        def on_connection_close(self) -> None:
            self._room_release()
            super().on_connection_close()

        def _room_release(self) -> None:
            if self._room_rendering:
                self._room_rendering = False
                self.settings["mtss_room"]._rendering -= 1
            if self._room_reserved:
                self._room_reserved = False
                self.settings["mtss_room"]._reserved -= 1

    class RoomVoila(Voila):
        """Voila with the room's door: Host check, token, app allowlist, kernel cap, pools, landing page."""

        name = "mtss-room"
        room_token = Unicode("", config=True, help="Token every request must carry ('' = none).")
        room_hosts = List(Unicode(), config=True, help="More Host names to answer to.")
        max_kernels = Integer(0, config=True, help="Most kernels at once (0 = sized to free memory).")
        room_pool = Dict(config=True, help="App notebook -> kernels to keep pre-heated for it.")
        room_address = Unicode("", config=True, help="The address people type (shown on the landing page).")
        ready_file = Unicode("", config=True, help="Written (JSON) once the pools are full.")
        facilitator_key = Unicode("", config=True, help="The facilitator's key for the room view ('' = no room "
                                                        "view; see mtss_teach.apps.roomview).")
        retry_seconds = Integer(8, config=True, help="How often the room-full page retries.")
        unclaimed_seconds = Integer(
            300, config=True,
            help="A page's kernel that no page has been connected to for this long is shut down (0 = never): "
                 "the page was closed before it finished loading, or its browser went away without saying so.")

        _reserved = 0
        _rendering = 0  # app pages being rendered now
        _ready_said = False

        # -- start-up ------------------------------------------------------

        def start(self) -> None:
            self._start_renderer()
            super().start()

        def _start_renderer(self) -> None:
            """Start the shared chart renderer; kernels started from now on find it in their environment."""
            import secrets
            import subprocess
            import tempfile

            from .process import child_dies_with_parent
            from .render import ENV

            self._renderer = None
            if os.environ.get("MTSS_SHARED_CHARTS", "1") == "0":
                return
            key = secrets.token_hex(16)
            port_file = Path(tempfile.mkdtemp(prefix="mtss-render-")) / "port"
            self._renderer = subprocess.Popen(
                [sys.executable, "-m", "mtss_teach.apps.render", str(port_file)],
                env={**os.environ, "MTSS_RENDER_KEY": key}, preexec_fn=child_dies_with_parent)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and self._renderer.poll() is None:
                if port_file.exists():
                    port = int(port_file.read_text())
                    os.environ[ENV] = f"http://127.0.0.1:{port}/{key}"
                    self.log.info("Charts are drawn by one shared renderer (pid %d)", self._renderer.pid)
                    return
                time.sleep(0.1)
            self.log.warning("The shared chart renderer did not start; each kernel draws its own charts")

        def listen(self) -> None:
            self._cap = self.max_kernels or room.default_max_kernels()
            self._hosts = room.allowed_hosts(self.ip, self.room_hosts)
            self.app.settings["mtss_room"] = self
            self._wrap_router()
            self._patch_pools()
            self.log.info("Room server: at most %d kernels; token %s; Host names %s", self._cap,
                          "required" if self.room_token else "not required", sorted(self._hosts))
            self._pool_timer = PeriodicCallback(self._top_up, 1000)
            self._pool_timer.start()
            self._unclaimed: dict[str, float] = {}
            self._reaper = PeriodicCallback(self._reap, 5000)
            if self.unclaimed_seconds > 0:
                self._reaper.start()
            from tornado.ioloop import IOLoop

            IOLoop.current().add_callback(self._top_up)
            super().listen()

        def stop(self) -> None:
            for timer in ("_pool_timer", "_reaper"):
                try:
                    getattr(self, timer).stop()
                except Exception:  # noqa: BLE001
                    pass
            try:
                super().stop()
            finally:
                r = getattr(self, "_renderer", None)
                if r is not None and r.poll() is None:
                    r.terminate()
                    try:
                        r.wait(timeout=5)
                    except Exception:  # noqa: BLE001
                        r.kill()

        # -- the door -------------------------------------------------------

        def _wrap_router(self) -> None:
            app = self.app
            original = app.find_handler
            voila = self
            render_classes: dict[type, type] = {}

            def fixed(request, **answer):
                return app.get_handler_delegate(request, PageHandler, answer)

            def find_handler(request, **kwargs):
                polls = roomview.route(voila, request)  # the room view and the poll page (polls, #16)
                if polls is not None:
                    return app.get_handler_delegate(request, *polls)
                verdict = voila._gate(request)
                if verdict is not None:
                    return fixed(request, **verdict)
                delegate = original(request, **kwargs)
                path = request.path
                if path.startswith(voila.server_url.rstrip("/") + RENDER):
                    cls = delegate.handler_class
                    if cls not in render_classes:
                        render_classes[cls] = type("Room" + cls.__name__, (RenderRelease, cls), {})
                    delegate.handler_class = render_classes[cls]
                return delegate

            app.find_handler = find_handler

        def _gate(self, request) -> dict | None:
            """None to let the request through, else the fixed answer (status, body, headers, cookie)."""
            base = self.server_url.rstrip("/")
            path = request.path
            if not room.host_allowed(request.host, self._hosts):
                self.log.warning("Refused a request for Host %r (not this machine's name)", request.host)
                return {"status": 403, "body": pages.refused_page("host")}
            loopback = room.is_loopback(request.remote_ip or "")
            if self.room_token and not (loopback and path.startswith(base + "/voila/query/")):
                query = dict(parse_qsl(request.query, keep_blank_values=True))
                cookie_ok = hmac.compare_digest(request.cookies[COOKIE].value, _cookie_value(self.room_token)) \
                    if COOKIE in request.cookies else False
                header = request.headers.get("Authorization", "")
                header_ok = header.lower().startswith("token ") and room.token_matches(header[6:].strip(),
                                                                                       self.room_token)
                query_ok = room.token_matches(query.get("token"), self.room_token)
                if not (cookie_ok or header_ok or query_ok):
                    return {"status": 403, "body": pages.refused_page("token")}
                if query_ok and request.method == "GET":
                    # keep the token out of the address bar and of the kernel's view; the cookie carries it
                    rest = urlencode([(k, v) for k, v in parse_qsl(request.query, keep_blank_values=True)
                                      if k != "token"])
                    return {"status": 302, "body": "", "headers": {"Location": path + ("?" + rest if rest else "")},
                            "cookie": _cookie_value(self.room_token)}
            if path == base + "/voila/mtss/status":
                return {"status": 200, "body": json.dumps(self.status()), "content_type": "application/json"}
            if path in (base + "/", base + "/voila", base + "/voila/", base + "/voila/tree", base + "/voila/tree/"):
                return {"status": 302, "body": "", "headers": {"Location": f"{base}{RENDER}{LANDING}"}}
            if path.startswith(base + RENDER):
                rel = unquote(path[len(base + RENDER):])
                if rel == LANDING:
                    return {"status": 200, "body": self._landing()}
                if not allowed_notebook(rel):
                    return {"status": 403, "body": pages.refused_page("notebook")}
                if request.method == "GET" and not self._pool_ready(rel):
                    active = self._active()
                    if active >= self._cap:
                        self.log.warning("Room full (%d of %d kernels): %s gets the retry page", active,
                                         self._cap, rel)
                        return {"status": 503, "body": pages.room_full_page(self.retry_seconds, active, self._cap),
                                "headers": {"Retry-After": str(self.retry_seconds)}}
                    self._reserved += 1
                    request._mtss_reserved = True
            return None

        def _landing(self) -> str:
            # the room's address, large with its QR code, when the room can connect (not on loopback)
            address = self.room_address if self.room_address and not room.is_loopback(self.ip) else None
            qr = room.qr_svg(address) if address else ""
            return pages.landing_page(address, self.room_token or None, qr)

        # -- kernels ----------------------------------------------------------

        def _pool_tasks(self) -> dict[str, list]:
            return getattr(self.kernel_manager, "_pools", {}) or {}

        def _active(self) -> int:
            """Kernels running, being started for a pool, or about to be started for a page."""
            km = self.kernel_manager
            starting = sum(1 for pool in self._pool_tasks().values() for t in pool if not t.done())
            return len(km.list_kernel_ids()) + starting + self._reserved

        def status(self) -> dict:
            """Kernels running, how many wait pre-heated in a pool, how many serve a page, and the cap."""
            km = self.kernel_manager
            running = set(km.list_kernel_ids())
            pooled = self._pooled_ids()
            return {"kernels": len(running), "pooled": len(running & pooled), "sessions": len(running - pooled),
                    "starting": self._active() - len(running) - self._reserved, "cap": self._cap,
                    "room_pool": dict(self.room_pool), "ready": self._ready_said}

        def _pooled_ids(self) -> set:
            ids = set()
            for pool in self._pool_tasks().values():
                for t in pool:
                    if t.done() and not t.cancelled() and t.exception() is None:
                        ids.add(t.result().get("kernel_id"))
            return ids

        async def _reap(self) -> None:
            """Shut down page kernels no page has been connected to for ``unclaimed_seconds``."""
            km = self.kernel_manager
            conns = getattr(km, "_kernel_connections", {})
            now = time.monotonic()
            pooled = self._pooled_ids()
            live = set(km.list_kernel_ids())
            for kid in list(self._unclaimed):
                if kid not in live:
                    self._unclaimed.pop(kid, None)
            for kid in live - pooled:
                if conns.get(kid, 0) > 0 or self._rendering > 0:
                    # connected; or pages are still being rendered (under load a page's kernel can be
                    # taken long before its page is delivered): the clock starts once they are all out
                    self._unclaimed.pop(kid, None)
                    continue
                since = self._unclaimed.setdefault(kid, now)
                if now - since >= self.unclaimed_seconds:
                    self._unclaimed.pop(kid, None)
                    self.log.info("Shutting down kernel %s: no page has been connected to it for %d s", kid,
                                  self.unclaimed_seconds)
                    try:
                        await km.shutdown_kernel(kid)
                    except Exception as exc:  # noqa: BLE001 - gone already
                        self.log.debug("shutdown of %s: %s", kid, exc)

        def _pool_ready(self, rel: str) -> bool:
            """Will Voila give this page a pre-heated kernel (so no new kernel starts for it)?"""
            km = self.kernel_manager
            return (len(self._pool_tasks().get(rel, ())) > 0
                    and rel in (getattr(km, "notebook_data", {}) or {}))

        def _patch_pools(self) -> None:
            km = self.kernel_manager
            if not hasattr(km, "fill_if_needed"):
                return
            self._fill = km.fill_if_needed
            km.fill_if_needed = lambda *a, **k: None  # Voila's own refills: replaced by _top_up (capped)

        def _targets(self) -> dict[str, int]:
            """Pre-heated kernels wanted per notebook: ``--preheat`` for every notebook, the room's pools."""
            km = self.kernel_manager
            default = int((getattr(km, "kernel_pools_config", {}) or {}).get("default", {}).get("pool_size", 0))
            targets = {nb: default for nb in self._pool_tasks()} if default > 0 else {}
            targets.update({nb: int(n) for nb, n in self.room_pool.items()})
            return targets

        def _top_up(self) -> None:
            """Start pre-heated kernels until every pool is full, within the cap; say when the room is ready."""
            if not hasattr(self, "_fill"):
                return
            km = self.kernel_manager
            pools = self._pool_tasks()
            targets = self._targets()
            for nb, target in targets.items():
                have = len(pools.get(nb, ()))
                add = min(target - have, self._cap - self._active())
                if add > 0:
                    cfg = dict(km.kernel_pools_config)
                    km.kernel_pools_config = {**cfg, nb: {**cfg.get(nb, cfg.get("default", {})),
                                                          "pool_size": have + add}}
                    try:
                        self._fill(delay=0, notebook_name=nb)
                    finally:
                        km.kernel_pools_config = cfg
            if not self.room_pool or self._ready_said:
                return
            ready = {nb: sum(1 for t in pools.get(nb, ()) if t.done() and not t.exception())
                     for nb in self.room_pool}
            if all(ready[nb] >= min(int(n), self._cap) for nb, n in self.room_pool.items()):
                self._ready_said = True
                names = ", ".join(f"{n} x {getattr(app_by_path(nb), 'title', nb)}" for nb, n in ready.items())
                print(f"Room ready: {names} prepared ({len(km.list_kernel_ids())} kernels running).", flush=True)
                if self.ready_file:
                    Path(self.ready_file).write_text(json.dumps({"ready": ready, "time": time.time()}))

    return RoomVoila


def RoomVoila():  # noqa: N802 - a factory that looks like the class
    """The room server's Voila class (built on first use, so importing this module does not import Voila)."""
    global _ROOM_VOILA
    try:
        return _ROOM_VOILA
    except NameError:
        _ROOM_VOILA = _make_app_class()
        return _ROOM_VOILA


def main(argv: list[str] | None = None) -> None:
    """Run the room server with Voila's command-line options (what ``serve`` starts)."""
    cls = RoomVoila()
    cls.launch_instance(argv=argv)


if __name__ == "__main__":
    main()
