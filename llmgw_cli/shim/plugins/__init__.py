"""The plugins wing: the plugin contract (``contract``: ``Exchange``, ``Plugin``, ``Reject``),
the host that calls the enabled plugins' hooks (``host``), the one table of known plugins
(``specs``) and the plugins themselves (metrics, audit, pii, budget). It may import members,
the shim config and the core, never translate, route, forward or serve.
"""
