"""envswitch/shellforms/warm: the hand-written pieces give the standard library's answers.

The warm `llmgw env` avoids json, base64, shlex and re; each replacement is checked here
against the module it replaces, on arbitrary text.
"""

from __future__ import annotations

import base64
import json
import re
import shlex

import platformdirs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmgw_cli import paths
from llmgw_cli.clientenv import envswitch, shellforms, warm

TEXT = st.text(max_size=40)
NAMEISH = st.text(alphabet="aAzZ_09.-\n\u212a\u017fKkeyEY ", max_size=12)


def reference_encode(
    profile: str | None, set_: list[str], was: dict[str, str], saved: list[str]
) -> str:
    data = {"v": 1, "p": profile, "set": set_, "was": was, "saved": saved}
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@given(st.none() | TEXT, st.lists(TEXT), st.dictionaries(TEXT, TEXT), st.lists(TEXT))
@settings(max_examples=300)
def test_the_record_is_written_as_json_dumps_writes_it(
    profile: str | None, set_: list[str], was: dict[str, str], saved: list[str]
) -> None:
    try:
        expected = reference_encode(profile, set_, was, saved)
    except UnicodeEncodeError:  # a lone surrogate: both refuse
        with pytest.raises(UnicodeEncodeError):
            envswitch.encode(profile, set_, was, saved)
        return
    assert envswitch.encode(profile, set_, was, saved) == expected


@given(st.lists(NAMEISH), st.dictionaries(NAMEISH, TEXT))
def test_a_record_reads_back(set_: list[str], was: dict[str, str]) -> None:
    ok = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
    text = envswitch.encode("p", set_, was, [])
    assert envswitch.decode(text) == (
        "p",
        [n for n in set_ if ok.match(n)],
        {k: v for k, v in was.items() if ok.match(k)},
        [],
    )


@given(TEXT)
def test_damaged_records_count_as_none(text: str) -> None:
    out = envswitch.decode(text)
    assert out[0] is None or isinstance(out[0], str)


@given(NAMEISH, st.text(alphabet="ab:/@ \t\u2003\u00a0x", max_size=20))
@settings(max_examples=500)
def test_secret_like_is_the_regex_rule(name: str, value: str) -> None:
    words = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|HEADERS", re.IGNORECASE)
    userinfo = re.compile(r"://[^/@\s]*@")
    not_secret = {"CLAUDE_CODE_CLIENT_KEY", "CLAUDE_CODE_SKIP_BEDROCK_AUTH"}
    expected = bool(userinfo.search(value)) or (name not in not_secret and bool(words.search(name)))
    assert envswitch.secret_like(name, value) is expected


@given(NAMEISH)
def test_name_checks_are_the_patterns(name: str) -> None:
    from llmgw_cli.config.names import ENV_NAME_RE, NAME_RE

    assert envswitch.env_name(name) is bool(ENV_NAME_RE.match(name))
    assert warm.valid_name(name) is bool(NAME_RE.match(name))


@given(st.text(max_size=30))
def test_posix_quoting_is_shlex_quote(value: str) -> None:
    assert shellforms.posix_quote(value) == shlex.quote(value)


def test_the_cache_folder_guess_is_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLMGW_HOME")
    for xdg in (None, "", "  ", "/tmp/xdg-cache"):
        if xdg is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        assert warm.cache_guess() == str(paths.cache_dir()) == platformdirs.user_cache_dir("llmgw")


def test_the_cache_folder_guess_under_llmgw_home() -> None:
    assert warm.cache_guess() == str(paths.cache_dir())


def test_paths_names_the_warm_caches() -> None:
    from llmgw_cli.cli import outcache

    assert paths.WARM_CACHES == (warm.FILE, outcache.FILE)


JSONISH = st.binary(max_size=30).map(lambda b: b'{"' + b) | st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
).map(lambda v: b'{"k": ' + json.dumps(v).encode() + b"}" + b" \n")


@given(JSONISH | st.binary(max_size=20))
@settings(max_examples=500)
def test_json_loads_is_json_loads(raw: bytes) -> None:
    try:
        expected: object = json.loads(raw)
    except (ValueError, TypeError) as exc:
        expected = type(exc)
    try:
        got: object = envswitch.json_loads(raw)
    except (ValueError, TypeError) as exc:
        got = type(exc)
    if isinstance(expected, type) or isinstance(got, type):
        assert issubclass(got, ValueError) and issubclass(expected, ValueError)  # type: ignore[arg-type]
    else:
        assert json.dumps(got) == json.dumps(expected)  # NaN != NaN: compare the text
