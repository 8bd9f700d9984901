"""The local forwarding proxy: server, upstream forwarding, chain, plugins, daemon."""
