"""`llmgw demo`: mock → profile → request → env → doctor → bench → shim, then clean up."""

from __future__ import annotations

import os

import typer

from llmgw_cli.cli import console


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def _step(n: int, title: str) -> None:
    console.out.print(f"\n[bold cyan]{n}. {title}[/]")


def demo() -> None:
    """A guided tour of llmgw against the embedded mock: works offline, leaves nothing running."""
    from llmgw_cli import demo as tour
    from llmgw_cli.config.store import ProfileStore
    from llmgw_cli.mock.config import MockConfig
    from llmgw_cli.mock.runner import run_in_thread

    key = tour.demo_key()
    os.environ[tour.KEY_VAR] = key  # the profile's secret is env:LLMGW_DEMO_KEY
    store = ProfileStore()

    _step(1, "Start the embedded mock gateway (llmgw mock)")
    with run_in_thread(MockConfig(ttft_ms=20, itl_ms=5, output_tokens=12, require_key=key)) as url:
        console.out.print(f"mock serving Anthropic and OpenAI formats at {url}, requiring a key")

        _step(2, "Create the demo profile (llmgw profile add)")
        profile = tour.save_profile(store, url)
        console.out.print(
            f"saved {store.path(profile.name)} (0600); "
            f"secret: env:{tour.KEY_VAR}, never in the file"
        )

        _step(3, "Send one real request through the profile")
        reply = tour.send_message(profile, tour.resolve(profile))
        console.out.print(
            f"HTTP {reply.status} from {reply.model} in {reply.elapsed_ms:.1f} ms: "
            f"[green]{reply.text!r}[/] ({reply.input_tokens} in, {reply.output_tokens} out)"
        )

        _step(4, "Load it into your shell (llmgw env)")
        console.out.print(
            f"  export {tour.KEY_VAR}=…   # the demo key; yours would live in the keychain"
        )
        console.out.print('  eval "$(llmgw env --profile demo)"')
        for name, value in tour.env_preview(profile, key).items():
            shown = value.replace("\n", "\\n")
            console.out.print(f"    {name}={shown}", markup=False)

        _step(5, "Diagnose it (llmgw doctor)")
        from llmgw_cli.cli.render_doctor import run_and_render

        report = run_and_render(profile, "demo")
        if not report.passed():
            console.warn("doctor found a problem with the mock; see above")

        _step(6, "Measure it (llmgw bench -n 40 -c 4)")
        from llmgw_cli.bench.api import targets_for
        from llmgw_cli.bench.runner import run
        from llmgw_cli.bench.target import Options
        from llmgw_cli.cli.render_bench import render

        options = Options(requests=40, concurrency=4, stream=True)
        result = run(targets_for([(profile, key)], [], options), options, None, None)
        render(result, console.out)

        _step(7, "Route through the local shim (llmgw shim): the client never sees the real key")
        via = tour.through_shim(profile, key)
        console.out.print(
            f"HTTP {via.status} via shim {via.shim_url} → {via.upstream}: [green]{via.text!r}[/]; "
            f"the client sent the shim's local token, the shim sent the profile's key; "
            f"shim overhead {via.overhead_ms} ms"
        )
        console.out.print(
            '  llmgw shim start --profile demo --detach && eval "$(llmgw env --shim)"'
        )

    console.out.print(
        "\nThe mock and the shim have stopped. The demo profile stays (refreshed on every run): "
        "`llmgw profile show demo`; remove it with `llmgw profile remove demo --yes`."
    )
    console.success("demo finished: nothing left running")
