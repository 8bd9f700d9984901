"""Files llmgw reads are outside input: YAML alias bombs, self-referencing aliases, files
that are not UTF-8 and unclosed YAML constructs are one line naming the file (exit 2);
a broken profile does not break `profile list` / `doctor --all` for the others; text from
clients in the audit log is printed as text; an interrupted atomic write's temp file is
swept by the next write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from llmgw_cli import paths
from tests.helpers.cli import LLMGW, env_with, run
from tests.helpers.mockserver import mock_thread
from tests.hostile.conftest import RSS_BOUND, add_profile, one_line, watched

# 9 levels of 10 references: 10**9 strings when expanded; about 1 KB of text.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)
SELF_ALIAS = "version: 1\nname: loop\nheaders: &h {X-A: *h}\n"


@pytest.fixture(scope="module")
def idle_rss() -> int:
    """Peak RSS of `llmgw profile import` of a small valid file: the reference."""
    return watched(["profile", "list"]).peak_rss


def _files(tmp_path: Path) -> dict[str, tuple[str, bytes]]:
    """name -> (the llmgw command reading it, the file's bytes)."""
    return {
        "import-bomb": ("import", ALIAS_BOMB.encode()),
        "import-self-alias": ("import", SELF_ALIAS.encode()),
        "shim-config-bomb": ("shim", b"chain: [x]\n" + ALIAS_BOMB.encode()),
        "seed-gateway-config-bomb": (
            "shim",
            b"providers:\n  - &p {name: a, endpoint: 'http://127.0.0.1:9', models: [*p]}\n",
        ),
    }


def _command(kind: str, path: Path) -> list[str]:
    if kind == "import":
        return ["profile", "import", str(path)]
    return ["shim", "start", "--config", str(path), "--port", "0"]


@pytest.mark.parametrize(
    "name", ["import-bomb", "import-self-alias", "shim-config-bomb", "seed-gateway-config-bomb"]
)
def test_yaml_aliases_are_refused_in_one_line(name: str, tmp_path: Path, idle_rss: int) -> None:
    kind, data = _files(tmp_path)[name]
    path = tmp_path / ("gateway-config.yaml" if "seed" in name else f"{name}.yaml")
    path.write_bytes(data)
    done = watched(_command(kind, path), timeout=60)
    assert done.returncode == 2, done.stderr
    line = one_line(done.stderr)
    assert str(path) in line and "aliases" in line, line
    assert "unexpected" not in line
    assert done.peak_rss - idle_rss < RSS_BOUND
    assert done.seconds < 10


LATIN1 = "version: 1\nname: broken\nendpoint: http://127.0.0.1:9\nheaders: {X-Team: Zürich}\n"


@pytest.mark.parametrize("kind", ["profile", "import", "shim-config"])
def test_a_file_that_is_not_utf8_is_named_with_the_fix(kind: str, tmp_path: Path) -> None:
    data = LATIN1.encode("latin-1")
    if kind == "profile":
        path = paths.profiles_dir() / "broken.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        command = ["profile", "show", "broken"]
    elif kind == "import":
        path = tmp_path / "broken.yaml"
        command = ["profile", "import", str(path)]
    else:
        path = tmp_path / "shim.yaml"
        data = b"chain: [x]\n# caf\xe9\n"
        command = ["shim", "start", "--config", str(path), "--port", "0"]
    path.write_bytes(data)
    done = run(*command)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert f"{path} is not UTF-8 text" in line and "iconv" in line, line


def test_a_broken_profile_does_not_break_list_or_doctor_all() -> None:
    with mock_thread() as url:
        add_profile("good", url)
        broken = paths.profiles_dir() / "broken.yaml"
        broken.write_bytes(LATIN1.encode("latin-1"))
        listed = run("profile", "list")
        assert listed.returncode == 0, listed.stderr
        assert "good" in listed.stdout and "broken" in listed.stdout
        warning = one_line(listed.stderr)
        assert warning.startswith("warning:") and "broken.yaml is not UTF-8" in warning
        doctor = run("doctor", "--all", "--json", timeout=120)
    results = {r["profile"]: r for r in json.loads(doctor.stdout)["results"]}
    assert results["good"]["ok"] is True
    config = results["broken"]["checks"][0]
    assert config["status"] == "fail" and "is not UTF-8 text" in config["summary"] + str(
        config["detail"]
    )


def test_a_yaml_syntax_error_points_where_the_construct_opened(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "version: 1\nname: p\nheaders: {X-A: a,\n  X-B: b\nendpoint: http://x\n\n\nmodels: {}\n"
    )
    done = run("profile", "import", str(path))
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert f"{path}:3: a flow mapping opened here is not closed" in line, line


def test_usage_prints_client_text_as_text_never_markup() -> None:
    log = paths.state_dir() / "audit.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    base = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "status": 200}
    lines = [
        {**base, "user": "[/bold]x[red]", "model": "[link=http://evil]m[/link]", "profile": "p"},
        {**base, "user": "alice", "model": "claude-sonnet-4-5", "profile": "[bold]"},
        {**base, "user": "deep", "metadata": json.loads("[" * 500 + "]" * 500)},
    ]
    text = "".join(json.dumps(r) + "\n" for r in lines) + "[" * 100_000 + "\n"
    log.write_text(text)
    for by in ("user", "model", "profile"):
        done = run("usage", "--by", by)
        assert done.returncode == 0, done.stderr
        assert "unexpected" not in done.stderr
    assert "[/bold]x[red]" in run("usage", "--by", "user").stdout
    assert "[link=http://evil]m[/link]" in run("usage", "--by", "model").stdout
    assert "[bold]" in run("usage", "--by", "profile").stdout


def _kill_while_writing(
    args: list[str], folder: Path, prefix: str, attempts: int = 100
) -> list[str]:
    """Start ``llmgw ARGS`` and SIGKILL it the moment a temp file of write_atomic (named
    ``PREFIX…``) appears; retried until one is left behind. Returns the temp files left."""

    def temps() -> list[str]:
        return [n for n in os.listdir(folder) if n.startswith(prefix) and n.endswith(".tmp")]

    for _ in range(attempts):
        proc = subprocess.Popen(
            [LLMGW, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env_with(),
        )
        while proc.poll() is None:
            if temps():
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait()
        left = temps()
        if left:
            return left
    pytest.fail(f"no temp file caught in {attempts} attempts")


def test_kill_9_during_profile_add_leaves_a_temp_file_the_next_write_sweeps() -> None:
    folder = paths.profiles_dir()
    folder.mkdir(parents=True, exist_ok=True)
    add_profile("keep", "http://127.0.0.1:1")
    before = (folder / "keep.yaml").read_bytes()
    mine = folder / ".notes.tmp"  # not our pattern: never touched
    mine.write_text("the user's own")
    left = _kill_while_writing(
        ["profile", "add", "victim", "--endpoint", "http://127.0.0.1:2", "--auth", "none"],
        folder,
        ".victim.yaml.",
    )
    assert left
    assert (folder / "keep.yaml").read_bytes() == before  # nothing already written is lost
    add_profile("next", "http://127.0.0.1:3")  # the next write to the folder sweeps
    remaining = sorted(n for n in os.listdir(folder) if n.endswith(".tmp"))
    assert remaining == [".notes.tmp"], remaining
    assert (folder / "keep.yaml").read_bytes() == before


def test_a_temp_file_of_a_live_writer_is_kept_until_it_is_old(tmp_path: Path) -> None:
    live = tmp_path / f".x.yaml.{os.getpid()}-abcd1234.tmp"
    legacy = tmp_path / ".x.yaml.abcd1234.tmp"  # before the pid was in the name
    live.write_text("in progress")
    legacy.write_text("unknown writer")
    assert paths.sweep_temps(tmp_path) == []
    later = time.time() + paths.STALE_TEMP_S + 1
    assert sorted(paths.sweep_temps(tmp_path, now=later)) == sorted([live.name, legacy.name])
