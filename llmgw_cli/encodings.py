"""tiktoken encodings built offline from the BPE files the ``bpe-openai`` wheel ships.

tiktoken fetches its BPE files from the network on first use, which fails offline
(docs/clients.md). The ``bpe-openai`` wheel ships cl100k_base and o200k_base gzipped; we check
their sha256 against the hashes tiktoken itself pins and build the ``Encoding`` the way
``tiktoken_ext.openai_public`` does, once per process. tiktoken is imported lazily (the
CLI's hot paths must not pay for it). Which model gets which encoding lives here too.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmgw_cli.errors import ConfigError

if TYPE_CHECKING:
    import tiktoken

_CL100K_PAT = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_O200K_PAT = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)


@dataclass(frozen=True)
class _Spec:
    sha256: str  # of the uncompressed file, as pinned in tiktoken_ext.openai_public
    pattern: str
    special: dict[str, int]


_SPECS = {
    "cl100k_base": _Spec(
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        _CL100K_PAT,
        {
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
    ),
    "o200k_base": _Spec(
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        _O200K_PAT,
        {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    ),
}

# Model name prefixes with OpenAI's own encodings (exact counts).
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "chatgpt-", "o1", "o3", "o4", "gpt-oss")
_CL100K_PREFIXES = ("gpt-4", "gpt-3.5", "text-embedding-3", "text-embedding-ada")
ESTIMATE_ENCODING = "cl100k_base"

_lock = threading.Lock()
_encodings: dict[str, tiktoken.Encoding] = {}


def encoding_for(model: str | None) -> tuple[str, bool]:
    """(encoding name, exact) for a model name."""
    name = (model or "").lower().rsplit("/", 1)[-1]
    if name.startswith(_O200K_PREFIXES):
        return "o200k_base", True
    if name.startswith(_CL100K_PREFIXES):
        return "cl100k_base", True
    return ESTIMATE_ENCODING, False


def _data_dir() -> str:
    """bpe-openai's data folder, found without importing the package: its ``__init__``
    builds its own Rust tokenizers (~64 MB of RSS and seconds of CPU) we never use."""
    import importlib.util

    spec = importlib.util.find_spec("bpe_openai")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the bpe-openai package is missing: pip install bpe-openai")
    return os.path.join(next(iter(spec.submodule_search_locations)), "data")


def load_ranks(name: str) -> dict[bytes, int]:
    """The mergeable ranks of an encoding, from the shipped file, hash-checked."""
    spec = _SPECS[name]
    path = os.path.join(_data_dir(), f"{name}.tiktoken.gz")
    try:
        with open(path, "rb") as fh:
            raw = zlib.decompress(fh.read(), 16 + zlib.MAX_WBITS)
    except (OSError, zlib.error) as exc:
        raise ConfigError(
            f"cannot read the {name} token file {path} ({exc}):"
            " reinstall with `pip install --force-reinstall bpe-openai`"
        ) from exc
    if hashlib.sha256(raw).hexdigest() != spec.sha256:
        raise ConfigError(f"{path} does not match tiktoken's pinned hash: reinstall bpe-openai")
    ranks: dict[bytes, int] = {}
    for line in raw.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def get_encoding(name: str) -> tiktoken.Encoding:
    """A tiktoken Encoding built once per process from the shipped files."""
    enc = _encodings.get(name)
    if enc is not None:
        return enc
    with _lock:
        enc = _encodings.get(name)
        if enc is None:
            import tiktoken

            spec = _SPECS[name]
            enc = tiktoken.Encoding(
                name,
                pat_str=spec.pattern,
                mergeable_ranks=load_ranks(name),
                special_tokens=spec.special,
            )
            # tiktoken keeps the Python dict of ranks (~14 MB) only to pickle the Encoding;
            # its Rust core holds its own copy, and llmgw never pickles an encoding.
            enc._mergeable_ranks = {}
            _encodings[name] = enc
            _give_back_freed_memory()
    return enc


def _give_back_freed_memory() -> None:
    """Return the heap pages the load freed to the OS (glibc ``malloc_trim``): the ranks
    file, its lines and the ranks dict (~20 MB at once, mostly in the warm-up thread's own
    malloc arena) are garbage now, but glibc keeps such pages mapped. Elsewhere: a no-op."""
    import contextlib
    import ctypes

    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).malloc_trim(0)
