"""The resilient chain: breaker, retries with back-off, adaptive order, rules, model mapping.

``ChainRouter`` answers the forwarder's three questions (``router.Router``):

- ``route``: the members to try, in order. Rules and the model mapping pick the first ones
  and the model each is sent; the rest follow the chain's order — ``static`` (as written)
  or ``adaptive`` (lowest EWMA of time to first token first, a member that has not been
  measured for ``EXPLORE_S`` tried once to refresh its figure). Members whose breaker is
  open, or that asked for time with Retry-After, are left out; one whose cool-down has
  passed is sent the single half-open probe. The list is ``retry.attempts`` long (cycling
  through the members when the chain is shorter).
- ``retry_delay``: exponential back-off with jitter before the next attempt; Retry-After
  when the next attempt goes to the same member; None (give up, answer with this failure)
  when that member has since become unavailable.
- ``record``: each attempt's outcome, for the breakers (connection-level failures open a
  breaker at once, 5xx and timeouts count towards ``breaker.failures`` in ``window_s``;
  429 only holds the member for its Retry-After) and the adaptive order (a failure
  doubles the member's EWMA, so the member that answered instead is tried first next).

``finished`` (after the response ended) feeds TTFT and tokens into the member's figures and
counts a stream that broke after its first byte. Per-member state lives in ``MemberState``,
keyed by name, and survives reloads (``inherit``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from llmgw_cli.errors import ConfigError
from llmgw_cli.shim import rules, seedfile
from llmgw_cli.shim.config import ShimConfig
from llmgw_cli.shim.members.member import Member
from llmgw_cli.shim.plugins.contract import Exchange
from llmgw_cli.shim.route import memberstate, retry
from llmgw_cli.shim.route.breaker import CLOSED, HALF_OPEN
from llmgw_cli.shim.route.memberstate import MemberState
from llmgw_cli.shim.route.router import Failure, Route, Router
from llmgw_cli.shim.route.sessions import Sessions

KEY = "llmgw.chain"  # this router's per-request notes in ``Exchange.notes``
EXPLORE_S = 30.0  # adaptive order: re-measure a member not measured for this long
HARD = ("connect", "tls", "proxy")  # the member cannot be reached at all
HOLD_429_S = 1.0  # how long a 429 without Retry-After keeps the member out
clock = time.monotonic
log = logging.getLogger("llmgw.shim")


class _Pending:
    """One request's progress through the chain."""

    __slots__ = ("answered", "failed", "members", "probes", "t_attempt")

    def __init__(self, members: list[Member], probes: dict[str, MemberState], now: float) -> None:
        self.members = members
        self.probes = probes  # half-open probes this request holds and has not used yet
        self.t_attempt = now  # when the current attempt started (perf_counter)
        self.answered: tuple[MemberState, float] | None = None
        self.failed: list[str] = []  # members tried before, for the failover log line

    def finished(self, exchange: Exchange) -> None:
        """Uses only what it holds: the router may have been replaced by a reload since."""
        for st in self.probes.values():  # probes held but never sent
            st.breaker.release()
        self.probes.clear()
        if self.answered is None:
            return
        st, t_attempt = self.answered
        self.answered = None
        now = clock()
        status = exchange.status or 0
        if exchange.ttft_ms is not None and status < 400:
            st.sample(max(0.0, exchange.ttft_ms - (t_attempt - exchange.started) * 1000), now)
        usage = exchange.usage
        st.tokens(
            usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens,
            usage.output_tokens,
        )
        if exchange.error and status < 400 and exchange.error != "client disconnected":
            st.broke(now, exchange.error)  # died after its first byte: no retry, but counted


class ChainRouter(Router):
    needs_usage = True  # TTFT and tokens per member, for the adaptive order and `status`

    def __init__(self, config: ShimConfig, members: Sequence[Member]) -> None:
        super().__init__(members)
        self.config = config
        self.by_name = {m.name: m for m in self.members}
        self.on_state: Callable[[str, str], None] | None = None
        self.states = {
            m.name: MemberState(m.name, config.breaker, self._state_changed) for m in self.members
        }
        self.rules = rules.compile_rules(config, _config_error)
        needles = set(config.models)
        for p in config.providers.values():
            needles.update(p.models)
        self._needles = tuple(n.encode() for n in needles if n)
        self.needs_body = bool(self.rules or self._needles)
        self.adaptive = config.order == "adaptive"
        self._explored: dict[str, float] = {}
        self.sessions = Sessions() if config.sticky_sessions else None
        self.uses_hints = rules.uses_hints(self.rules)

    # -- state ------------------------------------------------------------------------

    def inherit(self, old: Router) -> None:
        """Keep the breakers, latency and counts of members the reload kept."""
        if not isinstance(old, ChainRouter):
            return
        for name, state in old.states.items():
            if name in self.states:
                state.configure(self.config.breaker)
                state.on_state = self._state_changed
                self.states[name] = state
                self.by_name[name].set_breaker_state(state.breaker.state)
        self._explored.update(old._explored)
        if self.sessions is not None and old.sessions is not None:
            self.sessions = old.sessions

    def _state_changed(self, name: str, state: str) -> None:
        member = self.by_name.get(name)
        if member is not None:
            member.set_breaker_state(state)

    # -- route ------------------------------------------------------------------------

    def route(self, exchange: Exchange) -> Route:
        now = clock()
        name = "default"
        targets: list[rules.Target]
        model_for_all: str | None = None
        requested = ""
        if self.needs_body and exchange.method == "POST" and self._body_matters(exchange.body):
            req = rules.Request(exchange.json(), exchange.headers)
            requested = req.model
            rule = rules.first_match(self.rules, req) if self.rules else None
            if rule is not None:
                name = rule.name if req.signal is None else f"{rule.name}; signal={req.signal}"
                if rule.first is None:
                    model_for_all = rule.model
                    targets = [(m.name, None) for m in self._order(now)]
                else:
                    rest = (
                        list(rule.fallback)
                        if rule.fallback is not None
                        else [(m.name, None) for m in self._order(now) if m.name != rule.first[0]]
                    )
                    targets = [rule.first, *rest]
            else:
                owner = (
                    seedfile.provider_for_model(self.config.chain, self.config.providers, requested)
                    if requested
                    else None
                )
                order: list[rules.Target] = [(m.name, None) for m in self._order(now)]
                if owner is not None:
                    name = f"provider:{owner}"
                    order.sort(key=lambda t: t[0] != owner)
                targets = order
        else:
            targets = [(m.name, None) for m in self._order(now)]
        if self.sessions is not None:
            targets = self.sessions.place(exchange, name, targets)
        return self._admit(exchange, now, name, targets, requested, model_for_all)

    def _body_matters(self, body: bytes) -> bool:
        if self.rules:
            return bool(body)
        return any(n in body for n in self._needles)

    def _order(self, now: float) -> list[Member]:
        members = list(self.members)
        if not self.adaptive:
            return members
        states = self.states

        def speed(m: Member) -> float:
            ewma = states[m.name].ewma_ms
            return -1.0 if ewma is None else ewma  # unmeasured first: measure it

        members.sort(key=speed)
        for m in members[1:]:  # one stale member per request gets a fresh measurement
            st = states[m.name]
            if (
                st.ewma_ms is not None
                and now - st.sampled_at > EXPLORE_S
                and now - self._explored.get(m.name, 0.0) > EXPLORE_S
                and st.usable(now)
            ):
                self._explored[m.name] = now
                members.remove(m)
                members.insert(0, m)
                break
        return members

    def _admit(
        self,
        exchange: Exchange,
        now: float,
        name: str,
        targets: list[rules.Target],
        requested: str,
        model_for_all: str | None,
    ) -> Route:
        attempts = self.config.retry.attempts
        mapping = self.config.models.get(requested) if requested else None
        chosen: list[Member] = []
        models: dict[str, str] = {}
        probes: dict[str, MemberState] = {}
        skipped: list[MemberState] = []
        for member_name, model in targets:
            member = self.by_name.get(member_name)
            if member is None or member in chosen:
                continue
            st = self.states[member_name]
            if now < st.hold_until or not st.breaker.acquire(now):
                skipped.append(st)
                continue
            if st.breaker.state == HALF_OPEN:
                probes[member_name] = st
            chosen.append(member)
            model = model or model_for_all or (mapping.get(member_name) if mapping else None)
            if model is not None:
                models[member_name] = model
            if len(chosen) == attempts:
                break
        if not chosen:
            raise memberstate.unavailable(skipped, now)
        cycled = [chosen[i % len(chosen)] for i in range(attempts)]
        exchange.notes[KEY] = _Pending(cycled, probes, time.perf_counter())
        return Route(cycled, name, models or None)

    # -- outcomes ---------------------------------------------------------------------

    def retry_status(self, status: int) -> bool:
        return status >= 500 or status == 429

    def retry_delay(
        self, exchange: Exchange, attempt: int, member: Member, failure: Failure
    ) -> float | None:
        pending = exchange.notes.get(KEY)
        if not isinstance(pending, _Pending) or attempt >= len(pending.members):
            return None
        nxt = pending.members[attempt]
        st = self.states[nxt.name]
        now = clock()
        if st.breaker.state != CLOSED and nxt.name not in pending.probes:
            return None  # it failed earlier in this very request and is now open
        policy = self.config.retry
        delay = retry.delay_s(policy, attempt, failure.retry_after, nxt is member)
        if delay is None:
            return None
        held = st.hold_until - now
        if held > 0:
            if held * 1000.0 > policy.max_backoff_ms:
                return None
            delay = max(delay, held)
        pending.t_attempt = time.perf_counter() + delay
        return delay

    def record(self, member: Member, exchange: Exchange, failure: Failure | None) -> None:
        super().record(member, exchange, failure)
        st = self.states.get(member.name)
        if st is None:
            return
        pending = exchange.notes.get(KEY)
        if isinstance(pending, _Pending):
            pending.probes.pop(member.name, None)
        now = clock()
        if failure is None:
            st.ok()
            if isinstance(pending, _Pending):
                pending.answered = (st, pending.t_attempt)
                if pending.failed:  # `llmgw shim logs` shows each failover
                    log.warning(
                        "failover: %s answered request %s after %s failed",
                        member.name,
                        exchange.request_id,
                        ", ".join(pending.failed),
                    )
            return
        if isinstance(pending, _Pending):
            pending.failed.append(f"{member.name} ({failure.message})")
        if failure.kind == "format":  # a request this member cannot take: not its health
            st.breaker.release()
            return
        if failure.retry_after is not None or failure.status == 429:
            hold = failure.retry_after if failure.retry_after is not None else HOLD_429_S
            st.hold_until = max(st.hold_until, now + min(hold, self.config.breaker.cooldown_s))
        if failure.kind == "status" and failure.status == 429:
            st.rate_limited(failure.message)
        else:
            st.failed(now, failure.message, hard=failure.kind in HARD)

    def finished(self, exchange: Exchange) -> None:
        pending = exchange.notes.get(KEY)
        if isinstance(pending, _Pending):
            pending.finished(exchange)
        if self.sessions is not None:
            self.sessions.finished(exchange)

    def public(self) -> dict[str, object]:
        now = clock()
        members = []
        for m in self.members:
            row = m.public()
            row.update(self.states[m.name].public(now))
            members.append(row)
        return {
            "order": self.config.order,
            "members": members,
            "rules": [r.name for r in self.rules],
            "retry": {"attempts": self.config.retry.attempts},
            "sessions": self.sessions.public() if self.sessions is not None else None,
        }


def _config_error(path: tuple[str, ...], message: str) -> ConfigError:
    return ConfigError(f"{'.'.join(path)}: {message}")


def build_router(config: ShimConfig, members: Sequence[Member]) -> Router:
    """A one-member shim without rules or mapping keeps the plain router: it pays nothing."""
    if len(members) == 1 and not config.routing_rules and not config.models:
        return Router(members)
    return ChainRouter(config, members)
