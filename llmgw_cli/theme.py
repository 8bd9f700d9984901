"""The look the reports and the shim's dashboard share: run colours, fonts, the page CSS.

A leaf module (it imports nothing of llmgw), so the reports (which read bench results) and
the shim's dashboard can both use it without importing each other.
"""

from __future__ import annotations

# Colour-blind-safe, distinct on white: one per run, in run order (then repeating).
PALETTE = (
    "#3366cc", "#f28e2b", "#2ca58d", "#9b59b6", "#17becf",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#1b3a6b",
)  # fmt: skip
ERROR = "#d62728"
MUTED = "#9aa0a6"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif'

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
