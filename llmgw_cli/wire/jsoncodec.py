"""The hot path's JSON codec: orjson, with the standard library only where orjson refuses.

Claude Code resends its whole conversation every turn, and long sessions reach megabytes:
``json.loads`` on a 5 MB body is ~25 ms, orjson's ~5 ms. orjson refuses a few things the
standard library accepts (lone surrogate escapes, NaN, integers beyond 64 bits, non-string
keys): those inputs go through ``json`` so the shim answers exactly as before.
"""

from __future__ import annotations

import gc
import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; a source checkout may lack it
    orjson = None  # type: ignore[assignment]

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


# A parse this large runs with the cyclic garbage collector paused: a multi-MB Claude Code
# body is hundreds of thousands of new containers, and the collections their allocation
# triggers (each walking every live object) made the parse 4-7x slower. A parse makes no
# reference cycles, so pausing the collector leaves nothing uncollected.
_PAUSE_GC_BYTES = 256 * 1024


def loads(data: bytes | str) -> Any:
    """Parse JSON; raises ``ValueError`` when it is not JSON."""
    if len(data) >= _PAUSE_GC_BYTES and gc.isenabled():
        gc.disable()
        try:
            return _loads(data)
        finally:
            gc.enable()
    return _loads(data)


def _loads(data: bytes | str) -> Any:
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # maybe something only the standard library reads; it decides
    return json.loads(data)


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON, the way the APIs write it."""
    if orjson is not None:
        try:
            return orjson.dumps(obj)
        except TypeError:
            pass  # a non-str key, an int beyond 64 bits, a float NaN
    return _ENCODER.encode(obj).encode()


def loads_data(data: bytes) -> Any:
    """An SSE event's undecoded data parsed as ``SSEEvent.json`` parses the decoded text
    (invalid UTF-8 U+FFFD-replaced); raises ``ValueError`` when it is not JSON."""
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # invalid UTF-8, or something only the standard library reads
    return loads(data.decode("utf-8", "replace"))
