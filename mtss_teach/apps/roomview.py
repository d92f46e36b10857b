"""The room's poll rounds on the server: the facilitator's room view and the participants' poll page.

Two sets of pages, written by the room server without a kernel:

* **The room view** (``/voila/mtss/room``), for the facilitator only. It
  needs the *facilitator's* key (``serve`` makes one and prints it for the
  facilitator; it is never shown on the participants' pages), not the
  room code. From it the facilitator starts a round on an app's view (the
  app's "link to this view", or its start view), watches the answers come
  in (counts and a bar chart, refreshed every second; nicknames only when
  turned on), closes the round, reveals the library's answer and the
  truth, downloads the round's CSV and prints the page. "New session"
  wipes every round.
* **The poll page** (``/voila/mtss/poll?app=...``), for participants, behind
  the room code like every other page: the round's question and a commit
  control, for a phone or for a room too large for one app kernel each.
  The apps themselves show the same round in their poll bar
  (:mod:`mtss_teach.widgets.poll_bar`); both know a participant by the
  random key their browser keeps, so it is one answer either way.

The answers are kept in the room's store (:class:`mtss_teach.polls.PollStore`,
path in ``MTSS_POLL_STORE``, which ``serve`` sets to a file in its run folder
for the server and every kernel). The questions and the library's answers
come from :func:`mtss_teach.widgets.poll_questions.question_for`.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import os
import re
import secrets
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..polls import ENV, PollStore
from . import registry, room
from .registry import App, app_by_key, app_by_path

__all__ = ["ROOM_VIEW", "POLL_PAGE", "FACILITATOR_COOKIE", "new_facilitator_key", "route", "room_state",
           "participant_state", "room_view_page", "poll_page", "round_apps", "parse_view_link"]

ROOM_VIEW = "/voila/mtss/room"
POLL_PAGE = "/voila/mtss/poll"
FACILITATOR_COOKIE = "mtss_facilitator"
_KEY_RE = re.compile(r"^[0-9A-Za-z_-]{16,128}$")


def new_facilitator_key() -> str:
    """A fresh facilitator key (long and random: it is copied, never read aloud).

    Examples
    --------
    >>> from mtss_teach.apps.roomview import new_facilitator_key
    >>> k = new_facilitator_key()
    >>> len(k) >= 24 and k != new_facilitator_key()
    True
    """
    return secrets.token_urlsafe(18)


def _cookie_value(key: str) -> str:
    return hmac.new(key.encode(), b"mtss-facilitator-cookie", hashlib.sha256).hexdigest()


def round_apps() -> list[App]:
    """The apps that put a question to the room (one entry per notebook)."""
    from ..widgets.poll_questions import has_question

    return [a for a in registry.APPS if has_question(a.widget)]


def parse_view_link(link: str, default: App | None = None) -> tuple[App, dict[str, str]]:
    """The app and the settings of an app's "link to this view" (or just its ``?query``).

    Examples
    --------
    >>> from mtss_teach.apps.roomview import parse_view_link
    >>> app, view = parse_view_link("http://10.0.0.5:8866/voila/render/modules/04-progress-monitoring/"
    ...                             "app.ipynb?dataset=district-b&week=8&token=abc")
    >>> app.key, view
    ('aimline', {'dataset': 'district-b', 'week': '8'})
    """
    from ..errors import DataError

    link = (link or "").strip()
    parts = urlsplit(link)
    app = default
    marker = "/voila/render/"
    if marker in parts.path:
        app = app_by_path(parts.path.split(marker, 1)[1])
        if app is None:
            raise DataError("link: that address is not one of the apps")
    elif link and not link.startswith("?") and "=" not in link:
        raise DataError("link: paste an app's “link to this view” (it contains /voila/render/)")
    if app is None:
        raise DataError("app: choose an app, or paste an app's “link to this view”")
    query = parts.query if parts.query or parts.path else link.lstrip("?")
    view = {k: v for k, v in parse_qsl(query, keep_blank_values=True) if k != "token"}
    return app, view


# -- what the pages show (pure: the tests call these) ---------------------------


def _title(path: str) -> str:
    a = app_by_path(path)
    return a.title if a else path


def room_state(store: PollStore, round_id: int | None = None, names: bool = False) -> dict:
    """Everything the room view shows: the rounds, and one round's counts (its answer only after reveal)."""
    rounds = store.rounds()
    out: dict[str, Any] = {"rounds": [{"id": r.id, "app": _title(r.app), "prompt": r.prompt, "state": r.state}
                                      for r in rounds], "round": None}
    if not rounds:
        return out
    rnd = store.round(round_id) if round_id else rounds[-1]
    counts = store.counts(rnd.id)
    revealed = rnd.state == "revealed"
    notes = rnd.notes or {}
    by_answer = notes.get("by_answer", {}) if revealed else {}
    rows = []
    for _, row in counts.iterrows():
        ans = row["answer"]
        shown = f"{ans:g}" if isinstance(ans, float) else str(ans)
        rows.append({"answer": shown, "count": int(row["count"]),
                     "is_answer": bool(row["is_answer"]) if revealed and row["is_answer"] is not None
                     and str(row["is_answer"]) != "<NA>" else False,
                     "is_truth": bool(revealed and rnd.truth is not None and rnd.choices is not None
                                      and ans == rnd.truth),
                     "note": by_answer.get(shown, "")})
    r: dict[str, Any] = {"id": rnd.id, "app": _title(rnd.app), "prompt": rnd.prompt, "state": rnd.state,
                         "kind": "number" if rnd.choices is None else "choice",
                         "answered": store.answered(rnd.id), "counts": rows}
    a = app_by_path(rnd.app)
    r["poll_page"] = f"poll?app={a.key}" if a else None
    if revealed:
        r["answer"] = None if rnd.answer is None else (f"{rnd.answer:g}" if isinstance(rnd.answer, float)
                                                       else str(rnd.answer))
        r["truth"] = rnd.truth
        r["explain"] = notes.get("explain", "")
        if rnd.choices is None and rnd.answer is not None:
            given = store.answers(rnd.id)["answer"]
            r["matching"] = int((given == rnd.answer).sum())
        else:
            r["matching"] = next((x["count"] for x in rows if x["is_answer"]), 0)
        if rnd.truth is not None and rnd.choices is not None:
            r["matching_truth"] = next((x["count"] for x in rows if x["is_truth"]), 0)
    if names:
        table = store.answers(rnd.id, names=True)
        r["names"] = [{"nickname": n or "(no nickname)", "answer": f"{v:g}" if isinstance(v, float) else str(v)}
                      for n, v in zip(table["nickname"], table["answer"])]
    out["round"] = r
    return out


def participant_state(store: PollStore, app_path: str, key: str | None) -> dict:
    """What one participant may see: this app's latest round and *their own* answer, never another's."""
    rnd = store.latest_round(app_path)
    if rnd is None:
        return {"round": None}
    out: dict[str, Any] = {"id": rnd.id, "prompt": rnd.prompt, "state": rnd.state,
                           "choices": None if rnd.choices is None else list(rnd.choices),
                           "mine": store.my_answer(rnd.id, key) if key else None}
    if rnd.state == "revealed":
        out["answer"] = rnd.answer
        out["truth"] = rnd.truth
    return {"round": out}


_VIEW_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1b1b1b;
       background: #fff; }
main { max-width: 1000px; margin: 0 auto; padding: 1.2em 1.5em 3em 1.5em; }
h1 { font-size: 1.6em; margin: .2em 0 .4em 0; }
.mtss-note { color: #555; }
.mtss-box { max-width: 40em; margin: 4em auto; font-size: 1.25em; line-height: 1.5; }
.mtss-rv-bar { display: flex; flex-wrap: wrap; gap: .5em 1em; align-items: center; margin: .5em 0; }
.mtss-rv-bar input[type=text] { width: min(34em, calc(100vw - 3.5em)); box-sizing: border-box; font-size: 1em;
                                padding: .2em; }
button, select { font-size: 1em; padding: .25em .7em; }
.mtss-rv-prompt { font-size: 1.5em; font-weight: 700; margin: .4em 0; }
.mtss-rv-count { font-size: 1.3em; margin: .3em 0; }
.mtss-rv-chart { margin: .6em 0; }
.mtss-rv-row { display: grid; grid-template-columns: minmax(6em, 22em) minmax(3em, 1fr) 3.5em; gap: .6em;
               align-items: center; margin: .25em 0; font-size: 1.15em; }
.mtss-rv-track { background: #eee; height: 1.6em; border-radius: 3px; }
.mtss-rv-fill { background: #0072B2; height: 100%; border-radius: 3px; -webkit-print-color-adjust: exact;
                print-color-adjust: exact; }
.mtss-rv-row.is-answer .mtss-rv-fill { background: #009E73; }
.mtss-rv-row.is-answer .mtss-rv-label { font-weight: 700; }
.mtss-rv-note { grid-column: 1 / -1; font-size: .8em; color: #444; margin: -.2em 0 .3em 0; }
.mtss-rv-reveal { border: 3px solid #009E73; border-radius: 8px; padding: .5em 1em; margin: .6em 0;
                  font-size: 1.15em; background: #F0FAF6; }
.mtss-rv-error { border-left: 5px solid #D55E00; background: #FBEDE4; padding: .4em .8em; margin: .4em 0; }
.mtss-rv-names { font-size: .95em; }
.mtss-rv-names td, .mtss-rv-names th { border: 1px solid #ccc; padding: 2px 8px; }
.mtss-rv-rounds { font-size: .9em; }
/* a phone: each answer on its own line above its bar, so the bar keeps the width */
@media screen and (max-width: 600px) {
  main { padding: .8em .9em 2em .9em; }
  .mtss-rv-row { grid-template-columns: minmax(3em, 1fr) 3em; gap: .1em .5em; }
  .mtss-rv-label { grid-column: 1 / -1; }
  .mtss-rv-prompt { font-size: 1.3em; }
}
/* a projector or a large screen: everything grows with the width, read from the back of the room */
@media screen and (min-width: 1400px) {
  html { font-size: 1.25vw; }
  main { max-width: 62em; }
}
@media print {
  .no-print { display: none !important; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .mtss-rv-prompt { font-size: 1.3em; }
  .mtss-rv-row { break-inside: avoid; }
}
"""

_VIEW_JS = r"""
(function(){
var q = function(s){ return document.querySelector(s); };
var shown = null, follow = true, busy = false;
function esc(t){ var d = document.createElement('div'); d.textContent = t == null ? '' : String(t); return d.innerHTML; }
function say(t){ var e = q('#rv-error'); e.textContent = t || ''; e.style.display = t ? '' : 'none'; }
function post(what, body){
  return fetch('room/' + what, {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-MTSS-Room-View': '1'}, body: JSON.stringify(body || {})})
    .then(function(r){ return r.json().then(function(j){ if (!r.ok) { throw new Error(j.error || r.statusText); }
      return j; }); });
}
function act(what, body){ say(''); return post(what, body).then(function(j){ if (j.round) { shown = j.round; follow = true; }
  return refresh(); }).catch(function(e){ say(e.message); }); }
function render(s){
  var rs = q('#rv-rounds'); var opts = '';
  s.rounds.slice().reverse().forEach(function(r){ opts += '<option value="' + r.id + '">Round ' + r.id + ' · ' +
    esc(r.app) + ' · ' + esc(r.state) + '</option>'; });
  rs.innerHTML = opts; rs.parentNode.style.display = s.rounds.length ? '' : 'none';
  var r = s.round, box = q('#rv-round');
  if (!r) { box.innerHTML = '<p>No round yet. Start one above.</p>'; q('#rv-actions').style.display = 'none'; return; }
  rs.value = String(r.id); q('#rv-actions').style.display = '';
  q('#rv-close').disabled = r.state !== 'open'; q('#rv-reveal').disabled = r.state === 'revealed';
  q('#rv-export').href = 'room/export?round=' + r.id;
  var max = 1; r.counts.forEach(function(c){ if (c.count > max) max = c.count; });
  var h = '<div class="mtss-rv-app">' + esc(r.app) + ' · round ' + r.id + ' · <b data-state="' + esc(r.state) + '">' +
    ({open: 'open: answers coming in', closed: 'closed', revealed: 'revealed'})[r.state] + '</b></div>' +
    '<div class="mtss-rv-prompt">' + esc(r.prompt) + '</div>' +
    '<div class="mtss-rv-count"><b id="rv-answered" data-answered="' + r.answered + '">' + r.answered +
    '</b> answer' + (r.answered === 1 ? '' : 's') + ' so far.</div>';
  if (r.poll_page && r.state === 'open') { h += '<div class="mtss-note no-print">Without the app: participants can answer at ' +
    '<a href="' + esc(r.poll_page) + '" target="_blank">this poll page</a> (same room code).</div>'; }
  h += '<div class="mtss-rv-chart" role="img" aria-label="How many chose each answer">';
  if (!r.counts.length) { h += '<p>No answers yet.</p>'; }
  r.counts.forEach(function(c){
    h += '<div class="mtss-rv-row' + (c.is_answer ? ' is-answer' : '') + '" data-answer="' + esc(c.answer) + '" data-count="' +
      c.count + '"><span class="mtss-rv-label">' + esc(c.answer) + (c.is_answer ? ' ✓ library' : '') +
      (c.is_truth ? ' ★ truth' : '') + '</span><span class="mtss-rv-track"><span class="mtss-rv-fill" style="display:block;width:' +
      (100 * c.count / max).toFixed(1) + '%"></span></span><span class="mtss-rv-n">' + c.count + '</span>' +
      (c.note ? '<span class="mtss-rv-note">' + esc(c.note) + '</span>' : '') + '</div>';
  });
  h += '</div>';
  if (r.state === 'revealed') {
    h += '<div class="mtss-rv-reveal" id="rv-revealed"><div>The library\'s answer: <b data-library-answer="' + esc(r.answer) +
      '">' + esc(r.answer) + '</b> (' + r.matching + ' of ' + r.answered + ' answered the same).</div>';
    if (r.truth != null) { h += '<div>' + (r.kind === 'number' ? 'At the library\'s cut, against what happened to the ' +
      'students (simulation): ' : 'The truth (simulation): ') + '<b data-truth>' + esc(r.truth) + '</b>' +
      (r.matching_truth != null ? ' (' + r.matching_truth + ' of ' + r.answered + ' answered the truth)' : '') + '.</div>'; }
    if (r.explain) { h += '<div class="mtss-note">' + esc(r.explain) + '</div>'; }
    h += '</div>';
  }
  if (r.names) {
    h += '<table class="mtss-rv-names"><caption>Answers with nicknames</caption><tr><th>nickname</th><th>answer</th></tr>';
    r.names.forEach(function(n){ h += '<tr><td>' + esc(n.nickname) + '</td><td>' + esc(n.answer) + '</td></tr>'; });
    h += '</table>';
  }
  box.innerHTML = h;
}
function refresh(){
  if (busy) return Promise.resolve(); busy = true;
  var u = 'room/state?names=' + (q('#rv-names').checked ? '1' : '0') + (!follow && shown ? '&round=' + shown : '');
  return fetch(u, {credentials: 'same-origin', cache: 'no-store'}).then(function(r){
    if (!r.ok) throw new Error('The room view could not be refreshed (' + r.status + ').'); return r.json(); })
    .then(function(s){ render(s); q('#rv-stale').style.display = 'none'; })
    .catch(function(e){ q('#rv-stale').style.display = ''; q('#rv-stale').textContent = e.message +
      ' Numbers may be out of date; retrying.'; })
    .then(function(){ busy = false; });
}
q('#rv-start').addEventListener('click', function(){
  var b = q('#rv-start'); b.disabled = true; b.textContent = 'Starting…';  /* one round per click */
  act('start', {app: q('#rv-app').value, link: q('#rv-link').value}).then(function(){
    b.disabled = false; b.textContent = 'Start a round'; }); });
q('#rv-close').addEventListener('click', function(){ act('close', {round: Number(q('#rv-rounds').value)}); });
q('#rv-reveal').addEventListener('click', function(){ act('reveal', {round: Number(q('#rv-rounds').value)}); });
q('#rv-print').addEventListener('click', function(){ window.print(); });
q('#rv-new').addEventListener('click', function(){
  if (window.confirm('Start a new session? Every round and every answer is deleted.')) { act('new-session', {}); } });
q('#rv-rounds').addEventListener('change', function(){ shown = Number(q('#rv-rounds').value); follow = false; refresh(); });
q('#rv-names').addEventListener('change', refresh);
refresh(); setInterval(refresh, 1000);
})();
"""


def room_view_page() -> str:
    """The facilitator's room view (HTML; its numbers come from ``room/state`` every second)."""
    options = "".join(f'<option value="{html.escape(a.key)}">{html.escape(a.title)}</option>' for a in round_apps())
    body = (
        '<h1>Room view <span class="mtss-note no-print" style="font-size:.6em">(facilitator only: do not share this '
        "page's address)</span></h1>"
        '<section class="no-print" aria-label="Start a round">'
        '<div class="mtss-rv-bar"><label>App <select id="rv-app">' + options + "</select></label>"
        '<label>Link to the view (optional) <input type="text" id="rv-link" placeholder="paste an app\'s '
        '“link to this view”: the dataset, student, week… the question is about"></label>'
        '<button id="rv-start">Start a round</button></div>'
        '<p class="mtss-note">Open the app on the projector, go to the student, week or cut you want to ask about, '
        "copy its “link to this view” and paste it here; without a link the round asks about the app's "
        "start view. Participants see the question in their app (and can open the same view).</p></section>"
        '<div id="rv-error" class="mtss-rv-error" role="alert" style="display:none"></div>'
        '<div id="rv-stale" class="mtss-rv-error" role="status" style="display:none"></div>'
        '<div class="mtss-rv-bar no-print" id="rv-actions" style="display:none">'
        '<label style="display:none">Round <select id="rv-rounds" class="mtss-rv-rounds"></select></label>'
        '<button id="rv-close">Close the round</button><button id="rv-reveal">Reveal the answer</button>'
        '<label><input type="checkbox" id="rv-names"> Show nicknames</label>'
        '<a id="rv-export" href="#" download>Download the round (CSV)</a>'
        '<button id="rv-print">Print</button>'
        '<button id="rv-new" title="Delete every round and answer">New session</button></div>'
        '<section id="rv-round" aria-live="polite"></section>'
    )
    return _page("Room view — MTSS Academy", body, _VIEW_CSS, _VIEW_JS)


_POLL_JS = r"""
(function(){
var q = function(s){ return document.querySelector(s); };
var app = document.body.getAttribute('data-app'), key = null, kept = true, current = null;
function newKey(){ var b = new Uint8Array(16); (window.crypto || window.msCrypto).getRandomValues(b);
  return Array.prototype.map.call(b, function(x){ return ('0' + x.toString(16)).slice(-2); }).join(''); }
try { key = window.localStorage.getItem('mtss-poll-key'); } catch (e) { kept = false; }
if (!key) { key = newKey(); try { window.localStorage.setItem('mtss-poll-key', key); } catch (e) { kept = false; } }
try { q('#pp-nick').value = window.localStorage.getItem('mtss-poll-nickname') || ''; } catch (e) {}
function esc(t){ var d = document.createElement('div'); d.textContent = t == null ? '' : String(t); return d.innerHTML; }
function fmt(v){ return typeof v === 'number' ? String(Math.round(v * 1e6) / 1e6) : String(v); }
function render(s){
  var r = s.round, box = q('#pp-round');
  if (!r) { box.innerHTML = '<p>No question yet. Keep this page open: the question appears here.</p>'; current = null; return; }
  var fresh = !current || current.id !== r.id || current.state !== r.state; current = r;
  q('#pp-prompt').textContent = r.prompt; q('#pp-state').textContent = ({open: '', closed: 'The round is closed.',
    revealed: 'Revealed.'})[r.state];
  q('#pp-state').setAttribute('data-state', r.state);
  var mine = r.mine == null ? '' : 'Your answer: <b id="pp-mine" data-mine="' + esc(fmt(r.mine)) + '">' + esc(fmt(r.mine)) +
    '</b>' + (r.state === 'open' ? ' (you can change it until the round closes).' : '.');
  if (r.state === 'revealed') { mine += ' The library\'s answer: <b>' + esc(fmt(r.answer)) + '</b>.' +
    (r.truth != null && r.choices ? ' The truth (simulation): <b>' + esc(r.truth) + '</b>.' : ''); }
  if (!kept) { mine += ' This browser does not keep data: your answer is forgotten if the page reloads.'; }
  q('#pp-mine-line').innerHTML = mine;
  if (fresh) {
    var h = '';
    if (r.choices) { r.choices.forEach(function(c, i){ h += '<label class="pp-choice"><input type="radio" name="pp-choice" value="' +
      esc(c) + '"' + (r.mine === c ? ' checked' : '') + '> ' + esc(c) + '</label>'; }); }
    else { h += '<label>Your answer <input type="number" step="any" id="pp-number" value="' + (r.mine == null ? '' : r.mine) + '"></label>'; }
    box.innerHTML = h;
  }
  var open = r.state === 'open';
  document.querySelectorAll('#pp-round input, #pp-commit, #pp-nick').forEach(function(e){ e.disabled = !open; });
}
function refresh(){
  return fetch('poll/state?app=' + encodeURIComponent(app) + '&key=' + key, {credentials: 'same-origin', cache: 'no-store'})
    .then(function(r){ if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function(s){ render(s); q('#pp-error').textContent = ''; })
    .catch(function(){ q('#pp-error').textContent = 'The server did not answer; retrying.'; });
}
q('#pp-commit').addEventListener('click', function(){
  if (!current) return;
  var value;
  if (current.choices) { var c = document.querySelector('input[name=pp-choice]:checked'); value = c ? c.value : null; }
  else { var t = q('#pp-number').value; value = t === '' ? null : Number(t); }
  if (value == null) { q('#pp-error').textContent = 'Pick an answer first, then commit.'; return; }
  var nick = q('#pp-nick').value; try { window.localStorage.setItem('mtss-poll-nickname', nick); } catch (e) {}
  fetch('poll/commit', {method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json',
    'X-MTSS-Poll': '1'}, body: JSON.stringify({app: app, round: current.id, key: key, value: value, nickname: nick})})
    .then(function(r){ return r.json().then(function(j){ if (!r.ok) throw new Error(j.error || r.status); return j; }); })
    .then(function(){ q('#pp-error').textContent = ''; current = null; return refresh(); })
    .catch(function(e){ q('#pp-error').textContent = e.message; });
});
refresh(); setInterval(refresh, 1500);
})();
"""


def poll_page(app: App) -> str:
    """The participants' poll page for one app (HTML; no other participant's answer is ever sent to it)."""
    body = (f'<h1>Room poll: {html.escape(app.title)}</h1>'
            '<div class="mtss-rv-prompt" id="pp-prompt"></div><div id="pp-state" class="mtss-note"></div>'
            '<form onsubmit="return false"><div id="pp-round"><p>Loading the question…</p></div>'
            '<div class="mtss-rv-bar"><input type="text" id="pp-nick" maxlength="24" '
            'placeholder="nickname (optional)" aria-label="nickname (optional)">'
            '<button id="pp-commit" type="button">Commit my answer</button></div></form>'
            '<div id="pp-mine-line"></div><div id="pp-error" class="mtss-note" role="alert"></div>'
            '<p class="mtss-note">No name is needed. The facilitator sees how many chose each answer; a nickname '
            "is shown only if the facilitator turns names on.</p>")
    css = _VIEW_CSS + (".pp-choice { display: block; font-size: 1.2em; margin: .2em 0; padding: .3em 0; }"
                        ".pp-choice input { width: 1.1em; height: 1.1em; vertical-align: -.1em; margin-right: .4em; }"
                        "#pp-commit, #pp-nick { font-size: 1.1em; padding: .45em .8em; }")
    return _page(f"Room poll — {app.title}", body, css, _POLL_JS, attrs=f' data-app="{html.escape(app.key)}"')


def _page(title: str, body: str, css: str = "", js: str = "", attrs: str = "") -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title><link rel=\"icon\" href=\"data:;base64,=\">"
            f"<style>{_VIEW_CSS if not css else ''}{css}</style></head><body{attrs}><main>{body}</main>"
            + (f"<script>{js}</script>" if js else "") + "</body></html>")


def _refused_facilitator() -> str:
    return _page("Room view — MTSS Academy",
                 '<div class="mtss-box" data-mtss-refused="facilitator"><h1>This page is for the facilitator</h1>'
                 "<p>The room view needs the facilitator's key: open the “Room view” address the server printed "
                 "when it started. The room code alone does not open it.</p></div>")


# -- the server side (tornado; imported only in the room server) ------------------


def _store(voila: Any) -> PollStore | None:
    store = getattr(voila, "_mtss_poll_store", None)
    if store is None:
        path = os.environ.get(ENV, "")
        if not path:
            return None
        store = voila._mtss_poll_store = PollStore(path)
    return store


_HANDLERS: dict[str, type] = {}


def _handlers() -> dict[str, type]:
    if _HANDLERS:
        return _HANDLERS
    import tornado.web
    from tornado.ioloop import IOLoop

    from ..errors import DataError

    class _Base(tornado.web.RequestHandler):
        def initialize(self, voila: Any, sub: str) -> None:
            self.voila, self.sub = voila, sub

        def check_xsrf_cookie(self) -> None:  # these pages protect their POSTs themselves (see _post_ok)
            return None

        def set_default_headers(self) -> None:
            self.set_header("Cache-Control", "no-store")
            self.set_header("X-Frame-Options", "DENY")
            self.set_header("Referrer-Policy", "no-referrer")

        def _json(self, status: int, data: Any) -> None:
            self.set_status(status)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(data))

        def _body(self) -> dict:
            try:
                data = json.loads(self.request.body or b"{}")
            except ValueError:
                raise DataError("the request is not valid JSON") from None
            if not isinstance(data, dict):
                raise DataError("the request is not a JSON object")
            return data

        def _store_or_fail(self) -> PollStore | None:
            store = _store(self.voila)
            if store is None:
                self._json(503, {"error": f"polls are off: this server has no room store ({ENV} is not set)"})
            return store

    class RoomViewHandler(_Base):
        """The facilitator's room view: page, state, start/close/reveal, new session, export."""

        def prepare(self) -> None:
            key = getattr(self.voila, "facilitator_key", "") or ""
            if not key:
                self.set_status(404)
                self.finish(_page("Room view", '<div class="mtss-box"><h1>The room view is off</h1><p>Start the '
                                  "server with <code>python -m mtss_teach.apps serve</code>: it prints the room "
                                  "view's address.</p></div>"))
                return
            cookie = self.request.cookies.get(FACILITATOR_COOKIE)
            ok = cookie is not None and hmac.compare_digest(cookie.value, _cookie_value(key))
            header = self.request.headers.get("X-MTSS-Facilitator", "")
            ok = ok or room.token_matches(header, key)
            given = self.get_query_argument("key", None)
            if not ok and self.request.method == "GET" and room.token_matches(given, key):
                # keep the key out of the address bar (and of anything the page links to)
                self.set_cookie(FACILITATOR_COOKIE, _cookie_value(key), httponly=True, samesite="Strict", path="/")
                self.redirect(self.request.path, status=302)
                return
            if not ok:
                self.set_status(403)
                self.finish(_refused_facilitator())
                return
            if self.request.method == "POST" and self.request.headers.get("X-MTSS-Room-View") != "1":
                self._json(403, {"error": "refused: not sent by the room view"})

        def get(self) -> None:
            if self.sub == "":
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(room_view_page())
                return
            store = self._store_or_fail()
            if store is None:
                return
            try:
                if self.sub == "/state":
                    rid = self.get_query_argument("round", None)
                    names = self.get_query_argument("names", "0") == "1"
                    state = room_state(store, int(rid) if rid else None, names=names)
                    token = getattr(self.voila, "room_token", "") or ""
                    if token and state["round"] and state["round"].get("poll_page"):
                        # the participants' address of the poll page, with the room code (never the key)
                        state["round"]["poll_page"] += f"&token={token}"
                    self._json(200, state)
                elif self.sub == "/export":
                    rid = int(self.get_query_argument("round"))
                    text = store.export_csv(rid)
                    self.set_header("Content-Type", "text/csv; charset=utf-8")
                    self.set_header("Content-Disposition", f'attachment; filename="room-round-{rid}.csv"')
                    self.finish(text)
                else:
                    self._json(404, {"error": "no such page"})
            except (DataError, ValueError, tornado.web.MissingArgumentError) as exc:
                self._json(400, {"error": str(exc)})

        async def post(self) -> None:
            store = self._store_or_fail()
            if store is None:
                return
            try:
                data = self._body()
                if self.sub == "/start":
                    default = None
                    if data.get("app"):
                        try:
                            default = app_by_key(str(data["app"]))
                        except KeyError as exc:
                            raise DataError(str(exc.args[0])) from None
                    app, view = parse_view_link(str(data.get("link") or ""), default)
                    from ..widgets.poll_questions import question_for

                    # the question is read from the app itself, off the server's event loop
                    q = await IOLoop.current().run_in_executor(None, question_for, app.widget, view)
                    rid = store.start_round(app.path, q.prompt, choices=q.choices, answer=q.answer, truth=q.truth,
                                            view=q.view, notes={"explain": q.explain, "by_answer": q.by_answer})
                    self._json(200, {"round": rid})
                elif self.sub in ("/close", "/reveal"):
                    rid = int(data.get("round"))
                    if self.sub == "/close":
                        store.close_round(rid)
                    else:
                        store.reveal(rid)
                    self._json(200, {"round": rid})
                elif self.sub == "/new-session":
                    store.new_session()
                    self._json(200, {"ok": True})
                else:
                    self._json(404, {"error": "no such action"})
            except (DataError, ValueError, TypeError) as exc:
                self._json(400, {"error": str(exc)})

    class PollHandler(_Base):
        """The participants' poll page (behind the room code, like every page): question, own answer, commit."""

        def _app(self, key: str | None) -> App | None:
            try:
                a = app_by_key(key or "")
            except KeyError:
                return None
            return a if a in round_apps() else None

        def get(self) -> None:
            app = self._app(self.get_query_argument("app", None))
            if self.sub == "":
                self.set_header("Content-Type", "text/html; charset=utf-8")
                if app is None:
                    links = "".join(f'<li><a href="poll?app={html.escape(a.key)}">{html.escape(a.title)}</a></li>'
                                    for a in round_apps())
                    self.finish(_page("Room poll", f"<h1>Room poll</h1><p>Choose the app the facilitator "
                                                   f"named:</p><ul>{links}</ul>"))
                else:
                    self.finish(poll_page(app))
                return
            store = self._store_or_fail()
            if store is None:
                return
            if self.sub == "/state" and app is not None:
                key = self.get_query_argument("key", "")
                self._json(200, participant_state(store, app.path, key if _KEY_RE.match(key) else None))
            else:
                self._json(404, {"error": "no such page"})

        def post(self) -> None:
            if self.request.headers.get("X-MTSS-Poll") != "1":
                self._json(403, {"error": "refused: not sent by the poll page"})
                return
            store = self._store_or_fail()
            if store is None:
                return
            try:
                data = self._body()
                app = self._app(str(data.get("app", "")))
                key = str(data.get("key", ""))
                if self.sub != "/commit" or app is None:
                    raise DataError("no such poll")
                if not _KEY_RE.match(key):
                    raise DataError("this browser's key is not valid; reload the page")
                rnd = store.round(int(data.get("round")))
                if rnd.app != app.path:
                    raise DataError("that round is not this app's")
                nick = data.get("nickname")
                store.commit(rnd.id, key, data.get("value"), nickname=str(nick) if nick else None)
                self._json(200, {"mine": store.my_answer(rnd.id, key)})
            except (DataError, ValueError, TypeError) as exc:
                self._json(400, {"error": str(exc)})

    _HANDLERS.update(room=RoomViewHandler, poll=PollHandler)
    return _HANDLERS


def route(voila: Any, request: Any) -> tuple[type, dict] | None:
    """The room server's hook: a handler for the room view or the poll page, or None for everything else.

    The room view checks the Host and the facilitator's key itself (not the
    room code). The poll page goes through the room's door like any page:
    when the door has something to say (no room code, wrong Host, the
    cookie to set), None is returned and the door answers.
    """
    base = voila.server_url.rstrip("/")
    path = request.path
    for prefix, name in ((base + ROOM_VIEW, "room"), (base + POLL_PAGE, "poll")):
        if path == prefix or path.startswith(prefix + "/"):
            sub = path[len(prefix):]
            if name == "room":
                if not room.host_allowed(request.host, voila._hosts):
                    return None  # the door refuses the Host
            elif voila._gate(request) is not None:
                return None
            return _handlers()[name], {"voila": voila, "sub": sub}
    return None
