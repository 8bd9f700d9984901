"""Start-up cost of `llmgw env` against a bare interpreter: python benchmarks/env_startup.py

`llmgw env` runs inside `eval "$(llmgw env)"`, often from a shell prompt hook, so its
wall time is what users feel. Measured side by side, interleaved, in one run:

    llmgw env --shell bash      (a profile whose secret is env:VAR; the installed console script)
    python -c pass              (the same interpreter, sys.executable, no pyenv shim)

and, for information, `llmgw --help` and `llmgw profile list` (the Typer path).
Goal: median(llmgw env) / median(python -c pass) <= 5. Exit 1 when the goal is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import emit

GOAL = 5.0


def console_script() -> str:
    beside = Path(sys.executable).with_name("llmgw")
    if not beside.is_file():
        sys.exit(f"no llmgw console script next to {sys.executable}; run: pip install -e .")
    return str(beside)


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace').strip()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each command (30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first (3)")
    opts = parser.parse_args()

    llmgw = console_script()
    with tempfile.TemporaryDirectory(prefix="llmgw-bench-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OPENAI_"))}
        env.update({"LLMGW_HOME": home, "BENCH_KEY": "sk-bench-0123456789", "NO_COLOR": "1"})
        env.pop("LLMGW_PROFILE", None)
        folder = Path(home, "config", "profiles")
        folder.mkdir(parents=True)
        (folder / "bench.yaml").write_text(
            "version: 1\nname: bench\nendpoint: https://gw.example\nformats: [anthropic, openai]\n"
            "auth: {type: bearer, secret: 'env:BENCH_KEY'}\n"
            "headers: {X-Department: Engineering}\nmodels: {default: claude-sonnet-4-5}\n"
        )
        Path(home, "config", "current").write_text("bench\n")

        commands = {
            "llmgw env --shell bash": [llmgw, "env", "--shell", "bash"],
            "python -c pass": [sys.executable, "-c", "pass"],
            "llmgw --help": [llmgw, "--help"],
            "llmgw profile list": [llmgw, "profile", "list"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(opts.warmup):
            for argv in commands.values():
                timed(argv, env)
        for _ in range(opts.runs):  # interleaved, so background load hits all alike
            for name, argv in commands.items():
                times[name].append(timed(argv, env))

    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    base = medians["python -c pass"]
    python = sys.version.split()[0]
    print(f"{os.cpu_count()} CPUs, Python {python}, {opts.runs} runs each, interleaved")
    for name, ms in medians.items():
        print(f"  {name:<26} median {ms:7.1f} ms   ({ms / base:4.1f}x python -c pass)")
    ratio = medians["llmgw env --shell bash"] / base
    verdict = "met" if ratio <= GOAL else "NOT met"
    print(f"ratio llmgw env / python -c pass = {ratio:.2f} (goal <= {GOAL:g}: {verdict})")
    emit({"medians_ms": medians, "ratios": {n: ms / base for n, ms in medians.items()}})
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
