"""What the mock answers, independent of the wire format: text pieces, tool calls, usage.

Every delta the mock streams (a word of text or a piece of tool-call JSON) is one output
token and takes one slot on the timing grid: slot *i* is sent at start + ttft + i*itl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from llmgw_cli.mock.script import Script, ToolCall, Turn

_WORDS = (
    " Hello", " from", " the", " llmgw", " mock.", " The", " quick", " brown", " fox",
    " jumps", " over", " the", " lazy", " dog.",
)  # fmt: skip
_WORD = re.compile(r"\s*\S+")
_JSON_PIECE = 12  # characters of tool-call JSON per delta


@dataclass(frozen=True)
class PlannedTool:
    id: str
    name: str
    input: dict[str, Any]
    arguments: str
    pieces: tuple[str, ...]


@dataclass(frozen=True)
class Reply:
    text_pieces: tuple[str, ...]
    tools: tuple[PlannedTool, ...]
    stop_reason: str  # Anthropic's names; openai.py maps them to finish_reason
    input_tokens: int
    output_tokens: int
    cache_read: int
    cache_creation: int
    cache_ttl_split: tuple[int, int] | None = None  # (5m, 1h) writes, when a script gives them

    @property
    def text(self) -> str:
        return "".join(self.text_pieces)

    @property
    def slots(self) -> int:
        """How many deltas, i.e. timing-grid slots, the reply takes."""
        return len(self.text_pieces) + sum(len(t.pieces) for t in self.tools)


@lru_cache(maxsize=64)
def default_pieces(n: int) -> tuple[str, ...]:
    """``n`` short words; the text starts "Hello from the llmgw mock." so it is recognisable."""
    return tuple(_WORDS[i % len(_WORDS)] if i else "Hello" for i in range(n))  # no lead space


def split_words(text: str) -> tuple[str, ...]:
    """Words with their leading space; joined they give back ``text`` exactly."""
    pieces = _WORD.findall(text)
    tail = text[sum(map(len, pieces)) :]
    if tail:
        if not pieces:
            return (tail,)
        pieces[-1] += tail
    return tuple(pieces)


def _split_json(arguments: str) -> tuple[str, ...]:
    return tuple(arguments[i : i + _JSON_PIECE] for i in range(0, len(arguments), _JSON_PIECE))


def unscripted(n: int, max_tokens: Any, input_tokens: int) -> Reply:
    """The default answer: ``n`` words, cut short by the request's max_tokens like a model."""
    stop = "end_turn"
    if isinstance(max_tokens, int) and 0 <= max_tokens < n:
        n, stop = max_tokens, "max_tokens"
    return Reply(default_pieces(n), (), stop, input_tokens, n, 0, 0)


def scripted(turn: Turn, input_tokens: int, id_prefix: str, seq: int) -> Reply:
    tools = tuple(
        PlannedTool(
            call.id or f"{id_prefix}{seq:06d}_{k}",
            call.name,
            call.input,
            call.arguments,
            _split_json(call.arguments),
        )
        for k, call in enumerate(turn.tool_calls)
    )
    pieces = split_words(turn.text)
    usage = turn.usage
    stop = turn.stop_reason or ("tool_use" if tools else "end_turn")
    emitted = len(pieces) + sum(len(t.pieces) for t in tools)
    split = None
    if "ephemeral_5m_input_tokens" in usage or "ephemeral_1h_input_tokens" in usage:
        split = (
            usage.get("ephemeral_5m_input_tokens", 0),
            usage.get("ephemeral_1h_input_tokens", 0),
        )
    return Reply(
        pieces,
        tools,
        stop,
        usage.get("input_tokens", input_tokens),
        usage.get("output_tokens", emitted),
        usage.get("cache_read_input_tokens", 0),
        usage.get("cache_creation_input_tokens", sum(split) if split else 0),
        split,
    )


def reply_for(
    script: Script | None,
    output_tokens: int,
    body: dict[str, Any],
    size: int,
    openai_flavour: bool,
    seq: int,
    shape: Any = None,
) -> Reply:
    """The reply to one request: scripted, or ``output_tokens`` words cut by its limit.
    ``shape`` is ``mock.responses`` for a Responses request (its own turn picking)."""
    estimate = max(1, size // 4)
    forced = forced_tool(body.get("tool_choice"))
    if script is None and forced is not None:  # a model obeys a tool_choice naming one tool
        turn = Turn(tool_calls=(ToolCall(forced, {}, "{}"),))
        return scripted(turn, estimate, "call_mock_" if openai_flavour else "toolu_mock_", seq)
    if script is None:
        limit = body.get("max_tokens")
        if openai_flavour:
            limit = body.get("max_completion_tokens", limit)
        if shape is not None:
            limit = body.get("max_output_tokens")
        return unscripted(output_tokens, limit, estimate)
    if shape is not None:
        turn = shape.pick_turn(script, body)
    else:
        turn = pick_turn(script, body.get("messages"), openai_flavour)
    return scripted(turn, estimate, "call_mock_" if openai_flavour else "toolu_mock_", seq)


def forced_tool(choice: Any) -> str | None:
    """The tool a ``tool_choice`` names, in any of the three formats' shapes."""
    if not isinstance(choice, dict) or choice.get("type") not in ("function", "tool"):
        return None
    fn = choice.get("function")
    name = fn.get("name") if isinstance(fn, dict) else choice.get("name")
    return name if isinstance(name, str) and name else None


def pick_turn(script: Script, messages: Any, openai: bool) -> Turn:
    """The script's turn for this conversation (see ``llmgw_cli.mock.script``)."""
    if not isinstance(messages, list):
        messages = []
    assistant = sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")
    return script.choose(assistant, _ends_with_tool_result(messages, openai))


def _ends_with_tool_result(messages: list[Any], openai: bool) -> bool:
    if not messages or not isinstance(messages[-1], dict):
        return False
    last = messages[-1]
    if openai:
        return bool(last.get("role") == "tool")
    content = last.get("content")
    return (
        last.get("role") == "user"
        and isinstance(content, list)
        and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content)
    )
