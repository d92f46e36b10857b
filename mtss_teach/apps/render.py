"""One chart engine for every app kernel: Vega-Lite spec in, SVG out, over localhost.

Each app draws its charts with ``vl_convert``, which starts a JavaScript
engine (V8) in the process the first time it converts: about 80 MB of
memory and 1 s of CPU per kernel, forty times over in a room. The room
server instead starts this small process once; every app kernel's
``vl_convert.vegalite_to_svg`` is replaced (by ``apps/kernel_startup.py``)
with a call to it. The SVG is the same -- it comes from the same
``vl_convert`` function -- and a kernel that cannot reach the process
converts locally as before.

The process listens on 127.0.0.1 on a free port; every request must carry
the key given to it at start in its environment (``MTSS_RENDER_KEY``, not
on its command line, where anyone on the machine could read it); a kernel
gets the address with the key in ``MTSS_CHART_RENDERER``.
"""

from __future__ import annotations

import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..errors import DataError

__all__ = ["ENV", "serve", "convert", "build_chart"]

#: Environment variable a kernel reads: ``http://127.0.0.1:PORT/KEY``.
ENV = "MTSS_CHART_RENDERER"  # = mtss_teach.widgets._charts.RENDERER_ENV (tested)
_LOCK = threading.Lock()  # one engine, one conversion at a time


def serve(key: str, port_file: str | None = None) -> None:
    """Run the renderer (blocking); writes its port to ``port_file`` (or stdout) once it listens."""
    import vl_convert

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.strip("/")
            build = path.endswith("/build")
            if build:
                path = path[: -len("/build")]
            if not hmac.compare_digest(path.encode(), key.encode()):
                self.send_error(403)
                return
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ctype = "image/svg+xml"
            try:
                if build:  # a chart call from an app kernel: build it here, then draw it
                    body, ctype = build_chart(raw), "application/json"
                else:  # a Vega-Lite spec
                    spec = json.loads(raw)
                    with _LOCK:
                        body = vl_convert.vegalite_to_svg(spec).encode("utf-8")
                status = 200
            except DataError as exc:  # the data cannot make this chart: the kernel says so, as it would
                body, status = str(exc).encode("utf-8", "replace"), 422
            except Exception as exc:  # noqa: BLE001 - the kernel falls back to drawing itself
                body, status = f"{type(exc).__name__}: {exc}".encode("utf-8", "replace"), 500
            self.send_response(status)
            self.send_header("Content-Type", ctype if status == 200 else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # quiet: the server's log is for people
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{}]}})  # start the engine now
    # and load the chart builders (Altair) now, not when the first participant arrives;
    # jsonschema's iri format grammar is skipped as in the app kernels (apps/kernel_startup.py)
    sys.modules.setdefault("rfc3987_syntax", None)
    from .. import charts  # noqa: F401
    port = httpd.server_address[1]
    if port_file:
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, port_file)
    else:
        print(port, flush=True)
    httpd.serve_forever()


def build_chart(raw: bytes) -> bytes:
    """JSON ``{"spec", "svg"}`` of a chart call sent by an app kernel.

    ``raw`` is the pickled ``(builder, args, kwargs)`` that
    :class:`mtss_teach.widgets._charts.ChartPane` sends (only processes
    given the key -- this server's own kernels -- reach this); ``builder``
    must be one of :mod:`mtss_teach.charts`' public chart builders.
    """
    import pickle

    import vl_convert

    from .. import charts

    builder, args, kwargs = pickle.loads(raw)  # noqa: S301 - from this server's own kernels (keyed)
    if builder not in charts.__all__ or not builder.endswith("_chart"):
        raise ValueError(f"{builder!r} is not a chart builder")
    with _LOCK:
        spec = getattr(charts, builder)(*args, **kwargs).to_dict()
        svg = vl_convert.vegalite_to_svg(spec)
    return json.dumps({"spec": spec, "svg": svg}).encode("utf-8")


def convert(spec: dict, url: str, timeout: float = 60.0) -> str:
    """SVG of a Vega-Lite spec from the renderer at ``url`` (raises on any failure)."""
    import urllib.request

    data = json.dumps(spec).encode("utf-8")
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read().decode("utf-8")


if __name__ == "__main__":  # MTSS_RENDER_KEY=... python -m mtss_teach.apps.render PORT_FILE
    serve(os.environ["MTSS_RENDER_KEY"], sys.argv[1] if len(sys.argv) > 1 else None)
