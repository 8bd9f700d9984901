"""The route wing: which members a request goes to and in what order (the static router, the
resilient chain with its breakers, retry policy, member state and the routing rules). It may
import translate, plugins, members, the shim config and the core, never forward or serve.
"""
