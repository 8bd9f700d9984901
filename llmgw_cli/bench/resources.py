"""CPU and memory of bench itself and, when the target is a local process (``llmgw shim``,
``llmgw mock``, a local vLLM …), of that process, over the measured part of the run.

The target process is the owner of the listening socket on the endpoint's loopback port
(psutil ``net_connections``). CPU is the difference of the processes' CPU times (user +
system, children included) over the wall time, so 100 % is one full core. RSS is sampled
every ``interval`` seconds in a thread (never in the event loop being measured); the peak
is the largest sample.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psutil

LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0", "::"}


def listener_pid(host: str, port: int) -> int | None:
    """The pid listening on a loopback ``port``, or None (not local, not found, no permission)."""
    if host.strip("[]").lower() not in LOOPBACK and not host.startswith("127."):
        return None
    try:
        conns = psutil.net_connections(kind="tcp")
    except (psutil.AccessDenied, OSError):
        return None
    for c in conns:
        if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid:
            return int(c.pid)
    return None


def _cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return float(t.user + t.system + t.children_user + t.children_system)


@dataclass
class _Watch:
    proc: psutil.Process
    cpu0: float
    peak_rss: int = 0
    rss_sum: int = 0
    samples: int = 0
    gone: bool = False

    def sample(self) -> None:
        if self.gone:
            return
        try:
            rss = int(self.proc.memory_info().rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            self.gone = True
            return
        self.peak_rss = max(self.peak_rss, rss)
        self.rss_sum += rss
        self.samples += 1


@dataclass
class Sampler:
    """Start before the measured load, stop after it; ``usage()`` gives the figures."""

    targets: dict[str, int | None]  # run label -> pid of the local target (None: remote)
    interval: float = 0.1
    _watches: dict[int, _Watch] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _t0: float = 0.0
    _wall: float = 0.0
    _cpu: dict[int, float] = field(default_factory=dict)

    def start(self) -> None:
        me = os.getpid()
        for pid in {me, *(p for p in self.targets.values() if p is not None)}:
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(pid)
                self._watches[pid] = _Watch(proc, _cpu(proc))
        self._t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._loop, name="llmgw-bench-sampler", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            for w in self._watches.values():
                w.sample()
            if self._stop.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._wall = time.perf_counter() - self._t0
        for pid, w in self._watches.items():
            w.sample()
            try:
                self._cpu[pid] = _cpu(w.proc) - w.cpu0
            except psutil.Error:
                w.gone = True

    def _figures(self, pid: int) -> dict[str, Any] | None:
        w = self._watches.get(pid)
        if w is None or pid not in self._cpu:
            return None
        cpu = self._cpu[pid]
        return {
            "pid": pid,
            "name": _name(w.proc),
            "cpu_s": round(cpu, 3),
            "cpu_percent": round(100.0 * cpu / self._wall, 1) if self._wall > 0 else None,
            "peak_rss_mb": round(w.peak_rss / 2**20, 1),
            "mean_rss_mb": round(w.rss_sum / w.samples / 2**20, 1) if w.samples else None,
        }

    def usage(self, label: str) -> dict[str, Any]:
        """``{"bench": {...}, "target": {...} | None}`` for one run."""
        me = os.getpid()
        pid = self.targets.get(label)
        if pid is None:
            target: dict[str, Any] | None = None
        elif pid == me:
            target = {
                "pid": pid,
                "same_process": True,
                "note": "the target runs inside bench's process",
            }
        else:
            target = self._figures(pid)
        return {"bench": self._figures(me), "target": target, "wall_s": round(self._wall, 3)}


def _name(proc: psutil.Process) -> str:
    try:
        cmd = proc.cmdline()
    except psutil.Error:
        return "?"
    # `python -m llmgw_cli mock` / `llmgw mock`: show the command, not just "python".
    words = [os.path.basename(w) for w in cmd[:4]]
    return " ".join(words)[:60] or proc.name()
