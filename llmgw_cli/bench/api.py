"""Entry points for code other than the CLI (``llmgw demo``, benchmark scripts)::

from llmgw_cli.bench.api import quick
from llmgw_cli.cli.render_bench import render
result = quick("http://127.0.0.1:8788", requests=20, concurrency=4)
render(result, console)          # or result.document for the --json shape
"""

from __future__ import annotations

from llmgw_cli.bench import runner
from llmgw_cli.bench.load import ProgressFn
from llmgw_cli.bench.stats import Slo
from llmgw_cli.bench.target import Options, Target, build
from llmgw_cli.config.model import Auth, Models, Profile


def targets_for(
    profiles: list[tuple[Profile, str | None]], models: list[str], options: Options
) -> list[Target]:
    """One target per profile and model (``models`` empty: each profile's default model).
    ``profiles`` pairs each profile with its resolved secret."""
    from llmgw_cli.bench.target import model_for

    targets: list[Target] = []
    for profile, secret in profiles:
        for model in models or [model_for(profile, None)]:
            targets.append(build(profile, model, secret, options))
    return targets


def quick(
    url: str,
    *,
    name: str = "mock",
    model: str = "claude-sonnet-4-5",
    wire_format: str = "anthropic",
    requests: int = 20,
    concurrency: int = 4,
    stream: bool = True,
    slo: Slo | None = None,
    on_progress: ProgressFn | None = None,
) -> runner.Result:
    """A short closed-loop bench of an unauthenticated endpoint (the mock, a local shim)."""
    profile = Profile(
        name=name, endpoint=url, formats=[wire_format], auth=Auth(type="none"),
        models=Models(default=model),
    )  # fmt: skip
    options = Options(requests=requests, concurrency=concurrency, stream=stream)
    return runner.run(targets_for([(profile, None)], [], options), options, slo, on_progress)
