"""A Responses-speaking client (Codex CLI, ``responses.create``) in front of a Chat
Completions member (vLLM, llama.cpp, Ollama, an OpenAI-compatible gateway).

    names = ToolNames.of(responses_body)
    chat_body = responses_to_openai_request(responses_body, names)
    responses_body = openai_to_responses_response(chat_completion, responses_body, names)

(streamed answers: ``openai_stream_to_responses.OpenAIToResponsesStream``.)

The translation goes through the Anthropic Messages shape both ways, so one set of rules
(``responses_to_anthropic``, ``anthropic_to_openai``) decides how items, tool calls and
their ids map; call ids, tool names and arguments are kept exactly. What Anthropic has no
field for is then set on the Chat request directly: ``temperature`` as sent (0..2),
``max_output_tokens`` only when the client gave one, ``reasoning.effort`` as
``reasoning_effort``, ``text.format`` as ``response_format``. Reasoning items are not sent
(Chat has no reasoning input); ``reasoning_content`` in the answer becomes a reasoning item.
"""

from __future__ import annotations

from typing import Any

from llmgw_cli.wire import anthropic_to_openai as a2o
from llmgw_cli.wire.common import JsonObj
from llmgw_cli.wire.responses_to_anthropic import (
    anthropic_to_responses_response,
    responses_to_anthropic_request,
)
from llmgw_cli.wire.responses_tools import ToolNames


def responses_to_openai_request(
    body: JsonObj,
    names: ToolNames | None = None,
    *,
    max_tokens_field: str = "max_completion_tokens",
) -> JsonObj:
    """A Responses request as a Chat Completions request."""
    names = names or ToolNames.of(body)
    anthropic = responses_to_anthropic_request(body, names)
    anthropic.pop("thinking", None)
    out = a2o.anthropic_to_openai_request(anthropic, max_tokens_field=max_tokens_field)
    if not isinstance(body.get("max_output_tokens"), int):
        out.pop(max_tokens_field, None)
    if isinstance(body.get("temperature"), (int, float)):
        out["temperature"] = body["temperature"]
    reasoning = body.get("reasoning")
    effort = reasoning.get("effort") if isinstance(reasoning, dict) else None
    if isinstance(effort, str) and effort:
        out["reasoning_effort"] = effort
    fmt = response_format(body.get("text"))
    if fmt is not None:
        out["response_format"] = fmt
    return out


def response_format(text: Any) -> JsonObj | None:
    """Responses ``text.format`` as Chat's ``response_format`` (None for plain text)."""
    fmt = text.get("format") if isinstance(text, dict) else None
    if not isinstance(fmt, dict):
        return None
    if fmt.get("type") == "json_object":
        return {"type": "json_object"}
    if fmt.get("type") == "json_schema":
        schema = {k: fmt[k] for k in ("name", "schema", "strict", "description") if k in fmt}
        return {"type": "json_schema", "json_schema": schema}
    return None


def text_format(response_format: Any) -> JsonObj | None:
    """Chat's ``response_format`` as Responses ``text`` (None for plain text)."""
    if not isinstance(response_format, dict):
        return None
    if response_format.get("type") == "json_object":
        return {"format": {"type": "json_object"}}
    schema = response_format.get("json_schema")
    if response_format.get("type") == "json_schema" and isinstance(schema, dict):
        return {"format": {"type": "json_schema", **schema}}
    return None


def openai_to_responses_response(
    completion: JsonObj,
    request: JsonObj,
    names: ToolNames | None = None,
    *,
    response_id: str | None = None,
    model: str | None = None,
) -> JsonObj:
    """A chat.completion object as a Responses ``response`` answering ``request``."""
    message = a2o.openai_to_anthropic_response(completion, model=model)
    return anthropic_to_responses_response(
        message, request, names, response_id=response_id, model=model
    )
