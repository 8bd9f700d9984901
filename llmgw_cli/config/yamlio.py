"""YAML in and out, keeping the line of every key so errors can point at it.

Every file llmgw reads is outside input, so parsing is bounded (docs/architecture.md):
anchors and aliases are refused (a 1 KB "billion laughs" file expands to gigabytes, a
self-referencing alias recurses forever; no llmgw file needs them), nesting is capped,
and a file that is not UTF-8 is one line naming it and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmgw_cli.errors import ConfigError

KeyPath = tuple[str, ...]


@dataclass
class Located:
    """Parsed YAML plus the 1-based line of every mapping key, by key path."""

    data: Any
    source: str
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def where(self, path: KeyPath) -> str:
        # Fall back to the nearest enclosing key that has a line.
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                return f"{self.source}:{line}"
        return self.source


def _loader() -> type:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_DEPTH = 64  # llmgw's own files nest 4 deep; anything near this is not ours


def parse(text: str, source: str) -> Located:
    import yaml

    loader = _loader()(text)
    try:
        root = loader.get_single_node()
        located = Located(data=None, source=source)
        if root is not None:
            _index(root, located.lines, source)
            located.data = loader.construct_document(root)  # a safe loader
    except yaml.YAMLError as exc:
        raise ConfigError(_syntax_message(exc, source)) from exc
    finally:
        loader.dispose()
    return located


def _syntax_message(exc: Exception, source: str) -> str:
    """Point at where an unclosed construct opened (context_mark), not where the parser
    gave up (problem_mark, often the end of the file)."""
    problem = getattr(exc, "problem", None) or "invalid YAML"
    mark = getattr(exc, "problem_mark", None)
    opened = getattr(exc, "context_mark", None)
    context = getattr(exc, "context", None)
    # Only an unclosed bracket or quote opened somewhere: a block mapping's "opening" is
    # just where the enclosing block began, and the problem line is the useful one there.
    opener = ("flow mapping", "flow sequence", "quoted scalar")
    if opened is not None and context and any(kind in context for kind in opener):
        what = (
            str(context).removeprefix("while ").removeprefix("parsing ").removeprefix("scanning ")
        )
        at = f" (gave up at line {mark.line + 1})" if mark is not None else ""
        return (
            f"{source}:{opened.line + 1}: {what} opened here is not closed: {problem}{at}; "
            "fix the YAML syntax"
        )
    line = f":{mark.line + 1}" if mark is not None else ""
    return f"{source}{line}: {problem}; fix the YAML syntax"


def _index(root: Any, lines: dict[KeyPath, int], source: str) -> None:
    """Record the line of every key, refusing aliases and deep nesting; iterative, so a
    hostile file cannot exhaust the stack, and a node seen twice is an alias."""
    import yaml

    seen: set[int] = set()
    todo: list[tuple[Any, KeyPath]] = [(root, ())]
    while todo:
        node, path = todo.pop()
        if id(node) in seen:
            raise ConfigError(
                f"{source}:{node.start_mark.line + 1}: YAML anchors and aliases (&name, *name) "
                "are not accepted in llmgw files; write the value out in full"
            )
        seen.add(id(node))
        if len(path) > MAX_DEPTH:
            raise ConfigError(
                f"{source}:{node.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep; "
                "llmgw files are flat, check that this is the file you meant"
            )
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = (*path, str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?")
                lines[key] = key_node.start_mark.line + 1
                todo.append((key_node, (*path, "")))
                todo.append((value_node, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                key = (*path, str(i))
                lines[key] = item.start_mark.line + 1
                todo.append((item, key))


def read(path: Path) -> Located:
    return parse(read_text(path), str(path))


def read_text(path: Path) -> str:
    """A text file llmgw reads, as UTF-8; anything else is one line naming the file and the fix."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}; check the path") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            f"save it as UTF-8, e.g. `iconv -f latin1 -t utf-8 {path} > fixed && mv fixed {path}`"
        ) from exc


def dump(data: Any) -> str:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1000))
