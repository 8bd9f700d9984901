"""Which members a request goes to, in what order, and whether a failure moves on.

The attempt loop (``attempts.forward``) asks its router three things per request:

- ``route(exchange) -> Route``: the ordered members to try, the route's name (for
  ``x-llmgw-route``) and optionally the model each member should be sent;
- ``retry_delay(exchange, attempt, member, failure) -> float | None``: after a failure before
  any byte reached the client, seconds to wait before the next member (None: give up and
  answer the client with this failure);
- ``record(member, exchange, failure)``: the outcome of each attempt (failure None on
  success), for breakers and adaptive order.

and, once the response has ended, ``finished(exchange)`` (TTFT, tokens, a stream that broke
after its first byte). ``needs_usage`` asks ``relay`` for a ``ResponseTap`` (TTFT and
usage) even when no plugin wants one; ``inherit(old)`` hands state over on reload.

``Router`` is the static, no-retry base: one prebuilt ``Route`` for every request, so the
one-member shim pays nothing for the chain machinery. The resilient chain (breaker, retries,
adaptive order, routing rules; issue 6) subclasses it and sets ``needs_body`` when its rules
read the request (``exchange.json()`` parses lazily, once).
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import Exchange


@dataclass(frozen=True)
class Route:
    members: Sequence[Member]
    name: str = "default"
    # member name -> the model to send that member (issue 6's model mapping); None: as sent.
    models: Mapping[str, str] | None = None


@dataclass
class Failure:
    """Why an attempt failed, before any byte of its response reached the client."""

    kind: str  # connect | tls | proxy | timeout | disconnect | status | other
    message: str  # names the upstream and the cause; never a secret
    status: int = 502  # what the client gets if this is the last word
    retry_after: float | None = None  # seconds, from the upstream's Retry-After


class Router:
    """Members in their configured order; the first one answers, whatever it says."""

    needs_body = False
    needs_usage = False
    ping_s = 15.0  # the shim config's ping_interval_s, set by the server

    def __init__(self, members: Sequence[Member]) -> None:
        self.members: tuple[Member, ...] = tuple(members)
        self._route = Route(self.members)
        # What `shim status` shows for the member that answers (the first): TTFT and tokens
        # of the responses a plugin's tap measured (metrics and audit are on by default).
        self._ttft_ms: deque[float] = deque(maxlen=256)
        self._tokens = [0, 0]

    def route(self, exchange: Exchange) -> Route:
        return self._route

    def retry_delay(
        self, exchange: Exchange, attempt: int, member: Member, failure: Failure
    ) -> float | None:
        return None

    def retry_status(self, status: int) -> bool:
        """Whether an upstream answer with this status counts as a failure to move on from."""
        return False

    def record(self, member: Member, exchange: Exchange, failure: Failure | None) -> None:
        member.requests += 1
        if failure is not None:
            member.errors += 1
            if failure.kind != "status":
                member.mark(False, failure.message)
        else:
            member.mark(True)

    def finished(self, exchange: Exchange) -> None:
        """The response has ended (streamed or not, succeeded or failed)."""
        if exchange.ttft_ms is not None and (exchange.status or 0) < 400:
            self._ttft_ms.append(exchange.ttft_ms)
        usage = exchange.usage
        self._tokens[0] += usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens
        self._tokens[1] += usage.output_tokens

    def inherit(self, old: Router) -> None:
        """A reload replaced ``old`` with this router: take over what should survive."""

    def public(self) -> dict[str, object]:
        rows = [m.public() for m in self.members]
        if rows:
            first = self.members[0]
            ttft = self._ttft_ms
            rows[0].update(
                state="closed",  # no breaker without a chain: always passing requests on
                p50_ttft_ms=round(statistics.median(ttft), 3) if ttft else None,
                ewma_ttft_ms=None,
                error_rate=round(first.errors / first.requests, 4) if first.requests else 0.0,
                input_tokens=self._tokens[0],
                output_tokens=self._tokens[1],
                tokens=sum(self._tokens),
            )
        return {"order": "static", "members": rows}
