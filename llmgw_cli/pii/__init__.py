"""PII and secret detection for prompts: detectors, a caching scanner, request walkers."""

from llmgw_cli.pii.scan import ALL_KINDS, LABELS, Finding, Scanner

__all__ = ["ALL_KINDS", "LABELS", "Finding", "Scanner"]
