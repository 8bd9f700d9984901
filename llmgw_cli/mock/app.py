"""The mock's aiohttp application: routes, admission checks and the timed SSE writer.

Every API request goes through the same steps, cheapest first: read the body once, record
it, check the key (``--require-key``), draw an injected failure (``--fail-rate``), parse
JSON, check betas (``--reject-betas``) and the model (``--strict-models``), then answer.
Streams are written one event per write, so each event leaves as its own HTTP chunk;
delta *i* is sent at the absolute time start + ttft + i*itl (``loop.time()``), so sleeps
never add up to drift, and with no delays configured the writer never sleeps at all.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aiohttp import web

from llmgw_cli.mock import anthropic, guide, openai, responses
from llmgw_cli.mock.apierrors import Reject, error_response, reject
from llmgw_cli.mock.checks import (
    check_betas,
    check_model,
    has_key,
    json_object,
    model_info,
    model_list,
)
from llmgw_cli.mock.config import MockConfig
from llmgw_cli.mock.hooks import HookRoutes
from llmgw_cli.mock.recorder import Entry, Recorder
from llmgw_cli.mock.replies import Reply, reply_for
from llmgw_cli.mock.script import Script, load_script
from llmgw_cli.wire.sse import dumps

_SSE = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}
_JSON = "application/json"
# The one sleep of the timing grid; tests swap in a sleep that oversleeps to prove no drift.
_sleep = asyncio.sleep
_BETA_HELP = (
    "Please consult our documentation at docs.anthropic.com or try again without the header."
)


class MockApp(HookRoutes):
    """State shared by the handlers of one mock server."""

    def __init__(self, config: MockConfig) -> None:
        self.config = config
        script = config.script
        self.script: Script | None = load_script(script) if isinstance(script, Path) else script
        self.rec = Recorder(config.log_limit, config.log_body_limit)
        self.rng = random.Random(config.seed)
        self.ttft = config.ttft_ms / 1000.0
        self.itl = config.itl_ms / 1000.0
        self.timed = bool(self.ttft or self.itl)
        self.model_set = frozenset(config.models)
        # None, or the only models answered (--strict-models)
        self.strict_models = self.model_set if config.strict_models else None
        self.allow_betas = frozenset(config.allow_betas)
        self.server: web.Server | None = None  # set once listening, to count connections
        self.busy: set[asyncio.Task[Any]] = set()  # timed replies in flight, for a bounded stop
        self._tag = secrets.token_hex(3)  # ids differ between mock instances
        self._models = dumps(model_list(config.models))

    def application(self) -> web.Application:
        app = web.Application(client_max_size=self.config.max_body)
        add = app.router.add_route
        if self.config.serves_anthropic:
            add("POST", "/v1/messages", self.messages)
            add("POST", "/v1/messages/count_tokens", self.count_tokens)
        if self.config.serves_openai:
            add("POST", "/v1/chat/completions", self.chat)
        if self.config.serves_responses:
            add("POST", "/v1/responses", self.responses)
            add("POST", "/v1/responses/input_tokens", self.input_tokens)
        add("GET", "/v1/models", self.models_list)
        add("GET", "/v1/models/{model_id:.+}", self.model_get)
        add("GET", "/health", self.health)
        add("GET", "/_mock/requests", self.log_get)
        add("DELETE", "/_mock/requests", self.log_clear)
        add("GET", "/_mock/stats", self.stats)
        add("*", "/{tail:.*}", self.not_found)
        return app

    # -- API endpoints -------------------------------------------------------------------

    async def messages(self, request: web.Request) -> web.StreamResponse:
        raw, start, entry = await self._begin(request)
        try:
            body = self._admit_json(request, raw, False)
            model = check_model(body, False, self.strict_models)
            if not isinstance(body.get("messages"), list):
                raise reject(False, 400, "messages: Field required")
            guide.check_body(self.config, body, len(raw))
            reply = self._reply(body, len(raw), False, entry.seq)
        except Reject as rej:
            return self._fail(entry, rej)
        msg_id = f"msg_mock{self._tag}{entry.seq:08x}"
        headers = {"Content-Type": _JSON, "request-id": f"req_mock{self._tag}{entry.seq:08x}"}
        if body.get("stream") is True and not self.config.json_for_stream:
            events = anthropic.events(reply, msg_id, model)
            if self.config.strip_pings:
                events = [e for e in events if e[1] != anthropic.PING]
            return await self._stream(request, entry, events, start, headers)
        payload = anthropic.message(reply, msg_id, model)
        return await self._whole(entry, payload, reply, start, headers)

    async def count_tokens(self, request: web.Request) -> web.StreamResponse:
        raw, _, entry = await self._begin(request)
        try:
            check_model(self._admit_json(request, raw, False), False, self.strict_models)
        except Reject as rej:
            return self._fail(entry, rej)
        self.rec.done(entry, 200)
        return web.Response(body=dumps({"input_tokens": max(1, len(raw) // 4)}), content_type=_JSON)

    async def chat(self, request: web.Request) -> web.StreamResponse:
        raw, start, entry = await self._begin(request)
        try:
            body = self._admit_json(request, raw, True)
            model = check_model(body, True, self.strict_models)
            if not isinstance(body.get("messages"), list):
                raise reject(
                    True,
                    400,
                    "Missing required parameter: 'messages'.",
                    code="missing_required_parameter",
                )
            reply = self._reply(body, len(raw), True, entry.seq)
        except Reject as rej:
            return self._fail(entry, rej)
        chunk_id = f"chatcmpl-mock{self._tag}{entry.seq:08x}"
        headers = {"Content-Type": _JSON, "x-request-id": f"req_mock{self._tag}{entry.seq:08x}"}
        created = int(time.time())
        if body.get("stream") is True:
            options = body.get("stream_options")
            usage = isinstance(options, dict) and options.get("include_usage") is True
            events = openai.events(reply, chunk_id, model, created, usage)
            return await self._stream(request, entry, events, start, headers)
        payload = openai.completion(reply, chunk_id, model, created)
        return await self._whole(entry, payload, reply, start, headers)

    async def responses(self, request: web.Request) -> web.StreamResponse:
        raw, start, entry = await self._begin(request)
        try:
            body = self._admit_json(request, raw, True)
            model = check_model(body, True, self.strict_models)
            if not isinstance(body.get("input"), (str, list)):
                raise reject(
                    True,
                    400,
                    "Missing required parameter: 'input'.",
                    code="missing_required_parameter",
                )
            reply = self._reply(body, len(raw), True, entry.seq, responses)
        except Reject as rej:
            return self._fail(entry, rej)
        resp_id = f"resp_mock{self._tag}{entry.seq:08x}"
        headers = {"Content-Type": _JSON, "x-request-id": f"req_mock{self._tag}{entry.seq:08x}"}
        if body.get("stream") is True:
            events = responses.events(reply, resp_id, model, body)
            return await self._stream(request, entry, events, start, headers)
        payload = responses.response(reply, resp_id, model, body)
        return await self._whole(entry, payload, reply, start, headers)

    async def input_tokens(self, request: web.Request) -> web.StreamResponse:
        raw, _, entry = await self._begin(request)
        try:
            check_model(self._admit_json(request, raw, True), True, self.strict_models)
        except Reject as rej:
            return self._fail(entry, rej)
        self.rec.done(entry, 200)
        count = {"object": "response.input_tokens", "input_tokens": max(1, len(raw) // 4)}
        return web.Response(body=dumps(count), content_type=_JSON)

    async def models_list(self, request: web.Request) -> web.StreamResponse:
        entry = self.rec.start(request, b"")
        moved = guide.models_redirect(self.config, request)
        if moved is not None:
            self.rec.done(entry, moved.status)
            return moved
        try:
            self._admit(request, self._openai_flavour(request))
        except Reject as rej:
            return self._fail(entry, rej)
        self.rec.done(entry, 200)
        return web.Response(body=self._models, content_type=_JSON)

    async def model_get(self, request: web.Request) -> web.StreamResponse:
        entry = self.rec.start(request, b"")
        model_id = request.match_info["model_id"]
        openai_flavour = self._openai_flavour(request)
        try:
            self._admit(request, openai_flavour)
            if model_id not in self.model_set:
                raise reject(openai_flavour, 404, f"model: {model_id}", code="model_not_found")
        except Reject as rej:
            return self._fail(entry, rej)
        self.rec.done(entry, 200)
        return web.Response(body=dumps(model_info(model_id)), content_type=_JSON)

    async def not_found(self, request: web.Request) -> web.StreamResponse:
        entry = self.rec.start(request, await request.read())
        message = f"Unknown request URL: {request.method} {request.path}"
        return self._fail(
            entry, reject(self._openai_flavour(request), 404, message, code="unknown_url")
        )

    # -- checks --------------------------------------------------------------------------

    async def _begin(self, request: web.Request) -> tuple[bytes, float, Entry]:
        """The body (read once), the start of the timing grid, and the request's log entry."""
        raw = await request.read()
        return raw, asyncio.get_running_loop().time(), self.rec.start(request, raw)

    def _admit_json(self, request: web.Request, raw: bytes, openai_flavour: bool) -> dict[str, Any]:
        """The admission checks, then the JSON body (and, for Anthropic, its betas)."""
        self._admit(request, openai_flavour)
        if not openai_flavour:
            guide.before_json(self.config, request, raw)
        body = json_object(raw, openai_flavour)
        if not openai_flavour and self.config.reject_betas:
            check_betas(request, body, self.allow_betas)
        return body

    def _admit(self, request: web.Request, openai_flavour: bool) -> None:
        key = self.config.require_key
        if key is not None and not has_key(request, key):
            if openai_flavour:
                raise reject(True, 401, "Incorrect API key provided (llmgw mock --require-key).")
            raise reject(False, 401, "invalid x-api-key")
        rate = self.config.fail_rate
        if rate and self.rng.random() < rate:
            status = self.config.fail_status
            message = (
                "Overloaded"
                if status == 529
                else f"injected failure {status} (llmgw mock --fail-rate)"
            )
            response = error_response(openai_flavour, status, message)
            if status == 429:
                response.headers["retry-after"] = guide.retry_after(self.config, 1)
            raise Reject(response)

    def _openai_flavour(self, request: web.Request) -> bool:
        """Which API's error shape a shared or unknown path answers in."""
        fmt = self.config.format
        if fmt != "both":
            return fmt != "anthropic"
        return "anthropic-version" not in request.headers and "x-api-key" not in request.headers

    def _reply(
        self, body: dict[str, Any], size: int, openai_flavour: bool, seq: int, shape: Any = None
    ) -> Reply:
        """What to answer; ``shape`` is ``mock.responses`` for a Responses request."""
        return reply_for(
            self.script, self.config.output_tokens, body, size, openai_flavour, seq, shape
        )

    # -- writers -------------------------------------------------------------------------

    def _fail(self, entry: Entry, rej: Reject) -> web.Response:
        self.rec.done(entry, rej.response.status)
        return guide.reshape(self.config, rej.response)

    async def _whole(
        self,
        entry: Entry,
        payload: dict[str, Any],
        reply: Reply,
        start: float,
        headers: dict[str, str],
    ) -> web.Response:
        if self.timed:  # the whole answer is ready when its last token would be
            task = asyncio.current_task()
            assert task is not None
            self.busy.add(task)
            try:
                await _sleep_until(start + self.ttft + max(reply.slots - 1, 0) * self.itl)
            finally:
                self.busy.discard(task)
        self.rec.done(entry, 200)
        return web.Response(body=dumps(payload), headers=headers)

    async def _stream(
        self,
        request: web.Request,
        entry: Entry,
        events: Iterable[tuple[int | None, bytes]],
        start: float,
        headers: dict[str, str],
    ) -> web.StreamResponse:
        resp = web.StreamResponse(headers={**headers, **_SSE})
        self.rec.done(entry, 200)
        streams = self.rec.streams
        streams["active"] += 1
        outcome = "cancelled"
        drop = self.config.drop_after
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        self.busy.add(task)
        try:
            await resp.prepare(request)
            for sent, (slot, data) in enumerate(events, 1):
                if slot is not None and self.timed:
                    delay = start + self.ttft + slot * self.itl - loop.time()
                    if delay > 0:
                        await _sleep(delay)
                await resp.write(data)
                if sent == 4 and self.config.stream_pause_ms:  # after the first text delta
                    await guide.pause(resp, self.config)
                if sent == drop:
                    outcome = "dropped"
                    if request.transport is not None:
                        request.transport.close()  # no terminating chunk: the client sees a cut
                    return resp
            await resp.write_eof()
            outcome = "completed"
        except ConnectionError:  # the client went away; aiohttp's reset error subclasses this
            pass
        finally:
            self.busy.discard(task)
            streams["active"] -= 1
            streams[outcome] += 1
        return resp


async def _sleep_until(deadline: float) -> None:
    delay = deadline - asyncio.get_running_loop().time()
    if delay > 0:
        await _sleep(delay)
