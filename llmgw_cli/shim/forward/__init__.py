"""The forward wing: one client request from authentication to the relayed answer (local
token check, body limits, the attempt loop over members, the outgoing request, the relay of
the response with its usage tap, and the error bodies the shim answers with). It may import
route, translate, plugins, members, the shim config and the core, never serve.
"""
