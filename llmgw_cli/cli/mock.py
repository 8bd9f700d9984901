"""``llmgw mock``: serve the embedded fake LLM endpoint in the foreground."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

DEFAULT_PORT = 8788

_EPILOG = (
    "The first line on stdout is the URL (scripts read it: `--port 0` picks a free port). "
    "Test hooks: GET/DELETE /_mock/requests, GET /_mock/stats. "
    "A --script file (JSON or YAML) lists turns such as "
    '[{"tool_call": {"name": "Bash", "input": {"command": "echo hi"}}}, {"text": "done"}]; '
    "turn i answers a request carrying i assistant messages."
)


def register(app: typer.Typer) -> None:
    @app.command("mock", epilog=_EPILOG)
    def mock(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(DEFAULT_PORT, "--port", help="Port; 0 picks a free one."),
        wire_format: str = typer.Option(
            "both",
            "--format",
            help="Endpoints to serve: anthropic, openai (Chat), responses, or both (every format).",
        ),
        ttft_ms: float = typer.Option(0.0, "--ttft-ms", help="Delay before the first token."),
        itl_ms: float = typer.Option(0.0, "--itl-ms", help="Delay between tokens."),
        output_tokens: int = typer.Option(
            16, "--output-tokens", help="Tokens per reply (the request's max_tokens caps it)."
        ),
        require_key: str | None = typer.Option(
            None,
            "--require-key",
            envvar="LLMGW_MOCK_REQUIRE_KEY",
            show_envvar=True,
            help="Key clients must send as `x-api-key` or `Authorization: Bearer`; else 401.",
        ),
        fail_rate: float = typer.Option(
            0.0, "--fail-rate", help="Fraction of API requests that fail with --fail-status."
        ),
        fail_status: int = typer.Option(503, "--fail-status", help="Status of injected failures."),
        seed: int | None = typer.Option(None, "--seed", help="Seed for reproducible --fail-rate."),
        reject_betas: bool = typer.Option(
            False,
            "--reject-betas",
            help="400 on anthropic-beta values (except --allow-beta) and on context_management.",
        ),
        allow_beta: list[str] = typer.Option(
            [],
            "--allow-beta",
            metavar="VALUE",
            help="A beta value --reject-betas lets through (repeatable).",
        ),
        drop_after: int | None = typer.Option(
            None, "--drop-after", help="Cut every stream after N events, without finishing it."
        ),
        models: str | None = typer.Option(
            None, "--models", help="Comma-separated model ids for /v1/models."
        ),
        strict_models: bool = typer.Option(
            False, "--strict-models", help="404 for a model not in --models."
        ),
        script: Path | None = typer.Option(
            None, "--script", help="JSON/YAML file of scripted replies (text or tool calls)."
        ),
        reject_adaptive: bool = typer.Option(
            False, "--reject-adaptive", help="400 on thinking: {type: adaptive}."
        ),
        reject_advisor: bool = typer.Option(
            False, "--reject-advisor", help="400 on the advisor tool (advisor_20260301)."
        ),
        reject_tool_regex: bool = typer.Option(
            False, "--reject-tool-regex", help="400 on a strict tool whose schema uses \\p{…}."
        ),
        waf_403_over_bytes: int | None = typer.Option(
            None,
            "--waf-403-over-bytes",
            metavar="N",
            help="A firewall's 403 HTML page for /v1/messages bodies over N bytes.",
        ),
        context_window: int | None = typer.Option(
            None,
            "--context-window",
            metavar="TOKENS",
            help="400 'prompt is too long' above this many (estimated) input tokens.",
        ),
        reword_context_errors: bool = typer.Option(
            False, "--reword-context-errors", help="Reword the context-limit error."
        ),
        reshape_errors: bool = typer.Option(
            False, "--reshape-errors", help="Replace every error body with the gateway's own."
        ),
        retry_after_format: str = typer.Option(
            "seconds", "--retry-after-format", help="429 retry-after: seconds, http-date or float."
        ),
        models_redirect: bool = typer.Option(
            False, "--models-redirect", help="307 on GET /v1/models?… (model discovery)."
        ),
        reject_both_auth: bool = typer.Option(
            False, "--reject-both-auth", help="401 when both x-api-key and Authorization arrive."
        ),
        json_for_stream: bool = typer.Option(
            False, "--json-for-stream", help="Answer stream: true with a JSON message."
        ),
        strip_pings: bool = typer.Option(False, "--strip-pings", help="No ping events in streams."),
        stream_pause_ms: float = typer.Option(
            0.0, "--stream-pause-ms", help="A silent pause after a stream's first text delta."
        ),
        ping_every_ms: float = typer.Option(
            0.0, "--ping-every-ms", help="Ping events during --stream-pause-ms, this often."
        ),
    ) -> None:
        """Run a fake Anthropic/OpenAI endpoint with configurable latency and faults."""
        from llmgw_cli.cli.console import info
        from llmgw_cli.mock.config import DEFAULT_MODELS, MockConfig
        from llmgw_cli.mock.runner import serve_forever

        config = MockConfig(
            host=host,
            port=port,
            format=wire_format,
            ttft_ms=ttft_ms,
            itl_ms=itl_ms,
            output_tokens=output_tokens,
            require_key=require_key,
            fail_rate=fail_rate,
            fail_status=fail_status,
            seed=seed,
            reject_betas=reject_betas,
            allow_betas=tuple(allow_beta),
            drop_after=drop_after,
            models=tuple(m.strip() for m in models.split(","))
            if models is not None
            else DEFAULT_MODELS,
            strict_models=strict_models,
            script=script,
            reject_adaptive=reject_adaptive,
            reject_advisor=reject_advisor,
            reject_tool_regex=reject_tool_regex,
            waf_403_over_bytes=waf_403_over_bytes,
            context_window=context_window,
            reword_context_errors=reword_context_errors,
            reshape_errors=reshape_errors,
            retry_after_format=retry_after_format,
            models_redirect=models_redirect,
            reject_both_auth=reject_both_auth,
            json_for_stream=json_for_stream,
            strip_pings=strip_pings,
            stream_pause_ms=stream_pause_ms,
            ping_every_ms=ping_every_ms,
        )

        def ready(url: str) -> None:
            sys.stdout.write(url + "\n")
            sys.stdout.flush()
            info(f"llmgw mock listening on {url} (format {wire_format}; Ctrl-C to stop)")

        serve_forever(config, ready)
