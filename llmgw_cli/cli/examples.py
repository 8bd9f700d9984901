"""One example per command, for commands whose docstring has none (shown in --help)."""

from __future__ import annotations

EXAMPLES: dict[str, str] = {
    "env": 'eval "$(llmgw env --profile corp)"   (fish: llmgw env | source)',
    "token": "llmgw token --profile corp",
    "bench": "llmgw bench --profile corp -n 50 -c 4 --json out.json",
    "mock": "llmgw mock --port 8788 --ttft-ms 300 --itl-ms 20",
    "demo": "llmgw demo",
    "usage": "llmgw usage --since 7d --by profile",
    "tokens": "llmgw tokens --model claude-sonnet-4-5 prompt.txt",
    "statusline": 'in ~/.claude/settings.json: "statusLine": {"type": "command", '
    '"command": "llmgw statusline"}',
    "completion": "source <(llmgw completion bash)",
    "shim start": "llmgw shim start --profile corp --detach",
    "shim stop": "llmgw shim stop",
    "shim reload": "llmgw shim reload",
    "shim status": "llmgw shim status --watch",
    "shim logs": "llmgw shim logs -n 100",
    "shim dashboard": "llmgw shim dashboard --open",
    "codex-config": "llmgw codex-config --profile corp --use",
    "export litellm": "llmgw export litellm --profile corp > litellm.yaml",
    "export haproxy": "llmgw export haproxy --server https://gw1.corp --server https://gw2.corp",
}


def add_examples(command: object, path: str = "") -> None:
    """Append ``Example: …`` to the help of every command that lacks one."""
    for name, sub in (getattr(command, "commands", None) or {}).items():
        full = f"{path} {name}".strip()
        text = sub.help or ""
        example = EXAMPLES.get(full)
        if example and "example" not in (text + (sub.epilog or "")).lower():
            sub.help = f"{text.rstrip()}\n\nExample: {example}"
        _name_metavars(sub)
        add_examples(sub, full)


def _name_metavars(command: object) -> None:
    """An option without its own metavar shows its name (--port PORT), not `<int>`."""
    for param in getattr(command, "params", ()):
        opts = getattr(param, "opts", None)
        if getattr(param, "is_flag", True) or param.metavar is not None or not opts:
            continue
        longest = max(opts, key=len).lstrip("-")
        param.metavar = longest.replace("-", "_").upper()
