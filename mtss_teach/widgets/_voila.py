"""What a pre-heated Voila kernel waits for, without importing the Voila server.

A pre-heated kernel (``serve --preheat`` / ``--room``) runs an app's notebook
before anyone asks for the page; the app then waits until the page request
arrives, so it can read the URL (``?dataset=``...). Voila's own helper,
``voila.utils.wait_for_request`` (voila 0.5), does this, but importing
``voila.utils`` imports the Jupyter and JupyterLab servers into the kernel:
about 45 MB and 1 s of CPU in every kernel of a room. This is the same
protocol in a few lines: connect to the server's ``voila/query/<kernel id>``
websocket, receive the request's variables as JSON, put them in the
environment. ``tests/test_apps.py`` checks the variable names against Voila's.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import warnings

__all__ = ["wait_for_request"]


async def _request_info(ws_url: str) -> str | None:
    import websockets

    try:
        async with websockets.connect(ws_url, open_timeout=5) as ws:
            return await ws.recv()
    except (TimeoutError, ConnectionRefusedError, OSError):
        warnings.warn(f"Failed to connect to {ws_url}", stacklevel=2)
        return None


def wait_for_request() -> None:
    """In a pre-heated Voila kernel, wait for the page request and put its variables in ``os.environ``.

    Does nothing outside a pre-heated kernel (``VOILA_PREHEAT`` is not "True").

    Examples
    --------
    >>> from mtss_teach.widgets._voila import wait_for_request
    >>> wait_for_request()   # not in a pre-heated kernel: returns at once
    """
    if os.getenv("VOILA_PREHEAT", "False") == "False":
        return
    protocol = os.getenv("VOILA_WS_PROTOCOL", "ws")
    ip = os.getenv("VOILA_APP_IP", "127.0.0.1")
    port = os.getenv("VOILA_APP_PORT", "8866")
    base = os.getenv("VOILA_WS_BASE_URL", os.getenv("VOILA_SERVER_URL", "/"))
    ws_url = f"{protocol}://{ip}:{port}{base}voila/query/{os.getenv('VOILA_KERNEL_ID')}"
    info: list[str | None] = [None]

    def inner() -> None:  # the kernel's own event loop is running: use a thread with its own
        loop = asyncio.new_event_loop()
        try:
            info[0] = loop.run_until_complete(_request_info(ws_url))
        finally:
            loop.close()

    thread = threading.Thread(target=inner)
    thread.start()
    thread.join()
    if info[0] is not None:
        for k, v in json.loads(info[0]).items():
            os.environ[k] = v
