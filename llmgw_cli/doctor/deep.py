"""``llmgw doctor --deep``: replay the installed Claude Code's own request against the profile
(docs/architecture.md, "doctor/") — the release canary for a new Claude Code version.

The shape (doctor/shape.py) is replayed as Claude Code would send it with this profile's
switches: first whole; when the gateway refuses it, once with each feature (a beta and its
body field, doctor/features.py) removed; when no single removal helps, with every feature
removed and then each one added back alone. The verdict names each rejected feature and the
``claude_code:`` switch that stops Claude Code sending it, and the Claude Code version tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llmgw_cli.doctor import shape as shapes
from llmgw_cli.doctor.apicalls import request_model
from llmgw_cli.doctor.context import CLAUDE_CODE_DEFAULT_MODEL, Context
from llmgw_cli.doctor.features import Feature, in_request, option_set, without
from llmgw_cli.doctor.httpprobe import Reply, clip
from llmgw_cli.doctor.netprobe import ProbeError
from llmgw_cli.doctor.registry import check
from llmgw_cli.doctor.result import Outcome, fail, ok, skip

REPLAY_MAX_TOKENS = 16  # the reply does not matter, only whether the request is taken


@dataclass
class Replay:
    ctx: Context
    shape: shapes.Shape
    model: str
    sent: int = 0

    def accepted(self, removed: list[Feature]) -> tuple[bool, Reply]:
        headers, body = without(self.shape, removed)
        body["model"] = self.model
        thinking = body.get("thinking")
        budget = thinking.get("budget_tokens") if isinstance(thinking, dict) else None
        if isinstance(budget, int):  # enabled thinking needs max_tokens above its budget
            thinking["budget_tokens"] = min(budget, 1024)  # type: ignore[index]
            body["max_tokens"] = thinking["budget_tokens"] + REPLAY_MAX_TOKENS  # type: ignore[index]
        else:
            body["max_tokens"] = REPLAY_MAX_TOKENS
        url = self.ctx.profile.root + self.shape.path  # the path as Claude Code sends it
        if self.shape.query:
            url += "?" + self.shape.query
        self.sent += 1
        reply = self.ctx.request(
            "POST",
            url,
            fmt="anthropic",
            body=body,
            extra=headers,
            timeout=self.ctx.options.model_timeout,
        )
        return 200 <= reply.status < 300 and not reply.is_html, reply


def tested(shape: shapes.Shape) -> str:
    if shape.source == "installed":
        return f"Claude Code {shape.version} (installed)"
    return (
        f"Claude Code {shape.version} (not installed here: the request shape shipped with "
        "llmgw, recorded from it)"
    )


@check(
    "deep",
    layer="deep",
    title="--deep: replay the installed Claude Code's own request, feature by feature",
    formats=("anthropic",),
    depends=("messages",),
)
def deep(ctx: Context) -> Outcome:
    if not ctx.options.deep:
        return skip("not run: `llmgw doctor --deep` replays Claude Code's own request")
    shape = shapes.current(shapes.claude_binary(ctx.options.claude_bin))
    model = request_model(ctx, "anthropic") or CLAUDE_CODE_DEFAULT_MODEL
    replay = Replay(ctx, shape, model)
    features = in_request(shape)
    already = [f for f in features if option_set(f, ctx.profile.claude_code)]
    live = [f for f in features if f not in already]
    detail: dict[str, Any] = {
        "claude_code": shape.version,
        "source": shape.source,
        "model": model,
        "features": [f.name for f in live],
        "not_sent_by_profile": [f.name for f in already],
    }
    try:
        whole, reply = replay.accepted(already)
        if whole:
            detail["requests"] = replay.sent
            return ok(
                f"{tested(shape)}: its whole request ({len(live)} optional features) accepted",
                detail,
            )
        rejected = _culprits(replay, already, live)
    except ProbeError as exc:
        return fail(f"replay: {exc.message}", "see the http check", detail)
    detail["requests"] = replay.sent
    detail["status"], detail["message"] = reply.status, reply.error_message()
    return _verdict(ctx, shape, rejected, reply, detail)


def _culprits(replay: Replay, already: list[Feature], live: list[Feature]) -> list[Feature] | None:
    """The rejected features; None when even the request without any of them is refused."""
    for feature in live:
        if replay.accepted([*already, feature])[0]:
            return [feature]
    if not replay.accepted([*already, *live])[0]:
        return None
    everything = [*already, *live]
    return [f for f in live if not replay.accepted([x for x in everything if x is not f])[0]]


def _verdict(
    ctx: Context,
    shape: shapes.Shape,
    rejected: list[Feature] | None,
    reply: Reply,
    detail: dict[str, Any],
) -> Outcome:
    message = clip(reply.error_message(), 160)
    if rejected is None:
        return fail(
            f"{tested(shape)}: the gateway refuses its request even without the optional "
            f"features ({reply.status}: {message})",
            "see the messages and waf checks; quote the message to the gateway's operators",
            detail,
        )
    switches = {f.option[0]: f.option[1] for f in rejected if f.option is not None}
    named = ", ".join(f"{f.name} ({_option_text(f)})" for f in rejected)
    detail["rejected"] = [
        {"feature": f.name, "betas": list(f.betas), "option": _option_text(f)} for f in rejected
    ]
    if switches:
        detail["profile_fix"] = switches
    fixes = [f"claude_code.{k}: {str(v).lower()}" for k, v in switches.items()]
    gateway = [f.name for f in rejected if f.option is None]
    fix = f"set {', '.join(fixes)} (`llmgw doctor --fix` writes them)" if fixes else ""
    if gateway:
        fix += ("; " if fix else "") + (
            f"no switch removes {', '.join(gateway)}: the gateway must accept it (forward "
            "the beta with its body field)"
        )
    return fail(
        f"{tested(shape)}: the gateway rejects {named} — {reply.status}: {message}", fix, detail
    )


def _option_text(feature: Feature) -> str:
    if feature.option is None:
        return "gateway change"
    key, value = feature.option
    return f"claude_code.{key}: {str(value).lower()}"
