"""The request shape of the installed Claude Code, for ``llmgw doctor --deep``
(docs/architecture.md, "doctor/").

Recording: one ``claude -p`` turn against a local recorder (``llmgw mock`` in a thread), with a
scratch HOME and working directory and ``CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1``. What is
kept: the path and query, the headers that shape the request (versions, betas, client ids),
and the body's fields and tool schemas; what is dropped: every credential, the session and
device ids and the conversation itself (one placeholder user message stands in for it).
Kept in the state folder as ``claude-shapes/<version>.json``; ``shapes/`` in the package holds
the one recorded from Claude Code 2.1.328, used when Claude Code is not installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmgw_cli.errors import LlmgwError

SHIPPED_VERSION = "2.1.328"
SHIPPED = Path(__file__).with_name("shapes") / f"claude-code-{SHIPPED_VERSION}.json"
PLACEHOLDER_PROMPT = "Reply with the single word: ok"
# Request headers that shape what a gateway sees; everything else (auth, ids, host) goes.
KEPT_HEADERS = ("anthropic-version", "anthropic-beta", "user-agent", "x-app", "accept")
_VERSION = re.compile(r"(\d+\.\d+\.\d+)")
RECORD_TIMEOUT_S = 120.0
MAX_SHAPE_BYTES = 4 << 20


class ShapeError(LlmgwError):
    """Claude Code's request shape could not be recorded or read."""


@dataclass
class Shape:
    version: str  # Claude Code's version
    source: str  # "installed" (recorded here) | "shipped" (the package's copy)
    path: str  # "/v1/messages"
    query: str  # "beta=true"
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def betas(self) -> list[str]:
        raw = self.headers.get("anthropic-beta", "")
        return [b.strip() for b in raw.split(",") if b.strip()]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "claude_code": self.version,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
        }


def from_json(data: Any, source: str) -> Shape:
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ShapeError("unreadable request shape (not version 1): delete it to record again")
    body = data.get("body")
    headers = data.get("headers")
    if not isinstance(body, dict) or not isinstance(headers, dict):
        raise ShapeError("a request shape lacks its body or headers: delete it to record again")
    return Shape(
        str(data.get("claude_code")),
        source,
        str(data.get("path", "/v1/messages")),
        str(data.get("query", "")),
        {str(k): str(v) for k, v in headers.items()},
        body,
    )


def strip(request: dict[str, Any], version: str) -> Shape:
    """A recorded request (the mock's log entry) without credentials, ids or conversation."""
    headers = {k: v for k, v in request["headers"].items() if k.lower() in KEPT_HEADERS}
    body = dict(request["body"]) if isinstance(request.get("body"), dict) else {}
    body["messages"] = [{"role": "user", "content": [{"type": "text", "text": PLACEHOLDER_PROMPT}]}]
    if "metadata" in body:
        body["metadata"] = {"user_id": "llmgw-doctor"}
    system = body.get("system")
    if isinstance(system, list):  # keep Claude Code's own blocks; drop the environment notes
        body["system"] = [b for b in system if not _mentions_environment(b)]
    return Shape(version, "installed", request["path"], request.get("query", ""), headers, body)


def _mentions_environment(block: Any) -> bool:
    text = block.get("text", "") if isinstance(block, dict) else ""
    return "Primary working directory" in text or "gitStatus" in text


def claude_binary(explicit: str | None = None) -> str | None:
    """``explicit``, else ``$LLMGW_CLAUDE_BIN``, else ``claude`` on PATH."""
    for candidate in (explicit, os.environ.get("LLMGW_CLAUDE_BIN")):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("claude")


def installed_version(binary: str) -> str:
    try:
        done = subprocess.run(
            [binary, "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ShapeError(
            f"{binary} --version failed ({exc}): check the Claude Code install"
        ) from exc
    found = _VERSION.search(done.stdout)
    if done.returncode != 0 or not found:
        raise ShapeError(f"{binary} --version printed no version: check the Claude Code install")
    return found.group(1)


def stored(version: str) -> Path:
    from llmgw_cli.paths import state_dir

    return state_dir() / "claude-shapes" / f"{version}.json"


def load(path: Path, source: str) -> Shape:
    if path.stat().st_size > MAX_SHAPE_BYTES:
        raise ShapeError(f"{path} is larger than {MAX_SHAPE_BYTES} bytes: delete it")
    try:
        return from_json(json.loads(path.read_text(encoding="utf-8")), source)
    except ValueError as exc:
        raise ShapeError(f"{path} is not JSON ({exc}): delete it to record again") from exc


def shipped() -> Shape:
    return load(SHIPPED, "shipped")


def current(binary: str | None) -> Shape:
    """The installed Claude Code's shape (recorded once per version), else the shipped one."""
    if binary is None:
        return shipped()
    version = installed_version(binary)
    path = stored(version)
    if path.is_file():
        return load(path, "installed")
    shape = record(binary, version)
    save(shape, path)
    return shape


def save(shape: Shape, path: Path) -> None:
    from llmgw_cli.paths import ensure_dir, write_atomic

    ensure_dir(path.parent)
    write_atomic(path, json.dumps(shape.to_json(), indent=1, sort_keys=True) + "\n", mode=0o644)


def record(binary: str, version: str, extra_env: dict[str, str] | None = None) -> Shape:
    """One ``claude -p`` turn through the recorder; its first /v1/messages request, stripped."""
    from llmgw_cli.mock.config import MockConfig
    from llmgw_cli.mock.runner import run_in_thread

    with (
        tempfile.TemporaryDirectory(prefix="llmgw-deep-") as scratch,
        run_in_thread(MockConfig(log_body_limit=MAX_SHAPE_BYTES, output_tokens=2)) as url,
    ):
        home = Path(scratch)
        work = home / "work"
        work.mkdir()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "CLAUDE_CONFIG_DIR": str(home / ".claude"),
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
            "NO_COLOR": "1",
            "ANTHROPIC_BASE_URL": url,
            "ANTHROPIC_AUTH_TOKEN": "llmgw-doctor-recorder",
            **(extra_env or {}),
        }
        try:
            done = subprocess.run(
                [binary, "-p", PLACEHOLDER_PROMPT],
                env=env,
                cwd=work,
                capture_output=True,
                text=True,
                timeout=RECORD_TIMEOUT_S,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ShapeError(f"recording Claude Code's request failed: {exc}") from exc
        requests = _seen(url)
    turns = [r for r in requests if r["path"] == "/v1/messages" and isinstance(r["body"], dict)]
    if not turns:
        tail = (done.stdout + done.stderr)[-300:]
        raise ShapeError(
            f"Claude Code {version} sent no /v1/messages request to the recorder "
            f"(exit {done.returncode}: {tail.strip()}); check `{binary} -p hi` works"
        )
    shape = strip(turns[0], version)
    shape.body = _unscratch(shape.body, scratch)
    return shape


def _unscratch(body: dict[str, Any], scratch: str) -> dict[str, Any]:
    """The scratch folder's name (it appears in Claude Code's prompt) as a fixed one."""
    text = json.dumps(body)
    dashed = scratch.replace("/", "-")
    text = text.replace(scratch, "/home/user").replace(dashed, "-home-user")
    result: dict[str, Any] = json.loads(text)
    return result


def _seen(url: str) -> list[dict[str, Any]]:
    import httpx

    reply = httpx.get(f"{url}/_mock/requests", timeout=10, trust_env=False)
    data = reply.json()
    return list(data["requests"]) if isinstance(data, dict) else []
