"""Pieces both translation directions share: stop reasons, usage, ids, images, tool arguments.

The translators work on already-parsed JSON (``dict``) and build new, shallow structures:
strings, tool schemas and other leaves are shared with the input, never copied, so a
translation costs one pass over the messages (the benchmark measures it on an 87 KB
Claude-Code-shaped request).
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

JsonObj = dict[str, Any]

# OpenAI finish_reason -> Anthropic stop_reason ("stop" may become stop_sequence, see below).
_STOP_O2A = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}
_STOP_A2O = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


class TranslationError(ValueError):
    """The body cannot be expressed in the other format; the shim answers 400 with it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def new_id(prefix: str) -> str:
    return prefix + os.urandom(12).hex()


# One reusable encoder: json.dumps with non-default arguments builds a new one per call
# (a request of Claude Code's has dozens of tool calls). The same output.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps_compact(obj: Any) -> str:
    """Tool arguments the way models write them: compact JSON, UTF-8 kept."""
    return _COMPACT(obj)


def tool_use_to_call(block: JsonObj) -> JsonObj:
    """An Anthropic ``tool_use`` block as an OpenAI ``tool_calls`` entry."""
    return {
        "id": block.get("id", ""),
        "type": "function",
        "function": {
            "name": block.get("name", ""),
            "arguments": dumps_compact(block.get("input") or {}),
        },
    }


def parse_arguments(raw: Any) -> Any:
    """An OpenAI `function.arguments` string as an Anthropic `input` object.

    Empty arguments mean no arguments. Text that is not a JSON object is kept under
    ``_raw_arguments`` rather than dropped, so the client's tool validation reports it.
    """
    if isinstance(raw, dict):  # some OpenAI-compatible servers send an object
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return {"_raw_arguments": raw}
    return value if isinstance(value, dict) else {"_raw_arguments": raw}


def anthropic_stop(
    finish_reason: str | None, matched: Any = None, has_tool_calls: bool = False
) -> tuple[str, str | None]:
    """(stop_reason, stop_sequence) for an OpenAI finish_reason.

    ``matched`` is vLLM's ``choice.stop_reason`` (the stop string that ended the text).
    Tool calls win over "stop": some servers (older Ollama) report "stop" with tool calls,
    and Claude Code only runs tools after a ``tool_use`` stop.
    """
    if has_tool_calls and finish_reason in (None, "stop", "tool_calls", "function_call"):
        return "tool_use", None
    if finish_reason in (None, "stop") and isinstance(matched, str):
        return "stop_sequence", matched
    return _STOP_O2A.get(finish_reason or "stop", "end_turn"), None


def openai_finish(stop_reason: str | None) -> str:
    return _STOP_A2O.get(stop_reason or "end_turn", "stop")


def openai_usage_to_anthropic(usage: Any) -> JsonObj:
    """OpenAI counts cached tokens inside prompt_tokens; Anthropic counts them apart."""
    if not isinstance(usage, dict):
        return {"input_tokens": 0, "output_tokens": 0}
    prompt = _int(usage.get("prompt_tokens"))
    details = usage.get("prompt_tokens_details")
    cached = _int(details.get("cached_tokens")) if isinstance(details, dict) else 0
    if not cached:  # DeepSeek reports cache hits under its own name
        cached = _int(usage.get("prompt_cache_hit_tokens"))
    written = _int(usage.get("cache_creation_input_tokens"))  # LiteLLM-style extension
    return {
        "input_tokens": max(prompt - cached - written, 0),
        "output_tokens": _int(usage.get("completion_tokens")),
        "cache_read_input_tokens": cached,
        "cache_creation_input_tokens": written,
    }


def anthropic_usage_to_openai(usage: Any) -> JsonObj:
    if not isinstance(usage, dict):
        usage = {}
    read = _int(usage.get("cache_read_input_tokens"))
    written = _int(usage.get("cache_creation_input_tokens"))
    prompt = _int(usage.get("input_tokens")) + read + written
    completion = _int(usage.get("output_tokens"))
    out: JsonObj = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": read},
    }
    if written:
        out["cache_creation_input_tokens"] = written
    return out


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def text_of(content: Any, sep: str = "\n\n") -> str:
    """The text in a string, or in a list of Anthropic text blocks / OpenAI text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return sep.join(
            p["text"]
            for p in content
            if isinstance(p, dict)
            and p.get("type") in ("text", "input_text")
            and isinstance(p.get("text"), str)
        )
    return ""


def image_block_to_part(block: JsonObj) -> JsonObj | None:
    """Anthropic image block -> OpenAI image_url part (base64 becomes a data: URL)."""
    src = block.get("source")
    if not isinstance(src, dict):
        return None
    if src.get("type") == "base64":
        url = f"data:{src.get('media_type', 'image/png')};base64,{src.get('data', '')}"
    elif src.get("type") == "url" and isinstance(src.get("url"), str):
        url = src["url"]
    else:  # Files API ids have no OpenAI-side meaning
        return None
    return {"type": "image_url", "image_url": {"url": url}}


def image_part_to_block(part: JsonObj) -> JsonObj | None:
    """OpenAI image_url part -> Anthropic image block (a data: URL becomes base64)."""
    iu = part.get("image_url")
    url = iu.get("url") if isinstance(iu, dict) else iu
    if not isinstance(url, str):
        return None
    media, data = _split_data_url(url)
    if data is not None:
        return {"type": "image", "source": {"type": "base64", "media_type": media, "data": data}}
    return {"type": "image", "source": {"type": "url", "url": url}}


def document_block_to_part(block: JsonObj) -> JsonObj | None:
    """Anthropic document block -> OpenAI file part (PDF) or text part (plain text)."""
    src = block.get("source")
    if not isinstance(src, dict):
        return None
    if src.get("type") == "base64":
        media = src.get("media_type", "application/pdf")
        return {
            "type": "file",
            "file": {
                "filename": block.get("title") or "document.pdf",
                "file_data": f"data:{media};base64,{src.get('data', '')}",
            },
        }
    if src.get("type") == "text" and isinstance(src.get("data"), str):
        return {"type": "text", "text": src["data"]}
    return None


def file_part_to_block(part: JsonObj) -> JsonObj | None:
    f = part.get("file")
    if not isinstance(f, dict) or not isinstance(f.get("file_data"), str):
        return None
    media, data = _split_data_url(f["file_data"])
    if data is None:
        return None
    block: JsonObj = {
        "type": "document",
        "source": {"type": "base64", "media_type": media, "data": data},
    }
    if isinstance(f.get("filename"), str):
        block["title"] = f["filename"]
    return block


def _split_data_url(url: str) -> tuple[str, str | None]:
    if not url.startswith("data:"):
        return "", None
    head, comma, data = url.partition(",")
    if not comma or not head.endswith(";base64"):
        return "", None
    return head[5:-7] or "application/octet-stream", data


def with_model(body: bytes, old: str, new: str) -> bytes | None:
    """``body`` with its ``"model": old`` replaced by ``new`` and every other byte kept (a
    re-encoded body would change how ``system`` is written and bust the prompt cache,
    docs/clients.md); None when the field is not found exactly once."""
    needle = re.compile(rb'"model"\s*:\s*' + re.escape(json.dumps(old).encode()))
    found = needle.findall(body)
    if len(found) != 1:
        return None
    return needle.sub(lambda _m: b'"model":' + json.dumps(new).encode(), body, count=1)
