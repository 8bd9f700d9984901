"""Function tools of a Responses request in Anthropic's terms, and the names that come back.

Codex groups some tools in a ``namespace`` tool (``multi_agent_v1`` with ``close_agent``,
…). Anthropic and Chat know only flat names, so each is sent as ``namespace__name`` and a
tool call for that name is answered as ``{"name": name, "namespace": namespace}``, as the
Responses API does. Hosted tools (``web_search``, …) and ``custom`` tools are left out.
"""

from __future__ import annotations

from typing import Any

from llmgw_cli.wire.common import JsonObj

_TOOL_CHOICE = {"auto": {"type": "auto"}, "required": {"type": "any"}, "none": {"type": "none"}}
_SEP = "__"


class ToolNames:
    """Anthropic tool name -> (namespace, name) for the tools of namespace tools."""

    __slots__ = ("flat",)

    def __init__(self) -> None:
        self.flat: dict[str, tuple[str, str]] = {}

    @classmethod
    def of(cls, body: Any) -> ToolNames:
        names = cls()
        for tool in body.get("tools") or () if isinstance(body, dict) else ():
            if isinstance(tool, dict) and tool.get("type") == "namespace":
                ns = str(tool.get("name", ""))
                for sub in tool.get("tools") or ():
                    if isinstance(sub, dict) and isinstance(sub.get("name"), str):
                        names.flat[ns + _SEP + sub["name"]] = (ns, sub["name"])
        return names

    def to_anthropic(self, name: str, namespace: Any) -> str:
        return f"{namespace}{_SEP}{name}" if isinstance(namespace, str) and namespace else name

    def call_fields(self, name: str) -> JsonObj:
        """The ``name`` (and ``namespace``) fields of a function_call item."""
        hit = self.flat.get(name)
        return {"name": hit[1], "namespace": hit[0]} if hit else {"name": name}


def anthropic_tools(tools: Any) -> list[JsonObj]:
    out: list[JsonObj] = []
    for tool in tools if isinstance(tools, list) else ():
        if not isinstance(tool, dict):
            continue
        if tool.get("type") == "function":
            out.append(_function(tool, str(tool.get("name", ""))))
        elif tool.get("type") == "namespace":
            ns = str(tool.get("name", ""))
            out.extend(
                _function(sub, ns + _SEP + str(sub.get("name", "")))
                for sub in tool.get("tools") or ()
                if isinstance(sub, dict) and sub.get("type", "function") == "function"
            )
    return out


def _function(tool: JsonObj, name: str) -> JsonObj:
    out: JsonObj = {"name": name}
    if tool.get("description"):
        out["description"] = tool["description"]
    params = tool.get("parameters")
    out["input_schema"] = params if isinstance(params, dict) else {"type": "object"}
    return out


def anthropic_tool_choice(choice: Any, parallel: Any, out: JsonObj) -> None:
    result: JsonObj | None = None
    if isinstance(choice, str) and choice in _TOOL_CHOICE:
        result = dict(_TOOL_CHOICE[choice])
    elif isinstance(choice, dict) and choice.get("type") == "function" and choice.get("name"):
        result = {"type": "tool", "name": choice["name"]}
    if parallel is False and (result is None or result["type"] != "none"):
        result = result or {"type": "auto"}
        result["disable_parallel_tool_use"] = True
    if result is not None:
        out["tool_choice"] = result
