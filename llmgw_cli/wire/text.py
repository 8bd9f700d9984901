"""What the user sent in a request body: message text and tool results, nothing else.

The one extraction that PII (scan and redact), audit, routing (``last_user_text``) and the
format records (``format.WireFormat.user_texts``) use. The system prompt, tool definitions
and the assistant's own turns come from the client application or the model, not the user,
so they are not scanned. Per format:

- ``anthropic_user_texts``: Messages ``messages`` (text, ``tool_result`` and text
  ``document`` blocks);
- ``openai_user_texts``: Chat ``messages``, plus Responses ``input`` and legacy completions
  ``prompt`` (an OpenAI-style client may send either);
- ``responses_user_texts``: Responses ``input`` (user messages and ``function_call_output``);
- ``user_texts``: every shape, for a body whose format is not known.

Each text is returned as a ``Slot`` that can be rewritten in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_USER_ROLES = frozenset({"user", "tool", "function"})
_TEXT_BLOCKS = frozenset({"text", "input_text"})


@dataclass(frozen=True, slots=True)
class Slot:
    container: Any  # a dict or a list
    key: Any  # str key or int index

    @property
    def text(self) -> str:
        value = self.container[self.key]
        return value if isinstance(value, str) else ""

    def set(self, value: str) -> None:
        self.container[self.key] = value


def user_texts(body: Any) -> Iterator[Slot]:
    """Every user text in ``body``, whatever its format (each shape is walked once)."""
    yield from openai_user_texts(body)


def anthropic_user_texts(body: Any) -> Iterator[Slot]:
    if isinstance(body, dict):
        yield from _messages(body)


def openai_user_texts(body: Any) -> Iterator[Slot]:
    if isinstance(body, dict):
        yield from _messages(body)
        yield from _input(body)


def responses_user_texts(body: Any) -> Iterator[Slot]:
    if isinstance(body, dict):
        yield from _input(body)


def last_user_text(body: Any) -> str:
    """The last user message's text (routing's ``prompt_regex``: not the system prompt)."""
    messages = body.get("messages") if isinstance(body, dict) else None
    if messages is None and isinstance(body, dict):  # a Responses request
        messages = body.get("input")
        if isinstance(messages, str):
            return messages
    turns: list[Any] = messages if isinstance(messages, list) else []
    for message in reversed(turns):
        if isinstance(message, dict) and message.get("role") == "user":
            return _joined(message.get("content"))
    return ""


def _joined(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            b["text"] for b in content if isinstance(b, dict) and isinstance(b.get("text"), str)
        )
    return ""


def _messages(body: dict[str, Any]) -> Iterator[Slot]:
    messages = body.get("messages")
    if isinstance(messages, list):
        for message in messages:
            yield from message_texts(message)


def message_texts(message: Any) -> Iterator[Slot]:
    """The user texts of one item of ``messages``: ``user_texts`` is these, message by
    message, then ``input_texts``."""
    if isinstance(message, dict) and message.get("role") in _USER_ROLES:
        yield from _content(message, "content")


def input_texts(body: Any) -> Iterator[Slot]:
    """The user texts of a body outside its ``messages`` (Responses ``input``, ``prompt``)."""
    if isinstance(body, dict):
        yield from _input(body)


def _input(body: dict[str, Any]) -> Iterator[Slot]:
    items = body.get("input")
    if isinstance(items, str):
        yield Slot(body, "input")
    elif isinstance(items, list):
        for item in items:
            if not isinstance(item, dict):
                continue
            if item.get("type") == "function_call_output":
                yield from _content(item, "output")
            elif item.get("role", "user") in _USER_ROLES:
                yield from _content(item, "content")
    prompt = body.get("prompt")
    if isinstance(prompt, (str, list)):
        yield from _content(body, "prompt")


def _content(container: Any, key: Any) -> Iterator[Slot]:
    value = container[key]
    if isinstance(value, str):
        yield Slot(container, key)
    elif isinstance(value, list):
        for index, block in enumerate(value):
            if isinstance(block, str):
                yield Slot(value, index)
            elif isinstance(block, dict):
                yield from _block(block)


def _block(block: dict[str, Any]) -> Iterator[Slot]:
    kind = block.get("type")
    if kind in _TEXT_BLOCKS and isinstance(block.get("text"), str):
        yield Slot(block, "text")
    elif kind == "tool_result" and "content" in block:
        yield from _content(block, "content")
    elif kind == "document":
        source = block.get("source")
        if (
            isinstance(source, dict)
            and source.get("type") == "text"
            and isinstance(source.get("data"), str)
        ):
            yield Slot(source, "data")


def protected_texts(body: Any) -> Iterator[tuple[str, str]]:
    """Texts in an Anthropic request that must travel unchanged, each with where it is:
    thinking blocks (their signature binds them to the conversation). Rewriting them breaks
    Claude Code (docs/clients.md), so PII there can only be reported, never redacted. The
    system prompt (with the attribution block, ``system[0]``) and tool definitions are the
    client's, not the user's (Claude Code's own carry example addresses): never scanned,
    never rewritten."""
    if not isinstance(body, dict):
        return
    messages = body.get("messages")
    for i, message in enumerate(messages if isinstance(messages, list) else ()):
        yield from message_protected(i, message)


def message_protected(i: int, message: Any) -> Iterator[tuple[str, str]]:
    """``protected_texts`` of one item of ``messages``, the ``i``-th."""
    content = message.get("content") if isinstance(message, dict) else None
    for block in content if isinstance(content, list) else ():
        if isinstance(block, dict) and block.get("type") in ("thinking", "redacted_thinking"):
            text = block.get("thinking") or block.get("data")
            if isinstance(text, str):
                yield f"thinking block in message {i}", text
