"""TLS trust: the contexts doctor verifies with, certificate details and the reading of
verification errors.

Claude Code runs on Node, which trusts its bundled Mozilla roots plus
``NODE_EXTRA_CA_CERTS`` (what ``tls.ca_bundle`` becomes). certifi is the same Mozilla set,
so "certifi + ca_bundle" is what the client will trust; the system store (truststore)
tells a TLS-inspecting proxy or a private CA apart from a certificate nobody trusts.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import time
from pathlib import Path
from typing import Any

from llmgw_cli.config.model import TLS

# OpenSSL X509_V_ERR_* codes doctor explains by name.
UNTRUSTED_CODES = frozenset({2, 18, 19, 20, 21})  # no trusted issuer / self-signed
EXPIRED, NOT_YET_VALID, HOSTNAME_MISMATCH = 10, 9, 62
EXPIRY_WARN_DAYS = 14


def expand(path: str) -> str:
    return str(Path(os.path.expanduser(path)))


def _load_client_cert(ctx: ssl.SSLContext, tls: TLS) -> None:
    if tls.client_cert:
        ctx.load_cert_chain(
            expand(tls.client_cert), expand(tls.client_key) if tls.client_key else None
        )


def client_context(tls: TLS) -> ssl.SSLContext:
    """What Claude Code would trust: Mozilla's roots (certifi) plus the profile's CA bundle."""
    import certifi

    ctx = ssl.create_default_context(cafile=certifi.where())
    if tls.ca_bundle:
        ctx.load_verify_locations(cafile=expand(tls.ca_bundle))
    _load_client_cert(ctx, tls)
    return ctx


def store_contexts(tls: TLS) -> dict[str, ssl.SSLContext]:
    """One context per trust store, hostname checks off: each answers "is the chain trusted"."""
    import certifi
    import truststore

    stores: dict[str, ssl.SSLContext] = {
        "certifi": ssl.create_default_context(cafile=certifi.where()),
        "system": truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
    }
    if tls.ca_bundle:
        stores["ca_bundle"] = ssl.create_default_context(cafile=expand(tls.ca_bundle))
    for ctx in stores.values():
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_REQUIRED
        _load_client_cert(ctx, tls)
    return stores


def unverified_context(tls: TLS) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    _load_client_cert(ctx, tls)
    return ctx


def _names(rdns: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for rdn in rdns or ():
        for key, value in rdn:
            out.setdefault(key, value)
    return out


def _label(names: dict[str, str]) -> str:
    return names.get("commonName") or names.get("organizationName") or "?"


def cert_info(decoded: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    if not decoded:
        return {}
    subject, issuer = _names(decoded.get("subject")), _names(decoded.get("issuer"))
    info: dict[str, Any] = {
        "subject": _label(subject),
        "issuer": _label(issuer)
        + (
            f" ({issuer['organizationName']})"
            if "organizationName" in issuer and "commonName" in issuer
            else ""
        ),
        "san": [f"{kind}:{value}" for kind, value in decoded.get("subjectAltName", ())],
        "not_after": decoded.get("notAfter"),
    }
    if decoded.get("notAfter"):
        seconds = ssl.cert_time_to_seconds(decoded["notAfter"]) - (now or time.time())
        info["days_left"] = int(seconds // 86400)
    if decoded.get("notBefore"):
        info["not_before"] = decoded["notBefore"]
        info["not_yet_valid"] = ssl.cert_time_to_seconds(decoded["notBefore"]) > (
            now or time.time()
        )
    return info


def hostname_matches(host: str, decoded: dict[str, Any]) -> bool:
    """The host is named by the certificate's SAN (or, without SAN, its common name)."""
    sans = list(decoded.get("subjectAltName", ()))
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        return any(k == "IP Address" and _same_ip(v, ip) for k, v in sans)
    dns = [v for k, v in sans if k == "DNS"] or (
        [] if sans else [_names(decoded.get("subject")).get("commonName", "")]
    )
    return any(_dns_match(host.lower().rstrip("."), pattern.lower()) for pattern in dns if pattern)


def _same_ip(text: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    try:
        return ipaddress.ip_address(text.strip()) == ip
    except ValueError:
        return False


def _dns_match(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return host == pattern


def verify_error(exc: ssl.SSLError) -> tuple[int, str]:
    code = int(getattr(exc, "verify_code", 0) or 0)
    message = str(getattr(exc, "verify_message", "") or exc.reason or exc)
    return code, message


def is_untrusted(code: int) -> bool:
    return code in UNTRUSTED_CODES
