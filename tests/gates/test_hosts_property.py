"""The hypothesis test of issue 13: whatever a client sends (request target, Host, header
values), the only host the shim ever connects to is the member's.

A real shim in a thread, a capturing member and a capturing "attacker" that every generated
target and header names; after each request the attacker has heard nothing, and every
request the member received was addressed to the member (its Host) with its key.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.gates import raw
from tests.gates.kit import KEY_A, Upstream, capturing, message, shim_in_thread, write_profile
from tests.gates.test_targets import NON_CANONICAL


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, str, Upstream, Upstream]]:
    import os

    home = tmp_path_factory.mktemp("hosts-home")
    old = os.environ.get("LLMGW_HOME")
    os.environ["LLMGW_HOME"] = str(home)
    try:
        with capturing() as member, capturing() as attacker:
            write_profile(home, "gw", member.url)
            with shim_in_thread(["gw"]) as shim:
                yield shim.url, shim.token, member, attacker
    finally:
        if old is None:
            os.environ.pop("LLMGW_HOME", None)
        else:
            os.environ["LLMGW_HOME"] = old


# Printable ASCII without the request line's separators.
_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
_PIECES = st.sampled_from(
    [
        "/",
        "//",
        "/..",
        "/./",
        ";x",
        "%2F",
        "%2f%2f",
        "%5C",
        "\\",
        "@",
        ":",
        "?",
        "#",
        "%00",
        "http://",
        "m://",
        "//{att}",
        "{att}",
        "@{att}",
        "/v1/messages",
        "%40{att}",
        "*",
    ]
)


def _target(att: str) -> st.SearchStrategy[str]:
    piece = st.one_of(_PIECES, st.text(_CHARS, min_size=1, max_size=6))
    return st.lists(piece, min_size=1, max_size=6).map(lambda ps: "".join(ps).replace("{att}", att))


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_only_the_members_host_is_ever_contacted(
    world: tuple[str, str, Upstream, Upstream], data: st.DataObject
) -> None:
    url, token, member, attacker = world
    att = attacker.url.removeprefix("http://")
    tgt = data.draw(st.one_of(_target(att), st.sampled_from(NON_CANONICAL)), label="target")
    value = data.draw(
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30).map(
            lambda v: v.replace("{att}", att)
        ),
        label="header value",
    )
    headers = {
        "Authorization": f"Bearer {token}",
        "X-Anything": value,
        "X-Forwarded-Host": att,
        "anthropic-version": "2023-06-01",
    }
    if data.draw(st.booleans(), label="spoof Host"):
        headers["Host"] = att
    before = len(member.seen)
    raw.send(url, tgt, headers, message())
    assert attacker.seen == []
    netloc = member.url.removeprefix("http://")
    for seen in member.seen[before:]:
        assert seen["headers"]["Host"] == netloc
        assert seen["headers"]["Authorization"] == f"Bearer {KEY_A}"
        assert seen["target"].startswith("/") and not seen["target"].startswith("//")


def test_the_property_sees_forwarded_requests(world: tuple[str, str, Upstream, Upstream]) -> None:
    """The property is not vacuous: origin-form targets among the examples do get through."""
    url, token, member, _ = world
    before = len(member.seen)
    status, _, _ = raw.send(url, "/v1/messages", {"Authorization": f"Bearer {token}"}, message())
    assert status == 200 and len(member.seen) == before + 1
