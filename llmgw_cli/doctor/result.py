"""What a check returns (``Outcome``) and what the runner records (``CheckResult``).

A check function builds its outcome with ``ok`` / ``warn`` / ``fail`` / ``skip``; the runner
adds the id, the measured duration and, under ``-v``, the HTTP exchanges it saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["ok", "warn", "fail", "skip"]
STATUSES: tuple[Status, ...] = ("ok", "warn", "fail", "skip")


@dataclass
class Outcome:
    status: Status
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)
    fix: str | None = None


def ok(summary: str, detail: dict[str, Any] | None = None) -> Outcome:
    return Outcome("ok", summary, detail or {})


def warn(summary: str, fix: str | None, detail: dict[str, Any] | None = None) -> Outcome:
    return Outcome("warn", summary, detail or {}, fix)


def fail(summary: str, fix: str | None, detail: dict[str, Any] | None = None) -> Outcome:
    return Outcome("fail", summary, detail or {}, fix)


def skip(summary: str, detail: dict[str, Any] | None = None) -> Outcome:
    return Outcome("skip", summary, detail or {})


@dataclass
class Exchange:
    """One HTTP request and its response headers, secrets already redacted (for ``-v``)."""

    method: str
    url: str
    request_headers: dict[str, str]
    status: int | None = None
    http_version: str | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    elapsed_ms: float | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "request_headers": self.request_headers,
            "status": self.status,
            "http_version": self.http_version,
            "response_headers": self.response_headers,
            "elapsed_ms": self.elapsed_ms,
            "error": self.error,
        }


@dataclass
class CheckResult:
    id: str
    status: Status
    duration_ms: float
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)
    fix: str | None = None
    exchanges: list[Exchange] = field(default_factory=list)

    def to_json(self, verbose: bool = False) -> dict[str, Any]:
        detail = dict(self.detail)
        if verbose and self.exchanges:
            detail["exchanges"] = [e.to_json() for e in self.exchanges]
        return {
            "id": self.id,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 1),
            "summary": self.summary,
            "detail": detail,
            "fix": self.fix,
        }


@dataclass
class ProfileReport:
    profile: str
    endpoint: str
    selected_by: str
    checks: list[CheckResult] = field(default_factory=list)
    duration_ms: float = 0.0
    config_error: bool = False  # the profile could not be loaded: exit code 2

    def counts(self) -> dict[Status, int]:
        tally: dict[Status, int] = dict.fromkeys(STATUSES, 0)
        for check in self.checks:
            tally[check.status] += 1
        return tally

    def passed(self, strict: bool = False) -> bool:
        bad: tuple[Status, ...] = ("fail", "warn") if strict else ("fail",)
        return not self.config_error and all(c.status not in bad for c in self.checks)

    def get(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def to_json(self, strict: bool = False, verbose: bool = False) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "ok": self.passed(strict),
            "checks": [c.to_json(verbose) for c in self.checks],
        }


def exit_code(reports: list[ProfileReport], strict: bool = False) -> int:
    """0 all passed; 2 a profile could not be loaded; 1 a check failed (or warned, with strict)."""
    if any(r.config_error for r in reports):
        return 2
    return 0 if all(r.passed(strict) for r in reports) else 1
