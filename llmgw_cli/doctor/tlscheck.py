"""The tls check's reasoning: one verified handshake when all is well; when it is not,
look at the certificate without verifying and ask each trust store, so the failure
gets its name — expired, hostname mismatch, TLS inspection or private CA.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from typing import Any

from llmgw_cli.doctor import netprobe, tlsdiag
from llmgw_cli.doctor.context import Context
from llmgw_cli.doctor.proxyenv import Target
from llmgw_cli.doctor.result import Outcome, fail, ok, warn


def ca_fix(name: str) -> str:
    return (
        "get the CA certificate (PEM) that signs the gateway or the inspecting proxy from your "
        f"IT team, then `llmgw profile set {name} tls.ca_bundle=/path/ca.pem`; `llmgw env` "
        "passes it to Claude Code as NODE_EXTRA_CA_CERTS"
    )


Opener = Callable[[], socket.socket]


def diagnose(ctx: Context, target: Target, opener: Opener) -> Outcome:
    tls = ctx.profile.tls
    primary = tlsdiag.client_context(tls)
    primary.set_alpn_protocols(["h2", "http/1.1"])
    try:
        shake = netprobe.handshake(opener(), primary, target.host)
    except ssl.SSLCertVerificationError as exc:
        outcome = _untrusted(ctx, target, opener, exc)
        if not tls.verify:  # the user chose not to verify; say what is wrong, do not fail
            return warn(
                outcome.summary + " (tls.verify: false, so not enforced)",
                outcome.fix,
                outcome.detail,
            )
        return outcome
    except ssl.SSLError as exc:
        return _handshake_error(exc)
    info = tlsdiag.cert_info(netprobe.decode_cert(shake.der or b""))
    detail: dict[str, Any] = {
        "version": shake.version,
        "cipher": shake.cipher,
        "alpn": shake.alpn,
        "handshake_ms": round(shake.ms, 1),
        "verified_by": "certifi" + (" + tls.ca_bundle" if tls.ca_bundle else ""),
        **info,
    }
    days = info.get("days_left")
    summary = (
        f"{shake.version}, ALPN {shake.alpn or 'none'}, {info.get('subject', '?')} issued by "
        f"{info.get('issuer', '?')}, {days if days is not None else '?'} days left, "
        f"verified in {shake.ms:.0f} ms"
    )
    if days is not None and days < tlsdiag.EXPIRY_WARN_DAYS:
        return warn(
            f"certificate expires in {days} days ({info.get('not_after')})",
            "tell the gateway's operators to renew the certificate",
            detail,
        )
    return ok(summary, detail)


def _handshake_error(exc: ssl.SSLError) -> Outcome:
    reason = str(exc.reason or exc)
    if "WRONG_VERSION_NUMBER" in reason.upper() or "RECORD_LAYER" in reason.upper():
        return fail(
            "the server does not speak TLS on this port",
            "use http:// in the endpoint, or the gateway's TLS port",
            {"error": reason},
        )
    if "CERTIFICATE_REQUIRED" in reason.upper() or "HANDSHAKE_FAILURE" in reason.upper():
        return fail(
            f"TLS handshake refused ({reason}): the server may want a client certificate",
            "set tls.client_cert and tls.client_key (Claude Code: CLAUDE_CODE_CLIENT_CERT/KEY)",
            {"error": reason},
        )
    return fail(
        f"TLS handshake failed: {reason}", "check the endpoint's port and scheme", {"error": reason}
    )


def _untrusted(
    ctx: Context, target: Target, opener: Opener, exc: ssl.SSLCertVerificationError
) -> Outcome:
    tls = ctx.profile.tls
    code, message = tlsdiag.verify_error(exc)
    detail: dict[str, Any] = {"verify_code": code, "verify_message": message}
    try:
        shake = netprobe.handshake(opener(), tlsdiag.unverified_context(tls), target.host)
        decoded = netprobe.decode_cert(shake.der or b"")
        detail.update(version=shake.version, cipher=shake.cipher, **tlsdiag.cert_info(decoded))
    except (OSError, ssl.SSLError, netprobe.ProbeError):
        decoded = {}
    problems: list[tuple[str, str]] = []
    if decoded and not tlsdiag.hostname_matches(target.host, decoded):
        names = ", ".join(detail.get("san") or [detail.get("subject", "?")])
        problems.append(
            (
                f"hostname mismatch: the certificate names {names}, not {target.host}",
                "use a host name the certificate lists in the endpoint, or have the "
                "certificate reissued for this name",
            )
        )
    days = detail.get("days_left")
    if code == tlsdiag.EXPIRED or (days is not None and days < 0):
        problems.append(
            (
                f"certificate expired {abs(days or 0)} days ago ({detail.get('not_after')})",
                "the gateway's operators must renew it (check this machine's clock too)",
            )
        )
    if code == tlsdiag.NOT_YET_VALID or detail.get("not_yet_valid"):
        problems.append(
            (
                f"certificate not valid before {detail.get('not_before')}: "
                "check this machine's clock",
                "enable time sync (timedatectl set-ntp true)",
            )
        )
    if tlsdiag.is_untrusted(code) or not problems:
        trust = _ask_stores(ctx, target, opener)
        detail["trust"] = trust
        problems.append(_trust_problem(trust, detail, message, tls.ca_bundle, ctx.profile.name))
    summary = "; ".join(text for text, _ in problems)
    return fail(summary, problems[0][1], detail)


def _ask_stores(ctx: Context, target: Target, opener: Opener) -> dict[str, str]:
    trust: dict[str, str] = {}
    for name, store in tlsdiag.store_contexts(ctx.profile.tls).items():
        try:
            netprobe.handshake(opener(), store, target.host)
            trust[name] = "trusted"
        except ssl.SSLCertVerificationError as exc:
            code, message = tlsdiag.verify_error(exc)
            trust[name] = "untrusted" if tlsdiag.is_untrusted(code) else message
        except (OSError, ssl.SSLError, netprobe.ProbeError) as exc:
            trust[name] = f"error: {exc}"
    return trust


def _trust_problem(
    trust: dict[str, str], detail: dict[str, Any], message: str, bundle: str | None, name: str
) -> tuple[str, str]:
    fix = ca_fix(name)
    issuer = detail.get("issuer", "an unknown issuer")
    if bundle and trust.get("ca_bundle") != "trusted":
        return (
            f"untrusted certificate issued by {issuer}: tls.ca_bundle ({bundle}) "
            "does not hold that CA "
            "(TLS inspection or private CA)",
            fix,
        )
    if trust.get("system") == "trusted":
        return (
            f"TLS inspection or private CA: {issuer} is trusted by the system store but not by "
            "Node/certifi, so Claude Code will refuse it",
            fix,
        )
    if trust.get("certifi") == "untrusted" or trust.get("system") == "untrusted":
        return (
            f"untrusted certificate issued by {issuer}: TLS inspection or private CA "
            "that no trust store here knows",
            fix,
        )
    return (f"certificate verification failed: {message}", fix)
