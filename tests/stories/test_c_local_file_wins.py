"""Story c: a shell loaded profile a, then the user `cd`s into a project pinned to b.

`.llmgw-profile` beats the shell's LLMGW_ACTIVE_PROFILE (set by `llmgw env`): `doctor` and
`exec` use b, and `profile current` names the file and the sources it passed over.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.mockserver import mock_thread, requests_seen
from tests.stories.kit import ANTHROPIC_SDK, HELLO, PYTHON, bash, llmgw, user_env

pytestmark = pytest.mark.e2e


def test_a_project_file_beats_the_profile_the_shell_loaded(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    with (
        mock_thread(require_key="key-a-123456") as url_a,
        mock_thread(require_key="key-b-654321") as url_b,
    ):
        env = user_env(tmp_path, A_KEY="key-a-123456", B_KEY="key-b-654321")
        llmgw("profile", "add", "a", "--endpoint", url_a, "--secret-env", "A_KEY", env=env)
        llmgw("profile", "add", "b", "--endpoint", url_b, "--secret-env", "B_KEY", env=env)
        llmgw("profile", "use", "b", "--local", env=env, cwd=project)
        script = "\n".join(
            [
                'eval "$(llmgw env --profile a)"',
                f"cd {project / 'src'}",
                "llmgw profile current --json > current.json",
                "llmgw profile current 2> why.txt",
                "llmgw doctor --json > doctor.json || true",
                f'llmgw exec -- {PYTHON} -c "{ANTHROPIC_SDK}"',
            ]
        )
        done = bash(script, env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        to_a = requests_seen(url_a)
        to_b = requests_seen(url_b, "/v1/messages")

    src = project / "src"
    current = json.loads((src / "current.json").read_text())
    assert (current["name"], current["source"]) == ("b", "local")
    assert current["detail"] == str(project / ".llmgw-profile")
    # a is also the global current profile (the first one added).
    over = [(p["name"], p["source"]) for p in current["passed_over"]]
    assert over == [("a", "active"), ("a", "global")]
    why = (src / "why.txt").read_text()
    assert f"selected by {project / '.llmgw-profile'}" in why
    assert "passed over: a from LLMGW_ACTIVE_PROFILE" in why
    report = json.loads((src / "doctor.json").read_text())
    assert [r["profile"] for r in report["results"]] == ["b"]
    checks = {c["id"]: c["status"] for c in report["results"][0]["checks"]}
    assert checks["auth"] == "ok" and checks["messages"] == "ok"
    # exec ran the SDK with b's environment: b answered with b's key, a heard nothing.
    assert HELLO in done.stdout
    assert to_a == []
    assert to_b and all("key-b-654321" in str(r["headers"]) for r in to_b)
