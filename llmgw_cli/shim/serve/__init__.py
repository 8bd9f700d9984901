"""The shim's server wing: start-up and shutdown of the aiohttp server, the admin and health
routes, the detached daemon and its control client, and the private in-process shim. It is
the top of the shim and may import every wing below it (forward, route, translate, plugins,
members), the shim config and the core; nothing in the shim imports it.
"""
