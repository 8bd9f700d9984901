"""``--json FILE`` (the document) and ``--csv FILE`` (one row per measured request)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from llmgw_cli import paths
from llmgw_cli.bench.runner import Result

CSV_COLUMNS = (
    "run", "profile", "model", "seq", "start_s", "ok", "status", "error", "queue_ms",
    "ttfb_ms", "ttft_ms", "e2e_ms", "tpot_ms", "output_tokens", "tokens_exact", "input_tokens",
    "reused", "dns_ms", "tcp_ms", "tls_ms", "itl_ms",
)  # fmt: skip


def _num(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def csv_text(result: Result) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for target, samples in zip(result.targets, result.samples, strict=True):
        for s in samples:
            writer.writerow(
                (
                    target.label, target.profile.name, target.model, s.seq, f"{s.start_s:.6f}",
                    int(s.ok), "" if s.status is None else s.status, s.error or "",
                    _num(s.queue_ms), _num(s.ttfb_ms), _num(s.ttft_ms), _num(s.e2e_ms),
                    _num(s.tpot_ms), s.output_tokens, int(s.tokens_exact),
                    "" if s.input_tokens is None else s.input_tokens,
                    "" if s.reused is None else int(s.reused),
                    _num(s.dns_ms), _num(s.tcp_ms), _num(s.tls_ms),
                    " ".join(f"{g:.3f}" for g in s.itl_ms),
                )
            )  # fmt: skip
    return buf.getvalue()


def json_text(result: Result) -> str:
    return json.dumps(result.document, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, text: str) -> None:
    # Results hold no secrets (URLs and figures only), so the usual 0644 of a report.
    paths.write_atomic(path, text, mode=0o644)
