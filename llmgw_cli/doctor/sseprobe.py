"""Read a streamed reply and time it the way a user feels it: response headers, first
body byte, first event, first text; and spot a buffering proxy.

A streaming server sends ``message_start`` (or OpenAI's role chunk) at once and the text
as it is generated. A buffering proxy holds everything back and delivers every event in
one burst at the end — Claude Code's stream idle watchdog then aborts long replies.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llmgw_cli import bounded
from llmgw_cli.doctor.context import Context, too_large
from llmgw_cli.doctor.netprobe import ProbeError, ms_since
from llmgw_cli.wire.sse import SSEEvent, SSEParser

if TYPE_CHECKING:
    import httpx

# A burst is only suspicious when the wait was long enough to matter and to measure.
BURST_MIN_MS = 250.0
BURST_MIN_EVENTS = 3
HEAD_BYTES = 65536  # of a stream's body, kept to tell a mislabelled JSON answer


@dataclass
class StreamReport:
    status: int
    content_type: str
    headers: dict[str, str]
    headers_ms: float
    body: bytes = b""  # the answer when it is not an event stream, else its first HEAD_BYTES
    first_byte_ms: float | None = None
    first_event_ms: float | None = None
    first_text_ms: float | None = None
    total_ms: float = 0.0
    chunks: int = 0
    events: list[SSEEvent] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # arrival of each event, ms
    reads: list[int] = field(default_factory=list)  # which body read brought each event
    cut: bool = False  # ended inside an event
    broken: str | None = None  # the connection failed mid-stream

    @property
    def is_sse(self) -> bool:
        return self.content_type == "text/event-stream"

    def burst(self) -> bool:
        """Every event came in one or two reads (or within 5 ms), after a wait long enough
        that a live stream would have spread them: a live stream arrives read by read."""
        if len(self.times) < BURST_MIN_EVENTS or self.first_event_ms is None:
            return False
        reads = len(set(self.reads))
        spread = self.times[-1] - self.times[0]
        return self.first_event_ms >= BURST_MIN_MS and (reads <= 2 or spread <= 5.0)

    def timings(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 1)

        return {
            "headers_ms": r(self.headers_ms),
            "first_byte_ms": r(self.first_byte_ms),
            "first_event_ms": r(self.first_event_ms),
            "first_text_ms": r(self.first_text_ms),
            "total_ms": r(self.total_ms),
            "events": len(self.events),
            "chunks": self.chunks,
            "spread_ms": r(self.times[-1] - self.times[0]) if self.times else None,
            "reads_with_events": len(set(self.reads)),
        }


def _has_text(ev: SSEEvent) -> bool:
    if ev.is_done or (
        '"text' not in ev.data and '"content"' not in ev.data and "text.delta" not in ev.data
    ):
        return False
    try:
        data = ev.json()
    except ValueError:
        return False
    if not isinstance(data, dict):
        return False
    delta = data.get("delta")
    if isinstance(delta, dict) and delta.get("type") == "text_delta":
        return bool(delta.get("text"))
    if data.get("type") == "response.output_text.delta":
        return bool(delta)
    for choice in data.get("choices") or ():
        if (
            isinstance(choice, dict)
            and isinstance(choice.get("delta"), dict)
            and choice["delta"].get("content")
        ):
            return True
    return False


def _decoded(response: httpx.Response, limit: int) -> Iterator[bytes]:
    """The body as it arrives, decoded, at most ``limit`` bytes (raw or decoded) in all."""
    inflater = bounded.Inflater.for_encoding(response.headers.get("content-encoding"), limit)
    seen = 0
    for raw in response.iter_raw():
        chunk = inflater.feed(raw) if inflater is not None else raw
        seen += max(len(raw), len(chunk))
        if seen > limit:
            raise bounded.TooLarge(limit)
        yield chunk


def read(ctx: Context, url: str, fmt: str, body: dict[str, Any]) -> StreamReport:
    import httpx

    with ctx.stream(url, fmt=fmt, body=body) as (response, start):
        headers = {k.lower(): v for k, v in response.headers.items()}
        report = StreamReport(
            response.status_code,
            headers.get("content-type", "").split(";")[0].strip().lower(),
            headers,
            ms_since(start),
        )
        if not report.is_sse:
            report.body = ctx.read_body(response)
            report.total_ms = ms_since(start)
            ctx.note_failure("POST", url, report.status, report.body)
            return report
        parser = SSEParser()
        try:
            for chunk in _decoded(response, ctx.options.max_body_bytes):
                now = ms_since(start)
                report.chunks += 1
                if report.first_byte_ms is None:
                    report.first_byte_ms = now
                if len(report.body) < HEAD_BYTES:
                    report.body += chunk[: HEAD_BYTES - len(report.body)]
                for ev in parser.feed(chunk):
                    report.events.append(ev)
                    report.times.append(now)
                    report.reads.append(report.chunks)
                    if report.first_event_ms is None:
                        report.first_event_ms = now
                    if report.first_text_ms is None and _has_text(ev):
                        report.first_text_ms = now
        except httpx.HTTPError as exc:
            report.broken = ctx.describe(exc)
        except bounded.TooLarge as exc:
            report.broken = too_large(exc.limit)
        except (bounded.UnsupportedEncoding, zlib.error) as exc:
            raise ProbeError("encoding", f"the stream does not decode: {exc}") from exc
        report.cut = parser.pending
        report.total_ms = ms_since(start)
    return report
