"""Layer 4 for the Responses API (Codex CLI, ``responses.create``): a request, a stream and
a function-call round trip, each validated the way the openai SDK and Codex read them.
Registered from ``checks_api`` (same layer, after its checks)."""

from __future__ import annotations

from typing import Any

from llmgw_cli.doctor import sseprobe
from llmgw_cli.doctor.apicalls import body_for, no_model, refusal, request_model, stream_outcome
from llmgw_cli.doctor.context import Context
from llmgw_cli.doctor.httpprobe import api_base
from llmgw_cli.doctor.netprobe import ProbeError
from llmgw_cli.doctor.registry import check
from llmgw_cli.doctor.result import Outcome, fail, ok
from llmgw_cli.wire import schemas_responses

RESPONSES = ("responses",)
TOOL = {
    "type": "function",
    "name": "get_time",
    "description": "The current time in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    "strict": False,
}
FIX = "the gateway must answer in the OpenAI Responses format (what Codex CLI speaks)"


def _post(ctx: Context, body: dict[str, Any]) -> Any:
    return ctx.request(
        "POST",
        api_base(ctx.profile, "responses") + "/responses",
        fmt="responses",
        body=body,
        timeout=ctx.options.model_timeout,
    )


@check(
    "responses",
    layer="api",
    title="POST /v1/responses, schema validated",
    formats=RESPONSES,
    depends=("auth",),
)
def responses(ctx: Context) -> Outcome:
    model = request_model(ctx, "responses")
    if model is None:
        return no_model("responses")
    try:
        reply = _post(ctx, body_for(model, "responses"))
    except ProbeError as exc:
        return fail(f"POST /v1/responses: {exc.message}", "see the http check")
    if reply.status != 200:
        return refusal(reply, "POST /v1/responses", ctx.profile.name)
    problems, text = schemas_responses.response(reply.json())
    detail = {"model": model, "elapsed_ms": round(reply.elapsed_ms, 1), "text": text[:80]}
    if problems:
        return fail(f"the reply is not a response: {'; '.join(problems)}", FIX, detail)
    return ok(f"{model} answered {text.strip()[:30]!r} in {reply.elapsed_ms:.0f} ms", detail)


@check(
    "responses_stream",
    layer="api",
    title="streamed responses: named, numbered events, timing, buffering",
    formats=RESPONSES,
    depends=("auth",),
)
def responses_stream(ctx: Context) -> Outcome:
    model = request_model(ctx, "responses")
    if model is None:
        return no_model("responses")
    url = api_base(ctx.profile, "responses") + "/responses"
    try:
        report = sseprobe.read(ctx, url, "responses", body_for(model, "responses", stream=True))
    except ProbeError as exc:
        return fail(f"streaming responses: {exc.message}", "see the http check")
    return stream_outcome(report, "responses", model, ctx.profile.name, "responses_stream")


@check(
    "responses_tools",
    layer="api",
    title="a function call and its output, call id kept (Codex's tool loop)",
    formats=RESPONSES,
    depends=("responses",),
)
def responses_tools(ctx: Context) -> Outcome:
    model = request_model(ctx, "responses")
    if model is None:
        return no_model("responses")
    body = {**body_for(model, "responses"), "input": "What time is it in Oslo? Use the tool."}
    body.update(tools=[TOOL], tool_choice={"type": "function", "name": "get_time"})
    body["max_output_tokens"] = 64
    try:
        reply = _post(ctx, body)
        if reply.status != 200:
            return refusal(reply, "POST /v1/responses with a tool", ctx.profile.name)
        problems, call = schemas_responses.function_call(reply.json(), "get_time")
        if problems or call is None:
            return fail(f"the tool call is not usable: {'; '.join(problems)}", FIX)
        output = {"type": "function_call_output", "call_id": call["call_id"], "output": "12:00"}
        body["input"] = [{"role": "user", "content": body["input"]}, call, output]
        body["tool_choice"] = "none"
        after = _post(ctx, body)
    except ProbeError as exc:
        return fail(f"POST /v1/responses with a tool: {exc.message}", "see the http check")
    if after.status != 200:
        return refusal(after, "POST /v1/responses with a function_call_output", ctx.profile.name)
    problems, text = schemas_responses.response(after.json())
    detail = {"model": model, "call_id": call["call_id"], "text": text[:80]}
    if problems:
        return fail(f"the answer to the tool output is not a response: {problems[0]}", FIX, detail)
    return ok(f"called get_time ({call['call_id']}), then answered {text.strip()[:30]!r}", detail)
