"""Names vulture cannot see used: called by a framework, not by our code.

`vulture llmgw_cli vulture_whitelist.py --min-confidence 80` (.ci/run). Keep the entries
sorted by module, one per line; house-shim adds the shim's plugin hooks here.
"""

# ruff: noqa: B018

from llmgw_cli.bench import api as bench_api
from llmgw_cli.cli import app, console, mock, profile, secret, shim, statusline, tokens, usage
from llmgw_cli.doctor import checks_api, checks_http, checks_net

bench_api.quick  # the Python entry point for benchmarks/ and `llmgw demo` (bench/api.py)
app._root  # Typer callback
checks_api.betas  # doctor checks: registered by @check, run by the registry
checks_api.chat_stream
checks_http.http
checks_net.tcp
console._Console.on_broken_pipe  # rich calls it on EPIPE
mock.mock  # Typer commands: registered with app.command(...)(func)
profile.import_
profile.list_
profile.use
secret.rm
secret.set_
shim.logs
statusline.statusline_cmd
tokens.tokens_cmd
usage.usage_cmd
