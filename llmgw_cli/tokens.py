"""Offline token counting with tiktoken, from BPE files a wheel ships (no download; the
encodings are built once per process, tiktoken imported lazily, in ``llmgw_cli.encodings``).
OpenAI models get exact counts. No accurate offline tokenizer exists for Claude 3+, so
Claude (and unknown) models are counted with cl100k and labelled estimates; the upstream's
``usage`` is the exact figure.

Request estimates cache the count of every piece of text (large
ones in an LRU bounded by characters, short ones in a bounded dict), so a growing
conversation only encodes what is new on each turn; tool schemas are walked, not
serialised, and their JSON punctuation is counted as a fixed cost per member.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# Re-exported: callers count, pick and load encodings through this module.
from llmgw_cli.encodings import ESTIMATE_ENCODING, encoding_for, get_encoding, load_ranks
from llmgw_cli.wire.resume import Turns

if TYPE_CHECKING:
    import tiktoken

__all__ = [
    "ESTIMATE_ENCODING",
    "Count",
    "Measure",
    "Partial",
    "count_text",
    "encoding_for",
    "estimate_known",
    "estimate_request",
    "get_encoding",
    "load_ranks",
    "max_output_tokens",
    "measure",
]


@dataclass(frozen=True)
class Count:
    tokens: int
    encoding: str
    exact: bool  # False: an estimate (Claude and unknown models)


def count_text(text: str, model: str | None = None) -> Count:
    name, exact = encoding_for(model)
    return Count(len(get_encoding(name).encode_ordinary(text)), name, exact)


class _PieceCache:
    """Counts of text pieces, bounded (prompts, tool schemas and their keys repeat every turn).

    Short pieces (keys, tool names, one-line turns) are many and cheap to hash: a plain dict
    per encoding, emptied when it reaches ``max_small`` entries. Long ones live in an LRU
    bounded by total characters.
    """

    MIN_CHARS = 256

    def __init__(self, max_chars: int = 8_000_000, max_small: int = 100_000) -> None:
        self.max_chars = max_chars
        self.max_small = max_small
        self._chars = 0
        self._items: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._small: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def cached(self, enc: tiktoken.Encoding, text: str) -> int | None:
        """A long piece's count when known (no encoding)."""
        key = (enc.name, text)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def count(self, enc: tiktoken.Encoding, text: str) -> int:
        if len(text) < self.MIN_CHARS:
            small = self._small.get(enc.name)
            if small is None:
                small = self._small.setdefault(enc.name, {})
            n = small.get(text)
            if n is None:
                n = len(enc.encode_ordinary(text))
                if len(small) >= self.max_small:
                    small.clear()  # rare; a dict op is atomic under the GIL
                small[text] = n
            return n
        hit = self.cached(enc, text)
        if hit is not None:
            return hit
        key = (enc.name, text)
        n = len(enc.encode_ordinary(text))
        with self._lock:
            if key not in self._items:
                self._items[key] = n
                self._chars += len(text)
                while self._chars > self.max_chars and self._items:
                    (_, old), _ = self._items.popitem(last=False)
                    self._chars -= len(old)
        return n


_pieces = _PieceCache()
# Per-message counts of recent conversations, per encoding (``wire.resume``): a new turn of a
# long conversation walks only the messages it added or changed.
_turns: dict[str, Turns[int | None]] = {}
_turns_lock = threading.Lock()
RESUME_MESSAGES = 32  # fewer messages are walked outright


def _turns_for(encoding: str) -> Turns[int | None]:
    with _turns_lock:
        turns = _turns.get(encoding)
        if turns is None:
            turns = _turns[encoding] = Turns()
        return turns


# Fixed costs the APIs add around content; small, and an estimate either way.
PER_MESSAGE = 4
PER_IMAGE = 1600


def estimate_request(body: Any, model: str | None = None) -> Count:
    """Prompt tokens of an Anthropic or OpenAI request body (messages, system, tools…)."""
    partial = estimate_known(body, model)
    return partial.finish()


@dataclass
class Partial:
    """A request's estimate with the long pieces never seen before still to encode."""

    counted: int
    missing: list[str]
    encoding: str

    def finish(self) -> Count:
        """Encode what is missing (tiktoken lets other threads run meanwhile); cache it."""
        enc = get_encoding(self.encoding)
        total = self.counted + sum(_pieces.count(enc, text) for text in self.missing)
        # Message framing and tool schemas make even OpenAI counts approximate.
        return Count(total, self.encoding, False)


def estimate_known(body: Any, model: str | None = None) -> Partial:
    """``estimate_request`` without encoding any long piece not already cached: cheap
    enough for an event loop; ``.finish()`` the rest (in a worker thread) when ``missing``."""
    if model is None and isinstance(body, dict) and isinstance(body.get("model"), str):
        model = body["model"]
    name, _ = encoding_for(model)
    tally = _Tally(get_encoding(name))
    tally.request(body)
    return Partial(tally.total, tally.missing, name)


class _Tally:
    """Adds up a request's prompt tokens in one recursive walk (no generators: a Claude Code
    turn holds hundreds of pieces, and each cached piece should cost a dict lookup)."""

    __slots__ = ("enc", "missing", "total")

    def __init__(self, enc: tiktoken.Encoding) -> None:
        self.total = 0
        self.enc = enc
        self.missing: list[str] = []  # long pieces not in the cache, left uncounted

    def count(self, text: str) -> int:
        if len(text) < _PieceCache.MIN_CHARS:
            return _pieces.count(self.enc, text)
        hit = _pieces.cached(self.enc, text)
        if hit is None:
            self.missing.append(text)
            return 0
        return hit

    def request(self, body: Any) -> None:
        if not isinstance(body, dict):
            if isinstance(body, str):
                self.total += self.count(body)
            return
        system = body.get("system")
        if system is not None:
            self.content(system)
        for key in ("messages", "input"):
            items = body.get(key)
            if isinstance(items, str):
                self.total += self.count(items)
            elif isinstance(items, list) and len(items) >= RESUME_MESSAGES:
                self.resumed(items)
            elif isinstance(items, list):
                for message in items:
                    self.message(message)
        prompt = body.get("prompt")
        if prompt is not None:
            self.content(prompt)
        tools = body.get("tools")
        if isinstance(tools, list):
            self.schema(tools)

    def resumed(self, messages: list[Any]) -> None:
        """``message`` for each, the counts of the messages a recent turn shared reused."""
        turns = _turns_for(self.enc.name)
        turn = turns.start(messages)
        results = list(turn.known)
        for i, known in enumerate(results):
            if known is None:
                results[i] = self.counted(messages[i])
            else:
                self.total += known
        results += [self.counted(m) for m in messages[len(results) :]]
        turns.finish(turn, results)

    def counted(self, message: Any) -> int | None:
        """``message``, and what it added; None when a long piece of it is still to encode."""
        before, missing = self.total, len(self.missing)
        self.message(message)
        return None if len(self.missing) > missing else self.total - before

    def message(self, message: Any) -> None:
        """One message (Anthropic, Chat) or Responses input item."""
        self.total += PER_MESSAGE
        if not isinstance(message, dict):
            self.content(message)
            return
        self.content(message.get("content"))
        for extra in ("tool_calls", "output", "arguments"):
            if message.get(extra) is not None:
                self.content(message[extra])

    def content(self, content: Any) -> None:
        if content is None:
            return
        if isinstance(content, str):
            self.total += self.count(content)
        elif isinstance(content, list):
            for block in content:
                self.content(block)
        elif not isinstance(content, dict):
            self.total += self.count(json.dumps(content, ensure_ascii=False))
        elif content.get("type") in ("image", "image_url", "input_image"):
            self.total += PER_IMAGE
        else:
            for key in ("text", "thinking", "content", "input", "arguments", "function", "output"):
                value = content.get(key)
                if value is None:
                    continue
                if isinstance(value, (dict, list)) and key in ("input", "function", "arguments"):
                    self.schema(value)
                else:
                    self.content(value)

    def schema(self, value: Any) -> None:
        """JSON (tool definitions, tool inputs) as its strings plus punctuation: about one
        token per ``":"`` and per ``,``; four times as fast to walk as to serialise."""
        if isinstance(value, str):
            self.total += self.count(value)
        elif isinstance(value, dict):
            self.total += 2 * len(value)
            for key, item in value.items():
                self.total += self.count(key)
                self.schema(item)
        elif isinstance(value, list):
            self.total += len(value)
            for item in value:
                self.schema(item)
        elif value is not None:
            self.total += 1  # a number or a boolean


def max_output_tokens(body: Any, default: int = 4096) -> int:
    """What the request allows the model to write (the budget reserves it up front)."""
    if isinstance(body, dict):
        for key in ("max_tokens", "max_completion_tokens", "max_output_tokens"):
            value = body.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                return value
    return default


@dataclass(frozen=True)
class Measure:
    kind: str  # "request" (a JSON request body) or "text"
    count: Count
    max_output: int | None  # the request's max_tokens, when it is a request
    model: str | None  # the model counted for: the one asked for, else the body's


def measure(text: str, model: str | None = None) -> Measure:
    """Count a file: a JSON request body is estimated as a prompt, anything else as text."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if isinstance(body, dict) and any(k in body for k in ("messages", "input", "prompt")):
            model = model or (body.get("model") if isinstance(body.get("model"), str) else None)
            count = estimate_request(body, model)
            return Measure("request", count, max_output_tokens(body, default=0) or None, model)
    return Measure("text", count_text(text, model), None, model)
