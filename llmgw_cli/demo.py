"""`llmgw demo`: a tour of every verb against the embedded mock, offline, leaving nothing running.

Each step is a plain function so the CLI can render between them; nothing here prints.
"""

from __future__ import annotations

import os
import secrets as pysecrets
from dataclasses import dataclass

from llmgw_cli.clientenv import mapping
from llmgw_cli.config.model import Auth, ClaudeCode, Models, Profile
from llmgw_cli.config.secrets import Secrets
from llmgw_cli.config.store import ProfileStore

PROFILE = "demo"
KEY_VAR = "LLMGW_DEMO_KEY"
MODEL = "claude-sonnet-4-5"


@dataclass
class Reply:
    status: int
    text: str
    model: str
    input_tokens: int
    output_tokens: int
    elapsed_ms: float


def demo_key() -> str:
    """The demo's key: reuse one already exported, so a printed `eval` line keeps working."""
    return os.environ.get(KEY_VAR) or "demo-" + pysecrets.token_hex(12)


def save_profile(store: ProfileStore, url: str) -> Profile:
    """Create or refresh the `demo` profile; its secret is read from $LLMGW_DEMO_KEY (env:)."""
    profile = Profile(
        name=PROFILE,
        endpoint=url,
        formats=["anthropic", "openai"],
        auth=Auth(type="bearer", secret=f"env:{KEY_VAR}"),
        headers={"X-Department": "Demo", "X-Project": "llmgw-tour"},
        models=Models(default=MODEL, haiku="claude-haiku-4-5"),
        claude_code=ClaudeCode(disable_nonessential_traffic=True),
        description="created by `llmgw demo`; points at a mock that is gone once the demo ends",
    )
    store.save(profile)  # never the current profile: its mock stops when the demo ends
    return profile


def send_message(profile: Profile, secret: str) -> Reply:
    """One real Messages request with the profile's auth and headers, as Claude Code sends it."""
    import time

    import httpx

    headers = {
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
        "authorization": f"Bearer {secret}",
        **profile.headers,
    }
    body = {"model": MODEL, "max_tokens": 32, "messages": [{"role": "user", "content": "say hi"}]}
    start = time.perf_counter()
    resp = httpx.post(f"{profile.root}/v1/messages", json=body, headers=headers, timeout=10)
    elapsed = (time.perf_counter() - start) * 1000
    data = resp.json()
    text = "".join(b.get("text", "") for b in data.get("content", []) if isinstance(b, dict))
    usage = data.get("usage") or {}
    return Reply(
        resp.status_code,
        text,
        str(data.get("model", "")),
        int(usage.get("input_tokens", 0)),
        int(usage.get("output_tokens", 0)),
        elapsed,
    )


def env_preview(profile: Profile, secret: str) -> dict[str, str]:
    """What `eval "$(llmgw env --profile demo)"` sets, secrets masked."""
    return mapping.plan(profile, secret).masked()


def resolve(profile: Profile) -> str:
    value = Secrets().resolve(profile)
    assert value is not None  # the demo profile always has a bearer secret
    return value


@dataclass
class ShimReply:
    status: int
    text: str
    shim_url: str
    upstream: str
    overhead_ms: str


def through_shim(profile: Profile, secret: str) -> ShimReply:
    """Start a private shim for the profile, send one request with its local token, stop it."""
    import httpx

    from llmgw_cli.shim import config as shim_config
    from llmgw_cli.shim.members.member import from_profile
    from llmgw_cli.shim.serve.server import Config, run_in_thread

    member = from_profile(profile, secret)
    cfg = shim_config.for_chain([profile.name], host="127.0.0.1", port=0)
    with run_in_thread(Config(shim=cfg, members=[member], public=False)) as shim:
        body = {"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}
        resp = httpx.post(
            f"{shim.url}/v1/messages",
            json=body,
            timeout=10,
            headers={"anthropic-version": "2023-06-01", "x-api-key": shim.token},
        )
        data = resp.json()
        text = "".join(b.get("text", "") for b in data.get("content", []) if isinstance(b, dict))
        return ShimReply(
            resp.status_code,
            text,
            shim.url,
            resp.headers.get("x-llmgw-upstream", profile.root),
            resp.headers.get("x-llmgw-overhead-ms", "?"),
        )
