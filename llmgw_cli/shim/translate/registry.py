"""The hook for format translation: when the client's format is one a member does not serve.

A translator is made per request (it may keep stream state). The attempt loop uses it like so:

    tr = factory()
    path_qs, body = tr.request(exchange, member, model)   # client -> member format
    ... send to member ...
    streamed:  for chunk: client_bytes = st.feed(chunk)  (st = tr.stream()), then st.close()
    otherwise: client_body = tr.response(status, body)     # success and error bodies alike

``request`` may raise ``wire.common.TranslationError`` (its ``message`` says what cannot be
expressed); the forwarder answers 400 with it, and only with it (any other error is a bug).
It may also raise ``LocalAnswer`` for a request the member's format has no equivalent of but
the translator can answer itself (count_tokens on an OpenAI-only member). ``tr.headers``
are added to the upstream request when the client did not send them (``anthropic-version``
for an Anthropic member).
Translators register themselves with ``register(client_format, member_format, factory)``
(``llmgw_cli.shim.translate.bridges``, imported once by ``attempts``); ``find`` picks one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.shim.signals import ShimSignal


class StreamTranslator(Protocol):
    def feed(self, chunk: bytes) -> bytes: ...

    def close(self) -> bytes: ...


class LocalAnswer(ShimSignal):
    """Raised by ``Translator.request``: answer the client with this, send nothing upstream."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"answered by the shim itself with {status}")
        self.status = status
        self.body = body  # JSON, in the client's format


class Translator(Protocol):
    # Added to the upstream request's headers unless the client sent them.
    headers: Mapping[str, str]

    def request(
        self, exchange: Exchange, member: Member, model: str | None
    ) -> tuple[str, bytes]: ...

    def response(self, status: int, body: bytes) -> bytes: ...

    def stream(self) -> StreamTranslator: ...


TranslatorFactory = Callable[[], Translator]
_REGISTRY: dict[tuple[str, str], TranslatorFactory] = {}


def register(client_format: str, member_format: str, factory: TranslatorFactory) -> None:
    _REGISTRY[(client_format, member_format)] = factory


def find(client_format: str, member: Member) -> TranslatorFactory | None:
    for fmt in member.formats:
        factory = _REGISTRY.get((client_format, fmt))
        if factory is not None:
            return factory
    return None
