"""Charts as inline SVG rendered on the server: the year facet's bars and attention over time.

No JavaScript and no CDN, so they work offline and under a strict CSP (presentation attributes, never
inline `style`). Every text that reaches the SVG is escaped here; callers pass plain strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#1f5f99", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#6b7280")
OTHER = "\x00other"


@dataclass(slots=True)
class Bar:
    label: str  # under the bar (a year)
    count: int
    href: str
    active: bool = False


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def year_bars(bars: Sequence[Bar], *, title: str, width: int = 280, height: int = 120) -> Markup:
    """A bar per year, each a link that filters on that year (an active one drawn darker)."""
    if not bars:
        return Markup("")
    top = max(b.count for b in bars) or 1
    base = height - 18
    step = width / len(bars)
    bar_w = max(2.0, min(36.0, step * 0.7))
    every = max(1, -(-len(bars) // 8))  # at most 8 labels under the axis
    parts = [
        f'<svg class="chart chart-years" viewBox="0 0 {width} {height}" width="100%" role="group" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, bar in enumerate(bars):
        h = max(1.0, (base - 14) * bar.count / top)
        x = i * step + (step - bar_w) / 2
        fill = "#0b3d66" if bar.active else "#4a86c5"
        label = f"{bar.label}: {bar.count}"
        parts.append(
            f'<a href="{escape(bar.href)}" aria-label="{escape(label)}">'
            f'<rect x="{_num(x)}" y="{_num(base - h)}" width="{_num(bar_w)}" height="{_num(h)}" fill="{fill}">'
            f"<title>{escape(label)}</title></rect>"
        )
        if i % every == 0 or bar.active:
            parts.append(
                f'<text x="{_num(x + bar_w / 2)}" y="{height - 4}" text-anchor="middle" font-size="10" '
                f'fill="#333">{escape(bar.label)}</text>'
            )
        parts.append("</a>")
    parts.append(f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#888" stroke-width="1"/></svg>')
    return Markup("".join(parts))


def _months(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` ("2024-11" .. "2025-02"), gaps filled."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out: list[str] = []
    while (year, month) <= end and len(out) < 1200:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def attention(
    histogram: Mapping[str, Mapping[str, int]],
    *,
    series_label: Callable[[str], str],
    title: str,
    bar_title: Callable[[str, str, int], str],
    max_series: int = 6,
    width: int = 720,
    height: int = 240,
    css: str = "",
) -> Markup:
    """Stacked bars of matches per month, one colour per series (language or region), with a legend.

    `histogram` maps "YYYY-MM" to {series key: count}; the strongest `max_series` keys keep their own
    colour and the rest are summed as OTHER (series_label(OTHER) names it).
    """
    months_seen, totals, keep, series = _series(histogram, max_series)
    if not months_seen:
        return Markup("")
    months = _months(months_seen[0], months_seen[-1])
    stacks: list[list[tuple[str, int]]] = []
    for month in months:
        counts = histogram.get(month, {})
        row = [(k, counts.get(k, 0)) for k in keep]
        if OTHER in series:
            row.append((OTHER, sum(v for k, v in counts.items() if k not in keep)))
        stacks.append(row)
    top = max((sum(c for _, c in row) for row in stacks), default=0) or 1
    left, right, top_pad = 34, 8, 10
    legend_rows = -(-len(series) // (3 if width >= 600 else 2))
    base = height - 30 - 18 * legend_rows
    plot_w = width - left - right
    step = plot_w / len(months)
    bar_w = max(1.0, min(step * 0.8, 44.0))  # a few months must not become slabs
    parts = [
        f'<svg class="chart chart-attention {css}" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for fraction in (0.5, 1.0) if top >= 4 else (1.0,):
        y = base - (base - top_pad) * fraction
        value = round(top * fraction)
        parts.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" stroke="#ddd" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{_num(y + 4)}" text-anchor="end" font-size="11" fill="#333">{value}</text>'
        )
    colour = {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(series)}
    colour[OTHER] = PALETTE[-1]
    for i, (month, row) in enumerate(zip(months, stacks, strict=True)):
        x = left + i * step + (step - bar_w) / 2
        y = float(base)
        for key, count in row:
            if not count:
                continue
            h = (base - top_pad) * count / top
            y -= h
            tip = bar_title(month, series_label(key), count)
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(bar_w)}" height="{_num(h)}" '
                f'fill="{colour[key]}"><title>{escape(tip)}</title></rect>'
            )
    every = max(1, -(-len(months) // max(2, width // 90)))
    for i, month in enumerate(months):
        if i % every == 0:
            x = left + i * step + step / 2
            # a label that would run past either edge is anchored to that edge instead
            anchor = "end" if x + 22 > width else "start" if x - 22 < 0 else "middle"
            x = min(x, float(width - 1)) if anchor == "end" else x
            parts.append(
                f'<text x="{_num(x)}" y="{base + 14}" text-anchor="{anchor}" font-size="11" fill="#333">{month}</text>'
            )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#888" stroke-width="1"/>')
    per_row = 3 if width >= 600 else 2
    column = (width - left) / per_row
    for i, key in enumerate(series):
        x = left + (i % per_row) * column
        y = base + 34 + 18 * (i // per_row)
        parts.append(
            f'<rect x="{_num(x)}" y="{y - 10}" width="12" height="12" fill="{colour[key]}"/>'
            f'<text x="{_num(x + 16)}" y="{y}" font-size="12" fill="#222">'
            f"{escape(series_label(key))} ({totals.get(key, 0) if key != OTHER else _other_total(totals, keep)})"
            "</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _series(
    histogram: Mapping[str, Mapping[str, int]], max_series: int
) -> tuple[list[str], dict[str, int], list[str], list[str]]:
    """Months with data, totals per key, the keys that keep their own colour, and the series drawn."""
    months_seen = sorted(m for m in histogram if len(m) >= 7 and m[:4].isdigit() and m[5:7].isdigit())
    totals: dict[str, int] = {}
    for month in months_seen:
        for key, count in histogram[month].items():
            totals[key] = totals.get(key, 0) + count
    ranked = sorted(totals, key=lambda k: (-totals[k], k))
    keep = ranked[:max_series] if len(ranked) <= max_series + 1 else ranked[: max_series - 1]
    series = [*keep, OTHER] if len(keep) < len(ranked) else keep
    return months_seen, totals, keep, series


def table(
    histogram: Mapping[str, Mapping[str, int]], *, series_label: Callable[[str], str], max_series: int = 6
) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """The chart's numbers as a table: column labels, then (month, counts) for each month with matches."""
    months, _totals, keep, series = _series(histogram, max_series)
    rows = []
    for month in months:
        counts = histogram[month]
        row = [counts.get(k, 0) for k in keep]
        if OTHER in series:
            row.append(sum(v for k, v in counts.items() if k not in keep))
        rows.append((month, row))
    return [series_label(k) for k in series], rows


def _other_total(totals: Mapping[str, int], keep: Sequence[str]) -> int:
    return sum(v for k, v in totals.items() if k not in keep)
