"""What the user sent in a request body: message text and tool results, nothing else.

The system prompt, tool definitions and the assistant's own turns come from the client
application or the model, not the user, so they are not scanned. Both wire formats are
walked: Anthropic messages, OpenAI chat messages, OpenAI responses ``input`` and legacy
completions ``prompt``. Each text is returned as a ``Slot`` that can be rewritten in place.
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
    if not isinstance(body, dict):
        return
    messages = body.get("messages")
    if isinstance(messages, list):
        for message in messages:
            if isinstance(message, dict) and message.get("role") in _USER_ROLES:
                yield from _content(message, "content")
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
