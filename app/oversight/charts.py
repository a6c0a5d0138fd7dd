"""Accessible SVG charts rendered on the server. Pure: strings in, SVG markup out.

Each chart is an <svg role="img"> with a <title> and <desc> that state the
numbers; the page shows the same numbers in a table beside it.
"""
from __future__ import annotations

from html import escape

NAVY, GREEN, GREY, INK = "#0b3d6e", "#1d6b33", "#c9d1db", "#1b1f24"


def bar_chart(items: list[tuple[str, int]], *, title: str, chart_id: str, width: int = 640) -> str:
    """Return a horizontal bar chart of labelled counts."""
    top = max([v for _, v in items] + [1])
    row, label_w = 34, 220
    height = row * len(items) + 16
    desc = "; ".join(f"{label}: {value}" for label, value in items)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
             f'aria-labelledby="{chart_id}-t {chart_id}-d" class="chart">',
             f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>']
    for n, (label, value) in enumerate(items):
        y = 8 + n * row
        bar = int((width - label_w - 70) * value / top)
        parts.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" font-size="14" fill="{INK}">'
                     f'{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{max(bar, 1)}" height="22" fill="{NAVY}"/>')
        parts.append(f'<text x="{label_w + bar + 6}" y="{y + 20}" font-size="14" fill="{INK}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(points: list[tuple[str, float | None]], *, title: str, chart_id: str,
               width: int = 640, height: int = 220, unit: str = "%") -> str:
    """Return a line chart of a percentage over time; missing values leave a gap."""
    left, right, top, bottom = 44, 36, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(points) - 1)
    desc = "; ".join(f"{label}: {'no data' if v is None else f'{v:g}{unit}'}" for label, v in points)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
             f'aria-labelledby="{chart_id}-t {chart_id}-d" class="chart">',
             f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>']
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - tick / 100)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GREY}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{INK}">{tick}</text>')
    every = max(1, len(points) // 6)
    labelled = {n for n in range(len(points)) if n % every == 0}
    last = len(points) - 1
    if last not in labelled:  # label the latest point, dropping a neighbour it would collide with
        labelled = {n for n in labelled if last - n >= every} | {last}
    segment: list[str] = []
    for n, (label, value) in enumerate(points):
        x = left + n * step
        if n in labelled:
            parts.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle" font-size="12" '
                         f'fill="{INK}">{escape(label)}</text>')
        if value is None:
            if len(segment) > 1:
                parts.append(f'<polyline fill="none" stroke="{GREEN}" stroke-width="3" points="{" ".join(segment)}"/>')
            segment = []
            continue
        y = top + plot_h * (1 - max(0, min(100, value)) / 100)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{GREEN}"/>')
    if len(segment) > 1:
        parts.append(f'<polyline fill="none" stroke="{GREEN}" stroke-width="3" points="{" ".join(segment)}"/>')
    parts.append("</svg>")
    return "".join(parts)
