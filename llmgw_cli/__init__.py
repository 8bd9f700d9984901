"""llmgw: endpoint manager and local shim for LLM gateways."""

from __future__ import annotations

__version__ = "0.1.0"
