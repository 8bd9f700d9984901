"""Start-up cost of `llmgw env` against a bare interpreter: python benchmarks/env_startup.py

`llmgw env` runs inside `eval "$(llmgw env)"`, often from a shell prompt hook, so its
wall time is what users feel. Measured side by side, interleaved, in one run:

    llmgw env --shell bash      (a profile whose secret is env:VAR; the installed console script)
    python -c pass              (the same interpreter, sys.executable, no pyenv shim)

and `llmgw env` (the shell detected), `llmgw --help` and `llmgw profile list`. Goals
(issue 19): `llmgw env` <= 2x python's start-up, `--help` and `profile list` <= 4x; exit 1
when one is missed.

--baseline PATH also times another checkout's commands in the same rounds (`base ...`
rows; its own LLMGW_HOME, so the two caches never meet): PATH is a checkout (its
.venv/bin/llmgw, else this interpreter with PATH first on sys.path), a venv or a console
script. The timed commands run without PYTHONDONTWRITEBYTECODE: an installed llmgw has
its bytecode (pip compiles it; an editable install writes it on the first run), and with
the variable set every run compiles llmgw from source (--no-bytecode measures that).
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

GOALS = {"llmgw env --shell bash": 2.0, "llmgw --help": 4.0, "llmgw profile list": 4.0}
COMMANDS = {
    "llmgw env --shell bash": ["env", "--shell", "bash"],
    "llmgw env (shell detected)": ["env"],
    "llmgw --help": ["--help"],
    "llmgw profile list": ["profile", "list"],
}
PROFILE = (
    "version: 1\nname: bench\nendpoint: https://gw.example\nformats: [anthropic, openai]\n"
    "auth: {type: bearer, secret: 'env:BENCH_KEY'}\n"
    "headers: {X-Department: Engineering}\nmodels: {default: claude-sonnet-4-5}\n"
)
# A console script as pip writes it (its `import re` included), for a checkout with no venv.
SCRIPT = (
    "import re\nimport sys\nsys.path.insert(0, {root!r})\nfrom llmgw_cli.__main__ import main\n"
    "if __name__ == '__main__':\n"
    "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
    "    sys.exit(main())\n"
)


def console_script() -> str:
    beside = Path(sys.executable).with_name("llmgw")
    if not beside.is_file():
        sys.exit(f"no llmgw console script next to {sys.executable}; run: pip install -e .")
    return str(beside)


def baseline_command(path: str, scratch: Path) -> list[str]:
    """The llmgw console script of ``path``: a checkout, a venv or the script itself."""
    where = Path(path).resolve()
    for candidate in (where / ".venv" / "bin" / "llmgw", where / "bin" / "llmgw", where):
        if candidate.is_file():
            return [str(candidate)]
    if not (where / "llmgw_cli" / "__main__.py").is_file():
        sys.exit(f"--baseline {path}: no llmgw console script and no llmgw_cli/ there")
    script = scratch / "llmgw-baseline"
    script.write_text(SCRIPT.format(root=str(where)))
    return [sys.executable, str(script)]


def make_home(home: Path) -> None:
    folder = home / "config" / "profiles"
    folder.mkdir(parents=True)
    (folder / "bench.yaml").write_text(PROFILE)
    (home / "config" / "current").write_text("bench\n")


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace').strip()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each command (30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first (3)")
    parser.add_argument("--baseline", metavar="PATH", help="also time this checkout's llmgw")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE (pyc files already written are still read)",
    )
    opts = parser.parse_args()

    llmgw = console_script()
    with tempfile.TemporaryDirectory(prefix="llmgw-bench-") as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OPENAI_"))}
        env.update({"BENCH_KEY": "sk-bench-0123456789", "NO_COLOR": "1"})
        env.pop("LLMGW_PROFILE", None)
        if not opts.no_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        ours = {**env, "LLMGW_HOME": str(Path(scratch, "home"))}
        make_home(Path(ours["LLMGW_HOME"]))
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            name: ([llmgw, *args], ours) for name, args in COMMANDS.items()
        }
        commands["python -c pass"] = ([sys.executable, "-c", "pass"], env)
        if opts.baseline:
            base = baseline_command(opts.baseline, Path(scratch))
            theirs = {**env, "LLMGW_HOME": str(Path(scratch, "base-home"))}
            if base[0] == sys.executable and not opts.no_bytecode:  # pyc files not in it
                theirs["PYTHONPYCACHEPREFIX"] = str(Path(scratch, "pycache"))
            make_home(Path(theirs["LLMGW_HOME"]))
            for name, args in COMMANDS.items():
                commands["base " + name] = ([*base, *args], theirs)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(opts.warmup):
            for argv, cmd_env in commands.values():
                timed(argv, cmd_env)
        for _ in range(opts.runs):  # interleaved, so background load hits all alike
            for name, (argv, cmd_env) in commands.items():
                times[name].append(timed(argv, cmd_env))
    return report(opts, times)


def report(opts: argparse.Namespace, times: dict[str, list[float]]) -> int:
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    base = medians["python -c pass"]
    python = sys.version.split()[0]
    bytecode = "without bytecode (PYTHONDONTWRITEBYTECODE)" if opts.no_bytecode else "bytecode on"
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, Python {python}, {bytecode}, "
          f"{opts.runs} runs each, interleaved")  # fmt: skip
    for name, ms in medians.items():
        print(f"  {name:<31} median {ms:7.1f} ms   ({ms / base:4.1f}x python -c pass)")
    ratios = {n: ms / base for n, ms in medians.items() if not n.startswith("base ")}
    missed = 0
    for name, goal in GOALS.items():
        verdict = "met" if ratios[name] <= goal else "NOT met"
        missed += ratios[name] > goal
        print(f"ratio {name} / python -c pass = {ratios[name]:.2f} (goal <= {goal:g}: {verdict})")
    figures: dict[str, object] = {"medians_ms": medians, "ratios": ratios}
    if opts.baseline:
        figures["baseline_ratios"] = {
            n[len("base ") :]: ms / base for n, ms in medians.items() if n.startswith("base ")
        }
    emit(figures)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
