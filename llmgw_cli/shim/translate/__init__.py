"""The translate wing: bridges between a client's wire format and a member's, registered by
(client format, member format); the format knowledge itself lives in ``llmgw_cli.wire``. It
may import plugins, members, the shim config and the core, never route, forward or serve.
"""
