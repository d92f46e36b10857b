"""Voila apps for facilitators: the list of apps, the room server, and one command to start it.

Start every app on this machine with one command (from the repository)::

    python -m mtss_teach.apps serve                 # http://127.0.0.1:8866/
    python -m mtss_teach.apps serve --port 9000
    python -m mtss_teach.apps serve --ip 0.0.0.0 --room 40 --app screening
                                                    # a room of 40 on the Screening explorer
    python -m mtss_teach.apps list                  # the apps and their purposes

One job per module:

* :mod:`~mtss_teach.apps.registry` -- the list of apps (:data:`APPS`; add one there);
* :mod:`~mtss_teach.apps.pages` -- the pages written without a kernel (landing, room full, refused);
* :mod:`~mtss_teach.apps.room` -- token, the room's address, Host check, the kernel cap, the QR code;
* :mod:`~mtss_teach.apps.site` -- what may be served (the site folder, the allowlist, the kernels' start-up file);
* :mod:`~mtss_teach.apps.server` -- the room server (Voila with a door in front; runs in its own process);
* :mod:`~mtss_teach.apps.process` -- starting and stopping that process (:class:`VoilaServer`);
* :mod:`~mtss_teach.apps.cli` -- ``serve`` and ``list``.

The server is Voila (0.5). It serves a *site* folder made at start-up
(:func:`build_site`) that holds only the app notebooks, so exercise
notebooks with their answer keys are not even in the tree it serves, and
the room server refuses any other notebook before Voila sees the request.
The configuration is ``apps/voila.py`` (template ``apps/jupyter/voila/templates/mtss``).
Every kernel runs ``apps/kernel_startup.py`` first (:func:`kernel_profile`).
"""

from __future__ import annotations

from .cli import main
from .pages import landing, landing_html, landing_page, refused_page, room_full_page
from .process import VoilaServer, free_port, stop_group, voila_command, voila_env
from .registry import APPS, BASELINE, LANDING, App, app_by_key, app_by_path, app_paths, apps_dir, register, repo_root
from .room import allowed_hosts, default_max_kernels, host_allowed, new_token, qr_svg, room_address
from .site import allowed_notebook, build_site, kernel_profile, prelaunch_hook

__all__ = [
    "App",
    "APPS",
    "LANDING",
    "BASELINE",
    "repo_root",
    "apps_dir",
    "app_paths",
    "app_by_key",
    "app_by_path",
    "register",
    "landing_html",
    "landing",
    "landing_page",
    "room_full_page",
    "refused_page",
    "allowed_notebook",
    "build_site",
    "prelaunch_hook",
    "voila_command",
    "voila_env",
    "kernel_profile",
    "free_port",
    "stop_group",
    "VoilaServer",
    "new_token",
    "room_address",
    "allowed_hosts",
    "host_allowed",
    "default_max_kernels",
    "qr_svg",
    "main",
]
