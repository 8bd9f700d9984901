"""A small SVG chart toolkit for the reports: axes with ticks and unit labels, linear or log
scales, lines, steps, points, bands and grouped or stacked bars, a legend, one colour per run.

Why not a plotting library: the reports must be one self-contained file that opens offline
and draws instantly; matplotlib is ~40 MB and a second to import for a few lines and dots,
and its SVG embeds glyph paths. Hand-written SVG is a few kB per chart, styled by the
page's CSS (``docs/architecture.md``: the core renders no terminal, imports nothing heavy).

Every element carries a class the page styles and the browser tests look for:
``chart``, ``axis x|y``, ``axis-label``, ``tick``, ``legend``, ``legend-entry``, ``series``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from llmgw_cli.reports.scale import Scale, label
from llmgw_cli.theme import ERROR, FONT, MUTED, PALETTE

__all__ = ["ERROR", "FONT", "MUTED", "PALETTE", "Axis", "Chart", "Entry", "colour", "legend"]


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _n(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Axis:
    title: str  # with its unit: "time to first token (ms)"
    scale: Scale
    fmt: str = ""  # "%": ticks as percentages of 1.0
    categories: tuple[str, ...] = ()  # a categorical axis: one label at each i + 0.5

    def ticks(self) -> list[tuple[float, str]]:
        if self.categories:
            return [(i + 0.5, c) for i, c in enumerate(self.categories)]
        if self.fmt == "%":
            return [(v, f"{v * 100:g}%") for v in self.scale.ticks()]
        return [(v, label(v)) for v in self.scale.ticks()]


@dataclass(frozen=True)
class Entry:
    label: str
    colour: str
    kind: str = "run"  # run | extra (errors, warm-up: not a run)
    dash: bool = False


@dataclass
class Chart:
    """One chart: ``add_*`` series, then ``render()`` an ``<svg>`` of ``width`` × ``height``."""

    title: str
    x: Axis
    y: Axis
    width: int = 600
    height: int = 300
    legend: list[Entry] = field(default_factory=list)
    _body: list[str] = field(default_factory=list)
    left: int = 62
    right: int = 16
    top_margin: int = 34
    bottom: int = 46

    @property
    def top(self) -> float:
        return self.top_margin + (18 if self.legend and self.legend_below_title() else 0)

    @property
    def pw(self) -> float:
        return self.width - self.left - self.right

    @property
    def ph(self) -> float:
        return self.height - self.top - self.bottom

    def px(self, v: float) -> float:
        return self.left + self.x.scale(v) * self.pw

    def py(self, v: float) -> float:
        return self.top + (1 - self.y.scale(v)) * self.ph

    def line(
        self, xs: Sequence[float], ys: Sequence[float], colour: str, *, step: bool = False,
        dash: bool = False, width: float = 2.0, title: str = "",
    ) -> None:  # fmt: skip
        pts: list[str] = []
        prev_y: float | None = None
        for xv, yv in zip(xs, ys, strict=True):
            x, y = self.px(xv), self.py(yv)
            if step and prev_y is not None:
                pts.append(f"{_n(x)},{_n(prev_y)}")
            pts.append(f"{_n(x)},{_n(y)}")
            prev_y = y
        if not pts:
            return
        extra = ' stroke-dasharray="6 4"' if dash else ""
        tip = f"<title>{escape(title)}</title>" if title else ""
        self._body.append(
            f'<polyline class="series" fill="none" stroke="{colour}" stroke-width="{width}"'
            f' stroke-linejoin="round"{extra} points="{" ".join(pts)}">{tip}</polyline>'
        )

    def points(
        self, pts: Sequence[tuple[float, float, str]], colour: str, *, shape: str = "dot",
        r: float = 2.6, opacity: float = 0.75,
    ) -> None:  # fmt: skip
        """``(x, y, tooltip)`` points, as dots or as × (errors)."""
        out: list[str] = [f'<g class="series points" fill="{colour}" fill-opacity="{opacity}">']
        for xv, yv, tip in pts:
            x, y = _n(self.px(xv)), _n(self.py(yv))
            t = f"<title>{escape(tip)}</title>" if tip else ""
            if shape == "x":
                d = r + 1.2
                out.append(
                    f'<path d="M{x} {y}m-{d} -{d}l{2 * d} {2 * d}m0 -{2 * d}l-{2 * d} {2 * d}" '
                    f'stroke="{colour}" stroke-width="2">{t}</path>'
                )
            else:
                out.append(f'<circle cx="{x}" cy="{y}" r="{r}">{t}</circle>')
        out.append("</g>")
        self._body.append("".join(out))

    def band(self, x0: float, x1: float, text: str, fill: str = "#eef0f3") -> None:
        """A shaded stretch of the x axis (the warm-up), labelled at its foot."""
        a, b = self.px(x0), self.px(x1)
        foot = _n(self.top + self.ph - 6)
        self._body.insert(
            0,
            f'<g class="band"><rect x="{_n(a)}" y="{self.top}" width="{_n(max(b - a, 1))}" '
            f'height="{_n(self.ph)}" fill="{fill}"/><text x="{_n(a + 4)}" y="{foot}" '
            f'class="band-label">{escape(text)}</text></g>',
        )

    def rect(self, x0: float, x1: float, y0: float, y1: float, colour: str, tip: str) -> None:
        a, b = sorted((self.px(x0), self.px(x1)))
        top, bot = sorted((self.py(y1), self.py(y0)))
        self._body.append(
            f'<rect class="bar" x="{_n(a)}" y="{_n(top)}" width="{_n(max(b - a, 0.5))}" '
            f'height="{_n(max(bot - top, 0))}" fill="{colour}"><title>{escape(tip)}</title></rect>'
        )

    def raw(self, svg: str) -> None:
        self._body.append(svg)

    def render(self, x: float = 0, y: float = 0, css_class: str = "") -> str:
        cls = f"chart {css_class}".strip()
        parts = [
            f'<svg class="{cls}" xmlns="http://www.w3.org/2000/svg" x="{_n(x)}" y="{_n(y)}" '
            f'width="{self.width}" height="{self.height}" viewBox="0 0 {self.width} '
            f'{self.height}" font-family=\'{FONT}\' font-size="11">',
            f'<text class="chart-title" x="{self.left}" y="18" font-size="13" '
            f'font-weight="600">{escape(self.title)}</text>',
            self._grid(),
            *self._body,
            self._axes(),
            self._legend(),
            "</svg>",
        ]
        return "".join(parts)

    def legend_below_title(self) -> bool:
        """Whether title and legend would collide on one line (estimated text widths)."""
        title_w = 7.4 * len(self.title)
        legend_w = sum(24 + 6.4 * len(e.label) for e in self.legend)
        return self.left + title_w + 24 + legend_w > self.width - self.right

    def _grid(self) -> str:
        out = ['<g class="grid" stroke="#e6e8eb" stroke-width="1">']
        for v, _ in self.y.ticks():
            y = _n(self.py(v))
            out.append(f'<line x1="{self.left}" x2="{_n(self.left + self.pw)}" y1="{y}" y2="{y}"/>')
        out.append("</g>")
        return "".join(out)

    def _axes(self) -> str:
        bottom = self.top + self.ph
        out = [
            f'<g class="axis x"><line x1="{self.left}" x2="{_n(self.left + self.pw)}" '
            f'y1="{_n(bottom)}" y2="{_n(bottom)}" stroke="#5f6368"/>'
        ]
        for v, text in self.x.ticks():
            x = _n(self.px(v))
            out.append(
                f'<g class="tick"><line x1="{x}" x2="{x}" y1="{_n(bottom)}" y2="{_n(bottom + 4)}"'
                f' stroke="#5f6368"/><text x="{x}" y="{_n(bottom + 16)}" text-anchor="middle" '
                f'fill="#3c4043">{escape(text)}</text></g>'
            )
        out.append(
            f'<text class="axis-label" x="{_n(self.left + self.pw / 2)}" y="{self.height - 8}" '
            f'text-anchor="middle" fill="#202124">{escape(self.x.title)}</text></g>'
        )
        out.append(
            f'<g class="axis y"><line x1="{self.left}" x2="{self.left}" y1="{self.top}" '
            f'y2="{_n(bottom)}" stroke="#5f6368"/>'
        )
        for v, text in self.y.ticks():
            y = _n(self.py(v))
            out.append(
                f'<g class="tick"><text x="{self.left - 6}" y="{_n(float(y) + 3.5)}" '
                f'text-anchor="end" fill="#3c4043">{escape(text)}</text></g>'
            )
        mid = _n(self.top + self.ph / 2)
        out.append(
            f'<text class="axis-label" transform="translate(14 {mid}) rotate(-90)" '
            f'text-anchor="middle" fill="#202124">{escape(self.y.title)}</text></g>'
        )
        return "".join(out)

    def _legend(self) -> str:
        if not self.legend:
            return ""
        if self.legend_below_title():
            return legend(self.legend, self.left, 26)
        return legend(self.legend, self.width - self.right, 8, anchor_right=True)


def legend(entries: Sequence[Entry], x: float, y: float, anchor_right: bool = False) -> str:
    """One row of swatches; right-aligned at ``x`` when ``anchor_right`` (width estimated)."""
    widths = [24 + 6.4 * len(e.label) for e in entries]
    cursor = x - sum(widths) if anchor_right else x
    out = ['<g class="legend">']
    for e, w in zip(entries, widths, strict=True):
        swatch = (
            f'<line x1="{_n(cursor)}" x2="{_n(cursor + 14)}" y1="{_n(y + 6)}" y2="{_n(y + 6)}" '
            f'stroke="{e.colour}" stroke-width="3" stroke-dasharray="4 2"/>'
            if e.dash
            else f'<rect x="{_n(cursor)}" y="{_n(y)}" width="14" height="12" rx="2" '
            f'fill="{e.colour}"/>'
        )
        out.append(
            f'<g class="legend-entry legend-{e.kind}" data-label="{escape(e.label)}">{swatch}'
            f'<text x="{_n(cursor + 18)}" y="{_n(y + 10)}" fill="#202124">{escape(e.label)}'
            "</text></g>"
        )
        cursor += w
    out.append("</g>")
    return "".join(out)


def run_entries(labels: Sequence[str]) -> list[Entry]:
    return [Entry(name, colour(i)) for i, name in enumerate(labels)]
