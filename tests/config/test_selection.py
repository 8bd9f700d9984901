"""Selection order: --profile > LLMGW_PROFILE > nearest .llmgw-profile walking up > global."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmgw_cli.config.model import Auth, Profile
from llmgw_cli.config.selection import LOCAL_FILE, PROFILE_ENV, load_selected, select
from llmgw_cli.config.store import ProfileStore
from llmgw_cli.errors import ConfigError, ProfileNotFound


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    s = ProfileStore(tmp_path / "config" / "profiles")
    for name in ("flagged", "from-env", "local", "global"):
        s.save(Profile(name=name, endpoint=f"https://{name}.example", auth=Auth("none")))
    s.set_current("global")
    return s


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "src" / "deep").mkdir(parents=True)
    (project / LOCAL_FILE).write_text("local\n")
    return project / "src" / "deep"


def test_flag_wins_over_everything(
    store: ProfileStore, nested: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_ENV, "from-env")
    sel = select(store, "flagged", cwd=nested)
    assert (sel.name, sel.source, sel.detail) == ("flagged", "flag", "--profile")


def test_env_wins_over_local_and_global(
    store: ProfileStore, nested: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_ENV, "from-env")
    sel = select(store, None, cwd=nested)
    assert (sel.name, sel.source) == ("from-env", "env")
    assert PROFILE_ENV in sel.detail


def test_blank_env_is_ignored(
    store: ProfileStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_ENV, "  ")
    assert select(store, None, cwd=tmp_path).source == "global"


def test_nearest_local_file_walking_up_wins_over_global(store: ProfileStore, nested: Path) -> None:
    sel = select(store, None, cwd=nested)
    assert (sel.name, sel.source) == ("local", "local")
    assert sel.detail == str(nested.parent.parent / LOCAL_FILE)


def test_the_nearest_of_two_local_files_wins(store: ProfileStore, nested: Path) -> None:
    (nested.parent / LOCAL_FILE).write_text("flagged")
    sel = select(store, None, cwd=nested)
    assert sel.name == "flagged"
    assert sel.detail == str(nested.parent / LOCAL_FILE)


def test_global_current_is_the_last_resort(store: ProfileStore, tmp_path: Path) -> None:
    sel = select(store, None, cwd=tmp_path)
    assert (sel.name, sel.source) == ("global", "global")
    assert str(store.current_file) in sel.detail


def test_nothing_selected_says_how_to_select(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        select(ProfileStore(tmp_path / "p"), None, cwd=tmp_path)
    assert "--profile" in info.value.message
    assert "llmgw profile use" in info.value.message


def test_empty_local_file_is_an_error_naming_it(store: ProfileStore, tmp_path: Path) -> None:
    (tmp_path / LOCAL_FILE).write_text("\n")
    with pytest.raises(ConfigError, match="is empty") as info:
        select(store, None, cwd=tmp_path)
    assert str(tmp_path / LOCAL_FILE) in info.value.message


def test_bad_name_in_local_file_names_the_file(store: ProfileStore, tmp_path: Path) -> None:
    (tmp_path / LOCAL_FILE).write_text("../evil")
    with pytest.raises(ConfigError) as info:
        select(store, None, cwd=tmp_path)
    assert str(tmp_path / LOCAL_FILE) in info.value.message


def test_bad_name_in_env_names_the_variable(
    store: ProfileStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_ENV, "a b")
    with pytest.raises(ConfigError, match=PROFILE_ENV):
        select(store, None, cwd=tmp_path)


def test_load_selected_missing_profile_says_where_the_name_came_from(
    store: ProfileStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_ENV, "ghost")
    with pytest.raises(ConfigError) as info:
        load_selected(store, None, cwd=tmp_path)
    assert "ghost" in info.value.message
    assert f"selected by {PROFILE_ENV}" in info.value.message
    with pytest.raises(ProfileNotFound):
        load_selected(store, "ghost", cwd=tmp_path)


def test_load_selected_returns_the_profile(store: ProfileStore, nested: Path) -> None:
    sel, profile = load_selected(store, None, cwd=nested)
    assert sel.source == "local"
    assert profile.endpoint == "https://local.example"
