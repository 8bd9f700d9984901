"""Scripted replies for ``llmgw mock --script FILE`` (JSON; YAML when named .yaml/.yml).

A script is a list of turns, or a mapping with ``turns`` and an optional ``on_tool_result``::

    turns:
      - tool_call: {name: Bash, input: {command: "echo hi"}, id: toolu_01}
      - text: "The command printed hi."
    on_tool_result:
      text: "Got the tool result."

Which turn answers a request:
  * ``on_tool_result``, when present, whenever the request's last message is a tool result
    (Anthropic: a user message holding a ``tool_result`` block; OpenAI: a ``tool`` message);
  * otherwise turn *i*, where *i* is the number of assistant messages in the request (a
    conversation's first request has none, so it gets turn 0); past the end the last turn
    repeats.

A turn (a bare string is a text turn)::

    text: "words"                 # streamed one word per delta
    tool_call: {...}              # or tool_calls: [{...}, ...]
        name: Bash                # required
        input: {command: ls}      # or arguments: '{"command": "ls"}' (a JSON object)
        id: toolu_01              # optional; toolu_mock_N / call_mock_N otherwise
    usage: {input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100,
            cache_creation_input_tokens: 20,   # any subset; replaces the estimates
            ephemeral_1h_input_tokens: 20}     # or _5m_: adds usage.cache_creation {...}
    stop_reason: end_turn         # Anthropic names; default end_turn, or tool_use with tools

Tool calls are answered in the API's own shape: ``tool_use`` blocks with ``input_json_delta``
in Anthropic streams, ``delta.tool_calls`` with the arguments in pieces in OpenAI streams.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmgw_cli.errors import ConfigError

USAGE_KEYS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    # Anthropic's usage.cache_creation split by TTL; their sum is the cache write by default.
    "ephemeral_5m_input_tokens",
    "ephemeral_1h_input_tokens",
)
STOP_REASONS = ("end_turn", "tool_use", "max_tokens", "stop_sequence", "pause_turn", "refusal")


@dataclass(frozen=True)
class ToolCall:
    name: str
    input: dict[str, Any]
    arguments: str  # `input` as compact JSON, the OpenAI wire form
    id: str | None = None


@dataclass(frozen=True)
class Turn:
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Mapping[str, int] = field(default_factory=dict)
    stop_reason: str | None = None


@dataclass(frozen=True)
class Script:
    turns: tuple[Turn, ...]
    on_tool_result: Turn | None = None

    def choose(self, assistant_turns: int, after_tool_result: bool) -> Turn:
        if after_tool_result and self.on_tool_result is not None:
            return self.on_tool_result
        return self.turns[min(assistant_turns, len(self.turns) - 1)]


def load_script(path: Path) -> Script:
    """Read and check a script file; every problem names the file and the fix."""
    from llmgw_cli.config import yamlio

    text = yamlio.read_text(path)  # UTF-8 or one line naming the file
    if path.suffix.lower() in (".yaml", ".yml"):
        data = yamlio.parse(text, str(path)).data  # bounded: no aliases, capped nesting
    else:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ConfigError(
                f"the mock script {path} is not valid JSON: {exc} (name it .yaml for YAML)"
            ) from exc
    return parse_script(data, str(path))


def parse_script(data: Any, source: str = "script") -> Script:
    """Build a ``Script`` from already-parsed data (a list of turns or a mapping)."""
    if isinstance(data, list):
        data = {"turns": data}
    if not isinstance(data, dict):
        raise _bad(source, "must be a list of turns or a mapping with `turns`")
    unknown = set(data) - {"turns", "on_tool_result"}
    if unknown:
        raise _bad(source, f"has unknown keys {sorted(unknown)}; use `turns` and `on_tool_result`")
    raw_turns = data.get("turns")
    if not isinstance(raw_turns, list) or not raw_turns:
        raise _bad(source, "needs a non-empty list of `turns`")
    turns = tuple(_turn(t, f"{source}: turns[{i}]") for i, t in enumerate(raw_turns))
    after = data.get("on_tool_result")
    on_tool = None if after is None else _turn(after, f"{source}: on_tool_result")
    return Script(turns, on_tool)


def _turn(raw: Any, where: str) -> Turn:
    if isinstance(raw, str):
        return Turn(text=raw)
    if not isinstance(raw, dict):
        raise _bad(where, "must be a string or a mapping with `text` and/or `tool_call(s)`")
    unknown = set(raw) - {"text", "tool_call", "tool_calls", "usage", "stop_reason"}
    if unknown:
        raise _bad(where, f"has unknown keys {sorted(unknown)}")
    text = raw.get("text", "")
    if not isinstance(text, str):
        raise _bad(where, "`text` must be a string")
    calls_raw = raw.get("tool_calls", [])
    if "tool_call" in raw:
        calls_raw = [raw["tool_call"], *calls_raw]
    if not isinstance(calls_raw, list):
        raise _bad(where, "`tool_calls` must be a list")
    calls = tuple(_tool(c, f"{where}.tool_calls[{i}]") for i, c in enumerate(calls_raw))
    usage = raw.get("usage", {})
    if not isinstance(usage, dict) or any(
        k not in USAGE_KEYS or not isinstance(v, int) or v < 0 for k, v in usage.items()
    ):
        raise _bad(where, f"`usage` maps some of {', '.join(USAGE_KEYS)} to whole numbers")
    stop = raw.get("stop_reason")
    if stop is not None and stop not in STOP_REASONS:
        raise _bad(where, f"`stop_reason` must be one of {', '.join(STOP_REASONS)}")
    if not text and not calls and stop is None and not usage:
        raise _bad(where, "is empty; give it `text` or a `tool_call`")
    return Turn(text, calls, dict(usage), stop)


def _tool(raw: Any, where: str) -> ToolCall:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise _bad(where, "needs a `name`")
    unknown = set(raw) - {"name", "input", "arguments", "id"}
    if unknown:
        raise _bad(where, f"has unknown keys {sorted(unknown)}")
    args: Any = raw.get("input", raw.get("arguments", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError as exc:
            raise _bad(where, f"`arguments` is not JSON: {exc}") from exc
    if not isinstance(args, dict):
        raise _bad(where, "`input`/`arguments` must be a JSON object")
    tool_id = raw.get("id")
    if tool_id is not None and (not isinstance(tool_id, str) or not tool_id):
        raise _bad(where, "`id` must be a non-empty string")
    arguments = json.dumps(args, separators=(",", ":"), ensure_ascii=False)
    return ToolCall(raw["name"], args, arguments, tool_id)


def _bad(where: str, problem: str) -> ConfigError:
    return ConfigError(f"mock script {where} {problem} (see `llmgw mock --help`)")
