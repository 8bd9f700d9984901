"""The dashboard's page: one HTML document, its style and script (``dashboard.css``,
``dashboard.js`` beside this file) inline under a per-response CSP nonce, nothing else
loaded. The script opens one ``EventSource`` on the dashboard's events route and redraws
from what arrives; data reaches the DOM as text only (``textContent``), never as markup.
"""

from __future__ import annotations

import functools
import json
from html import escape
from pathlib import Path

from llmgw_cli.theme import CSS, ERROR, PALETTE

_HERE = Path(__file__).parent


@functools.lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    style = CSS + (_HERE / "dashboard.css").read_text(encoding="utf-8")
    script = (
        (_HERE / "dashboard.js").read_text(encoding="utf-8")
        .replace("__PALETTE__", json.dumps(list(PALETTE)))
        .replace("__ERROR__", ERROR)
        .replace("__EVENTS__", "/_llmgw/dashboard/events")
    )  # fmt: skip
    return style, script


BODY = """
<header><div><h1>llmgw shim</h1><p class="sub" id="meta">connecting…</p></div>
<span class="live" id="live"><i></i><span>connecting</span></span>
<span class="meta" id="status"></span></header>
<main><div class="members" id="members"></div>
<div class="card wide"><h2>latency of the last requests</h2><svg id="chart" role="img"
aria-label="latency of the last requests"></svg></div>
<h2>last requests <span class="meta">(<span id="count">0</span> since start; no prompt text
is kept)</span></h2>
<table class="summary"><thead><tr><th>time</th><th>model</th><th>status</th><th>latency</th>
<th>TTFT</th><th>member</th><th>route</th><th>attempts</th><th>tokens</th></tr></thead>
<tbody id="requests"></tbody></table></main>
"""


def html(nonce: str) -> str:
    style, script = _assets()
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<link rel="icon" href="data:,">'  # no /favicon.ico request
        f'<title>llmgw shim dashboard</title><style nonce="{nonce}">{style}</style></head>'
        f'<body>{BODY}<script nonce="{nonce}">{script}</script></body></html>\n'
    )


def refused(text: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>llmgw shim dashboard</title></head><body><p>{escape(text)}</p></body></html>\n"
    )
