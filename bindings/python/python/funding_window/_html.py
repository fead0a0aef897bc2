"""HTML tables for Jupyter (``_repr_html_``), formatted for finance readers.

Amounts are right-aligned with thousands separators; the separators exist only in the
HTML text, the report's data stays exact. Every value is escaped.
"""

from __future__ import annotations

import datetime as _dt
import html
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence

#: Rows shown at each end of a long table; the middle is elided.
HTML_ROWS_EACH_END = 50

_STYLE = (
    "<style>"
    ".fw-report{border-collapse:collapse;font-family:system-ui,sans-serif;font-size:12px}"
    ".fw-report caption{text-align:left;font-weight:600;padding:4px 0}"
    ".fw-report caption small{font-weight:400;color:#555}"
    ".fw-report th,.fw-report td{padding:3px 8px;border-bottom:1px solid #ddd;white-space:nowrap}"
    ".fw-report th{background:#f4f4f4;text-align:left}"
    ".fw-report .num{text-align:right;font-variant-numeric:tabular-nums}"
    ".fw-report tfoot td{font-weight:600;border-top:2px solid #999}"
    ".fw-report .elided td{text-align:center;color:#777}"
    "</style>"
)


def money(value: Any) -> str:
    """An amount with thousands separators (exact digits: ``Decimal('1234567.50')`` -> ``1,234,567.50``)."""
    if isinstance(value, Decimal):
        return format(value, ",") if value.is_finite() else str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return format(value, ",")
    return str(value)


def chain(data: Any) -> str:
    """A caption fragment naming the journal's chain head the report reflects."""
    head = data.get("chain_head", "") if isinstance(data, dict) else ""
    return f"chain head {head[:12]}…" if head else ""


def _cell(value: Any) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, Decimal):
        return f'<td class="num">{html.escape(money(value))}</td>'
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int):
        return f'<td class="num">{value}</td>'
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"<td>{value.isoformat()}</td>"
    if isinstance(value, list):
        return f"<td>{html.escape(', '.join(str(v) for v in value))}</td>"
    if isinstance(value, dict):
        return f"<td>{html.escape(', '.join(f'{k} {v}' for k, v in value.items()))}</td>"
    return f"<td>{html.escape(str(value))}</td>"


def _numeric_columns(columns: Sequence[str], rows: Sequence[Dict[str, Any]]) -> set[str]:
    numeric = set()
    for name in columns:
        values = [r.get(name) for r in rows if r.get(name) is not None]
        if values and all(isinstance(v, (Decimal, int)) and not isinstance(v, bool) for v in values):
            numeric.add(name)
    return numeric


def table(
    title: str,
    caption: Sequence[str],
    columns: Sequence[str],
    rows: Sequence[Dict[str, Any]],
    footer: Sequence[Dict[str, Any]],
    tail: Optional[Sequence[Dict[str, Any]]] = None,
    labels: Optional[Mapping[str, str]] = None,
) -> str:
    """An HTML table of ``rows``; ``tail`` rows follow an elision marker when given; ``labels``
    are the headers shown for column names (the core's labels; the name itself by default)."""
    shown: List[Dict[str, Any]] = list(rows)
    elided = 0
    if tail is None and len(shown) > 2 * HTML_ROWS_EACH_END:
        elided = len(shown) - 2 * HTML_ROWS_EACH_END
        tail = shown[-HTML_ROWS_EACH_END:]
        shown = shown[:HTML_ROWS_EACH_END]
    numeric = _numeric_columns(columns, shown + list(tail or []) + list(footer))
    parts = [_STYLE, '<table class="fw-report">']
    note = " · ".join(html.escape(c) for c in caption if c)
    parts.append(f"<caption>{html.escape(title)}{' <small>' + note + '</small>' if note else ''}</caption>")
    shown_as = labels or {}
    head = "".join(
        f'<th class="num" title="{html.escape(c)}">{html.escape(shown_as.get(c, c))}</th>'
        if c in numeric
        else f'<th title="{html.escape(c)}">{html.escape(shown_as.get(c, c))}</th>'
        for c in columns
    )
    parts.append(f"<thead><tr>{head}</tr></thead><tbody>")
    for row in shown:
        parts.append("<tr>" + "".join(_cell(row.get(c)) for c in columns) + "</tr>")
    if tail is not None:
        marker = f"… {elided} more rows …" if elided else "…"
        parts.append(f'<tr class="elided"><td colspan="{len(columns)}">{marker}</td></tr>')
        for row in tail:
            parts.append("<tr>" + "".join(_cell(row.get(c)) for c in columns) + "</tr>")
    parts.append("</tbody>")
    if footer:
        parts.append("<tfoot>")
        for row in footer:
            parts.append("<tr>" + "".join(_cell(row.get(c)) for c in columns) + "</tr>")
        parts.append("</tfoot>")
    parts.append("</table>")
    return "".join(parts)
