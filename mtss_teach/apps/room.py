"""Room mode: the address people in the room type, its token, the Host check and the kernel cap.

Pure functions (no server): the room server (:mod:`mtss_teach.apps.server`)
and ``serve`` call them, and the tests check them directly.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from pathlib import Path
from typing import Iterable

__all__ = ["new_token", "token_matches", "lan_addresses", "room_address", "is_loopback", "allowed_hosts",
           "host_allowed", "default_max_kernels", "KERNEL_MB", "qr_svg"]

#: Memory one app kernel needs, for sizing the kernel cap (MB). Measured: an app kernel's RSS
#: after its first chart is ~160 MB with the room server (the chart engine runs once, in the
#: server) and 230-265 MB without it; the cap uses the larger figure so it errs on the safe side.
KERNEL_MB = 260
#: Memory left for the server, the browser of the facilitator and the system (MB).
RESERVE_MB = 1024


def new_token() -> str:
    """A fresh room token: 8 characters, easy to read aloud (no 0/O, 1/l/I).

    Examples
    --------
    >>> from mtss_teach.apps.room import new_token
    >>> t = new_token()
    >>> len(t), t.isalnum(), t != new_token()
    (8, True, True)
    """
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def token_matches(given: str | None, token: str) -> bool:
    """Constant-time comparison of a presented token with the room's.

    Examples
    --------
    >>> from mtss_teach.apps.room import token_matches
    >>> token_matches("abc", "abc"), token_matches("abd", "abc"), token_matches(None, "abc")
    (True, False, False)
    """
    if not given or not token:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))


def is_loopback(ip: str) -> bool:
    """Is ``ip`` this machine only (127.0.0.0/8, ::1, localhost)?

    Examples
    --------
    >>> from mtss_teach.apps.room import is_loopback
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if ip in ("localhost", ""):
        return ip == "localhost"
    try:
        return ipaddress.ip_address(ip.strip("[]")).is_loopback
    except ValueError:
        return False


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses on its networks (not loopback), best guess first.

    The first is the address of the interface that routes to the outside
    (found without sending anything: a UDP socket is "connected" to a
    documentation address, which only picks a route).
    """
    found: list[str] = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent
            found.append(s.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(info[4][0])
    except OSError:
        pass
    try:  # every configured interface (Linux)
        import psutil

        for addrs in psutil.net_if_addrs().values():
            for a in addrs:
                if a.family == socket.AF_INET:
                    found.append(a.address)
    except Exception:  # noqa: BLE001 - psutil is optional here
        pass
    out: list[str] = []
    for a in found:
        if a not in out and not is_loopback(a) and not a.startswith("169.254."):
            out.append(a)
    return out


def room_address(ip: str, port: int, token: str | None, lan: Iterable[str] | None = None) -> str:
    """The address people type: the machine's LAN address (when listening beyond it), the port, the token.

    Examples
    --------
    >>> from mtss_teach.apps.room import room_address
    >>> room_address("0.0.0.0", 8866, "k3y", lan=["192.168.1.20"])
    'http://192.168.1.20:8866/?token=k3y'
    >>> room_address("127.0.0.1", 8866, None)
    'http://127.0.0.1:8866/'
    """
    host = ip
    if ip in ("0.0.0.0", "", "::"):
        lan = list(lan if lan is not None else lan_addresses())
        host = lan[0] if lan else "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{int(port)}/" + (f"?token={token}" if token else "")


def allowed_hosts(ip: str, extra: Iterable[str] = (), lan: Iterable[str] | None = None) -> set[str]:
    """Host names the server answers to: this machine's names, and its LAN addresses when open to the room.

    Examples
    --------
    >>> from mtss_teach.apps.room import allowed_hosts
    >>> sorted(allowed_hosts("127.0.0.1"))
    ['127.0.0.1', '::1', 'localhost']
    >>> "10.0.0.5" in allowed_hosts("0.0.0.0", lan=["10.0.0.5"])
    True
    """
    hosts = {"localhost", "127.0.0.1", "::1"}
    if not is_loopback(ip):
        if ip not in ("0.0.0.0", "", "::"):
            hosts.add(ip)
        else:
            hosts.update(lan if lan is not None else lan_addresses())
        try:
            hosts.add(socket.gethostname().lower())
        except OSError:
            pass
    hosts.update(h.lower() for h in extra)
    return hosts


def host_allowed(host_header: str | None, allowed: set[str]) -> bool:
    """Is the request's ``Host`` (port stripped) one of ``allowed``? A missing Host is refused.

    A page on another site that makes its own name point at this machine
    (DNS rebinding) arrives with that other name as its Host, and is refused.

    Examples
    --------
    >>> from mtss_teach.apps.room import host_allowed
    >>> ok = {"127.0.0.1", "localhost", "::1"}
    >>> host_allowed("127.0.0.1:8866", ok), host_allowed("[::1]:80", ok), host_allowed("evil.example:8866", ok)
    (True, True, False)
    """
    if not host_header:
        return False
    h = host_header.strip().lower()
    if h.startswith("["):
        h = h[1:h.find("]")] if "]" in h else h
    elif h.count(":") == 1:
        h = h.split(":", 1)[0]
    return h in allowed


def _mem_available_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import psutil

        return psutil.virtual_memory().available / 2**20
    except Exception:  # noqa: BLE001
        return None


def default_max_kernels(available_mb: float | None = None, kernel_mb: float = KERNEL_MB,
                        reserve_mb: float = RESERVE_MB) -> int:
    """How many app kernels fit in the memory free now (at least 2, at most 200).

    Examples
    --------
    >>> from mtss_teach.apps.room import default_max_kernels
    >>> default_max_kernels(available_mb=24 * 1024)
    90
    >>> default_max_kernels(available_mb=1500)
    2
    """
    avail = _mem_available_mb() if available_mb is None else available_mb
    if avail is None:
        return 20
    return int(max(2, min(200, (avail - reserve_mb) // kernel_mb)))


def qr_svg(text: str, scale: int = 8) -> str:
    """A QR code of ``text`` as inline SVG, drawn here with ``segno`` (nothing loaded from elsewhere).

    Returns "" when segno is not installed (the address is still shown in words).

    Examples
    --------
    >>> from mtss_teach.apps.room import qr_svg
    >>> qr_svg("http://192.168.1.20:8866/?token=abc").startswith("<svg")
    True
    """
    try:
        import segno
    except ImportError:
        return ""
    import io

    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="svg", scale=scale, xmldecl=False, svgns=True,
                                     title="QR code of the room's address", border=2)
    return buf.getvalue().decode("utf-8")
