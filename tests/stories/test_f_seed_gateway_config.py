"""Story f: the seed's gateway-config.yaml, as the seed's README has the user run it.

`shim start --config gateway-config.yaml`, then `eval "$(llmgw env --shim)"`: the shim's
members are the file's providers, not profiles — that used to fail with "no profile named
'anthropic'". Claude Code then answers through the shim with the provider's key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.mockserver import mock_thread, requests_seen
from tests.stories.kit import HELLO, bash, detached_shim, user_env

pytestmark = pytest.mark.e2e

ANTHROPIC_KEY, OPENAI_KEY = "sk-ant-seed-000000001", "sk-openai-seed-0000002"
SEED = """\
providers:
  anthropic:
    endpoint: {anthropic}
    api_key: ${{ANTHROPIC_API_KEY}}
    models: [claude-opus-4-1, claude-sonnet-4-5]
  openai:
    endpoint: {openai}/v1
    api_key: ${{OPENAI_API_KEY}}
    models: [gpt-4o]
routing_rules:
  - pattern: "code-.*"
    preferred_model: claude-opus-4-1
    fallback: gpt-4o
"""


def test_the_seed_config_serves_claude_code_through_env_shim(
    claude_bin: Path, tmp_path: Path
) -> None:
    with (
        mock_thread(require_key=ANTHROPIC_KEY) as anthropic,
        mock_thread(require_key=OPENAI_KEY) as openai,
    ):
        config = tmp_path / "gateway-config.yaml"
        config.write_text(SEED.format(anthropic=anthropic, openai=openai))
        env = user_env(
            tmp_path, claude_bin, ANTHROPIC_API_KEY=ANTHROPIC_KEY, OPENAI_API_KEY=OPENAI_KEY
        )
        with detached_shim("--config", str(config), env=env) as shim_url:
            done = bash(
                'eval "$(llmgw env --shim)" && env | grep -c "^ANTHROPIC_API_KEY=" ; '
                'echo "base=$ANTHROPIC_BASE_URL"; claude -p hi --model claude-sonnet-4-5',
                env,
                cwd=tmp_path,
            )
        seen = requests_seen(anthropic, "/v1/messages")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "0"  # the user's real key is out of Claude Code's environment
    assert lines[1] == f"base={shim_url.rstrip('/')}"
    assert HELLO in done.stdout
    assert seen and seen[-1]["status"] == 200
    assert seen[-1]["body"]["model"] == "claude-sonnet-4-5"
    sent = seen[-1]["headers"]
    assert ANTHROPIC_KEY in (sent.get("x-api-key"), sent.get("authorization", "")[7:])
