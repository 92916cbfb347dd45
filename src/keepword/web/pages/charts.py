"""Charts as inline SVG, drawn on the server: no script, readable without colour (markers, labels).

Each chart carries a title and a description for screen readers; the page shows the same numbers
as a table beside it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48
PALETTE = ("#8a1c1c", "#0b4f9c", "#1d6b35", "#8a5300")
DASHES = ("", "6 3", "2 3", "8 3 2 3")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


def _frame(title: str, description: str, labels: list[str], top: float, y_format) -> list[str]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    ident = "c" + hashlib.sha1(title.encode()).hexdigest()[:8]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{ident}-t {ident}-d" focusable="false">',
             f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(description)}</desc>',
             '<g font-size="12" fill="#1b1f24">']
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c9d0d8"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(y_format(value))}</text>')
    step = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % step:
            continue
        x = LEFT + plot_w * (i + 0.5) / max(1, len(labels))
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">{escape(label)}</text>')
    return parts


def _legend(series: list[Series], bars: bool = False) -> list[str]:
    parts = []
    x = LEFT
    for i, s in enumerate(series):
        colour, dash = PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)]
        y = HEIGHT - 12
        if bars:
            parts.append(f'<rect x="{x + 4}" y="{y - 11}" width="14" height="12" fill="{colour}" '
                         f'fill-opacity="{1 - 0.35 * (i % 2):.2f}" stroke="{colour}"/>')
        else:
            parts.append(f'<line x1="{x}" x2="{x + 22}" y1="{y - 4}" y2="{y - 4}" stroke="{colour}" stroke-width="3" '
                         f'stroke-dasharray="{dash}"/>')
        parts.append(f'<text x="{x + 28}" y="{y}">{escape(s.name)}</text>')
        x += 40 + 13 * len(s.name)
    return parts


def line_chart(title: str, description: str, labels: list[str], series: list[Series], *,
               y_max: float | None = None, y_format=lambda v: f"{v:g}") -> str:
    """Lines over time (one per series); gaps where a value is None."""
    values = [v for s in series for v in s.values if v is not None]
    top = y_max if y_max is not None else _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = _frame(title, description, labels, top, y_format)
    for i, s in enumerate(series):
        colour, dash = PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)]
        points = []
        for j, value in enumerate(s.values):
            if value is None:
                continue
            x = LEFT + plot_w * (j + 0.5) / max(1, len(labels))
            y = TOP + plot_h - plot_h * min(value, top) / top
            points.append((x, y))
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
                         f'stroke-dasharray="{dash}"/>')
    parts += _legend(series) + ["</g></svg>"]
    return "".join(parts)


def bar_chart(title: str, description: str, labels: list[str], series: list[Series], *,
              y_format=lambda v: f"{v:g}") -> str:
    """Grouped bars, one group per label, one bar per series (patterned by opacity as well as colour)."""
    values = [v for s in series for v in s.values if v is not None]
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = _frame(title, description, labels, top, y_format)
    group_w = plot_w / max(1, len(labels))
    bar_w = group_w * 0.8 / max(1, len(series))
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        for j, value in enumerate(s.values):
            if not value:
                continue
            h = plot_h * min(value, top) / top
            x = LEFT + group_w * j + group_w * 0.1 + bar_w * i
            parts.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{colour}" fill-opacity="{1 - 0.35 * (i % 2):.2f}" stroke="{colour}"/>')
    parts += _legend(series, bars=True) + ["</g></svg>"]
    return "".join(parts)
