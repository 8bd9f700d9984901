"""Every error llmgw reports on purpose.

    LlmgwError                 exit code 1 unless a subclass says otherwise
    ├── UsageError             2  bad flags or arguments
    ├── ConfigError            2  a profile or shim config file is invalid
    │   └── ProfileNotFound    2
    ├── SecretError            2  a secret cannot be stored or resolved
    │   └── NoKeychainError    2
    ├── UpstreamError          1  a request to a gateway failed
    ├── CheckFailed            1  doctor / bench found a failure
    ├── CommandNotFound      127  `llmgw exec`: no such command on PATH
    └── CommandNotExecutable 126  `llmgw exec`: the command is not executable

Each message is one line that says how to fix the problem. Lower-level exceptions are
translated where they are caught (``raise ConfigError(...) from exc``); the CLI maps these
to a red line and the exit code, with a traceback only under ``LLMGW_DEBUG=1``.
A message never contains a secret.
"""

from __future__ import annotations

import os


def debug() -> bool:
    """LLMGW_DEBUG=1: show tracebacks instead of one red line."""
    return os.environ.get("LLMGW_DEBUG", "") not in ("", "0")


class LlmgwError(Exception):
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(LlmgwError):
    exit_code = 2


class ConfigError(LlmgwError):
    exit_code = 2


class ProfileNotFound(ConfigError):
    def __init__(self, name: str, where: str = "", known: tuple[str, ...] = ()) -> None:
        import difflib

        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        super().__init__(
            f"no profile named {name!r}{where}: {hint}run `llmgw profile list` to see them, "
            f"or `llmgw profile add {name} --endpoint URL` to create it"
        )
        self.name = name


class SecretError(LlmgwError):
    exit_code = 2


class NoKeychainError(SecretError):
    pass


class UpstreamError(LlmgwError):
    exit_code = 1


class CheckFailed(LlmgwError):
    exit_code = 1


class CommandNotFound(LlmgwError):
    """`llmgw exec` was given a command that is not on PATH (the shell's 127)."""

    exit_code = 127


class CommandNotExecutable(LlmgwError):
    """`llmgw exec` found the command but may not run it (the shell's 126)."""

    exit_code = 126
