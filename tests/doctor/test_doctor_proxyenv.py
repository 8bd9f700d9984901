"""The proxy rules of httpx, curl and Node: pure unit cases, then the same cases checked
against the real clients (httpx in-process, the curl binary, undici's EnvHttpProxyAgent
when Node and undici are installed) going through a loopback proxy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmgw_cli.doctor import proxyenv
from llmgw_cli.doctor.proxyenv import Target, decide_all
from tests.doctor.conftest import PROXY_VARS
from tests.doctor.test_doctor_net import closed_port
from tests.helpers.connect_proxy import ProxyHandle, connect_proxy

P = "http://proxy.example:3128"
UNDICI = Path("/usr/lib/node_modules/npm/node_modules/undici")


def via(env: dict[str, str], url: str) -> dict[str, bool]:
    return {client: d.proxy is not None for client, d in decide_all(env, url).items()}


@pytest.mark.parametrize(
    ("no_proxy", "url", "httpx", "curl", "node"),
    [
        ("corp.com", "https://gw.corp.com", False, False, True),
        ("corp.com", "https://corp.com", False, False, False),
        (".corp.com", "https://corp.com", True, False, True),
        (".corp.com", "https://gw.corp.com", False, False, False),
        ("*.corp.com", "https://gw.corp.com", True, True, False),
        ("10.0.0.0/8", "https://10.1.2.3", True, False, True),
        ("localhost", "https://127.0.0.1:8443", True, True, True),
        ("127.0.0.1", "https://127.0.0.1:8443", False, False, False),
        ("gw.corp.com:8443", "https://gw.corp.com:8443", False, True, False),
        ("gw.corp.com:8443", "https://gw.corp.com", True, True, True),
        ("CORP.COM", "https://gw.corp.com", False, False, True),
        ("*", "https://anything.example", False, False, False),
        ("a.example,*", "https://anything.example", False, True, False),
        ("::1", "https://[::1]:8443", False, False, True),
    ],
)
def test_no_proxy_rules(no_proxy: str, url: str, httpx: bool, curl: bool, node: bool) -> None:
    assert via({"HTTPS_PROXY": P, "NO_PROXY": no_proxy}, url) == {
        "httpx": httpx,
        "curl": curl,
        "node": node,
    }


def test_variable_rules() -> None:
    url = "https://gw.example"
    assert via({"HTTP_PROXY": P}, url) == {"httpx": False, "curl": False, "node": True}
    assert via({"ALL_PROXY": P}, url) == {"httpx": True, "curl": True, "node": False}
    decisions = decide_all({"HTTPS_PROXY": "http://upper:1", "https_proxy": P}, url)
    assert {d.proxy for d in decisions.values()} == {P}
    assert decisions["node"].variable == "https_proxy"
    assert via({"HTTPS_PROXY": P, "https_proxy": ""}, url) == {
        "httpx": False,
        "curl": False,
        "node": False,
    }
    assert via({"http_proxy": P}, "http://gw.example") == {
        "httpx": True,
        "curl": True,
        "node": True,
    }
    assert via({"HTTP_PROXY": P}, "http://gw.example") == {
        "httpx": True,
        "curl": False,
        "node": True,
    }
    assert decide_all({"HTTPS_PROXY": "proxy.example:3128"}, url)["httpx"].proxy == P


def test_redact_and_notes() -> None:
    assert proxyenv.redact("http://alice:pw@proxy:3128") == "http://alice:****@proxy:3128"
    assert proxyenv.redact(P) == P
    notes = " ".join(
        proxyenv.entry_notes(
            {
                "NO_PROXY": "10.0.0.0/8,*.corp.com,.corp.com,corp.com,h:80",
                "no_proxy": "x",
                "HTTPS_PROXY": P,
            }
        )
    )
    assert "no_proxy and NO_PROXY differ" in notes
    assert Target.parse("https://[::1]:8443").host == "::1"


# --- the same rules, observed on the real clients -------------------------------------

CASES = [  # (env, host)
    ({"HTTPS_PROXY": "{proxy}", "NO_PROXY": "corp.invalid"}, "gw.corp.invalid"),
    ({"HTTPS_PROXY": "{proxy}", "NO_PROXY": ".corp.invalid"}, "corp.invalid"),
    ({"HTTPS_PROXY": "{proxy}", "NO_PROXY": "*.corp.invalid"}, "gw.corp.invalid"),
    ({"HTTPS_PROXY": "{proxy}", "NO_PROXY": "127.0.0.0/8"}, "127.0.0.1"),
    ({"HTTPS_PROXY": "{proxy}", "NO_PROXY": "localhost"}, "127.0.0.1"),
    ({"HTTP_PROXY": "{proxy}"}, "gw.invalid"),
    ({"HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "{proxy}"}, "gw.invalid"),
    ({"HTTPS_PROXY": "{proxy}", "NO_PROXY": "gw.corp.invalid:{port}"}, "gw.corp.invalid"),
]


@pytest.fixture(scope="module")
def proxy() -> Iterator[ProxyHandle]:
    with connect_proxy(resolve_to="127.0.0.1") as handle:
        yield handle


def expand(env: dict[str, str], proxy: ProxyHandle, port: int) -> dict[str, str]:
    return {k: v.format(proxy=proxy.url, port=port) for k, v in env.items()}


def went_through(proxy: ProxyHandle, run: object, host: str, port: int) -> bool:
    proxy.seen.clear()
    run()  # type: ignore[operator]
    return f"{host}:{port}" in proxy.targets("CONNECT")


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    return {**env, **extra}


@pytest.mark.parametrize(("env", "host"), CASES)
def test_httpx_really_does_what_the_rule_says(
    env: dict[str, str], host: str, proxy: ProxyHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    port = closed_port()  # the proxy gets a refused connection: only the route matters here
    real = expand(env, proxy, port)
    for k, v in real.items():
        monkeypatch.setenv(k, v)

    def request() -> None:
        try:
            with httpx.Client(trust_env=True, timeout=3, verify=False) as client:
                client.get(f"https://{host}:{port}/")
        except httpx.HTTPError:
            pass

    url = f"https://{host}:{port}/"
    assert went_through(proxy, request, host, port) == via(real, url)["httpx"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl binary")
@pytest.mark.parametrize(("env", "host"), CASES)
def test_curl_really_does_what_the_rule_says(
    env: dict[str, str], host: str, proxy: ProxyHandle
) -> None:
    port = closed_port()
    real = expand(env, proxy, port)

    def request() -> None:
        subprocess.run(
            ["curl", "-sk", "-o", "/dev/null", "--max-time", "3", f"https://{host}:{port}/"],
            env=clean_env(real),
            check=False,
            timeout=30,
        )

    assert went_through(proxy, request, host, port) == via(real, f"https://{host}:{port}/")["curl"]


NODE_SCRIPT = """
const { EnvHttpProxyAgent, request } = require(process.argv[1]);
const agent = new EnvHttpProxyAgent();
request(process.argv[2], { dispatcher: agent, headersTimeout: 3000, bodyTimeout: 3000 })
  .catch(() => {}).finally(() => process.exit(0));
"""


@pytest.mark.skipif(
    shutil.which("node") is None or not (UNDICI / "package.json").is_file(),
    reason="needs node and undici (npm's bundled copy)",
)
@pytest.mark.parametrize(("env", "host"), CASES)
def test_node_undici_really_does_what_the_rule_says(
    env: dict[str, str], host: str, proxy: ProxyHandle
) -> None:
    port = closed_port()
    real = expand(env, proxy, port)
    url = f"https://{host}:{port}/"

    def request() -> None:
        subprocess.run(
            ["node", "-e", NODE_SCRIPT, str(UNDICI), url],
            env=clean_env(real),
            check=False,
            timeout=30,
            capture_output=True,
        )

    assert went_through(proxy, request, host, port) == via(real, url)["node"]


def test_rule_module_is_pure() -> None:
    # The rules read only the mapping they are given, never os.environ.
    assert "os" not in vars(proxyenv) and sys.modules["llmgw_cli.doctor.proxyenv"] is proxyenv
