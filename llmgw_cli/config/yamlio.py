"""YAML in and out, keeping the line of every key so errors can point at it."""

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


def parse(text: str, source: str) -> Located:
    import yaml

    try:
        root = yaml.compose(text, Loader=_loader())
        data = yaml.load(text, Loader=_loader())  # a safe loader
    except yaml.YAMLError as exc:
        raise ConfigError(syntax_message(exc, source)) from exc
    located = Located(data=data, source=source)
    if root is not None:
        _index(root, (), located.lines)
    return located


def syntax_message(exc: Exception, source: str) -> str:
    """Point at the line where an unclosed construct (quote, bracket, block) opened, not at
    the end of the file where the parser noticed; name both when they differ."""
    problem = getattr(exc, "problem", None) or "invalid YAML"
    found = getattr(exc, "problem_mark", None)
    opened = getattr(exc, "context_mark", None)
    context = getattr(exc, "context", None)
    unclosed = bool(context) and any(w in str(context) for w in ("quoted", "flow"))
    if opened is not None and unclosed and (found is None or opened.line != found.line):
        where = f"{source}:{opened.line + 1}"
        also = f" (noticed at line {found.line + 1})" if found is not None else ""
        what = str(context).removeprefix("while scanning ").removeprefix("while parsing ")
        return f"{where}: {what} opened here: {problem}{also}; fix the YAML syntax"
    line = f":{found.line + 1}" if found is not None else ""
    return f"{source}{line}: {problem}; fix the YAML syntax"


def _index(node: Any, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*path, str(key_node.value))
            lines[key] = key_node.start_mark.line + 1
            _index(value_node, key, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = (*path, str(i))
            lines[key] = item.start_mark.line + 1
            _index(item, key, lines)


def read(path: Path) -> Located:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}; check the path") from exc
    return parse(text, str(path))


def dump(data: Any) -> str:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1000))
