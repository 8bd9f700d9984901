"""Row 9 of issue 13 and its reload test, on a real `llmgw shim start --config FILE`.

Enable PII, `llmgw shim reload`: the next request with an email is blocked. Turn the budget
on at 1 token, reload: refused; raise it, reload: the next request passes. A stream opened
before the first reload completes on the old plugins. A bad plugins: section is refused with
its reason, and the running plugins stay.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx

from tests.gates.kit import Upstream, auth, message, shim_process, write_profile
from tests.helpers.cli import run

HEAD = "chain: [gw]\nplugins:\n  audit: {enabled: false}\n  metrics: {enabled: true}\n"


def _config(path: Path, pii: bool, budget: int | None) -> None:
    text = HEAD + f"  pii: {{enabled: {str(pii).lower()}}}\n"
    if budget is not None:
        text += f"  budget: {{enabled: true, daily_tokens: {budget}}}\n"
    path.write_text(text)


def test_reload_applies_plugins_while_a_stream_finishes(
    llmgw_home: Path, upstream: Upstream
) -> None:
    write_profile(llmgw_home, "gw", upstream.url)
    cfg = llmgw_home / "shim.yaml"
    _config(cfg, pii=False, budget=None)
    upstream.mode["event_gap_s"] = 1.5  # the stream spans every reload below
    home = {"LLMGW_HOME": str(llmgw_home)}
    with shim_process(llmgw_home, ["--config", str(cfg)]) as shim:
        events: list[str] = []

        def stream() -> None:
            with httpx.stream(
                "POST",
                shim.url + "/v1/messages",
                json=message(stream=True),
                headers=auth(shim.token),
                timeout=60,
            ) as r:
                for line in r.iter_lines():
                    if line.startswith("event:"):
                        events.append(line)

        reader = threading.Thread(target=stream)
        reader.start()

        def post(text: str) -> httpx.Response:
            return httpx.post(
                shim.url + "/v1/messages", json=message(text), headers=auth(shim.token), timeout=30
            )

        email = "write to alice@example.com"
        assert post(email).status_code == 200  # PII off: it goes upstream
        _config(cfg, pii=True, budget=None)
        r = run("shim", "reload", env=home)
        assert r.returncode == 0 and "pii" in r.stdout + r.stderr, r.stderr
        assert events and "event: message_stop" not in events  # open across the reload
        blocked = post(email)
        assert blocked.status_code == 400
        assert blocked.json()["error"]["type"] == "security_violation"
        forwarded = len(upstream.seen)

        _config(cfg, pii=True, budget=1)
        assert run("shim", "reload", env=home).returncode == 0
        assert post("hello").status_code == 429
        _config(cfg, pii=True, budget=1_000_000)
        assert run("shim", "reload", env=home).returncode == 0
        assert post("hello").status_code == 200
        assert len(upstream.seen) == forwarded + 1  # the email never went, "hello" did

        cfg.write_text(HEAD + "  nosuch: {enabled: true}\n")  # refused, with the reason
        r = run("shim", "reload", env=home)
        assert r.returncode == 2 and "unknown plugin 'nosuch'" in r.stderr, r.stderr
        assert "reloaded" not in r.stdout
        assert post("ok").status_code == 200  # the running plugins kept working
        assert post(email).status_code == 400

        reader.join(60)
        assert events[-1] == "event: message_stop", events  # the old stream completed
        status: dict[str, Any] = json.loads(run("shim", "status", "--json", env=home).stdout)
        assert "budget" in json.dumps(status) and "pii" in json.dumps(status)
