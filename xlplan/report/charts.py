"""The report's charts, as Plotly figures built from the output tables read back from a workbook.

Every label that came from the workbook (products, periods, scenarios, plan names) goes through
:func:`label` first: Plotly reads a few HTML tags in its text (``<b>``, ``<br>``, ``<a>``), so a
product named ``<b>A</b>`` would otherwise show in bold, and one named ``<br>`` would break a line.
Escaped, Plotly shows the name exactly as typed.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from xlplan.text import amount_text
from xlplan.workbook.contract import PROFIT_ERROR

PALETTE = ("#1F4E79", "#C55A11", "#548235", "#7030A0", "#BF9000", "#2E75B6", "#A5A5A5", "#843C0C", "#375623",
           "#FF7C80")
BAND = "rgba(31, 78, 121, {alpha})"
MAX_GROUPS = 40
"""Products offered one by one in a fan chart's product menu (all products together are always offered)."""
FEW_SCENARIOS = 12
"""Up to this many scenarios, a fan chart also draws each scenario's own line."""


def label(value: object) -> str:
    """A workbook label as Plotly text that shows exactly as typed."""
    return html.escape(str(value), quote=False)


def _labels(values: Sequence[object]) -> list[str]:
    return [label(v) for v in values]


def _layout(figure: go.Figure, title: str, y_title: str = "", x_title: str = "", height: int = 380,
            y_format: str = ",.0f") -> go.Figure:
    figure.update_layout(
        # the title on the top line, the legend on its own line(s) below it: a long legend beside the title
        # covered it in a narrow window
        title={"text": label(title), "x": 0.0, "xanchor": "left", "y": 0.98, "yanchor": "top", "font": {"size": 15}},
        template="plotly_white", height=height + 30, margin={"l": 70, "r": 20, "t": 90, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0.0,
                "traceorder": "normal"},
        hovermode="x unified", font={"family": "Segoe UI, Helvetica, Arial, sans-serif", "size": 12},
        colorway=list(PALETTE),
    )
    # the primary axes only: a chart's second y axis keeps its own title and format
    figure.update_layout(yaxis={"title": {"text": label(y_title)}, "tickformat": y_format, "rangemode": "tozero"},
                         xaxis={"title": {"text": label(x_title)}})
    return figure


def _in_order(values: pd.Series) -> list[object]:
    """The distinct values of a column in the order they first appear (the sheets' own order)."""
    return list(dict.fromkeys(values.tolist()))


# ---------------------------------------------------------------------------- the plan
def production_chart(plan: pd.DataFrame) -> go.Figure:
    """Production per period, stacked by product, against the expected demand of all products."""
    periods = _in_order(plan["Period"])
    x = _labels(periods)
    figure = go.Figure()
    for i, (product, rows) in enumerate(plan.groupby("Product", sort=False)):
        by_period = rows.set_index("Period")["Production"].reindex(periods)
        figure.add_trace(go.Bar(x=x, y=by_period.to_numpy(dtype=float), name=label(product),
                                marker_color=PALETTE[i % len(PALETTE)]))
    demand = plan.groupby("Period", sort=False)["Expected demand"].sum().reindex(periods)
    figure.add_trace(go.Scatter(x=x, y=demand.to_numpy(dtype=float), name="Expected demand (all products)",
                                mode="lines+markers", line={"color": "#222222", "dash": "dot", "width": 2}))
    figure.update_layout(barmode="stack")
    figure.update_xaxes(type="category")
    return _layout(figure, "Production by product and period", "Units", "Period")


def production_heatmap(plan: pd.DataFrame) -> go.Figure:
    """The plan as a grid: one row per product, one column per period, the units to make."""
    periods = _in_order(plan["Period"])
    products = _in_order(plan["Product"])
    grid = plan.pivot_table(index="Product", columns="Period", values="Production", aggfunc="sum", sort=False)
    grid = grid.reindex(index=products, columns=periods)
    values = grid.to_numpy(dtype=float)
    show_numbers = values.size <= 600 and len(periods) <= 26  # beyond, a cell is too narrow for its number
    figure = go.Figure(go.Heatmap(
        z=values, x=_labels(periods), y=_labels(products), colorscale="Blues", colorbar={"title": {"text": "Units"}},
        text=np.vectorize(lambda v: f"{v:,.0f}")(values) if show_numbers else None,
        texttemplate="%{text}" if show_numbers else None, hovertemplate="%{y}, period %{x}: %{z:,.2f}<extra></extra>",
        xgap=1, ygap=1))
    figure.update_xaxes(type="category")
    figure.update_yaxes(type="category", autorange="reversed")
    height = max(220, 90 + 34 * len(products))
    _layout(figure, "Units to make, by product and period", x_title="Period", height=height, y_format="")
    figure.update_layout(hovermode="closest")
    figure.update_yaxes(rangemode="normal")
    return figure


def labour_chart(plan: pd.DataFrame) -> go.Figure:
    """Regular and overtime hours of all products per period, with each product's workforce."""
    periods = _in_order(plan["Period"])
    x = _labels(periods)
    hours = plan.groupby("Period", sort=False)[["Regular hours", "Overtime hours"]].sum().reindex(periods)
    figure = go.Figure()
    figure.add_trace(go.Bar(x=x, y=hours["Regular hours"].to_numpy(dtype=float), name="Regular hours",
                            marker_color="#9DC3E6"))
    figure.add_trace(go.Bar(x=x, y=hours["Overtime hours"].to_numpy(dtype=float), name="Overtime hours",
                            marker_color="#C55A11"))
    for i, (product, rows) in enumerate(plan.groupby("Product", sort=False)):
        workforce = rows.set_index("Period")["Workforce"].reindex(periods)
        figure.add_trace(go.Scatter(x=x, y=workforce.to_numpy(dtype=float), name=f"Workforce: {label(product)}",
                                    mode="lines+markers", yaxis="y2", line={"color": PALETTE[i % len(PALETTE)]}))
    figure.update_layout(barmode="stack", yaxis2={"title": {"text": "Workforce"}, "overlaying": "y", "side": "right",
                                                  "rangemode": "tozero", "showgrid": False, "tickmode": "auto",
                                                  "tickformat": ",.4~f"})
    figure.update_xaxes(type="category")
    _layout(figure, "Labour: hours used (bars) and workforce (lines)", "Hours", "Period")
    figure.update_layout(margin={"r": 70})
    return figure


# ---------------------------------------------------------------------------- fan charts
def weighted_quantiles(values: np.ndarray, weights: np.ndarray, quantiles: Sequence[float]) -> np.ndarray:
    """Quantiles of each column of ``values`` (scenarios x periods) with scenario ``weights``: the
    smallest value whose cumulative probability reaches the quantile."""
    order = np.argsort(values, axis=0, kind="stable")
    ordered = np.take_along_axis(values, order, axis=0)
    cumulative = np.cumsum(weights[order], axis=0) / weights.sum()
    result = np.empty((len(quantiles), values.shape[1]))
    for k, q in enumerate(quantiles):
        index = (cumulative < q - 1e-12).sum(axis=0).clip(max=len(values) - 1)
        result[k] = ordered[index, np.arange(values.shape[1])]
    return result


def _scenario_totals(recourse: pd.DataFrame, columns: Sequence[str], periods: list[object],
                     scenarios: list[object]) -> np.ndarray:
    """Scenarios x periods: the sum of ``columns`` over the products of ``recourse``."""
    totals = recourse.assign(_value=recourse[list(columns)].sum(axis=1)).pivot_table(
        index="Scenario", columns="Period", values="_value", aggfunc="sum", sort=False)
    return totals.reindex(index=scenarios, columns=periods).fillna(0.0).to_numpy(dtype=float)


def _band(x: list[str], low: np.ndarray, high: np.ndarray, name: str, alpha: float, group: str) -> list[go.Scatter]:
    edge = {"width": 0}
    return [go.Scatter(x=x, y=low, mode="lines", line=edge, hoverinfo="skip", showlegend=False, legendgroup=group),
            go.Scatter(x=x, y=high, mode="lines", line=edge, fill="tonexty", fillcolor=BAND.format(alpha=alpha),
                       name=name, hoverinfo="skip", legendgroup=group)]


def _fan_traces(values: np.ndarray, weights: np.ndarray, x: list[str], scenarios: list[object]) -> list[go.Scatter]:
    traces = _band(x, values.min(axis=0), values.max(axis=0), "Range over scenarios", 0.12, "range")
    if len(scenarios) > FEW_SCENARIOS:
        p10, p25, median, p75, p90 = weighted_quantiles(values, weights, (0.10, 0.25, 0.50, 0.75, 0.90))
        traces += _band(x, p10, p90, "P10 to P90", 0.22, "p10")
        traces += _band(x, p25, p75, "P25 to P75", 0.35, "p25")
        traces.append(go.Scatter(x=x, y=median, name="Median", mode="lines", line={"color": BAND.format(alpha=1)}))
    else:
        for i, scenario in enumerate(scenarios):
            traces.append(go.Scatter(
                x=x, y=values[i], mode="lines", name=f"Scenario {label(scenario)} ({weights[i]:.0%})",
                line={"width": 1.3, "color": PALETTE[(i + 1) % len(PALETTE)]}, opacity=0.85))
    expected = weights @ values / weights.sum()
    traces.append(go.Scatter(x=x, y=expected, name="Expected", mode="lines+markers",
                             line={"color": "#111111", "width": 3, "dash": "dash"}))
    return traces


def fan_chart(recourse: pd.DataFrame, columns: Sequence[str], title: str, y_title: str) -> go.Figure:
    """How ``columns`` (summed) spread over the scenarios, period by period: the range over all
    scenarios, each scenario's line (few scenarios) or probability bands (many), and the expected
    value. A menu shows all products together or one product at a time."""
    periods = _in_order(recourse["Period"])
    scenarios = _in_order(recourse["Scenario"])
    products = _in_order(recourse["Product"])
    weights = (recourse.drop_duplicates("Scenario").set_index("Scenario")["Probability"]
               .reindex(scenarios).to_numpy(dtype=float))
    x = _labels(periods)
    groups: list[tuple[str, pd.DataFrame]] = [("All products", recourse)]
    if len(products) > 1:
        groups += [(label(p), recourse[recourse["Product"] == p]) for p in products[:MAX_GROUPS]]
    figure = go.Figure()
    spans = []
    for g, (_, rows) in enumerate(groups):
        traces = _fan_traces(_scenario_totals(rows, columns, periods, scenarios), weights, x, scenarios)
        spans.append((len(figure.data), len(traces)))
        for trace in traces:
            trace.visible = g == 0
            figure.add_trace(trace)
    if len(groups) > 1:
        total = len(figure.data)
        buttons = [{"label": name, "method": "update",
                    "args": [{"visible": [start <= k < start + count for k in range(total)]}]}
                   for (name, _), (start, count) in zip(groups, spans)]
        figure.update_layout(updatemenus=[{"buttons": buttons, "direction": "down", "x": 0.0, "xanchor": "left",
                                           "y": 1.0, "yanchor": "bottom", "pad": {"b": 4}, "showactive": True}])
    figure.update_xaxes(type="category")
    _layout(figure, title, y_title, "Period", height=420)
    figure.update_layout(margin={"t": 95}, legend={"xanchor": "right", "x": 1.0})  # the product menu sits left
    return figure


# ---------------------------------------------------------------------------- costs
def cost_chart(costs: pd.DataFrame) -> go.Figure:
    """Expected cost by category, split by product (the Costs sheet's table: Category, products..., Total)."""
    categories = _labels(costs.iloc[:, 0])
    products = costs.columns[1:-1]
    figure = go.Figure()
    for j, product in enumerate(products):
        figure.add_trace(go.Bar(y=categories, x=costs.iloc[:, 1 + j].to_numpy(dtype=float), name=label(product),
                                orientation="h", marker_color=PALETTE[j % len(PALETTE)],
                                hovertemplate="%{y}: %{x:,.2f}"))
    figure.update_layout(barmode="stack", hovermode="y unified")
    figure.update_yaxes(type="category", autorange="reversed")
    _layout(figure, "Expected cost by category and product", height=max(300, 80 + 34 * len(categories)))
    figure.update_xaxes(title_text="Expected cost", tickformat=",.0f")
    figure.update_yaxes(tickformat="", rangemode="normal")
    return figure


# ---------------------------------------------------------------------------- simulation
def histogram_chart(histogram: pd.DataFrame, markers: dict[str, float],
                    share_label: str = "Share of replications") -> go.Figure:
    """The Simulation sheet's distribution of profit, with ``markers`` (e.g. the mean, P5) as lines: a bar
    per bin (Profit from, Profit to) or, for a few outcomes, a bar per outcome (Profit)."""
    share = histogram["Share"].to_numpy(dtype=float)
    if "Profit" in histogram.columns:
        outcomes = histogram["Profit"].to_numpy(dtype=float)
        gaps = np.diff(np.sort(outcomes))
        half = 0.3 * (float(gaps.min()) if len(gaps) else max(abs(float(outcomes[0])) * 0.05, 1.0))
        low, high = outcomes - half, outcomes + half
        hover = "profit %{x:,.0f}: %{y:.1%}<extra></extra>"
        middle = outcomes
    else:
        low = histogram["Profit from"].to_numpy(dtype=float)
        high = histogram["Profit to"].to_numpy(dtype=float)
        hover = "profit %{customdata[0]:,.0f} to %{customdata[1]:,.0f}: %{y:.1%}<extra></extra>"
        middle = (low + high) / 2
    figure = go.Figure(go.Bar(
        x=middle, y=share, width=(high - low) * 0.96, name=share_label,
        marker_color="#2E75B6", customdata=np.column_stack([low, high]), hovertemplate=hover))
    top = float(share.max()) if len(share) else 1.0
    for i, (name, value) in enumerate(markers.items()):
        if value is None or not np.isfinite(value):
            continue
        color = PALETTE[(i + 1) % len(PALETTE)]
        figure.add_shape(type="line", x0=value, x1=value, y0=0, y1=top * 1.12, line={"color": color, "dash": "dash",
                                                                                     "width": 2})
        figure.add_annotation(x=value, y=top * (1.12 - 0.07 * i), text=f"{label(name)}: {amount_text(value)}",
                              showarrow=False, xanchor="left", xshift=4, font={"color": color},
                              bgcolor="rgba(255,255,255,0.8)")
    _layout(figure, "Distribution of simulated profit", share_label, "Profit", y_format=".0%")
    span = float(high.max() - low.min()) if len(low) else 1.0
    figure.update_layout(hovermode="closest", showlegend=False, bargap=0)
    figure.update_xaxes(tickformat=",.0f", range=[float(low.min()) - 0.03 * span, float(high.max()) + 0.03 * span])
    figure.update_yaxes(range=[0, top * 1.18])
    return figure


# ---------------------------------------------------------------------------- compare
def _profit_se(table: pd.DataFrame) -> np.ndarray:
    """The mean profit's standard error column, 0 where there is none (an exact evaluation: no column)."""
    column = next((c for c in (PROFIT_ERROR, "Profit SE") if c in table.columns), None)  # "Profit SE": older books
    if column is None:
        return np.zeros(len(table))
    return pd.to_numeric(table[column], errors="coerce").fillna(0.0).to_numpy(dtype=float)


def _mean_profit_bar(names: list[str], table: pd.DataFrame, name: str) -> go.Bar:
    """Mean profit per row of ``table`` with its 95% interval (from the Profit SE column) as error bars."""
    se = _profit_se(table)
    return go.Bar(x=names, y=table["Mean profit"].to_numpy(dtype=float), name=name, marker_color=PALETTE[0],
                  error_y={"type": "data", "array": 1.96 * se, "visible": True})


def strategies_chart(strategies: pd.DataFrame) -> go.Figure:
    """Mean profit (with its 95% interval) and P5 of each plan the Compare sheet sets side by side."""
    names = _labels(strategies["Strategy"])
    figure = go.Figure([
        _mean_profit_bar(names, strategies, "Mean profit"),
        go.Bar(x=names, y=strategies["Profit P5"].to_numpy(dtype=float), name="Profit P5 (bad case)",
               marker_color=PALETTE[1]),
    ])
    figure.update_xaxes(type="category")
    _layout(figure, "Profit by plan (bars: mean with its 95% interval, and P5)", "Profit")
    # plans' profits differ by a few percent: from 0 the bars would look the same height
    top = float(np.nanmax(strategies["Mean profit"].to_numpy(dtype=float) + 1.96 * _profit_se(strategies)))
    bottom = float(np.nanmin(strategies["Profit P5"].to_numpy(dtype=float)))
    if np.isfinite(top) and np.isfinite(bottom) and top > bottom > 0:
        margin = 0.15 * (top - bottom)
        low = max(0.0, bottom - margin)
        figure.update_yaxes(range=[low, top + margin / 2], rangemode="normal",
                            title_text="Profit (axis not from 0)" if low > 0 else "Profit")
    return figure


def buffer_chart(curve: pd.DataFrame) -> go.Figure:
    """The buffer search: mean profit and on-time fill rate of each buffer factor tried."""
    factor = curve["Buffer factor"].to_numpy(dtype=float)
    meets = curve["Meets target"].astype(str).str.lower().eq("yes").to_numpy()
    figure = go.Figure([
        go.Scatter(x=factor, y=curve["Mean profit"].to_numpy(dtype=float), name="Mean profit", mode="lines+markers",
                   line={"color": PALETTE[0]}),
        go.Scatter(x=factor, y=curve["Fill rate"].to_numpy(dtype=float), name="On-time fill rate", yaxis="y2",
                   mode="lines+markers", line={"color": PALETTE[1]},
                   marker={"symbol": np.where(meets, "circle", "circle-open"), "size": 8}),
    ])
    figure.update_layout(yaxis2={"title": {"text": "On-time fill rate (filled: meets the target)"},
                                 "overlaying": "y", "side": "right", "showgrid": False,
                                 **share_ticks(curve["Fill rate"].to_numpy(dtype=float))})
    _layout(figure, "Buffer search: deterministic plans for demand and hours x factor", "Mean profit",
            "Buffer factor")
    figure.update_yaxes(rangemode="normal")
    figure.update_layout(margin={"r": 95})  # room for the fill-rate title beside "100%"
    return figure


ROUND_STEPS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25)
"""Steps between a share axis's ticks: 0.1%, 0.2%, 0.5%, 1%, ... 25%."""


def share_ticks(shares: np.ndarray, most: int = 6) -> dict[str, object]:
    """A share axis (0.87 to 0.99) with round ticks (88%, 90%, ... 98%, every step from 0), as few decimals as
    the step needs, spanning ``shares`` with a little room (Plotly's own ticks on a second axis read 89.8%,
    92.8%)."""
    finite = shares[np.isfinite(shares)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    step = next((s for s in ROUND_STEPS if (high - low) / s <= most), ROUND_STEPS[-1])
    first, last = np.floor(low / step + 1e-9) * step, np.ceil(high / step - 1e-9) * step  # 1.0 on 100%
    if last - first < step * 2:  # one value: a tick either side of it
        first, last = first - step, last + step
    decimals = max(0, -int(np.floor(np.log10(step * 100) + 1e-9)))
    return {"tickmode": "linear", "tick0": 0.0, "dtick": step, "tickformat": f".{decimals}%",
            "range": [first - step / 4, last + step / 4]}


def weight_text(weight: float) -> str:
    """A risk weight as the Frontier sheet shows it (0.00): 0.00, 0.10, 0.50, 8.00, every one alike."""
    return f"{weight:,.2f}"


LABEL_POSITIONS = ("top right", "bottom right", "top left", "bottom left", "middle right", "middle left",
                   "top center", "bottom center")
PLOT_PIXELS = (800.0, 270.0)
"""The frontier's plot area in a window 1,024 pixels wide, at the least (wider windows spread the points
further): the room labels are placed in."""
CHARACTER_PIXELS, LINE_PIXELS, OFFSET_PIXELS = 7.5, 16.0, 5.0
"""A label's estimated size, and how far Plotly sets it off its point."""


def _label_box(position: str, width: float) -> tuple[float, float, float, float]:
    """Where Plotly draws a label ``width`` pixels wide at ``position`` from its point: left, bottom, right,
    top, in pixels from the point (up positive)."""
    vertical, horizontal = position.split()
    left = {"right": OFFSET_PIXELS, "left": -OFFSET_PIXELS - width, "center": -width / 2}[horizontal]
    bottom = {"top": OFFSET_PIXELS, "bottom": -OFFSET_PIXELS - LINE_PIXELS, "middle": -LINE_PIXELS / 2}[vertical]
    return left, bottom, left + width, bottom + LINE_PIXELS


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def placed_labels(x: np.ndarray, y: np.ndarray, texts: Sequence[str], ranges: tuple[tuple[float, float], ...],
                  plot: tuple[float, float] = PLOT_PIXELS) -> tuple[list[str], list[str]]:
    """Each point's label and its position, so that no two labels overlap each other or another point, and
    none leaves the plot: points drawn on one spot share one label ("0.50, 1.00"), the others take the first
    position around their point that is free (or, when none is, the least covered)."""
    (x0, x1), (y0, y1) = ranges
    px = (x - x0) / ((x1 - x0) or 1.0) * plot[0]
    py = (y - y0) / ((y1 - y0) or 1.0) * plot[1]
    shown, positions = [""] * len(texts), ["top right"] * len(texts)
    first: dict[int, int] = {}  # each point's first point on the same spot
    for i in range(len(texts)):
        first[i] = next((j for j in range(i) if first[j] == j and abs(px[i] - px[j]) < 4 and abs(py[i] - py[j]) < 4),
                        i)
    markers = [(px[i] - 4, py[i] - 4, px[i] + 4, py[i] + 4) for i in range(len(texts))]
    boxes: list[tuple[float, float, float, float]] = []
    for i in (i for i in range(len(texts)) if first[i] == i):
        shown[i] = ", ".join(texts[j] for j in range(len(texts)) if first[j] == i)
        taken = [*boxes, *(m for j, m in enumerate(markers) if first[j] != i)]
        candidates = {}
        for position in LABEL_POSITIONS:
            left, bottom, right, top = _label_box(position, CHARACTER_PIXELS * len(shown[i]))
            box = (px[i] + left, py[i] + bottom, px[i] + right, py[i] + top)
            outside = max(0.0, -box[0]) + max(0.0, box[2] - plot[0]) + max(0.0, -box[1]) + max(0.0, box[3] - plot[1])
            candidates[position] = (box, outside * LINE_PIXELS + sum(_overlap(box, other) for other in taken))
        positions[i] = min(LABEL_POSITIONS, key=lambda p: candidates[p][1])  # the first free, else the least covered
        boxes.append(candidates[positions[i]][0])
    return shown, positions


def _padded(values: np.ndarray, share: float) -> tuple[float, float]:
    low, high = float(values.min()), float(values.max())
    pad = share * ((high - low) or max(abs(high) * 0.01, 1.0))
    return low - pad, high + pad


def frontier_chart(points: pd.DataFrame, cvar_column: str) -> go.Figure:
    """The cost-risk frontier: each plan's expected cost against its CVaR, labelled by its risk weight (with
    the Frontier sheet's precision), labels placed clear of each other."""
    weights = points["Risk weight"].to_numpy(dtype=float)
    x, y = points[cvar_column].to_numpy(dtype=float), points["Expected cost"].to_numpy(dtype=float)
    ranges = (_padded(x, 0.12), _padded(y, 0.15))  # room for the labels at the ends
    texts, positions = placed_labels(x, y, [weight_text(w) for w in weights], ranges)
    figure = go.Figure([
        go.Scatter(x=x, y=y, mode="lines+markers+text", text=texts, textposition=positions,
                   customdata=[weight_text(w) for w in weights], name="Plans, labelled by their risk weight",
                   hovertemplate="risk weight %{customdata}: expected cost %{y:,.0f}, worst-case cost %{x:,.0f}"
                                 "<extra></extra>",
                   line={"color": PALETTE[0]}, textfont={"size": 12}),
    ])
    _layout(figure, "Expected cost against risk: one plan per risk weight, each labelled by its weight",
            "Expected cost", label(cvar_column))
    figure.update_xaxes(range=list(ranges[0]), tickformat=",.0f")
    figure.update_yaxes(range=list(ranges[1]), rangemode="normal")
    figure.update_layout(hovermode="closest", showlegend=False)
    return figure



# ---------------------------------------------------------------------------- rolling
def rolling_chart(policies: pd.DataFrame) -> go.Figure:
    """Mean profit of each policy re-planned (with its 95% interval) beside the same policy planned once,
    and the re-planned P5."""
    names = _labels(policies["Policy"])
    figure = go.Figure([
        _mean_profit_bar(names, policies, "Re-planned: mean profit"),
        go.Bar(x=names, y=policies["Static mean profit"].to_numpy(dtype=float), name="Planned once: mean profit",
               marker_color=PALETTE[2]),
        go.Bar(x=names, y=policies["Profit P5"].to_numpy(dtype=float), name="Re-planned: profit P5 (bad case)",
               marker_color=PALETTE[1]),
    ])
    figure.update_xaxes(type="category")
    return _layout(figure, "Profit by policy, re-planned and planned once", "Profit")



__all__ = ["buffer_chart", "cost_chart", "fan_chart", "frontier_chart", "histogram_chart", "label", "labour_chart",
           "placed_labels", "production_chart", "production_heatmap", "rolling_chart", "share_ticks",
           "strategies_chart", "weight_text", "weighted_quantiles"]
