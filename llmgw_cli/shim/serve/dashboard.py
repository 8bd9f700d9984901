"""The live dashboard: a page the shim serves on its own port, under ``/_llmgw/dashboard``.

    POST /_llmgw/dashboard/code      (local token)  a one-time code, good for 60 s
    GET  /_llmgw/dashboard?code=C    (or ?token=T)  sets the session cookie, 303 to the page
    GET  /_llmgw/dashboard           (cookie)       the page
    GET  /_llmgw/dashboard/events    (cookie)       server-sent events: a snapshot, then
                                                    updates as requests finish

Authentication: the shim's local token, but never in the page's URL after the first load.
`llmgw shim dashboard` trades the token for a one-time code and prints the URL with it; the
first GET swaps the code (or a token given as ``?token=``) for a random session id in an
``HttpOnly; SameSite=Strict`` cookie scoped to the dashboard's path and redirects to the
bare URL (so neither lands in the browser's history). Without that cookie nothing is served.

Updates are pushed, never polled: each SSE stream waits on the ``Feed``; many requests
finishing at once are coalesced into one event every ``COALESCE_S``; with nothing new, a
members refresh every ``TICK_S`` (breakers open and close on their own clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from llmgw_cli.prices import PriceTable
from llmgw_cli.shim.forward.auth import LocalAuth
from llmgw_cli.shim.forward.entry import Forwarder
from llmgw_cli.shim.serve import dashboard_page
from llmgw_cli.shim.serve.feed import Feed

PATH = "/_llmgw/dashboard"
COOKIE = "llmgw_dashboard"
CODE_TTL_S = 60.0
SESSION_TTL_S = 12 * 3600.0
MAX_SESSIONS = 64
MAX_CODES = 16
COALESCE_S = 0.2
TICK_S = 1.0
HEARTBEAT_S = 15.0
RECENT = 200  # at most this many requests per event (the whole ring at first)


class Sessions:
    """One-time codes and session ids, both random and bounded in number and age."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()
        self._codes: dict[str, float] = {}
        self._sessions: dict[str, float] = {}

    def new_code(self) -> str:
        now = time.monotonic()
        self._codes = {c: t for c, t in self._codes.items() if t > now}
        while len(self._codes) >= MAX_CODES:
            self._codes.pop(next(iter(self._codes)))
        code = secrets.token_urlsafe(24)
        self._codes[code] = now + CODE_TTL_S
        return code

    def redeem(self, code: str | None, token: str | None) -> str | None:
        """A new session id for a valid unused code or the token; None otherwise."""
        now = time.monotonic()
        ok = False
        if code:
            expires = self._codes.pop(code, None)
            ok = expires is not None and expires > now
        elif token:
            ok = hmac.compare_digest(token.encode(errors="surrogateescape"), self._token)
        if not ok:
            return None
        self._sessions = {s: t for s, t in self._sessions.items() if t > now}
        while len(self._sessions) >= MAX_SESSIONS:
            self._sessions.pop(next(iter(self._sessions)))
        sid = secrets.token_urlsafe(32)
        self._sessions[sid] = now + SESSION_TTL_S
        return sid

    def valid(self, sid: str | None) -> bool:
        if not sid:
            return False
        expires = self._sessions.get(sid)
        return expires is not None and expires > time.monotonic()


def attach(
    forwarder: Forwarder, token: str, prices: object, snapshot: Callable[[], dict[str, Any]]
) -> Dashboard:
    """A dashboard fed by ``forwarder`` (its ``observe`` hook) and priced with the shim
    config's ``prices:``; ``snapshot`` is /health's (members, chain, uptime)."""
    feed = Feed(PriceTable.from_config(prices or None))
    forwarder.observe = feed.note
    return Dashboard(forwarder.auth, token, feed, snapshot)


class Dashboard:
    def __init__(
        self, local_auth: LocalAuth, token: str, feed: Feed,
        snapshot: Callable[[], dict[str, Any]],
    ) -> None:  # fmt: skip
        self._auth = local_auth
        self.sessions = Sessions(token)
        self.feed = feed
        self._snapshot = snapshot  # /health's snapshot: members, chain, uptime
        self._closing = asyncio.Event()

    def close(self) -> None:
        """End the event streams (shutdown): their handlers return at once."""
        self._closing.set()
        self.feed.wake()

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        path, method = request.path, request.method
        if path == PATH + "/code" and method == "POST":
            if not self._auth.ok(request.headers):
                return _refused(request)
            return web.json_response({"code": self.sessions.new_code(), "expires_in_s": CODE_TTL_S})
        if method != "GET" or path not in (PATH, PATH + "/events"):
            return web.Response(status=404, text="no such dashboard route\n")
        query = request.query
        if path == PATH and ("code" in query or "token" in query):
            return self._login(request, query.get("code"), query.get("token"))
        if not self.sessions.valid(request.cookies.get(COOKIE)):
            return _refused(request)
        if path == PATH:
            nonce = secrets.token_urlsafe(16)
            return web.Response(
                text=dashboard_page.html(nonce), content_type="text/html",
                headers=_headers(nonce),
            )  # fmt: skip
        return await self._events(request)

    def _login(self, request: web.BaseRequest, code: str | None, token: str | None) -> web.Response:
        sid = self.sessions.redeem(code, token)
        if sid is None:
            return _refused(request, "this dashboard link is used up or expired")
        resp = web.Response(status=303, headers={"Location": PATH, **_headers(None)})
        resp.set_cookie(
            COOKIE, sid, path=PATH, httponly=True, samesite="Strict", max_age=int(SESSION_TTL_S)
        )
        return resp

    def state(self, seq: int, recent: int) -> dict[str, Any]:
        snap = self._snapshot()
        members = snap.get("members")
        rows = self.feed.members(members if isinstance(members, list) else [])
        requests = self.feed.since(seq)[-recent:]
        return {
            "seq": self.feed.seq,
            "status": snap.get("status"),
            "url": snap.get("url"),
            "chain": snap.get("chain"),
            "order": snap.get("order"),
            "uptime_s": snap.get("uptime_s"),
            "in_flight": snap.get("in_flight"),
            "members": rows,
            "requests": requests,
        }

    async def _events(self, request: web.BaseRequest) -> web.StreamResponse:
        resp = web.StreamResponse(headers={
            "Content-Type": "text/event-stream", "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        })  # fmt: skip
        await resp.prepare(request)
        changed = self.feed.watch()
        try:
            state = self.state(0, RECENT)
            await resp.write(_event(state))
            seq, last_members, quiet = state["seq"], state["members"], 0.0
            while not self._closing.is_set():
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(changed.wait(), TICK_S)
                if self._closing.is_set():
                    break
                if changed.is_set():
                    await asyncio.sleep(COALESCE_S)  # let a burst finish: one event for it
                    changed.clear()
                state = self.state(seq, RECENT)
                if state["requests"] or state["members"] != last_members:
                    await resp.write(_event(state))
                    seq, last_members, quiet = state["seq"], state["members"], 0.0
                else:
                    quiet += TICK_S
                    if quiet >= HEARTBEAT_S:  # keeps proxies and idle timers from closing it
                        await resp.write(b": keep-alive\n\n")
                        quiet = 0.0
        except ConnectionResetError:
            pass  # the page went away mid-write (a disconnect while waiting cancels us)
        finally:
            self.feed.unwatch(changed)
        return resp


def _event(data: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(data, separators=(",", ":")).encode() + b"\n\n"


def _headers(nonce: str | None) -> dict[str, str]:
    csp = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    if nonce is not None:
        csp += f"; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'"
    return {
        "Content-Security-Policy": csp,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def _refused(request: web.BaseRequest, why: str = "") -> web.Response:
    reason = why or "this page needs the session the dashboard link sets"
    text = f"{reason}: run `llmgw shim dashboard` for a fresh link.\n"
    if request.path == PATH:
        body = dashboard_page.refused(text)
        return web.Response(status=401, text=body, content_type="text/html", headers=_headers(None))
    return web.Response(status=401, text=text, headers=_headers(None))
