"""What one run sends, decided once: URL, headers, the encoded body, and how to connect.

Format: Anthropic Messages when the profile serves it (preferred), else OpenAI Chat
Completions. The body is encoded once per target; the hot loop only sends bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from llmgw_cli import __version__
from llmgw_cli.config.model import Profile
from llmgw_cli.errors import UsageError

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_PROMPT = "Write a short paragraph about the sea."
MAX_PIECES = 1 << 18  # content pieces kept per streamed reply: ~20 MB at most


@dataclass(frozen=True)
class Options:
    """How every request of a benchmark looks and how the load is shaped."""

    requests: int | None = 100  # per run; None when duration_s is set
    duration_s: float | None = None
    concurrency: int = 1  # closed loop: requests in flight per run
    rate: float | None = None  # open loop: Poisson arrivals per second per run
    warmup: int = 0  # requests per run sent first and left out of the results
    max_tokens: int = 128
    prompt: str = DEFAULT_PROMPT
    stream: bool = True
    seed: int | None = None  # arrival times of the open loop
    open_loop_connections: int = 512  # pool cap per run in open loop (waits count as latency)
    timeout_s: float = 600.0  # whole-request deadline (connect to last byte), not per read
    max_body_bytes: int = 16 << 20  # a whole (non-streamed) reply, after decompression

    def validate(self) -> Options:
        if (self.requests is None) == (self.duration_s is None):
            raise UsageError("give either -n N or --duration S, not both")
        if self.requests is not None and self.requests < 1:
            raise UsageError(f"-n must be 1 or more, not {self.requests}")
        if self.duration_s is not None and not self.duration_s > 0:
            raise UsageError(f"--duration must be more than 0 seconds, not {self.duration_s}")
        if self.concurrency < 1:
            raise UsageError(f"-c must be 1 or more, not {self.concurrency}")
        if self.rate is not None and not self.rate > 0:
            raise UsageError(f"--rate must be more than 0 requests/s, not {self.rate}")
        if self.warmup < 0:
            raise UsageError(f"--warmup must be 0 or more, not {self.warmup}")
        if self.max_tokens < 1:
            raise UsageError(f"--max-tokens must be 1 or more, not {self.max_tokens}")
        if not self.timeout_s > 0:
            raise UsageError(f"--timeout must be more than 0 seconds, not {self.timeout_s}")
        if not self.prompt:
            raise UsageError("the prompt is empty; pass --prompt TEXT or --prompt-file F")
        return self


@dataclass
class Target:
    """One run: a profile (for its endpoint, auth, TLS, proxy, timeouts) and a model."""

    profile: Profile
    model: str
    format: str  # anthropic | openai | responses
    url: str
    headers: dict[str, str]
    body: bytes
    stream: bool
    label: str = field(default="")
    secret: str | None = field(default=None, repr=False)  # only to mask it in error examples
    # Bounds on what one reply may bring: a whole body in bytes, a stream in content pieces
    # (an upstream that streams far past max_tokens never ends; docs/architecture.md).
    max_body_bytes: int = 64 << 20
    max_pieces: int = 1024

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def tls(self) -> bool:
        return urlsplit(self.url).scheme == "https"


def wire_format(profile: Profile) -> str:
    if "anthropic" in profile.formats:
        return "anthropic"
    if "openai" in profile.formats:
        return "openai"
    if "responses" in profile.formats:
        return "responses"
    raise UsageError(
        f"profile {profile.name!r} serves {', '.join(profile.formats)}; bench speaks the "
        "anthropic, openai and responses formats: add one with `llmgw profile edit` or bench "
        "another profile"
    )


def model_for(profile: Profile, model: str | None) -> str:
    if model:
        return model
    if profile.models.default:
        return profile.models.default
    raise UsageError(
        f"profile {profile.name!r} has no default model: pass --model M "
        f"or set one with `llmgw profile edit {profile.name}`"
    )


def build(profile: Profile, model: str, secret: str | None, options: Options) -> Target:
    fmt = wire_format(profile)
    messages = [{"role": "user", "content": options.prompt}]
    body: dict[str, Any] = {"model": model, "max_tokens": options.max_tokens, "messages": messages}
    if fmt == "responses":  # the API's smallest max_output_tokens is 16
        limit = max(options.max_tokens, 16)
        body = {"model": model, "input": options.prompt, "max_output_tokens": limit, "store": False}
    headers = {"content-type": "application/json", "user-agent": f"llmgw-bench/{__version__}"}
    if options.stream:
        body["stream"] = True
        headers["accept"] = "text/event-stream"
    if fmt == "anthropic":
        url = profile.root + "/v1/messages"
        headers["anthropic-version"] = ANTHROPIC_VERSION
    elif fmt == "responses":
        url = profile.openai_base + "/responses"  # usage comes in response.completed
    else:
        url = profile.openai_base + "/chat/completions"
        if options.stream:
            body["stream_options"] = {"include_usage": True}  # exact token counts at the end
    if secret is not None:
        if profile.auth.type == "x-api-key":
            headers["x-api-key"] = secret
        elif profile.auth.type == "bearer":
            headers["authorization"] = f"Bearer {secret}"
    headers.update({k.lower(): v for k, v in profile.headers.items()})
    encoded = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return Target(
        profile,
        model,
        fmt,
        url,
        headers,
        encoded,
        options.stream,
        secret=secret,
        max_body_bytes=options.max_body_bytes,
        max_pieces=min(max(1024, 8 * options.max_tokens), MAX_PIECES),
    )


def label_targets(targets: list[Target]) -> None:
    """Name each run: the profile, plus the model when one profile runs several."""
    names = [t.profile.name for t in targets]
    seen: dict[str, int] = {}
    for t in targets:
        label = f"{t.profile.name}/{t.model}" if names.count(t.profile.name) > 1 else t.profile.name
        seen[label] = seen.get(label, 0) + 1
        t.label = label if seen[label] == 1 else f"{label}#{seen[label]}"  # the same run twice
