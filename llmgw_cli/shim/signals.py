"""``ShimSignal``: the one base of the exceptions the shim raises to change a request's
course rather than to crash (a body that is not JSON, a plugin's refusal or failure, a
translator answering locally). Each carries ``message``: one line, safe for the client and
the log (never a secret), so handlers read ``exc.message`` instead of guessing.

It sits at the bottom of the shim: every wing may import it, it imports nothing of llmgw.
"""

from __future__ import annotations


class ShimSignal(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
