"""A raw HTTP/1.1 request over a socket: request targets no client library would send."""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import urlsplit


def send(
    base: str, target: str, headers: dict[str, str], body: Any = None, method: str = "POST"
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(base)
    data = json.dumps(body).encode() if body is not None else b""
    host = "" if "Host" in headers else f"Host: {parts.netloc}\r\n"
    head = f"{method} {target} HTTP/1.1\r\n{host}Connection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    with socket.create_connection((parts.hostname, parts.port or 80), timeout=20) as sock:
        sock.sendall(head.encode("latin-1") + data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw:  # the server closed without an answer
        return 0, {}, b""
    top, _, rest = raw.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    out = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        out[k.strip().lower()] = v.strip()
    if out.get("transfer-encoding") == "chunked":
        rest = _unchunk(rest)
    return status, out, rest


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return out
