"""Samples → the ``bench --json`` document (README.md, "llmgw bench"), definitions included."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from llmgw_cli.bench import stats
from llmgw_cli.bench.record import Sample
from llmgw_cli.bench.target import Options, Target

VERSION = 1

DEFINITIONS = {
    "latency origin": "every latency counts from the request's intended start: in closed loop when "
    "its lane sent it; in open loop (--rate) its Poisson arrival time, so client-side waiting "
    "(coordinated omission) is included",
    "ttfb_ms": "intended start to the response status line and headers",
    "ttft_ms": "intended start to the first non-empty content delta (text, thinking or tool-call "
    "JSON); streaming only",
    "itl_ms": "gaps between consecutive content deltas as they arrived, pooled over requests",
    "e2e_ms": "intended start to the last byte of the response",
    "tpot_ms": "per request (e2e - ttft) / (output tokens - 1), requests with 2+ output tokens",
    "queue_ms": "how late the client sent each request after its intended start",
    "output_tokens": "from the response's usage when present (exact), else counted with a "
    "tokenizer from the received text (an estimate, see tokens_source)",
    "request_throughput": "successful requests per second over duration_s",
    "output_tokens_per_s": "output tokens of successful requests per second over duration_s",
    "duration_s": "first intended start to last response end of the run (warm-up excluded)",
    "errors": "failed requests by HTTP status or error class (connect, timeout, tls, stream_cut: "
    "the stream ended before its end event, stream_error: an error event in the stream, "
    "bad_response: not an event stream or not JSON); error_examples: the first body or message "
    "of each",
    "phases_ms": "new connections only: dns (0 for an IP address), tcp (socket connect), "
    "tls (handshake; null over plain HTTP). Reused connections have no phases",
    "goodput": "successful requests meeting every --slo bound; passed when at least p percent do",
    "resources": "CPU (100 = one core) and RSS of bench and of the local target process "
    "(the owner of the listening port) over the measured part; bench's figures cover all runs",
    "stats": "mean, min, p50, p90, p95, p99, max; percentiles interpolate linearly between ranks",
}


def estimator_label(model: str) -> str:
    """How tokens are counted for ``model`` when a response carries no usage."""
    try:
        from llmgw_cli import tokens
    except ImportError:  # pragma: no cover - tokens ships with llmgw
        return "estimate: characters / 4"
    name, exact = tokens.encoding_for(model)
    return f"tiktoken {name}" + ("" if exact else " (estimate)")


def make_estimator(model: str) -> Callable[[str], int]:
    """Count the tokens of received text (loads the tokenizer: call only when needed)."""
    try:
        from llmgw_cli import tokens
    except ImportError:  # pragma: no cover
        return lambda text: max(1, round(len(text) / 4))

    def count(text: str) -> int:
        return tokens.count_text(text, model).tokens

    return count


def run_metrics(
    target: Target,
    samples: Sequence[Sample],
    slo: stats.Slo | None,
    resources: dict[str, Any] | None,
    tokens_by: str,
    error_examples: dict[str, str] | None = None,
) -> dict[str, Any]:
    ok = [s for s in samples if s.ok]
    errors = Counter(s.error for s in samples if s.error is not None)
    if samples:
        start = min(s.start_s for s in samples)
        end = max(s.start_s + (s.e2e_ms or 0.0) / 1000.0 for s in samples)
        duration = max(end - start, 1e-9)
    else:
        duration = 0.0
    out_tokens = sum(s.output_tokens for s in ok)
    exact = [s.tokens_exact for s in ok]
    source = (
        "usage"
        if exact and all(exact)
        else tokens_by
        if not any(exact)
        else f"usage, else {tokens_by}"
    )
    new = [s for s in samples if s.reused is False]

    def summary(values: Any) -> stats.Stats | None:
        return stats.rounded(stats.summarize(values))

    goodput: dict[str, Any] | None = None
    if slo is not None:
        good = sum(1 for s in samples if slo.met(s.ok, s.ttft_ms, s.e2e_ms))
        g = stats.Goodput(good, len(samples), duration, slo)
        goodput = {
            "slo": {"ttft_ms": slo.ttft_ms, "e2e_ms": slo.e2e_ms, "p": slo.percent},
            "good": good,
            "fraction": round(g.fraction, 4),
            "requests_per_s": round(g.per_s, 3),
            "passed": g.passed,
        }
    return {
        "profile": target.profile.name,
        "model": target.model,
        "label": target.label,
        "format": target.format,
        "url": target.url,
        "stream": target.stream,
        "requests": len(samples),
        "ok": len(ok),
        "errors": dict(sorted(errors.items())),
        "error_examples": error_examples or {},
        "duration_s": round(duration, 4),
        "request_throughput": round(len(ok) / duration, 3) if duration else 0.0,
        "output_tokens": out_tokens,
        "output_tokens_per_s": round(out_tokens / duration, 3) if duration else 0.0,
        "tokens_source": source,
        "ttfb_ms": summary(s.ttfb_ms for s in ok if s.ttfb_ms is not None),
        "ttft_ms": summary(s.ttft_ms for s in ok if s.ttft_ms is not None),
        "e2e_ms": summary(s.e2e_ms for s in ok if s.e2e_ms is not None),
        "itl_ms": summary(g for s in ok for g in s.itl_ms),
        "tpot_ms": summary(s.tpot_ms for s in ok if s.tpot_ms is not None),
        "queue_ms": summary(s.queue_ms for s in samples),
        "phases_ms": {
            "dns": summary(s.dns_ms for s in new if s.dns_ms is not None),
            "tcp": summary(s.tcp_ms for s in new if s.tcp_ms is not None),
            "tls": summary(s.tls_ms for s in new if s.tls_ms is not None),
        },
        "connections": {"new": len(new), "reused": sum(1 for s in samples if s.reused)},
        "goodput": goodput,
        "resources": resources,
    }


def config(options: Options, slo: stats.Slo | None) -> dict[str, Any]:
    return {
        "mode": "open" if options.rate is not None else "closed",
        "requests_per_run": options.requests,
        "duration_s": options.duration_s,
        "concurrency": None if options.rate is not None else options.concurrency,
        "rate": options.rate,
        "warmup": options.warmup,
        "max_tokens": options.max_tokens,
        "stream": options.stream,
        "prompt_chars": len(options.prompt),
        "slo": None
        if slo is None
        else {"ttft_ms": slo.ttft_ms, "e2e_ms": slo.e2e_ms, "p": slo.percent},
    }


def document(options: Options, slo: stats.Slo | None, runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "version": VERSION,
        "config": config(options, slo),
        "definitions": DEFINITIONS,
        "runs": runs,
    }
