"""Server-rendered SVG charts: no script, no CDN, readable without colour (values are printed too)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .selectors import RatePoint

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 220, 40, 36, 16


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def line_chart(points: Sequence[RatePoint], *, title: str) -> SafeString:
    """Completion rate per month: a line, a dot and the value per month (no duties that month: a gap)."""
    if not points:
        return mark_safe("")
    plot_w, plot_h = WIDTH - PAD_LEFT - 10, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_w / max(len(points) - 1, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for pct in (0, 50, 100):
        y = PAD_TOP + plot_h * (1 - pct / 100)
        parts.append(
            f'<line class="chart__grid" x1="{PAD_LEFT}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="chart__axis" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{pct}%</text>'
        )
    segment: list[str] = []
    segments = []
    for n, point in enumerate(points):
        x = PAD_LEFT + n * step
        parts.append(
            f'<text class="chart__axis" x="{x:.1f}" y="{HEIGHT - 14}" text-anchor="middle">'
            f"{escape(point.label[-2:])}</text>"
        )
        if point.rate is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        y = PAD_TOP + plot_h * (1 - point.rate)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle class="chart__dot" cx="{x:.1f}" cy="{y:.1f}" r="3.5"><title>{escape(point.label)}: '
            f"{_pct(point.rate)} ({point.done}/{point.owed})</title></circle>"
        )
        parts.append(
            f'<text class="chart__value" x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">'
            f"{_pct(point.rate)}</text>"
        )
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(f'<polyline class="chart__line" points="{" ".join(seg)}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart(points: Sequence[RatePoint], *, title: str) -> SafeString:
    """Completion rate per department as horizontal bars, each labelled with its value."""
    if not points:
        return mark_safe("")
    label_w, bar_h, gap = 170, 18, 8
    height = PAD_TOP + len(points) * (bar_h + gap)
    plot_w = WIDTH - label_w - 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for n, point in enumerate(points):
        y = PAD_TOP / 2 + n * (bar_h + gap)
        width = plot_w * (point.rate or 0)
        label = point.label if len(point.label) <= 12 else point.label[:11] + "…"
        parts.append(
            f'<text class="chart__label" x="{label_w - 8}" y="{y + 13}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        parts.append(
            f'<rect class="chart__track" x="{label_w}" y="{y}" width="{plot_w}" height="{bar_h}" rx="3"/>'
        )
        parts.append(
            f'<rect class="chart__bar" x="{label_w}" y="{y}" width="{width:.1f}" height="{bar_h}" rx="3">'
            f"<title>{escape(point.label)}: {_pct(point.rate)} ({point.done}/{point.owed})</title></rect>"
        )
        parts.append(
            f'<text class="chart__value" x="{label_w + plot_w + 6}" y="{y + 13}">{_pct(point.rate)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
