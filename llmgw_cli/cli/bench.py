"""`llmgw bench`: latency benchmark of one or more profiles (and models), side by side."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from llmgw_cli.cli.completion import profile_names
from llmgw_cli.errors import CheckFailed, UsageError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as RichProgress

    from llmgw_cli.bench.load import Progress, ProgressFn
    from llmgw_cli.bench.target import Options, Target

_EPILOG = (
    "Closed loop: -c C requests in flight per run. Open loop: --rate R Poisson arrivals per "
    "second per run, latency counted from each arrival (coordinated omission included). "
    "Several --profile (and --model) values run at the same time, interleaved. "
    "--slo ttft=MS,e2e=MS[,p=PERCENT]: exit 1 unless p% (default 99) of requests meet it. "
    "Example: llmgw bench --profile corp --profile local -n 50 -c 4 --json out.json"
)


def register(app: typer.Typer) -> None:
    app.command("bench", epilog=_EPILOG)(bench)


def bench(
    profile: list[str] = typer.Option(
        [],
        "--profile",
        "-p",
        metavar="NAME",
        autocompletion=profile_names,
        help="Profile to bench (repeatable; default: the selected one).",
    ),
    model: list[str] = typer.Option(
        [],
        "--model",
        "-m",
        metavar="M",
        help="Model (repeatable: one run per model; default: the profile's).",
    ),
    requests: int = typer.Option(
        None, "-n", "--requests", metavar="N", help="Requests per run [default: 100]."
    ),
    duration: float = typer.Option(
        None, "--duration", metavar="S", help="Run for S seconds instead of -n."
    ),
    concurrency: int = typer.Option(
        None,
        "-c",
        "--concurrency",
        metavar="C",
        help="Closed loop: requests in flight per run [default: 1].",
    ),
    rate: float = typer.Option(
        None, "--rate", metavar="R", help="Open loop: Poisson arrivals per second per run."
    ),
    warmup: int = typer.Option(
        0, "--warmup", metavar="K", help="Requests per run sent first and left out."
    ),
    max_tokens: int = typer.Option(
        128, "--max-tokens", metavar="M", help="max_tokens of every request."
    ),
    prompt: str = typer.Option(None, "--prompt", metavar="TEXT", help="The user message."),
    prompt_file: Path = typer.Option(
        None, "--prompt-file", metavar="F", help="Read the user message from a file."
    ),
    no_stream: bool = typer.Option(
        False, "--no-stream", help="Ask for whole responses (no TTFT or ITL)."
    ),
    timeout: float = typer.Option(
        600.0,
        "--timeout",
        metavar="S",
        help="Whole-request deadline in seconds: a request not done by then is an error.",
    ),
    slo: str = typer.Option(
        None,
        "--slo",
        metavar="ttft=MS,e2e=MS",
        help="Goodput bounds, [,p=PERCENT] (default 99): exit 1 when missed.",
    ),
    json_file: Path = typer.Option(
        None, "--json", metavar="FILE", help="Write the results as JSON (- for stdout)."
    ),
    csv_file: Path = typer.Option(
        None, "--csv", metavar="FILE", help="Write one CSV row per request."
    ),
    report: Path = typer.Option(
        None, "--report", metavar="FILE", help="Write the report as FILE.svg or FILE.html."
    ),
) -> None:
    """Measure TTFT, inter-token latency, end-to-end latency, throughput and network phases."""
    from llmgw_cli.bench import export, runner, stats
    from llmgw_cli.bench.target import DEFAULT_PROMPT, Options
    from llmgw_cli.cli import console
    from llmgw_cli.cli import render_bench as render

    if requests is not None and duration is not None:
        raise UsageError("give either -n N or --duration S, not both")
    if concurrency is not None and rate is not None:
        raise UsageError("give either -c C (closed loop) or --rate R (open loop), not both")
    if prompt is not None and prompt_file is not None:
        raise UsageError("give either --prompt TEXT or --prompt-file F, not both")
    if report is not None and report.suffix.lower() not in (".svg", ".html", ".htm"):
        raise UsageError(f"--report writes FILE.svg or FILE.html, not {report.name!r}")
    text = (
        prompt
        if prompt is not None
        else _read_prompt(prompt_file)
        if prompt_file
        else DEFAULT_PROMPT
    )
    try:
        objective = stats.parse_slo(slo) if slo else None
    except ValueError as exc:
        raise UsageError(f"--slo {slo!r}: {exc}") from exc
    if objective is not None and objective.ttft_ms is not None and no_stream:
        raise UsageError("--slo ttft= needs streaming: drop --no-stream, or bound e2e= only")
    options = Options(
        requests=requests if requests is not None or duration is not None else 100,
        duration_s=duration, concurrency=1 if concurrency is None else concurrency, rate=rate,
        warmup=warmup,
        max_tokens=max_tokens, prompt=text, stream=not no_stream, timeout_s=timeout,
    ).validate()  # fmt: skip
    targets = _targets(profile, model, options)
    to_stdout = json_file is not None and str(json_file) == "-"
    screen = console.err if to_stdout else console.out
    with _progress(console.err) as bar:
        result = runner.run(targets, options, objective, _updater(bar))
    render.render(result, screen)
    if to_stdout:
        console.print_json(result.document)
    elif json_file is not None:
        export.write(json_file, export.json_text(result))
        console.info(f"wrote {json_file}")
    if csv_file is not None:
        export.write(csv_file, export.csv_text(result))
        console.info(f"wrote {csv_file}")
    if report is not None:
        from llmgw_cli.reports import bench_report

        bench_report.save(result, report)
        console.info(f"wrote {report}")
    failures = result.failures()
    if failures:
        raise CheckFailed("; ".join(failures))


def _read_prompt(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read --prompt-file {path}: {exc}") from exc


def _targets(profiles: list[str], models: list[str], options: Options) -> list[Target]:
    from llmgw_cli.bench.api import targets_for
    from llmgw_cli.config.secrets import Secrets
    from llmgw_cli.config.selection import load_selected
    from llmgw_cli.config.store import ProfileStore

    store, secrets = ProfileStore(), Secrets()
    names: list[str | None] = list(profiles) if profiles else [None]
    loaded = [load_selected(store, name)[1] for name in names]
    return targets_for([(p, secrets.resolve(p)) for p in loaded], models, options)


def _progress(stream: Console) -> RichProgress:
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=stream,
        transient=True,
    )


def _updater(bar: RichProgress) -> ProgressFn:
    task = bar.add_task("bench", total=None, status="")

    def update(p: Progress) -> None:
        description = "warm-up" if p.warmup else "bench"
        total = f"/{p.total}" if p.total is not None else ""
        status = f"{p.done}{total} done, {p.errors} errors"
        if p.total is not None:
            bar.update(
                task, description=description, total=p.total, completed=p.done, status=status
            )
        elif p.duration_s:
            bar.update(
                task,
                description=description,
                total=p.duration_s,
                completed=min(p.elapsed_s, p.duration_s),
                status=status,
            )

    return update
