"""The local forwarding proxy, in wings that import only downwards (docs/architecture.md):

    serve → forward → route → translate → plugins → members → config.py → rules.py
    → seedfile.py | signals.py → the core (wire, config, errors, paths, shimstate, …)

``serve`` starts and stops the server, ``forward`` carries one request through its attempts,
``route`` decides the members and their order, ``translate`` bridges wire formats,
``plugins`` holds the contract and the governance plugins, ``members`` the upstream sessions.
``.importlinter.shim`` states the order as an import-linter contract.
"""
