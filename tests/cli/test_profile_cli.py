"""`llmgw profile …` through the installed console script."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from llmgw_cli.config.selection import LOCAL_FILE
from tests.helpers.cli import run

SECRET = "sk-profile-cli-secret-7788"


def add(name: str, *extra: str, env: dict[str, str | None] | None = None) -> None:
    done = run("profile", "add", name, "--endpoint", f"https://{name}.example", *extra, env=env)
    assert done.returncode == 0, done.stderr


def files(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())


def test_add_list_show(llmgw_home: Path) -> None:
    add(
        "corp",
        "--secret-env",
        "CORP_KEY",
        "--header",
        "X-Department: Eng",
        "--model",
        "m1",
        "--proxy",
        "http://proxy.corp:3128",
    )
    add("local", "--auth", "none", "--format", "openai")
    listed = json.loads(run("profile", "list", "--json").stdout)
    assert listed["current"] == "corp"  # the first profile becomes current
    assert [(p["name"], p["current"]) for p in listed["profiles"]] == [
        ("corp", True),
        ("local", False),
    ]
    assert listed["profiles"][0]["secret"] == "env:CORP_KEY"
    table = run("profile", "list")
    assert table.returncode == 0
    assert "corp" in table.stdout and "https://local.example" in table.stdout

    shown = run("profile", "show", "corp", env={"CORP_KEY": SECRET})
    assert shown.returncode == 0, shown.stderr
    assert "…7788" in shown.stdout
    assert "environment variable $CORP_KEY" in shown.stdout
    assert SECRET not in shown.stdout + shown.stderr
    data = json.loads(run("profile", "show", "corp", "--json", env={"CORP_KEY": SECRET}).stdout)
    assert data["secret"] == {
        "ref": "env:CORP_KEY",
        "where": "environment variable $CORP_KEY",
        "masked": "…7788",
        "available": True,
    }
    assert data["profile"]["headers"] == {"X-Department": "Eng"}
    assert data["profile"]["proxy"]["https"] == "http://proxy.corp:3128"


def test_show_says_when_the_secret_is_missing() -> None:
    add("corp", "--secret-env", "CORP_KEY")
    data = json.loads(run("profile", "show", "corp", "--json", env={"CORP_KEY": None}).stdout)
    assert data["secret"]["available"] is False
    assert "CORP_KEY" in data["secret"]["problem"]


def test_add_normalises_v1_with_a_warning() -> None:
    done = run("profile", "add", "gw", "--endpoint", "https://gw.example/v1", "--auth", "none")
    assert done.returncode == 0
    assert "warning: endpoint ended in /v1" in done.stderr
    assert (
        json.loads(run("profile", "show", "gw", "--json").stdout)["profile"]["endpoint"]
        == "https://gw.example"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--endpoint", "ftp://gw.example"], "is not an http(s) URL"),
        (["--endpoint", "https://gw.example", "--header", "no colon"], "is not 'Name: Value'"),
        (
            ["--endpoint", "https://gw.example", "--header", "Bad Name: v"],
            "not a valid HTTP header name",
        ),
        (["--endpoint", "https://gw.example", "--format", "grpc"], "'grpc' is not one of"),
        (
            ["--endpoint", "https://gw.example", "--auth", "basic"],
            "use one of bearer, x-api-key, none",
        ),
        (["--endpoint", "https://gw.example", "--secret-env", "1BAD"], "write env:MY_VAR"),
        (["--endpoint", "https://gw.example", "--ca-bundle", "/nope/ca.pem"], "no such file"),
        (
            ["--endpoint", "https://gw.example", "--secret-env", "A", "--secret-cmd", "b"],
            "only one of",
        ),
        (["--endpoint", "https://gw.example", "--insecure-storage"], "goes with --secret-stdin"),
        ([], "--endpoint is required"),
    ],
)
def test_bad_add_exits_2_writes_nothing(llmgw_home: Path, args: list[str], expected: str) -> None:
    done = run("profile", "add", "gw", *args)
    assert done.returncode == 2
    assert expected in done.stderr
    assert done.stderr.count("\n") == 1  # one line
    assert "Traceback" not in done.stderr
    assert files(llmgw_home) == []


def test_add_refuses_to_replace_without_force() -> None:
    add("corp", "--auth", "none")
    done = run("profile", "add", "corp", "--endpoint", "https://other.example", "--auth", "none")
    assert done.returncode == 2
    assert "--force" in done.stderr
    add("corp", "--auth", "none", "--force")


def test_current_reports_each_source(tmp_path: Path) -> None:
    add("glob", "--auth", "none")
    add("loc", "--auth", "none")
    add("envp", "--auth", "none")
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)

    def current(cwd: Path, env: dict[str, str | None] | None = None) -> dict[str, str]:
        done = run("profile", "current", "--json", cwd=cwd, env=env)
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    assert current(project)["source"] == "global"
    assert current(project)["name"] == "glob"
    used = run("profile", "use", "loc", "--local", cwd=project)
    assert used.returncode == 0, used.stderr
    assert (project / LOCAL_FILE).read_text() == "loc\n"
    got = current(project / "sub")
    assert (got["name"], got["source"], got["detail"]) == (
        "loc",
        "local",
        str(project / LOCAL_FILE),
    )
    got = current(project / "sub", env={"LLMGW_PROFILE": "envp"})
    assert (got["name"], got["source"]) == ("envp", "env")
    plain = run("profile", "current", cwd=project, env={"LLMGW_PROFILE": "envp"})
    assert plain.stdout == "envp\n"
    assert "LLMGW_PROFILE" in plain.stderr
    # A profile named by the flag wins: env and show agree.
    shown = json.loads(
        run("profile", "show", "--json", cwd=project, env={"LLMGW_PROFILE": "envp"}).stdout
    )
    assert shown["profile"]["name"] == "envp"
    out = json.loads(
        run(
            "env",
            "--profile",
            "glob",
            "--shell",
            "json",
            cwd=project,
            env={"LLMGW_PROFILE": "envp"},
        ).stdout
    )
    assert out["set"]["LLMGW_ACTIVE_PROFILE"] == "glob"
    assert "LLMGW_PROFILE" not in out["set"]


def test_nothing_selected() -> None:
    done = run("profile", "current")
    assert done.returncode == 2
    assert "llmgw profile use" in done.stderr
    assert done.stdout == ""


def test_use_sets_global_current_and_warns_about_the_env(tmp_path: Path) -> None:
    add("a", "--auth", "none")
    add("b", "--auth", "none")
    done = run("profile", "use", "b", env={"LLMGW_PROFILE": "a"})
    assert done.returncode == 0
    assert "LLMGW_PROFILE=a in this shell still wins" in done.stderr
    assert json.loads(run("profile", "current", "--json", cwd=tmp_path).stdout)["name"] == "b"
    assert run("profile", "use", "ghost").returncode == 2


def test_rename_and_remove_with_file_secret(llmgw_home: Path) -> None:
    done = run(
        "profile",
        "add",
        "a",
        "--endpoint",
        "https://a.example",
        "--secret-stdin",
        "--insecure-storage",
        input=SECRET,
    )
    assert done.returncode == 0, done.stderr
    assert "unencrypted" in done.stderr
    secret_file = llmgw_home / "config" / "secrets" / "a"
    assert secret_file.read_text() == SECRET
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600

    assert run("profile", "rename", "a", "b").returncode == 0
    assert not secret_file.exists()
    assert run("token", "--profile", "b").stdout == SECRET + "\n"
    assert json.loads(run("profile", "list", "--json").stdout)["current"] == "b"
    assert run("profile", "rename", "b", "bad name").returncode == 2

    refused = run("profile", "remove", "b")  # stdin is not a terminal: needs --yes
    assert refused.returncode == 2 and "--yes" in refused.stderr
    removed = run("profile", "remove", "b", "--yes")
    assert removed.returncode == 0
    assert "and its secret" in removed.stderr
    assert files(llmgw_home) == []


def test_export_has_no_secret_and_imports_back(tmp_path: Path) -> None:
    run(
        "profile",
        "add",
        "a",
        "--endpoint",
        "https://a.example",
        "--secret-stdin",
        "--insecure-storage",
        "--header",
        "X-A: 1",
        input=SECRET,
    )
    exported = run("profile", "export", "a")
    assert exported.returncode == 0
    assert SECRET not in exported.stdout
    assert "secret: file" in exported.stdout
    path = tmp_path / "a.yaml"
    path.write_text(exported.stdout.replace("name: a", "name: copy"))
    imported = run("profile", "import", str(path))
    assert imported.returncode == 0, imported.stderr
    copy = json.loads(run("profile", "show", "copy", "--json").stdout)["profile"]
    assert copy["headers"] == {"X-A": "1"}
    again = run("profile", "import", str(path))
    assert again.returncode == 2 and "--force" in again.stderr


def test_import_file_validates(tmp_path: Path, llmgw_home: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: p\nendpoint: https://gw.example\nauth: {type: none}\nheaderz: {}\n")
    done = run("profile", "import", str(path))
    assert done.returncode == 2
    assert f"{path}:4: headerz: unknown key; did you mean 'headers'?" in done.stderr
    assert files(llmgw_home) == []


def write_editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.sh"
    script.write_text("#!/bin/sh\nset -e\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


def test_edit_keeps_a_valid_change(tmp_path: Path, llmgw_home: Path) -> None:
    add("a", "--auth", "none")
    editor = write_editor(tmp_path, "sed -i 's#https://a.example#https://edited.example#' \"$1\"")
    done = run("profile", "edit", "a", env={"EDITOR": editor})
    assert done.returncode == 0, done.stderr
    assert (
        json.loads(run("profile", "show", "a", "--json").stdout)["profile"]["endpoint"]
        == "https://edited.example"
    )
    profiles = llmgw_home / "config" / "profiles"
    assert sorted(os.listdir(profiles)) == ["a.yaml"]
    assert stat.S_IMODE((profiles / "a.yaml").stat().st_mode) == 0o600


def test_edit_refuses_an_invalid_change(tmp_path: Path, llmgw_home: Path) -> None:
    add("a", "--auth", "none")
    path = llmgw_home / "config" / "profiles" / "a.yaml"
    before = path.read_text()
    editor = write_editor(tmp_path, "printf 'endpoint: notaurl\\n' >> \"$1\"")
    done = run("profile", "edit", "a", env={"EDITOR": editor})
    assert done.returncode == 2
    assert "the profile is unchanged" in done.stderr
    assert path.read_text() == before
    # The draft is kept for fixing, but it is not a profile.
    assert [p["name"] for p in json.loads(run("profile", "list", "--json").stdout)["profiles"]] == [
        "a"
    ]


def test_edit_with_a_failing_editor_changes_nothing(tmp_path: Path, llmgw_home: Path) -> None:
    add("a", "--auth", "none")
    path = llmgw_home / "config" / "profiles" / "a.yaml"
    before = path.read_text()
    done = run(
        "profile", "edit", "a", env={"EDITOR": write_editor(tmp_path, 'echo x >> "$1"; exit 4')}
    )
    assert done.returncode == 2 and "exited with 4" in done.stderr
    assert path.read_text() == before
    missing = run("profile", "edit", "a", env={"EDITOR": "/nonexistent/editor"})
    assert missing.returncode == 2 and "set $EDITOR" in missing.stderr
