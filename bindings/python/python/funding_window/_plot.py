"""Charts of the resolution tracker and the window statement (matplotlib).

Bar lengths are pixels: amounts are converted to ``float`` here, for drawing only. The
reports' data stays exact ``Decimal``; no float ever leaves this module.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, List, Optional, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from .reports import ResolutionTracker, WindowStatement

MOBILIZED_COLOR = "#2a9d8f"
GAP_COLOR = "#e76f51"
INFLOW_COLOR = "#2a9d8f"
ALLOCATION_COLOR = "#264653"


def _axes(ax: Optional["Axes"], rows: int) -> "Axes":
    if ax is not None:
        from matplotlib.axes import Axes

        if not isinstance(ax, Axes):
            from . import _native

            raise _native.argument_error("ax", type(ax).__name__, "expected a matplotlib Axes or None", True)
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("plot needs matplotlib: pip install 'funding-window[plot]'") from err
    _, new_ax = plt.subplots(figsize=(9, 1.2 + 0.38 * max(rows, 1)))
    return new_ax


def _pixels(amount: Any) -> float:
    """An amount as a bar length. Drawing only: charts are pixels, not money."""
    return float(amount) if isinstance(amount, Decimal) else 0.0


def _thousands(ax: "Axes") -> None:
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))


def tracker_chart(report: "ResolutionTracker", ax: Optional["Axes"] = None) -> "Axes":
    """Per resolution, mobilized and funding gap stacked up to the requirement (USD)."""
    rows = report.rows
    ax = _axes(ax, len(rows))
    labels = [r["resolution"] for r in rows]
    mobilized = [_pixels(r["mobilized"]) for r in rows]
    gaps = [_pixels(r["gap"]) for r in rows]
    positions = list(range(len(rows)))
    ax.barh(positions, mobilized, color=MOBILIZED_COLOR, label="mobilized")
    ax.barh(positions, gaps, left=mobilized, color=GAP_COLOR, label="funding gap")
    for y, r, left, gap in zip(positions, rows, mobilized, gaps):
        text = "no requirement" if r["requirement"] is None else f"gap {r['gap_pct']}%" if r["gap_pct"] is not None else ""
        ax.annotate(text, (left + gap, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(positions)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"{report.data['currency']}")
    ax.set_title(f"Funding gap by resolution, {report.period}")
    _thousands(ax)
    ax.legend(loc="lower right", fontsize=8)
    ax.margins(x=0.15)
    return ax


def window_chart(report: "WindowStatement", ax: Optional["Axes"] = None) -> "Axes":
    """The window's inflows (by donor, balance transfers, other income) and allocations (by resolution)."""
    d = report.data
    bars: List[Tuple[str, Any, str]] = []
    for c in d["contributions"]:
        bars.append((f"{c['donor']} contribution", c["amount"], INFLOW_COLOR))
    if d["transfers_in"] != 0:
        bars.append(("balance transfers in", d["transfers_in"], INFLOW_COLOR))
    if d["other_income"] != 0:
        bars.append(("other income (FX)", d["other_income"], INFLOW_COLOR))
    for a in d["allocations"]:
        bars.append((f"allocated to {a['resolution']}", a["amount"], ALLOCATION_COLOR))
    ax = _axes(ax, len(bars))
    positions = list(range(len(bars)))
    ax.barh(positions, [_pixels(b[1]) for b in bars], color=[b[2] for b in bars])
    for y, (_, amount, _) in zip(positions, bars):
        ax.annotate(f"{amount:,}", (_pixels(amount), y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(positions)
    ax.set_yticklabels([b[0] for b in bars])
    ax.invert_yaxis()
    ax.axvline(0, color="#999", linewidth=0.8)
    ax.set_xlabel(d["currency"])
    opening, closing = d["opening"]["total"], d["closing"]["total"]
    ax.set_title(f"Window {report.period}: inflows and allocations (opening {opening:,}, closing {closing:,})")
    _thousands(ax)
    ax.margins(x=0.2)
    from matplotlib.patches import Patch

    ax.legend(
        handles=[Patch(color=INFLOW_COLOR, label="inflows"), Patch(color=ALLOCATION_COLOR, label="allocations")],
        loc="lower right",
        fontsize=8,
    )
    return ax
