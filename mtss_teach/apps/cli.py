"""``python -m mtss_teach.apps serve | list``: the one command a facilitator types."""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from . import registry, room
from .process import child_dies_with_parent, free_port, stop_group, voila_command, voila_env
from .registry import app_by_key, repo_root
from .site import build_site, kernel_profile

__all__ = ["main", "parser"]

_DEFAULT_PORT = 8866


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m mtss_teach.apps",
                                 description="Serve the MTSS Academy facilitator apps with Voila.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="start the app server with the landing page")
    s.add_argument("--port", type=int, default=_DEFAULT_PORT, help=f"port (default {_DEFAULT_PORT}; 0 = any free)")
    s.add_argument("--ip", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every network "
                        "interface, so people in the room can connect -- a room code (token) is then required)")
    s.add_argument("--token", default=None,
                   help="the room code every participant's address carries (default: made up at start when "
                        "--ip opens the server to the network; none on this machine only)")
    s.add_argument("--room", type=int, default=0, metavar="N",
                   help="prepare the room for N participants: N kernels of the --app app are started before "
                        "people arrive (the server prints 'Room ready' when they are)")
    s.add_argument("--app", action="append", default=[], metavar="KEY",
                   help="the app the room opens (with --room; repeat for more; see 'list' for the keys)")
    s.add_argument("--max-kernels", type=int, default=0, metavar="N",
                   help="most app pages open at once (default: what the free memory holds); past it a "
                        "participant sees 'the room is full -- retrying'")
    s.add_argument("--preheat", nargs="?", type=int, const=1, default=0, metavar="N",
                   help="keep N pre-executed kernels for every app (default 1 when given): faster first page")
    s.add_argument("--root", type=Path, default=None, help="the repository (default: found automatically)")
    sub.add_parser("list", help="list the apps")
    return ap


def _polls(ip: str, port: int, run: Path) -> tuple[list[str], dict[str, str]]:
    """The room's polls (#16): the facilitator's key for the room view, the store in the run folder.

    Prints the room view's address (with the key) for the facilitator; it is
    never shown on the participants' pages.
    """
    from ..polls import ENV
    from .roomview import ROOM_VIEW, new_facilitator_key

    key = new_facilitator_key()
    view = room.room_address(ip, port, None).rstrip("/") + ROOM_VIEW + f"?key={key}"
    print(f"  Room view for the facilitator only (live polls; do not project this address): {view}", flush=True)
    print("  The room's answers are deleted when the server stops: download a round's CSV from the room view "
          "first.", flush=True)
    return [f"--RoomVoila.facilitator_key={key}"], {ENV: str(run / "polls.sqlite")}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mtss_teach.apps serve [options]`` or ``list``; returns the exit code."""
    args = parser().parse_args(argv)
    if args.cmd == "list":
        for a in registry._apps():
            print(f"{a.key:13s} {a.path:45s} {a.title}: {a.purpose}")
        return 0
    if importlib.util.find_spec("voila") is None:
        print("Voila is not installed: pip install 'mtss-teach[apps]'", file=sys.stderr)
        return 1
    try:
        apps = [app_by_key(k) for k in args.app]
    except KeyError as exc:
        print(f"serve --app: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.room < 0 or args.max_kernels < 0:
        print("serve: --room and --max-kernels must be 0 or more", file=sys.stderr)
        return 2
    if args.room and not apps:
        print("serve --room: say which app the room opens with --app (e.g. --app screening)", file=sys.stderr)
        return 2
    open_room = not room.is_loopback(args.ip)
    token = args.token or (room.new_token() if open_room else None)
    root = args.root.resolve() if args.root else repo_root()
    port = args.port or free_port()
    cap = args.max_kernels or room.default_max_kernels()
    pool = {a.path: args.room for a in apps}
    address = room.room_address(args.ip, port, token)
    tmp = Path(tempfile.mkdtemp(prefix="mtss-apps-"))
    site = build_site(tmp / "site", root)
    ipython_dir = kernel_profile(tmp / "ipython", root)

    print(f"MTSS Academy apps: {address}", flush=True)
    if open_room:
        print(f"  People in the room open that address (room code {token}); the landing page shows it "
              "large with a QR code to project.", flush=True)
        print("  Requests without the room code are refused.", flush=True)
    print(f"  At most {cap} app pages at once (--max-kernels).", flush=True)
    if pool:
        total = sum(pool.values())
        if total > cap:
            print(f"  Note: the room needs {total} kernels but at most {cap} fit; raise --max-kernels only "
                  "if the machine has the memory.", flush=True)
        print(f"  Preparing the room: {args.room} kernels for {', '.join(a.title for a in apps)} "
              "(wait for 'Room ready').", flush=True)
    polls_opts, polls_env = _polls(args.ip, port, tmp)
    print("Press Ctrl-C to stop the server.", flush=True)
    cmd = voila_command(port, site, root, args.preheat, ip=args.ip, token=token, pool=pool, max_kernels=cap,
                        address=address, extra=polls_opts)
    proc = subprocess.Popen(cmd, cwd=str(site),
                            env={**voila_env(root, args.preheat or sum(pool.values()), ipython_dir), **polls_env},
                            start_new_session=True, preexec_fn=child_dies_with_parent)

    def _stop(signum, frame):  # Ctrl-C or SIGTERM: stop the server and every kernel, then leave
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, _stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        print("Stopping the server and its kernels...", flush=True)
        stop_group(proc, timeout=20)
        return 0
    finally:
        signal.signal(signal.SIGTERM, old)
        if proc.poll() is None:
            stop_group(proc, timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)
