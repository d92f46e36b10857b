"""The pages the room server writes itself, without a kernel: landing, room full, refused.

The landing page lists every app with its purpose and, in room mode, shows
the address people type (with its token) large enough to project, with a
QR code drawn locally. None of these pages starts a kernel, so a room of
forty opening the landing page costs nothing.
"""

from __future__ import annotations

import html
from typing import Any, Sequence

from . import registry
from .registry import App

__all__ = ["landing_html", "landing", "landing_page", "room_full_page", "refused_page"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1b1b1b;
       background: #fff; }
main { max-width: 1000px; margin: 0 auto; padding: 1.2em 1.5em 3em 1.5em; }
h1 { font-size: 1.6em; margin: .2em 0 .4em 0; }
.mtss-note { color: #555; }
.mtss-room { display: flex; gap: 1.5em; align-items: center; border: 3px solid #1f4e79; border-radius: 10px;
             padding: .8em 1.2em; margin: 0 0 1.2em 0; background: #f3f7fb; }
.mtss-room-address { font-size: 2.1em; font-weight: 700; word-break: break-all; font-family: ui-monospace,
                     "DejaVu Sans Mono", monospace; }
.mtss-room-token { font-size: 1.5em; }
.mtss-room svg { width: 210px; height: 210px; flex: none; }
.mtss-landing ul { line-height: 1.5; padding-left: 1.2em; }
.mtss-landing li { margin: .25em 0; }
.mtss-box { max-width: 40em; margin: 4em auto; font-size: 1.25em; line-height: 1.5; }
"""


def landing_html(apps: Sequence[App] | None = None) -> str:
    """The landing page's list: each app's title (a link), course and one-line purpose.

    Links are relative to ``apps/index.ipynb`` as Voila renders it
    (``/voila/render/apps/index.ipynb``), so they work under any base URL.

    Examples
    --------
    >>> from mtss_teach.apps import landing_html
    >>> 'href="../modules/02-screening/app.ipynb"' in landing_html()
    True
    """
    rows = []
    for a in (registry._apps() if apps is None else apps):
        rows.append(
            f'<li class="mtss-app-link" data-app="{html.escape(a.key)}">'
            f'<a href="../{html.escape(a.path)}"><b>{html.escape(a.title)}</b></a> '
            + (f'<span class="mtss-note">({html.escape(a.course)})</span>' if a.course else "") + "<br>"
            f"{html.escape(a.purpose)}</li>"
        )
    return (
        '<div class="mtss-landing">'
        "<p>Each app opens in its own page and runs on the synthetic datasets shipped with the academy; "
        "choose a dataset in the app. Only \"Your school's data\" reads a file of your own: in memory, "
        "with student ids replaced by codes, and nothing saved.</p>"
        '<ul style="line-height:1.5">' + "".join(rows) + "</ul>"
        '<p class="mtss-note">Tip: add <code>?dataset=</code> and a dataset\'s name to an '
        "app's address to open it on that dataset.</p></div>"
    )


def landing() -> Any:
    """The landing page as a widget (what ``apps/index.ipynb`` displays when run by hand)."""
    import ipywidgets as W

    w = W.HTML(landing_html())
    w.add_class("mtss-landing-list")
    return w


def _page(title: str, body: str, head: str = "") -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title><link rel=\"icon\" href=\"data:;base64,=\">"
            f"<style>{_CSS}</style>{head}</head><body><main>{body}</main></body></html>")


def landing_page(address: str | None = None, token: str | None = None, qr: str = "",
                 apps: Sequence[App] | None = None, room_note: str = "") -> str:
    """The whole landing page (HTML). With ``address``, the room's address is shown large with its QR code.

    Examples
    --------
    >>> from mtss_teach.apps.pages import landing_page
    >>> page = landing_page("http://10.0.0.5:8866/?token=abc", "abc")
    >>> "http://10.0.0.5:8866/?token=abc" in page and "mtss-landing-list" in page
    True
    """
    room = ""
    if address:
        room = ('<section class="mtss-room" aria-label="Address for the room">' + qr
                + '<div><div>Open this address on your device:</div>'
                f'<div class="mtss-room-address" data-room-address="{html.escape(address)}">'
                f"{html.escape(address)}</div>"
                + (f'<div class="mtss-room-token">Room code: <b>{html.escape(token)}</b></div>' if token else "")
                + (f'<div class="mtss-note">{html.escape(room_note)}</div>' if room_note else "")
                + "</div></section>")
    body = (room + "<h1>MTSS Academy: facilitator apps</h1>"
            "<p>One app per micro-course. Each runs on the academy's synthetic datasets and never shows "
            "code or exercise answers.</p>"
            f'<div class="mtss-landing-list">{landing_html(apps)}</div>')
    return _page("MTSS Academy apps", body)


def room_full_page(retry_s: int = 8, running: int | None = None, cap: int | None = None) -> str:
    """The page a participant sees past the room's capacity: it says so and retries by itself.

    Examples
    --------
    >>> from mtss_teach.apps.pages import room_full_page
    >>> p = room_full_page(5)
    >>> "The room is full" in p and "location.reload" in p
    True
    """
    retry_s = max(2, int(retry_s))
    count = (f"<p class=\"mtss-note\">{running} of {cap} places in use.</p>"
             if running is not None and cap is not None else "")
    body = ('<div class="mtss-box" data-mtss-room-full="1"><h1>The room is full — retrying</h1>'
            "<p>Every place on this server is in use right now. This page tries again by itself every "
            f"few seconds (next try in <span id=\"mtss-wait\">{retry_s}</span> s) and opens the app as soon "
            "as a place is free. You do not need to do anything.</p>"
            "<p>If this lasts, ask the facilitator: a participant who closes an app frees a place.</p>"
            + count + "</div>")
    # jitter so forty waiting pages do not all come back in the same second
    script = ("<script>(function(){var s=%d+Math.floor(Math.random()*4);var el=document.getElementById('mtss-wait');"
              "el.textContent=s;var t=setInterval(function(){s-=1;if(s<=0){clearInterval(t);location.reload();}"
              "else{el.textContent=s;}},1000);})();</script>" % retry_s)
    return _page("The room is full — retrying", body + script)


def refused_page(reason: str) -> str:
    """The page for a refused request (no token, wrong address): what to do, never a blank page.

    Examples
    --------
    >>> from mtss_teach.apps.pages import refused_page
    >>> "room code" in refused_page("token")
    True
    """
    if reason == "token":
        text = ("<h1>This page needs the room code</h1><p>Open the address the facilitator shows "
                "(it ends with <code>?token=</code> and the room code), or scan the QR code on the screen.</p>")
    elif reason == "host":
        text = ("<h1>Address not recognised</h1><p>This server only answers to its own address. "
                "Type the address the facilitator shows, with its numbers.</p>")
    else:
        text = "<h1>Not available</h1><p>This server only runs the MTSS Academy apps listed on its front page.</p>"
    return _page("MTSS Academy apps", f'<div class="mtss-box" data-mtss-refused="{html.escape(reason)}">{text}</div>')
