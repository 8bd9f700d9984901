"""Profile validation: every error names file:line, the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmgw_cli.config import model
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import ConfigError

HEAD = "version: 1\nendpoint: https://gw.example\nauth: {type: none}\n"


def load(tmp_path: Path, text: str) -> model.Profile:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "p.yaml").write_text(text)
    return ProfileStore(folder).load("p")


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    assert info.value.exit_code == 2
    return info.value.message


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (HEAD + "heders: {X-A: b}\n", 4, "heders: unknown key; did you mean 'headers'?"),
        (
            HEAD + "models: {defualt: m}\n",
            4,
            "models.defualt: unknown key; did you mean 'default'?",
        ),
        (
            "version: 1\nendpoint: https://gw.example\nauth: {type: none, secert: keyring}\n",
            3,
            "auth.secert: unknown key; did you mean 'secret'?",
        ),
        (HEAD + "zzz: 1\n", 4, "zzz: unknown key; known keys: "),
        (
            "version: 1\nendpoint: ftp://gw.example\nauth: {type: none}\n",
            2,
            "endpoint: 'ftp://gw.example' is not an http(s) URL; write it as https://host[:port]",
        ),
        (
            "version: 1\nendpoint: 'https://gw.example:99999'\nauth: {type: none}\n",
            2,
            "is not a valid URL",
        ),
        (
            "version: 1\nendpoint: https://gw.example?x=1\nauth: {type: none}\n",
            2,
            "has a query or fragment; remove it",
        ),
        ("version: 1\nendpoint: gw.example\nauth: {type: none}\n", 2, "is not an http(s) URL"),
        (HEAD + "proxy: {https: not a url}\n", 4, "proxy.https: 'not a url' is not an http(s) URL"),
        (
            HEAD + "timeouts: {connect_s: soon}\n",
            4,
            "timeouts.connect_s: expected a number, got text",
        ),
        (HEAD + "timeouts: {connect_s: 0}\n", 4, "timeouts.connect_s: must be more than 0 seconds"),
        (HEAD + "tls: {verify: 'no'}\n", 4, "tls.verify: expected true or false, got text"),
        (HEAD + "headers: [a, b]\n", 4, "headers: expected a mapping, got a list"),
        (HEAD + "headers: {X-A: [1]}\n", 4, "headers.X-A: expected text, got a list"),
        (HEAD + "headers: {'Bad Name': v}\n", 4, "not a valid HTTP header name"),
        (HEAD + 'headers:\n  X-A: "one\\ntwo"\n', 5, "a header value cannot contain a line break"),
        (HEAD + "formats: [anthropc]\n", 4, "'anthropc' is not one of anthropic, openai"),
        (HEAD + "formats: []\n", 4, "list at least one of"),
        (HEAD + "claude_code: {env: {'1BAD': x}}\n", 4, "not a valid environment name"),
        ("version: 2\nendpoint: https://gw.example\nauth: {type: none}\n", 1, "use version: 1"),
        (
            "version: 1\nendpoint: https://gw.example\nauth: {type: beaer, secret: keyring}\n",
            3,
            "auth.type: use one of bearer, x-api-key, none",
        ),
        (
            "version: 1\nendpoint: https://gw.example\nauth: {type: bearer}\n",
            3,
            "auth.secret: missing; set it to keyring, env:VAR, cmd:COMMAND or file",
        ),
        (
            "version: 1\nendpoint: https://gw.example\nauth: {type: bearer, secret: vault}\n",
            3,
            "use keyring, env:VAR, cmd:COMMAND or file",
        ),
        (
            "version: 1\nendpoint: https://gw.example\nauth: {type: bearer, secret: 'env:1X'}\n",
            3,
            "write env:MY_VAR",
        ),
        ("version: 1\nauth: {type: none}\n", None, "endpoint: missing; add endpoint: https://"),
        (HEAD + "  bad: indent\n", 4, "fix the YAML syntax"),
    ],
)
def test_bad_profile_names_file_line_and_fix(
    tmp_path: Path, text: str, line: int | None, expected: str
) -> None:
    message = error(tmp_path, text)
    path = tmp_path / "profiles" / "p.yaml"
    assert message.startswith(f"{path}:{line}:" if line else f"{path}:"), message
    assert expected in message


def test_empty_file_says_what_is_missing(tmp_path: Path) -> None:
    message = error(tmp_path, "")
    assert "endpoint: missing" in message
    assert "a name is" not in message


def test_top_level_list_is_refused(tmp_path: Path) -> None:
    assert "expected a mapping, got a list" in error(tmp_path, "- a\n- b\n")


def test_yaml_numbers_become_text_for_env_values(tmp_path: Path) -> None:
    profile = load(tmp_path, HEAD + "claude_code: {env: {API_TIMEOUT_MS: 600000, FLAG: true}}\n")
    assert profile.claude_code.env == {"API_TIMEOUT_MS": "600000", "FLAG": "true"}


def test_the_file_name_is_the_profile_name(tmp_path: Path) -> None:
    assert load(tmp_path, HEAD + "name: other\n").name == "p"


@pytest.mark.parametrize("endpoint", ["https://gw.example/v1", "https://gw.example/v1/"])
def test_anthropic_v1_endpoint_is_normalised_with_a_warning(endpoint: str) -> None:
    profile = model.from_text(f"endpoint: {endpoint}\nauth: {{type: none}}\n", "inline", "p")
    assert profile.endpoint == "https://gw.example"
    assert profile.root == "https://gw.example"
    assert len(profile.warnings) == 1
    assert "/v1/v1/messages" in profile.warnings[0]


def test_openai_only_v1_endpoint_is_kept() -> None:
    profile = model.from_text(
        "endpoint: https://gw.example/v1\nformats: [openai]\nauth: {type: none}\n", "inline", "p"
    )
    assert profile.endpoint == "https://gw.example/v1"
    assert profile.openai_base == "https://gw.example/v1"
    assert profile.warnings == []


def test_gateway_path_prefix_is_kept() -> None:
    profile = model.from_text(
        "endpoint: https://gw.example/anthropic/\nauth: {type: none}\n", "inline", "p"
    )
    assert profile.root == "https://gw.example/anthropic"
    assert profile.openai_base == "https://gw.example/anthropic/v1"
    assert profile.warnings == []


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ('endpoint: https://x\ndescription: "open\nauth: {type: none}\nheaders: {}\n', 2, "quoted"),
        ("endpoint: https://x\nformats: [anthropic,\nauth: {type: none}\n\n", 2, "sequence"),
    ],
)
def test_an_unclosed_construct_is_reported_where_it_opened(text: str, line: int, what: str) -> None:
    from llmgw_cli.config.yamlio import parse
    from llmgw_cli.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        parse(text, "p.yaml")
    assert caught.value.message.startswith(f"p.yaml:{line}: ")
    assert what in caught.value.message and "opened here" in caught.value.message
