"""Everything that knows a wire format's shape (docs/architecture.md, "wire formats").

- ``format``: one ``WireFormat`` record per format (``FORMATS``: ``anthropic`` Messages,
  ``openai`` Chat Completions; OpenAI Responses is the next record): endpoints and path
  classes (``classify(path)``, the ``?beta=true`` query ignored), error bodies, user text.
- ``error_bodies``: the one status -> error-type table per format, error bodies, and their
  translation between formats.
- ``usage``: the one ``Usage`` type and the usage tap (shim plugins, bench, prices).
- ``text``: the user's text in a request (PII, audit, routing).
- ``schemas``: reply shapes doctor validates.
- ``sse``: Server-Sent Events, read and written (Anthropic's ``event:`` + ``data:`` and
  OpenAI's ``data:`` only, ending in ``data: [DONE]``).
- Translation, named by the client's format first: ``anthropic_to_openai`` (an Anthropic
  client in front of an OpenAI Chat member: the request goes Anthropic -> OpenAI, the answer
  back) with the stream ``openai_stream_to_anthropic``; ``openai_to_anthropic`` (an OpenAI
  client in front of an Anthropic member) with the stream ``anthropic_stream_to_openai``;
  ``sse_bridge`` runs either stream translator on raw bytes; ``common`` holds what both share.

Nothing here imports llmgw beyond ``llmgw_cli.errors`` and this package.
"""

from __future__ import annotations
