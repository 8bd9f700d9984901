"""The members wing: a chain member (``member``: a profile or a seed-file provider with its
credential), its upstream HTTP session (``session``: TLS, proxy, connection limits) and the
loading of a config's members (``load``). It may import the shim config, the seed file
reader and the core only, no other wing.
"""
