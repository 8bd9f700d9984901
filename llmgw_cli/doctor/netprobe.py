"""Low-level probes with their own timing: getaddrinfo, TCP connect, an HTTP CONNECT
tunnel, a TLS handshake. Plain ``socket``/``ssl`` so each phase is measured on its own.
"""

from __future__ import annotations

import base64
import errno
import os
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

Address = tuple[int, tuple[Any, ...]]  # (family, sockaddr)


class ProbeError(Exception):
    """A probe failed; ``kind`` names the failure (refused, timeout, nxdomain, ...)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


def resolve(host: str, port: int, timeout: float) -> list[Address]:
    """getaddrinfo in a daemon thread: the call itself has no timeout."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            box["error"] = exc
        done.set()

    threading.Thread(target=work, name="llmgw-doctor-dns", daemon=True).start()
    if not done.wait(timeout):
        raise ProbeError("timeout", f"no DNS answer for {host} within {timeout:g} s")
    if "error" in box:
        exc = box["error"]
        code = getattr(exc, "errno", None)
        if code == socket.EAI_NONAME:
            raise ProbeError("nxdomain", f"{host} does not exist (NXDOMAIN)")
        if code == socket.EAI_AGAIN:
            raise ProbeError(
                "temporary", f"the DNS server did not answer for {host} (try again later)"
            )
        if code == getattr(socket, "EAI_NODATA", None):
            raise ProbeError("nodata", f"{host} exists but has no address records")
        raise ProbeError("error", f"cannot resolve {host}: {exc}")
    seen: list[Address] = []
    for family, _, _, _, sockaddr in box["infos"]:
        item = (int(family), tuple(sockaddr))
        if item not in seen:
            seen.append(item)
    return seen


def describe_errno(exc: OSError) -> tuple[str, str]:
    code = exc.errno
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timeout", "connection timed out"
    if code == errno.ECONNREFUSED:
        return "refused", "connection refused"
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return (
            "unreachable",
            "network unreachable" if code == errno.ENETUNREACH else "host unreachable",
        )
    if code == errno.ECONNRESET:
        return "reset", "connection reset"
    return "error", exc.strerror or str(exc)


def connect(address: Address, timeout: float) -> socket.socket:
    family, sockaddr = address
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(sockaddr)
    except OSError as exc:
        sock.close()
        kind, text = describe_errno(exc)
        raise ProbeError(kind, text) from exc
    return sock


def open_first_hop(host: str, port: int, timeout: float) -> socket.socket:
    addresses = resolve(host, port, timeout)
    last: ProbeError | None = None
    for address in addresses:
        try:
            return connect(address, timeout)
        except ProbeError as exc:
            last = exc
    assert last is not None
    raise last


@dataclass
class TunnelReply:
    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)


def proxy_auth_header(proxy_url: str) -> str | None:
    parts = urlsplit(proxy_url)
    if parts.username is None:
        return None
    raw = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def proxy_request(sock: socket.socket, proxy_url: str, request_line: str, host: str) -> TunnelReply:
    """Send a CONNECT (or an absolute-form GET) to a proxy and read its status line."""
    lines = [request_line, f"Host: {host}", "User-Agent: llmgw-doctor"]
    auth = proxy_auth_header(proxy_url)
    if auth:
        lines.append(f"Proxy-Authorization: {auth}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        try:
            chunk = sock.recv(4096)
        except OSError as exc:
            kind, text = describe_errno(exc)
            raise ProbeError(kind, f"the proxy did not answer: {text}") from exc
        if not chunk:
            raise ProbeError("closed", "the proxy closed the connection without an answer")
        buf += chunk
        if len(buf) > 65536:
            raise ProbeError("garbled", "the proxy's answer has no end of headers")
    head = buf.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    parts = head[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ProbeError("garbled", f"the proxy answered {head[0][:80]!r}, not HTTP")
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return TunnelReply(int(parts[1]), parts[2] if len(parts) > 2 else "", headers)


@dataclass
class Handshake:
    version: str | None
    cipher: str | None
    alpn: str | None
    der: bytes | None
    ms: float


def handshake(sock: socket.socket, ctx: ssl.SSLContext, server_name: str) -> Handshake:
    """TLS over a connected socket; the socket is closed afterwards either way."""
    start = time.perf_counter()
    try:
        with ctx.wrap_socket(sock, server_hostname=server_name) as tls:
            cipher = tls.cipher()
            return Handshake(
                tls.version(),
                cipher[0] if cipher else None,
                tls.selected_alpn_protocol(),
                tls.getpeercert(binary_form=True),
                ms_since(start),
            )
    finally:
        sock.close()


def decode_cert(der: bytes) -> dict[str, Any]:
    """The certificate as ``getpeercert()`` shows it, also for an unverified one.

    ``ssl`` decodes only from a file, through a private helper; without it the
    details are empty rather than wrong.
    """
    decoder = getattr(getattr(ssl, "_ssl", None), "_test_decode_cert", None)
    if decoder is None:
        return {}
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(ssl.DER_cert_to_PEM_cert(der))
        result: dict[str, Any] = decoder(path)
        return result
    except (ssl.SSLError, ValueError):
        return {}
    finally:
        os.unlink(path)
