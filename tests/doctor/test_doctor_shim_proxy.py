"""Doctor tells what the shim will do with a profile's proxy, and the shim then does it:
a real shim in front of a real TLS upstream, with a real loopback CONNECT proxy that
resolves every name to 127.0.0.1. The upstream's host is `gw.corp`, which resolves nowhere
else: a shim that went direct never reaches the proxy."""

from __future__ import annotations

import httpx
import pytest
import trustme

from llmgw_cli.config.store import ProfileStore
from tests.doctor.conftest import check, make_profile, run
from tests.helpers.connect_proxy import connect_proxy
from tests.helpers.tlsupstream import tls_upstream
from tests.shim.conftest import shim_for

HI = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 5,
    "messages": [{"role": "user", "content": "hi"}],
}


@pytest.mark.parametrize(
    ("no_proxy", "direct"),
    [
        (["*.corp"], True),  # the shim reads `*.corp` as `.corp` (Node: subdomains; curl: never)
        (["gw.corp:{port}"], True),  # a port entry: that port only
        (["gw.corp:443"], False),  # ... so another port still goes through the proxy
        (["*.other", "localhost"], False),
    ],
)
def test_doctor_states_the_shims_proxy_decision_and_the_shim_keeps_it(
    ca: trustme.CA, no_proxy: list[str], direct: bool
) -> None:
    with tls_upstream(ca) as up, connect_proxy(resolve_to="127.0.0.1") as proxy:
        port = int(up.url.rsplit(":", 1)[1])
        entries = ", ".join(repr(e.format(port=port)) for e in no_proxy)
        profile = make_profile(
            f"https://gw.corp:{port}",
            auth="none",
            extra=(
                f"tls: {{verify: false}}\nproxy: {{https: '{proxy.url}', no_proxy: [{entries}]}}\n"
            ),
        )
        ProfileStore().save(profile)
        said = check(run(profile, ["proxy"]), "proxy").detail["shim"]
        assert said.startswith("direct" if direct else f"via {proxy.url}"), said
        proxy.seen.clear()  # doctor's own CONNECT probe, if it made one
        with shim_for(profile.name) as shim:
            r = httpx.post(
                shim.url + "/v1/messages", json=HI, headers={"x-api-key": shim.token}, timeout=30
            )
    if direct:
        assert proxy.seen == []  # never asked the proxy
        assert r.status_code == 502  # and gw.corp does not resolve without it
    else:
        assert proxy.seen == [("CONNECT", f"gw.corp:{port}")]
        assert r.status_code == 200, r.text
        assert len(up.seen) == 1


def test_doctor_says_where_curl_and_node_differ_from_the_shim() -> None:
    profile = make_profile(
        "https://gw.corp",
        auth="none",
        extra="proxy: {https: 'http://127.0.0.1:9', no_proxy: ['*.corp']}\n",
    )
    detail = check(run(profile, ["proxy"]), "proxy").detail
    assert detail["shim"] == "direct (NO_PROXY entry '*.corp')"
    assert detail["clients"]["node"] == "direct (NO_PROXY entry '*.corp')"
    assert detail["clients"]["curl"].startswith("via http://127.0.0.1:9")
    assert any("*.corp: only Node" in note for note in detail["notes"])
    assert "the shim would go direct (NO_PROXY entry '*.corp')" in " ".join(detail["problems"])
