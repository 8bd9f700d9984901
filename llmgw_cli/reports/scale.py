"""Axis scales for the report charts: linear or logarithmic, with readable ticks.

A ``Scale`` maps a data value onto ``[0, 1]`` along its axis; ``ticks()`` picks the values
worth a label (1-2-5 steps on a linear axis, 1-2-5 per decade on a log one) and ``label()``
prints them compactly (``250``, ``1.5k``, ``0.02``). Pure arithmetic, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_step(span: float, count: int) -> float:
    """A 1-2-2.5-5 step that cuts ``span`` into about ``count`` pieces."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(1, count)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(s * power for s in _STEPS if s * power >= raw * 0.999)


def label(value: float) -> str:
    """A tick label: no trailing zeros, thousands as k and millions as M."""
    a = abs(value)
    if a >= 1e6:
        return f"{value / 1e6:g}M"
    if a >= 1e4:
        return f"{value / 1e3:g}k"
    if a >= 100 or a == 0:
        return f"{value:,.0f}"
    if a >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


@dataclass(frozen=True)
class Scale:
    lo: float
    hi: float
    log: bool = False

    def __call__(self, value: float) -> float:
        """Where ``value`` sits along the axis, 0 at ``lo`` and 1 at ``hi`` (clamped)."""
        if self.log:
            v = max(value, self.lo)
            span = math.log10(self.hi) - math.log10(self.lo)
            frac = (math.log10(v) - math.log10(self.lo)) / span if span > 0 else 0.5
        else:
            span = self.hi - self.lo
            frac = (value - self.lo) / span if span > 0 else 0.5
        return min(1.0, max(0.0, frac))

    def ticks(self, count: int = 5) -> list[float]:
        if self.log:
            return _log_ticks(self.lo, self.hi)
        step = nice_step(self.hi - self.lo, count)
        first = math.ceil(self.lo / step - 1e-9) * step
        out: list[float] = []
        v = first
        while v <= self.hi + step * 1e-6 and len(out) < 50:
            out.append(round(v, 10))
            v += step
        return out


def _log_ticks(lo: float, hi: float) -> list[float]:
    decades = math.log10(hi) - math.log10(lo)
    mults = (1.0,) if decades > 4 else (1.0, 2.0, 5.0) if decades > 1.2 else (1.0, 1.5, 2, 3, 5, 7)
    out: list[float] = []
    for k in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in mults:
            v = m * 10.0**k
            if lo * 0.999 <= v <= hi * 1.001:
                out.append(v)
    return out


def fit(values: Iterable[float], log: bool = False, zero: bool = True, pad: float = 0.05) -> Scale:
    """A scale covering ``values``: rounded out to nice bounds; from 0 when ``zero`` (linear);
    on a log axis from the decade step below the smallest positive value."""
    data = [v for v in values if math.isfinite(v) and (v > 0 or not log)]
    if not data:
        return Scale(1.0, 10.0, log) if log else Scale(0.0, 1.0)
    lo, hi = min(data), max(data)
    if log:
        lo_p = 10.0 ** math.floor(math.log10(lo))
        lo = max((m * lo_p for m in (1.0, 2.0, 5.0) if m * lo_p <= lo), default=lo_p)
        hi_p = 10.0 ** math.floor(math.log10(hi))
        hi = next((m * hi_p for m in (1.0, 2.0, 5.0, 10.0) if m * hi_p >= hi), hi)
        return Scale(lo, hi if hi > lo else lo * 10, True)
    if zero:
        lo = min(0.0, lo)
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    hi += (hi - lo) * pad
    step = nice_step(hi - lo, 5)
    return Scale(math.floor(lo / step) * step, math.ceil(hi / step - 1e-9) * step)


def wants_log(values: Iterable[float], spread: float = 20.0) -> bool:
    """Whether the positive values span enough (max / min) for a log axis to read better."""
    data = [v for v in values if v > 0 and math.isfinite(v)]
    return bool(data) and max(data) / min(data) >= spread
