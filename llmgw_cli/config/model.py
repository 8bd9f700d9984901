"""The profile: one gateway, how to reach it and how to authenticate (README.md, "Profiles")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from llmgw_cli.config import checks, schema
from llmgw_cli.config.names import ENV_NAME_RE as ENV_NAME_RE
from llmgw_cli.config.names import NAME_RE as NAME_RE
from llmgw_cli.config.yamlio import Located, parse

FORMATS = ("anthropic", "openai", "responses", "bedrock", "vertex")
AUTH_TYPES = ("bearer", "x-api-key", "none")
HEADER_NAME_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")
PLAIN_PROXY_PASSWORD = "proxy.https holds the proxy's password in plain text"


@dataclass
class Auth:
    type: str = "bearer"
    secret: str | None = None  # keyring | env:VAR | cmd:COMMAND | file


@dataclass
class Models:
    default: str | None = None
    opus: str | None = None
    sonnet: str | None = None
    haiku: str | None = None


@dataclass
class TLS:
    ca_bundle: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    verify: bool = True


@dataclass
class Proxy:
    https: str | None = None  # http://user@proxy:3128: the password lives under ``secret``
    no_proxy: list[str] = field(default_factory=list)
    secret: str | None = None  # where the proxy's password lives: keyring | env:VAR | cmd: | file
    # The password read from ``secret`` (Secrets.fill_proxy); never written to disk.
    password: str | None = field(default=None, init=False, compare=False, repr=False)

    def url(self) -> str | None:
        """What a client or the shim connects through: ``https`` with the password put back."""
        if not self.https or self.password is None:
            return self.https
        return checks.with_password(self.https, self.password)


@dataclass
class ClaudeCode:
    """Claude Code's compatibility switches (docs/clients.md, "Compatibility switches");
    ``clientenv.mapping.SWITCHES`` names the variable each one sets."""

    disable_experimental_betas: bool = False
    disable_nonessential_traffic: bool = False
    disable_adaptive_thinking: bool = False
    disable_structured_outputs: bool = False
    disable_advisor_tool: bool = False
    disable_nonstreaming_fallback: bool = False  # a proxy can otherwise make a tool run twice
    tool_search: bool | None = None  # None: Claude Code's own default (off behind a base URL)
    auto_compact_window: int | None = None  # tokens
    max_context_tokens: int | None = None
    max_output_tokens: int | None = None
    attribution_header: bool = True  # false: no attribution block in system[0]
    hint_headers: bool = False  # x-claude-code-request-class and friends
    model_discovery: bool = False  # GET /v1/models?limit=1000 for /model
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Timeouts:
    connect_s: float = 10.0
    first_byte_s: float = 120.0  # the wait for the first byte and every later read
    total_s: float = 600.0  # the whole request, last byte included
    # Between two complete stream events: a stream that drips bytes but no event ends here.
    idle_s: float = 120.0


@dataclass
class Profile:
    name: str = ""
    endpoint: str = ""
    version: int = 1
    description: str | None = None
    formats: list[str] = field(default_factory=lambda: ["anthropic"])
    auth: Auth = field(default_factory=Auth)
    headers: dict[str, str] = field(default_factory=dict)
    models: Models = field(default_factory=Models)
    tls: TLS = field(default_factory=TLS)
    proxy: Proxy = field(default_factory=Proxy)
    claude_code: ClaudeCode = field(default_factory=ClaudeCode)
    timeouts: Timeouts = field(default_factory=Timeouts)
    # Notes produced while loading (e.g. a normalised endpoint); never written to disk.
    warnings: list[str] = field(default_factory=list, init=False, compare=False, repr=False)

    @property
    def root(self) -> str:
        """The endpoint without a trailing slash: what ``ANTHROPIC_BASE_URL`` wants."""
        return self.endpoint.rstrip("/")

    @property
    def openai_base(self) -> str:
        return self.root if self.root.endswith("/v1") else self.root + "/v1"

    def to_dict(self) -> dict[str, Any]:
        body = schema.unbuild(self)
        data: dict[str, Any] = {
            "version": self.version,
            "name": self.name,
            "endpoint": self.endpoint,
            "formats": list(self.formats),
            "auth": {"type": self.auth.type} | schema.unbuild(self.auth),
        }
        data.update({k: v for k, v in body.items() if k not in data})
        return data


def from_data(data: Any, doc: Located, name: str | None = None) -> Profile:
    """Build and validate a profile; ``name`` (from the file name) wins over the file's own."""
    if data is None:  # an empty file: report what is missing, not a bad name
        data = {}
    if isinstance(data, dict) and name is not None:
        data = {**data, "name": name}
    profile = schema.build(Profile, data, doc)
    validate(profile, doc)
    return profile


def from_text(text: str, source: str, name: str | None = None) -> Profile:
    doc = parse(text, source)
    return from_data(doc.data, doc, name)


def validate(p: Profile, doc: Located) -> None:
    if p.version != 1:
        raise schema.fail(doc, ("version",), f"unsupported version {p.version}; use version: 1")
    if not NAME_RE.match(p.name):
        raise schema.fail(
            doc, ("name",), "a name is letters, digits, '.', '_' or '-' (at most 64); rename it"
        )
    if not p.endpoint:
        raise schema.fail(doc, ("endpoint",), "missing; add endpoint: https://your-gateway")
    p.endpoint = check_url(p.endpoint, doc, ("endpoint",), userinfo_ok=False)
    _validate_formats(p, doc)
    _validate_auth(p, doc)
    _validate_names(p, doc)
    _validate_claude_code(p.claude_code, doc)
    _validate_proxy(p, doc)
    for key in ("connect_s", "first_byte_s", "total_s", "idle_s"):
        if problem := checks.timeout_problem(getattr(p.timeouts, key)):
            raise schema.fail(doc, ("timeouts", key), problem)
    if "anthropic" in p.formats and p.root.endswith("/v1"):
        p.endpoint = p.root[: -len("/v1")]
        p.warnings.append(
            f"endpoint ended in /v1; stored as {p.endpoint} "
            "(Claude Code adds /v1 itself and would call /v1/v1/messages)"
        )


def _validate_formats(p: Profile, doc: Located) -> None:
    for i, fmt in enumerate(p.formats):
        if fmt not in FORMATS:
            raise schema.fail(
                doc, ("formats", str(i)), f"{fmt!r} is not one of {', '.join(FORMATS)}"
            )
    if not p.formats:
        raise schema.fail(doc, ("formats",), "list at least one of " + ", ".join(FORMATS))


def _validate_auth(p: Profile, doc: Located) -> None:
    if p.auth.type not in AUTH_TYPES:
        raise schema.fail(doc, ("auth", "type"), f"use one of {', '.join(AUTH_TYPES)}")
    if p.auth.secret is not None:
        from llmgw_cli.config.secretref import SecretRef

        try:
            SecretRef.parse(p.auth.secret)
        except ValueError as exc:
            raise schema.fail(doc, ("auth", "secret"), str(exc)) from exc
    if p.auth.type != "none" and p.auth.secret is None:
        raise schema.fail(
            doc,
            ("auth", "secret"),
            "missing; set it to keyring, env:VAR, cmd:COMMAND or file (or auth.type: none)",
        )


def _validate_proxy(p: Profile, doc: Located) -> None:
    proxy = p.proxy
    if proxy.https:
        proxy.https = check_url(proxy.https, doc, ("proxy", "https"))
    if proxy.secret is None:
        if proxy.https and checks.split_password(proxy.https)[1]:
            p.warnings.append(
                f"{PLAIN_PROXY_PASSWORD}; move it into the keychain with "
                f"`llmgw secret set {p.name} --proxy`"
            )
        return
    from llmgw_cli.config.secretref import SecretRef

    try:
        SecretRef.parse(proxy.secret)
    except ValueError as exc:
        raise schema.fail(doc, ("proxy", "secret"), str(exc)) from exc
    user = checks.url_user(proxy.https)
    if user is None:
        raise schema.fail(
            doc,
            ("proxy", "secret"),
            "a proxy password needs proxy.https with a user name: http://USER@proxy:3128",
        )
    if checks.shown_url(proxy.https) != proxy.https:
        raise schema.fail(
            doc,
            ("proxy", "https"),
            "the password is both in the URL and in proxy.secret; keep http://USER@host only",
        )


def _validate_names(p: Profile, doc: Located) -> None:
    """Header names and values, and Claude Code's extra environment names."""
    for key, value in p.headers.items():
        if not HEADER_NAME_RE.match(key):
            raise schema.fail(doc, ("headers", key), "not a valid HTTP header name")
        if problem := checks.header_problem(key, value):
            raise schema.fail(doc, ("headers", key), problem)
    for key in p.claude_code.env:
        if not ENV_NAME_RE.match(key):
            raise schema.fail(doc, ("claude_code", "env", key), "not a valid environment name")
        if problem := checks.env_problem(key):
            raise schema.fail(doc, ("claude_code", "env", key), problem)


def _validate_claude_code(cc: ClaudeCode, doc: Located) -> None:
    for key in ("auto_compact_window", "max_context_tokens", "max_output_tokens"):
        tokens = getattr(cc, key)
        if tokens is not None and not 1000 <= tokens <= 10_000_000:
            raise schema.fail(
                doc, ("claude_code", key), f"{tokens} tokens: use a count between 1000 and 10000000"
            )


def check_url(url: str, doc: Located, path: tuple[str, ...], userinfo_ok: bool = True) -> str:
    """``url`` stripped of surrounding blanks, parsed strictly (config/checks.py)."""
    url = url.strip()
    problem = checks.url_problem(url, userinfo_ok)
    if problem is not None:
        raise schema.fail(doc, path, f"{checks.shown_url(url)!r} {problem}")
    return url
