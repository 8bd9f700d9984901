"""The reports' shared page: one self-contained HTML file (styles inline, no script, no font
or image fetched: system fonts only), its header of facts, tables, and the same pieces
drawn as SVG text for the ``.svg`` reports.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from html import escape
from urllib.parse import urlsplit, urlunsplit

from llmgw_cli import __version__
from llmgw_cli.reports.svg import Entry
from llmgw_cli.theme import CSS, FONT

__all__ = ["CSS", "FONT", "document", "facts_html", "legend_html", "table_html"]


def public_url(url: str) -> str:
    """An endpoint without userinfo, query or fragment (where credentials could hide)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def machine() -> str:
    return (
        f"{platform.node() or 'this machine'}: {platform.system()} {platform.machine()}, "
        f"{os.cpu_count() or '?'} CPUs, Python {sys.version.split()[0]}"
    )


def stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def facts_html(facts: Sequence[tuple[str, str]]) -> str:
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in facts)
    return f'<dl class="facts">{rows}</dl>'


def legend_html(entries: Sequence[Entry]) -> str:
    items = "".join(
        f'<li class="legend-entry legend-{e.kind}"><i style="background:{e.colour}"></i>'
        f"{escape(e.label)}</li>"
        for e in entries
    )
    return f'<ul class="legend" aria-label="runs">{items}</ul>'


def table_html(head: Sequence[str], rows: Sequence[Sequence[str]], colours: Sequence[str]) -> str:
    """A table whose first cell of each row gets its run's colour swatch (cells are text)."""
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = []
    for row, col in zip(rows, colours, strict=True):
        cells = [f'<td><i style="background:{col}"></i>{escape(row[0])}</td>']
        cells += [f"<td>{escape(c)}</td>" for c in row[1:]]
        body.append("<tr>" + "".join(cells) + "</tr>")
    rows_html = "".join(body)
    return f'<table class="summary"><thead><tr>{th}</tr></thead><tbody>{rows_html}</tbody></table>'


def document(title: str, header: str, body: str, log_checked: bool | None = None) -> str:
    """The whole page; ``log_checked`` not None adds the log-scale switch (pure CSS)."""
    toggle = ""
    if log_checked is not None:
        toggle = f'<input type="checkbox" id="log" hidden{" checked" if log_checked else ""}>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="generator" content="llmgw {__version__}">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"{toggle}<header>{header}</header><main>{body}</main></body></html>\n"
    )


def svg_text_block(lines: Sequence[tuple[str, str]], x: float, y: float, key_w: float = 90) -> str:
    """Header facts as SVG text: a grey key and its value per line, 17 px apart."""
    out = ['<g class="facts" font-size="12">']
    for i, (k, v) in enumerate(lines):
        yy = y + i * 17
        out.append(
            f'<text x="{x}" y="{yy}" fill="#5f6368">{escape(k)}</text>'
            f'<text x="{x + key_w}" y="{yy}" fill="#202124">{escape(v)}</text>'
        )
    out.append("</g>")
    return "".join(out)


def svg_table(
    head: Sequence[str], rows: Sequence[Sequence[str]], colours: Sequence[str], x: float, y: float,
    widths: Sequence[float],
) -> str:  # fmt: skip
    out = ['<g class="summary" font-size="12">']
    cx = x
    for h, w in zip(head, widths, strict=True):
        out.append(f'<text x="{cx}" y="{y}" fill="#5f6368" font-weight="600">{escape(h)}</text>')
        cx += w
    for r, (row, col) in enumerate(zip(rows, colours, strict=True)):
        yy = y + 20 * (r + 1)
        out.append(f'<rect x="{x}" y="{yy - 10}" width="10" height="10" rx="2" fill="{col}"/>')
        cx = x
        for i, (cell, w) in enumerate(zip(row, widths, strict=True)):
            out.append(f'<text x="{cx + (14 if i == 0 else 0)}" y="{yy}">{escape(cell)}</text>')
            cx += w
    out.append("</g>")
    return "".join(out)
