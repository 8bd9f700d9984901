"""The 30-line aiohttp forwarder the README measures against: the floor any Python shim stands on.

    python benchmarks/bare_forwarder.py UPSTREAM_URL PORT

No auth swap, headers, plugins, errors or streaming care: it forwards the body and relays
the answer, bodies up to 64 MB (aiohttp's default of 1 MB would answer 413 to the big
bodies `big_bodies.py` sends). `shim_overhead.py` runs it next to the real shim as the
reference point.
"""

from __future__ import annotations

import sys

import aiohttp
from aiohttp import web

HOP = {"host", "content-length", "transfer-encoding", "connection"}


def main() -> None:
    upstream, port = sys.argv[1].rstrip("/"), int(sys.argv[2])
    session: aiohttp.ClientSession | None = None

    async def handle(request: web.Request) -> web.StreamResponse:
        assert session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP}
        async with session.request(
            request.method, upstream + request.path_qs, data=await request.read(), headers=headers
        ) as resp:
            out = web.StreamResponse(status=resp.status)
            out.content_type = resp.content_type
            await out.prepare(request)
            async for chunk in resp.content.iter_any():
                await out.write(chunk)
            await out.write_eof()
            return out

    async def start(app: web.Application) -> None:
        nonlocal session
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.on_startup.append(start)
    app.router.add_route("*", "/{tail:.*}", handle)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
