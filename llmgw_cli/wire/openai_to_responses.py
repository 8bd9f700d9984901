"""A Chat Completions client (the openai SDK's ``chat.completions``, OpenAI-style tools) in
front of a Responses-only member.

    responses_body = openai_to_responses_request(chat_body)
    chat_completion = responses_to_openai_response(responses_response)

(streamed answers: ``responses_stream_to_openai.ResponsesToOpenAIStream``.)

Through the Anthropic Messages shape both ways (``openai_to_anthropic``,
``anthropic_to_responses``), so tool calls keep their ids, names and arguments; then what
Anthropic has no field for is set directly: ``temperature`` as sent, ``max_output_tokens``
only when the client gave a limit, ``reasoning_effort`` as ``reasoning.effort``,
``response_format`` as ``text.format``.
"""

from __future__ import annotations

from llmgw_cli.wire import openai_to_anthropic as o2a
from llmgw_cli.wire.anthropic_to_responses import (
    anthropic_to_responses_request,
    responses_to_anthropic_response,
)
from llmgw_cli.wire.common import JsonObj
from llmgw_cli.wire.responses_to_openai import text_format


def openai_to_responses_request(body: JsonObj) -> JsonObj:
    """A Chat Completions request as a Responses request."""
    out = anthropic_to_responses_request(o2a.openai_to_anthropic_request(body))
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    if not isinstance(limit, int):
        out.pop("max_output_tokens", None)
    if isinstance(body.get("temperature"), (int, float)):
        out["temperature"] = body["temperature"]
    if isinstance(body.get("reasoning_effort"), str):
        out["reasoning"] = {"effort": body["reasoning_effort"]}
    text = text_format(body.get("response_format"))
    if text is not None:
        out["text"] = text
    return out


def responses_to_openai_response(resp: JsonObj, *, model: str | None = None) -> JsonObj:
    """A Responses ``response`` object as a chat.completion object."""
    return o2a.anthropic_to_openai_response(responses_to_anthropic_response(resp, model=model))
