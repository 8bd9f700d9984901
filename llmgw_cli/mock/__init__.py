"""``llmgw mock``: the embedded fake LLM endpoint (Anthropic and OpenAI formats, streaming,
configurable latency and faults), so every verb works offline.

    config.py     MockConfig, the flags, checked once
    script.py     scripted replies (text and tool calls) from --script FILE
    replies.py    what to answer, independent of the wire format; the timing grid
    anthropic.py  the reply as an Anthropic message or SSE event sequence
    openai.py     the reply as a chat.completion or chunk stream
    apierrors.py  error bodies in each API's own shape
    checks.py     key, JSON, beta and model checks; the /v1/models catalogue
    recorder.py   the request log and counters behind the /_mock/* test hooks
    app.py        the aiohttp routes and handlers, and the timed SSE writer
    runner.py     MockServer, serve_forever (CLI) and run_in_thread (tests, demo, bench)

Only ``config`` and ``script`` are light; the rest import aiohttp.
"""

from __future__ import annotations

from llmgw_cli.mock.config import DEFAULT_MODELS, MockConfig
from llmgw_cli.mock.script import Script, load_script, parse_script

__all__ = ["DEFAULT_MODELS", "MockConfig", "Script", "load_script", "parse_script"]
