"""``llmgw bench``: a streaming latency benchmark for LLM endpoints.

    target.py     Options (the flags) and Target (one run: profile × model, body encoded once)
    record.py     Record (raw perf_counter stamps from the hot loop) → Sample (milliseconds)
    phases.py     DNS/TCP/TLS and connection reuse per request (TraceConfig + PhaseLoop)
    request.py    send one request, parse its stream incrementally, stamp every content delta
    load.py       closed loop (-c) / open loop (--rate, Poisson), runs interleaved
    resources.py  CPU and RSS of bench and of a local target process (psutil)
    stats.py      pure statistics: percentiles, summaries, histograms, goodput
    metrics.py    samples → the --json document, definitions included
    runner.py     run() / run_async(): preflight, warm-up, measure, summarise
    export.py     --json, --csv files
    render.py     rich table, terminal histograms, --report SVG/HTML (a render module)
    api.py        quick(): a short bench for `llmgw demo` and scripts

Only ``stats``, ``target`` and ``record`` are light; the rest import aiohttp or psutil.
"""

from __future__ import annotations
