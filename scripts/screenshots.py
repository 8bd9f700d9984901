"""Make the README's pictures (docs/img/*.png) from a real run against `llmgw mock`.

    python scripts/screenshots.py [--out docs/img] [--seconds 60]

Two mocks stand in for a fast local endpoint and a slower corporate gateway that fails now
and then. The script benches both (`llmgw bench --report`), runs `llmgw shim start` over the
two as a chain with the audit plugin on, sends a minute of mixed traffic (three models,
three users) while the dashboard is open, takes the corporate mock away (its breaker opens),
writes `llmgw usage --report`, and photographs the three pages in headless Chromium
(Debian's chromium + chromedriver through Selenium, nothing downloaded). Everything runs in a
throwaway LLMGW_HOME; every process it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.chrome import chromium  # noqa: E402

MODELS = ("claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1")
WORDS = " ".join(["The sea keeps its own time, and the tide answers the moon."] * 5)
USERS = ("alice", "bob", "carol")


def llmgw() -> list[str]:
    exe = shutil.which("llmgw")
    return [exe] if exe else [sys.executable, "-m", "llmgw_cli"]


def start_mock(env: dict[str, str], *args: str) -> tuple[str, subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [*llmgw(), "mock", "--port", "0", *args], stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    url = proc.stdout.readline().decode().strip()
    if not url.startswith("http"):
        raise RuntimeError("llmgw mock printed no URL")
    return url, proc


def write_profile(home: Path, name: str, url: str, model: str) -> None:
    folder = home / "config" / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(
        f"version: 1\nname: {name}\nendpoint: {url}\nformats: [anthropic, openai]\n"
        f"auth: {{type: none}}\nmodels: {{default: {model}}}\n"
    )


# Replies by turn (the number of assistant messages in the request), with the usage a
# Claude Code conversation shows: the first turn writes the prompt cache, later ones read it.
SCRIPT = {"turns": [
    {"text": WORDS, "usage": {"input_tokens": 1800 + 400 * i, "output_tokens": 64,
                              "cache_read_input_tokens": 0 if i == 0 else 9000 + 2500 * i,
                              "cache_creation_input_tokens": 9000 if i == 0 else 700}}
    for i in range(6)
]}  # fmt: skip

SHIM_CONFIG = """\
chain: [local, corp]
breaker: {failures: 2, window_s: 30, cooldown_s: 300}
retry: {attempts: 2, backoff_ms: 20, max_backoff_ms: 100}
routing_rules:
  - {match: {model: "opus"}, route: corp}
plugins:
  audit: {enabled: true}
  metrics: {enabled: true}
"""


def start_shim(home: Path, env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    cfg = home / "shim.yaml"
    cfg.write_text(SHIM_CONFIG)
    log = (home / "shim.log").open("wb")
    proc = subprocess.Popen(
        [*llmgw(), "shim", "start", "--config", str(cfg), "--port", "0"],
        stdout=subprocess.DEVNULL, stderr=log, env=env,
    )  # fmt: skip
    state = home / "run" / "shim.json"
    deadline = time.monotonic() + 60
    while not state.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the shim did not start: {(home / 'shim.log').read_text()}")
        time.sleep(0.05)
    data = json.loads(state.read_text())
    return str(data["url"]), proc


def traffic(url: str, token: str, stop: threading.Event, rng: random.Random) -> None:
    """Claude-Code-like traffic: mostly sonnet, some haiku, now and then opus (to corp)."""
    with httpx.Client(timeout=30, trust_env=False) as client:
        while not stop.is_set():
            model = rng.choices(MODELS, weights=(6, 3, 2))[0]
            turns = rng.choice((0, 0, 1, 2, 3, 4, 5))  # how far into a conversation
            messages: list[dict[str, str]] = []
            for _ in range(turns):
                messages += [{"role": "user", "content": "And then?"},
                             {"role": "assistant", "content": "Then the tide turned."}]  # fmt: skip
            messages.append({"role": "user", "content": "Summarise the sea in a line."})
            body = {"model": model, "max_tokens": 256, "stream": True, "messages": messages}
            headers = {"x-api-key": token, "anthropic-version": "2023-06-01",
                       "x-user-id": rng.choice(USERS)}  # fmt: skip
            try:
                with client.stream("POST", url + "/v1/messages", json=body, headers=headers) as r:
                    for _ in r.iter_bytes():
                        pass
            except httpx.HTTPError:
                pass
            stop.wait(rng.uniform(0.05, 0.35))


def shoot(browser: object, url: str | None, out: Path, height: int | None = None) -> None:
    """Photograph ``url`` (None: the page already open) at its full height, or ``height``."""
    driver = browser.driver  # type: ignore[attr-defined]
    if url is not None:
        driver.get(url)
    time.sleep(0.5)
    full = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(1360, height or full)
    time.sleep(0.3)
    driver.save_screenshot(str(out))
    print(f"wrote {out}")


def run(out: Path, seconds: float) -> None:
    work = Path(tempfile.mkdtemp(prefix="llmgw-shots-"))
    work.mkdir(exist_ok=True)
    home = work / "home"
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    env.update(LLMGW_HOME=str(home), NO_COLOR="1")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        script = work / "script.json"
        script.write_text(json.dumps(SCRIPT))
        local, p1 = start_mock(env, "--ttft-ms", "120", "--itl-ms", "9", "--script", str(script))
        corp, p2 = start_mock(
            env, "--ttft-ms", "380", "--itl-ms", "22", "--script", str(script),
            "--fail-rate", "0.05", "--fail-status", "529", "--seed", "7",
        )  # fmt: skip
        procs += [p1, p2]
        write_profile(home, "local", local, "claude-haiku-4-5")
        write_profile(home, "corp", corp, "claude-sonnet-4-5")
        bench = [*llmgw(), "bench", "-p", "local", "-p", "corp", "-n", "150", "-c", "4",
                 "--warmup", "8", "--slo", "ttft=500,e2e=2500"]  # fmt: skip
        subprocess.run([*bench, "--report", str(work / "bench.html")], env=env, check=False,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        shim_url, shim = start_shim(home, env)
        procs.append(shim)
        token = json.loads((home / "run" / "shim.json").read_text())["token"]
        link = subprocess.run([*llmgw(), "shim", "dashboard"], env=env, capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip
        stop = threading.Event()
        senders = [threading.Thread(target=traffic, args=(shim_url, token, stop,
                   random.Random(i))) for i in range(3)]  # fmt: skip
        with chromium(1360, 1000) as browser:
            browser.driver.get(link)
            for t in senders:
                t.start()
            time.sleep(seconds)
            p2.send_signal(signal.SIGTERM)  # the gateway goes away: corp's breaker opens
            p2.wait(10)
            time.sleep(6)
            shoot(browser, None, out / "shim-dashboard.png", 1240)
            stop.set()
            for t in senders:
                t.join(30)
            subprocess.run([*llmgw(), "usage", "--since", "1h", "--report",
                            str(work / "usage.html")], env=env, check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
            shoot(browser, (work / "bench.html").as_uri(), out / "bench-report.png")
            shoot(browser, (work / "usage.html").as_uri(), out / "usage-report.png")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--seconds", type=float, default=60.0, help="traffic before the photo")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    run(args.out, args.seconds)


if __name__ == "__main__":
    main()
