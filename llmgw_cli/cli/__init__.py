"""The Typer layer: parse, call the core, render. Nothing here holds logic of its own."""
