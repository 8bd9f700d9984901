"""Wire formats shared by the mock, the shim, doctor and bench.

``sse`` parses and writes Server-Sent Events: Anthropic streams (``event:`` + ``data:``)
and OpenAI streams (``data:`` only, ending in ``data: [DONE]``) go through the same code.
"""

from __future__ import annotations
