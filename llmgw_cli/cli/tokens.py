"""``llmgw tokens``: count tokens offline and estimate what sending them would cost."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

DEFAULT_MODEL = "claude-sonnet-4-5"


def register(app: typer.Typer) -> None:
    @app.command("tokens")
    def tokens_cmd(
        file: str = typer.Argument(
            "-", metavar="[FILE|-]", help="Text, or a JSON request body; '-' (default) reads stdin."
        ),
        model: str | None = typer.Option(
            None,
            "--model",
            "-m",
            help=f"Model to count and price for [default: the body's, else {DEFAULT_MODEL}].",
        ),
        json_out: bool = typer.Option(False, "--json", help="Write the result as JSON."),
    ) -> None:
        """Count tokens (tiktoken, offline) and estimate the cost as a prompt."""
        from llmgw_cli.cli import render_usage
        from llmgw_cli.errors import UsageError
        from llmgw_cli.prices import PriceTable
        from llmgw_cli.tokens import encoding_for, measure
        from llmgw_cli.wire.usage import Usage

        if file == "-":
            if sys.stdin.isatty():
                raise UsageError("give a FILE, or pipe text in: `llmgw tokens prompt.txt`")
            text = sys.stdin.read()
        else:
            try:
                text = Path(file).read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise UsageError(f"cannot read {file}: {exc.strerror or exc}") from exc
        result = measure(text, model or None)
        # With no model anywhere the count used the same estimate encoding as the default.
        name = result.model or DEFAULT_MODEL
        table = PriceTable()
        price, source = table.lookup(name)
        data = {
            "version": 1,
            "model": name,
            "kind": result.kind,
            "tokens": result.count.tokens,
            "encoding": result.count.encoding,
            "exact": result.count.exact,
            "tokenizer_exact": encoding_for(name)[1],
            "max_output_tokens": result.max_output,
            "price_per_million": price.to_dict() if price else None,
            "price_source": source,
            "cost_usd": {
                "input": round(table.cost(name, Usage(result.count.tokens)), 6),
                "max_total": round(
                    table.cost(name, Usage(result.count.tokens, result.max_output)), 6
                )
                if result.max_output
                else None,
            },
        }
        if json_out:
            from llmgw_cli.cli.console import print_json

            print_json(data)
        else:
            render_usage.tokens_table(data)
