"""Turn parsed YAML into typed dataclasses, with errors that name file, line and fix.

The dataclasses declare the schema: each field's annotation is the accepted type
(str, bool, int, float, list[str], dict[str, str], a nested dataclass, or ``X | None``).
Unknown keys are errors, so a typo never silently does nothing.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

from llmgw_cli.config.yamlio import KeyPath, Located
from llmgw_cli.errors import ConfigError

T = TypeVar("T")


def fail(doc: Located, path: KeyPath, message: str) -> ConfigError:
    dotted = ".".join(path) or "(top level)"
    return ConfigError(f"{doc.where(path)}: {dotted}: {message}")


def build(cls: type[T], value: Any, doc: Located, path: KeyPath = ()) -> T:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise fail(doc, path, f"expected a mapping, got {_kind(value)}")
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for key, item in value.items():
        name = str(key)
        if name not in fields or not fields[name].init:
            close = difflib.get_close_matches(name, list(fields), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(fields)}"
            raise fail(doc, (*path, name), f"unknown key; {hint}")
        kwargs[name] = _convert(hints[name], item, doc, (*path, name))
    return cls(**kwargs)


def _convert(tp: Any, value: Any, doc: Located, path: KeyPath) -> Any:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _convert(options[0], value, doc, path)
    if dataclasses.is_dataclass(tp):
        return build(tp, value, doc, path)  # type: ignore[arg-type]
    if origin is list:
        return _list(get_args(tp)[0], value, doc, path)
    if origin is dict:
        return _dict(get_args(tp)[1], value, doc, path)
    if tp is Any:
        return value
    scalar = _SCALARS.get(tp)
    if scalar is None:
        raise TypeError(f"schema type {tp!r} not supported")
    return scalar(value, doc, path)


def _list(item_tp: Any, value: Any, doc: Located, path: KeyPath) -> list[Any]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise fail(doc, path, f"expected a list, got {_kind(value)}")
    return [_convert(item_tp, v, doc, (*path, str(i))) for i, v in enumerate(value)]


def _dict(val_tp: Any, value: Any, doc: Located, path: KeyPath) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(doc, path, f"expected a mapping, got {_kind(value)}")
    return {str(k): _convert(val_tp, v, doc, (*path, str(k))) for k, v in value.items()}


def _bool(value: Any, doc: Located, path: KeyPath) -> bool:
    if not isinstance(value, bool):
        raise fail(doc, path, f"expected true or false, got {_kind(value)}")
    return value


def _number(tp: type[int] | type[float]) -> Callable[[Any, Located, KeyPath], Any]:
    def convert(value: Any, doc: Located, path: KeyPath) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail(doc, path, f"expected a number, got {_kind(value)}")
        if tp is int and not float(value).is_integer():
            raise fail(doc, path, f"expected a whole number, got {value}")
        return tp(value)

    return convert


def _str(value: Any, doc: Located, path: KeyPath) -> str:
    if isinstance(value, (dict, list)) or value is None:
        raise fail(doc, path, f"expected text, got {_kind(value)}")
    # YAML turns 600000 or true into numbers and booleans; environment values are text.
    if isinstance(value, bool):
        return str(value).lower()
    return value if isinstance(value, str) else str(value)


_SCALARS: dict[Any, Callable[[Any, Located, KeyPath], Any]] = {
    bool: _bool,
    int: _number(int),
    float: _number(float),
    str: _str,
}


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "a boolean"}.get(
        type(value), f"a {type(value).__name__}"
    )


def unbuild(obj: Any) -> Any:
    """Dataclass → plain data for YAML, leaving out empty and default values."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            if not f.init:
                continue
            value = unbuild(getattr(obj, f.name))
            default = (
                f.default
                if f.default is not dataclasses.MISSING
                else f.default_factory()
                if f.default_factory is not dataclasses.MISSING
                else dataclasses.MISSING
            )
            if value in (None, {}, []) or (
                default is not dataclasses.MISSING and value == unbuild(default)
            ):
                if f.metadata.get("always"):
                    out[f.name] = value
                continue
            out[f.name] = value
        return out
    if isinstance(obj, list):
        return [unbuild(v) for v in obj]
    if isinstance(obj, dict):
        return {k: unbuild(v) for k, v in obj.items()}
    return obj
