"""An upstream that closes the connection after every stream while announcing keep-alive.

llama.cpp's server does this: each answer says ``Connection: keep-alive``, then the socket is
closed once the stream ends. A client that reuses the pooled connection finds it dead
("Server disconnected", "Can not write request body"). Raw asyncio, so nothing in an HTTP
library smooths the behaviour over.

    with closing_server() as server:
        server.url, server.connections, server.answered
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

EVENTS = [
    (
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": "msg_close",
                "type": "message",
                "role": "assistant",
                "model": "m",
                "content": [],
                "stop_reason": None,
                "usage": {"input_tokens": 5, "output_tokens": 1},
            },
        },
    ),
    (
        "content_block_start",
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": "hello"},
        },
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": " there"},
        },
    ),
    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": 2},
        },
    ),
    ("message_stop", {"type": "message_stop"}),
]


@dataclass
class ClosingServer:
    url: str = ""
    connections: int = 0
    answered: int = 0
    dropped_requests: int = 0  # requests that arrived on a connection about to be closed
    lock: threading.Lock = field(default_factory=threading.Lock)


async def _read_request(reader: asyncio.StreamReader) -> bool:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(min(length, 16 * 1024 * 1024))
    return True


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


async def _serve(
    state: ClosingServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    with state.lock:
        state.connections += 1
    try:
        await _read_request(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"connection: keep-alive\r\ntransfer-encoding: chunked\r\n\r\n"
        )
        for name, data in EVENTS:
            writer.write(_chunk(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        with state.lock:
            state.answered += 1
        # The stream is over: like llama.cpp, close, whatever the client sends next.
        try:
            await asyncio.wait_for(_read_request(reader), 0.05)
            with state.lock:
                state.dropped_requests += 1
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


@contextmanager
def closing_server() -> Iterator[ClosingServer]:
    state = ClosingServer()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop: asyncio.Future[None] | None = None

    async def main() -> None:
        nonlocal stop
        server = await asyncio.start_server(lambda r, w: _serve(state, r, w), "127.0.0.1", 0)
        state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        stop = loop.create_future()
        ready.set()
        async with server:
            await stop

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield state
    finally:
        assert stop is not None
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(10)
        loop.close()
