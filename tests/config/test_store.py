"""ProfileStore: one 0600 YAML file per profile, atomic writes, the current profile."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from llmgw_cli import paths
from llmgw_cli.config.model import TLS, Auth, ClaudeCode, Models, Profile, Proxy, Timeouts
from llmgw_cli.config.store import ProfileStore, check_name
from llmgw_cli.errors import ConfigError, ProfileNotFound


def full_profile(name: str = "corp") -> Profile:
    return Profile(
        name=name,
        endpoint="https://llm-gateway.example.com",
        description="the corporate gateway",
        formats=["anthropic", "openai"],
        auth=Auth(type="x-api-key", secret="env:CORP_KEY"),
        headers={"X-Department": "Engineering", "X-Project": "P1 $`\"' é"},
        models=Models(default="claude-sonnet-4-5", opus="o", sonnet="s", haiku="h"),
        tls=TLS(ca_bundle="/etc/ca.pem", client_cert="/c.pem", client_key="/k.pem", verify=False),
        proxy=Proxy(https="http://proxy.corp:3128", no_proxy=[".corp", "localhost"]),
        claude_code=ClaudeCode(
            disable_experimental_betas=True,
            disable_nonessential_traffic=True,
            env={"API_TIMEOUT_MS": "600000"},
        ),
        timeouts=Timeouts(connect_s=3, first_byte_s=60, total_s=300),
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_save_load_round_trip_keeps_every_field(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles")
    original = full_profile()
    path = store.save(original)
    assert path == tmp_path / "profiles" / "corp.yaml"
    assert store.load("corp") == original
    assert mode(path) == 0o600


def test_minimal_profile_file_is_small_and_type_comes_first(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save(Profile(name="p", endpoint="https://x.example", auth=Auth("bearer", "keyring")))
    text = (tmp_path / "p.yaml").read_text()
    assert text == (
        "version: 1\nname: p\nendpoint: https://x.example\nformats:\n- anthropic\n"
        "auth:\n  type: bearer\n  secret: keyring\n"
    )


def test_default_store_lives_under_llmgw_home(llmgw_home: Path) -> None:
    store = ProfileStore()
    store.save(Profile(name="p", endpoint="https://x.example", auth=Auth("none")))
    assert (llmgw_home / "config" / "profiles" / "p.yaml").is_file()


def test_names_are_sorted_and_skip_drafts_and_other_files(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    for name in ("zeta", "alpha", "m.1"):
        store.save(Profile(name=name, endpoint="https://x.example", auth=Auth("none")))
    (tmp_path / ".alpha.edit.yaml").write_text("draft")
    (tmp_path / "notes.txt").write_text("x")
    assert store.names() == ["alpha", "m.1", "zeta"]


def test_names_of_missing_folder_is_empty(tmp_path: Path) -> None:
    assert ProfileStore(tmp_path / "nope").names() == []


def test_overwrite_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save(Profile(name="p", endpoint="https://one.example", auth=Auth("none")))
    store.save(Profile(name="p", endpoint="https://two.example", auth=Auth("none")))
    assert store.load("p").endpoint == "https://two.example"
    assert sorted(os.listdir(tmp_path)) == ["p.yaml"]


def test_failed_write_keeps_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProfileStore(tmp_path)
    store.save(Profile(name="p", endpoint="https://one.example", auth=Auth("none")))
    before = (tmp_path / "p.yaml").read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.save(Profile(name="p", endpoint="https://two.example", auth=Auth("none")))
    monkeypatch.undo()
    assert (tmp_path / "p.yaml").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["p.yaml"]


def test_write_atomic_applies_the_mode_even_with_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        paths.write_atomic(tmp_path / "f", "x", mode=0o600)
        paths.write_atomic(tmp_path / "g", "x", mode=0o644)
    finally:
        os.umask(old)
    assert mode(tmp_path / "f") == 0o600
    assert mode(tmp_path / "g") == 0o644


def test_current_set_clear_and_must_exist(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles")
    assert store.current() is None
    with pytest.raises(ProfileNotFound):
        store.set_current("ghost")
    store.save(Profile(name="a", endpoint="https://x.example", auth=Auth("none")))
    store.set_current("a")
    assert store.current() == "a"
    assert mode(store.current_file) == 0o600
    store.clear_current()
    assert store.current() is None
    store.clear_current()  # clearing twice is fine


def test_rename_moves_the_file_and_the_current_marker(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save(full_profile("old"))
    store.set_current("old")
    renamed = store.rename("old", "new")
    assert renamed.name == "new"
    assert store.names() == ["new"]
    assert store.current() == "new"
    assert store.load("new").headers == full_profile().headers
    assert mode(store.path("new")) == 0o600


def test_rename_refuses_to_overwrite(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save(full_profile("a"))
    store.save(full_profile("b"))
    with pytest.raises(ConfigError, match="exists"):
        store.rename("a", "b")
    assert store.names() == ["a", "b"]


def test_delete_removes_file_and_clears_current(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save(full_profile("a"))
    store.save(full_profile("b"))
    store.set_current("a")
    store.delete("b")
    assert store.current() == "a"
    store.delete("a")
    assert store.names() == []
    assert store.current() is None
    with pytest.raises(ProfileNotFound, match="llmgw profile add a"):
        store.delete("a")


def test_load_missing_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ProfileNotFound) as info:
        ProfileStore(tmp_path).load("corp")
    assert "llmgw profile list" in info.value.message
    assert info.value.exit_code == 2


@pytest.mark.parametrize("bad", ["", "../etc", "a/b", ".hidden", "-x", "sp ace", "x" * 65, "é"])
def test_invalid_names_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="not a valid profile name"):
        check_name(bad)


@pytest.mark.parametrize("good", ["a", "corp", "Corp_2", "my-gw.prod", "9", "x" * 64])
def test_valid_names(good: str) -> None:
    assert check_name(good) == good


def test_path_refuses_traversal(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        ProfileStore(tmp_path).path("../../etc/passwd")
