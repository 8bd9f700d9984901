"""``MockConfig``: everything ``llmgw mock`` can be told, checked once up front."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from llmgw_cli.errors import UsageError
from llmgw_cli.mock.script import Script

DEFAULT_MODELS = (
    "claude-opus-5-5",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "gpt-4o",
    "gpt-4o-mini",
)
FORMATS = ("anthropic", "openai", "responses", "both")  # both: every format
RETRY_AFTER_FORMATS = ("seconds", "http-date", "float")  # --retry-after-format


@dataclass
class MockConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port, read it back from the URL
    format: str = "both"  # anthropic | openai | responses | both (all): which endpoints exist
    ttft_ms: float = 0.0  # first text delta at start + ttft
    itl_ms: float = 0.0  # delta i at start + ttft + i*itl
    output_tokens: int = 16  # deltas in an unscripted reply (capped by the request's max_tokens)
    require_key: str | None = None  # accepted as `Authorization: Bearer K` or `x-api-key: K`
    fail_rate: float = 0.0  # fraction of API requests answered with fail_status
    fail_status: int = 503
    seed: int | None = None  # makes the fail_rate draw reproducible
    reject_betas: bool = (
        False  # 400 on anthropic-beta values outside allow_betas, or context_management
    )
    allow_betas: tuple[str, ...] = ()
    drop_after: int | None = None  # cut each stream after this many events
    models: tuple[str, ...] = DEFAULT_MODELS
    strict_models: bool = False  # 404 for a model not in `models`, like a gateway that lacks it
    script: Path | Script | None = None  # scripted replies, see llmgw_cli.mock.script
    # Claude Code's troubleshooting table, one fault each (llmgw_cli.mock.guide)
    reject_adaptive: bool = False
    reject_advisor: bool = False
    reject_tool_regex: bool = False
    waf_403_over_bytes: int | None = None
    context_window: int | None = None  # estimated tokens (body bytes / 4)
    reword_context_errors: bool = False
    reshape_errors: bool = False
    retry_after_format: str = "seconds"
    models_redirect: bool = False
    reject_both_auth: bool = False
    json_for_stream: bool = False
    strip_pings: bool = False
    stream_pause_ms: float = 0.0
    ping_every_ms: float = 0.0
    log_limit: int = 1000  # requests kept for GET /_mock/requests
    log_body_limit: int = 1 << 20  # bytes of each body kept in that log
    max_body: int = 64 << 20  # larger request bodies get 413
    shutdown_timeout: float = 2.0  # grace for in-flight streams on stop

    def validate(self) -> MockConfig:
        """Raise ``UsageError`` naming the flag to fix; return self for chaining."""
        if self.format not in FORMATS:
            raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {self.format!r}")
        if not 0 <= self.port <= 65535:
            raise UsageError(f"--port must be between 0 and 65535, not {self.port}")
        for flag, value in (("--ttft-ms", self.ttft_ms), ("--itl-ms", self.itl_ms)):
            if value < 0:
                raise UsageError(f"{flag} must be 0 or more, not {value}")
        if self.output_tokens < 0:
            raise UsageError(f"--output-tokens must be 0 or more, not {self.output_tokens}")
        if not 0.0 <= self.fail_rate <= 1.0:
            raise UsageError(f"--fail-rate is a fraction between 0 and 1, not {self.fail_rate}")
        if not 400 <= self.fail_status <= 599:
            raise UsageError(
                f"--fail-status must be an HTTP error status (400-599), not {self.fail_status}"
            )
        if self.drop_after is not None and self.drop_after < 1:
            raise UsageError(f"--drop-after must be 1 or more, not {self.drop_after}")
        if not self.models or any(not m.strip() for m in self.models):
            raise UsageError("--models needs a comma-separated list of model names")
        if self.require_key is not None and not self.require_key:
            raise UsageError("--require-key needs a non-empty key")
        self._validate_faults()
        if self.log_limit < 0 or self.log_body_limit < 0 or self.max_body < 1:
            raise UsageError("the request log limits must be 0 or more")
        return self

    def _validate_faults(self) -> None:
        """The troubleshooting-table faults (llmgw_cli.mock.guide)."""
        if self.retry_after_format not in RETRY_AFTER_FORMATS:
            raise UsageError(
                f"--retry-after-format must be one of {', '.join(RETRY_AFTER_FORMATS)}"
            )
        for flag, amount in (
            ("--waf-403-over-bytes", self.waf_403_over_bytes),
            ("--context-window", self.context_window),
        ):
            if amount is not None and amount < 1:
                raise UsageError(f"{flag} must be 1 or more, not {amount}")
        if self.stream_pause_ms < 0 or self.ping_every_ms < 0:
            raise UsageError("--stream-pause-ms and --ping-every-ms must be 0 or more")

    @property
    def serves_anthropic(self) -> bool:
        return self.format in ("anthropic", "both")

    @property
    def serves_openai(self) -> bool:
        return self.format in ("openai", "both")

    @property
    def serves_responses(self) -> bool:
        return self.format in ("responses", "both")
