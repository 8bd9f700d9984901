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
from llmgw_cli.reports.svg import FONT, Entry

CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f6f7f9;color:#202124;font:14px/1.45 @FONT@}
header{background:#fff;border-bottom:1px solid #e3e5e8;padding:20px 32px 14px}
h1{margin:0 0 2px;font-size:22px;font-weight:650;letter-spacing:-.01em}
h2{font-size:15px;margin:0 0 8px;font-weight:600}
.sub{color:#5f6368;margin:0 0 12px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;margin:0;font-size:13px}
dl.facts dt{color:#5f6368}dl.facts dd{margin:0}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f3f4;
padding:1px 4px;border-radius:3px}
main{padding:18px 32px 32px;max-width:1320px}
.bar{display:flex;gap:18px;align-items:center;flex-wrap:wrap;margin:0 0 14px}
ul.legend{display:flex;gap:16px;list-style:none;margin:0;padding:0;flex-wrap:wrap}
ul.legend li{display:flex;align-items:center;gap:6px;font-weight:500}
ul.legend i{display:inline-block;width:14px;height:12px;border-radius:2px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px;
margin:0 0 16px}
.card{background:#fff;border:1px solid #e3e5e8;border-radius:8px;padding:12px 14px}
.wide{margin:0 0 16px}
svg.chart{width:100%;height:auto;display:block}
svg text{font-family:@FONT@}
.band-label,.marker-label{fill:#5f6368;font-size:10px}
table{border-collapse:collapse;width:100%;font-size:13px;background:#fff}
th,td{padding:6px 10px;border-bottom:1px solid #eceef0;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
th{color:#5f6368;font-weight:600;background:#fafbfc}
td i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.ok{color:#188038}.bad{color:#c5221f}
svg.chart.log{display:none}
#log:checked~main svg.chart.log{display:block}#log:checked~main svg.chart.lin{display:none}
.toggle{font-size:12.5px;color:#1a57c7;border:1px solid #c6d4f0;background:#fff;border-radius:14px;
padding:3px 12px;cursor:pointer;user-select:none}#log:checked~main .toggle{background:#e8effc}
.note{color:#5f6368;font-size:12px}
""".replace("@FONT@", FONT)


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
