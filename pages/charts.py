"""Plotly figures built from query results. Pure functions: DataFrame in, Figure out (no Streamlit)."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from pages.formatting import format_change, format_value, is_missing, period_label

EVIDENCE_CHARS = 160
DERIVED_NOTE = "derived: fiscal year minus the three reported quarters"
EVENT_COLOR = "#8c6d1f"
# The Trends views: label -> (column of growth_series, kind of number); keep in sync with pages/trends.py.
VIEWS = {
    "Value": ("value", "value"),
    "YoY %": ("yoy_pct", "pct"),
    "QoQ %": ("qoq_pct", "pct"),
    "Trailing 12 months": ("ttm", "value"),
    "Indexed (= 100)": ("indexed", "index"),
}


def _shorten(text: str | None, limit: int = EVIDENCE_CHARS) -> str:
    text = " ".join((text or "").split()) if isinstance(text, str) else ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _get(row, name: str, default=None):
    value = getattr(row, name, default)
    return default if is_missing(value) else value


def format_view(value, kind: str, unit: str, currency: str | None) -> str:
    """A number of one Trends view, as the hover and the axis say it."""
    if is_missing(value):
        return "–"
    if kind == "pct":
        return format_change(value)
    if kind == "index":
        return f"{value:,.1f}"
    return format_value(value, unit, currency)


def hover_texts(df: pd.DataFrame, view: str = "Value") -> list[str]:
    """One hover label per row: value with unit, period, source, the evidence and the document (HTML-escaped)."""
    column, kind = VIEWS[view]
    labels = []
    for row in df.itertuples(index=False):
        derived = bool(_get(row, "derived", False))
        period = period_label(row.period_start, row.period_end, _get(row, "grain", "other"))
        value = format_value(row.value, row.unit, _get(row, "currency"))
        qualifier = _get(row, "qualifier")
        value += f" ({qualifier})" if isinstance(qualifier, str) else ""
        if column != "value":
            value = f"{view}: {format_view(getattr(row, column), kind, row.unit, _get(row, 'currency'))} · {value}"
        where = _get(row, "document_title") or _get(row, "source_url") or ""
        lines = [
            f"<b>{html.escape(str(row.company))}</b> · {html.escape(period)}"
            + (" · <i>derived</i>" if derived else ""),
            html.escape(value),
            f"Source: {html.escape(str(_get(row, 'source', '')))}",
            html.escape(DERIVED_NOTE if derived else _shorten(_get(row, "evidence"), 120)),
        ]
        if where:
            lines.append(html.escape(_shorten(where, 90)))
        labels.append("<br>".join(lines))
    return labels


def _fact_ids(rows: pd.DataFrame) -> list[list]:
    ids = rows["fact_id"] if "fact_id" in rows else pd.Series([None] * len(rows), index=rows.index)
    return [[None if is_missing(v) else int(v)] for v in ids]


def _derived_segments(rows: pd.DataFrame, y: str, labels: list[str]) -> dict:
    """Dashed pieces from the point before each derived point to the point after, separated by gaps."""
    xs, ys, texts, sizes, custom = [], [], [], [], []
    positions = list(range(len(rows)))
    derived = rows["derived"].fillna(False).astype(bool).tolist()
    ids = _fact_ids(rows)
    for i in positions:
        if not derived[i]:
            continue
        for j in (i - 1, i, i + 1):
            if 0 <= j < len(rows):
                xs.append(rows["period_end"].iloc[j])
                ys.append(rows[y].iloc[j])
                texts.append(labels[j])
                sizes.append(10 if derived[j] else 0)
                custom.append(ids[j])
        xs.append(None)
        ys.append(None)
        texts.append("")
        sizes.append(0)
        custom.append([None])
    return {"x": xs, "y": ys, "text": texts, "sizes": sizes, "customdata": custom}


def trend_figure(
    df: pd.DataFrame,
    title: str,
    y_label: str,
    log_y: bool = False,
    view: str = "Value",
    events: pd.DataFrame | None = None,
) -> go.Figure:
    """A line per company over period end, markers on every point, hover with provenance.

    Rows with ``derived`` true (a fourth quarter computed from the year) are drawn apart: open markers on a
    dotted line, in a trace named "<company> · derived Q4". ``customdata`` holds the fact id of every point.
    """
    column, _ = VIEWS[view]
    fig = go.Figure()
    df = df[df[column].notna()] if column in df else df.iloc[0:0]
    if "derived" not in df:
        df = df.assign(derived=False)
    colors = {}
    for company, rows in df.groupby("company", sort=False):
        rows = rows.sort_values("period_end")
        labels = hover_texts(rows, view)
        reported = ~rows["derived"].fillna(False).astype(bool)
        trace = go.Scatter(
            x=rows.loc[reported, "period_end"],
            y=rows.loc[reported, column],
            name=str(company),
            mode="lines+markers",
            marker={"size": 7},
            text=[label for label, keep in zip(labels, reported, strict=True) if keep],
            hovertemplate="%{text}<extra></extra>",
            customdata=_fact_ids(rows[reported]),
        )
        fig.add_trace(trace)
        colors[company] = len(fig.data) - 1
        if (~reported).any():
            seg = _derived_segments(rows, column, labels)
            fig.add_trace(
                go.Scatter(
                    x=seg["x"],
                    y=seg["y"],
                    name=f"{company} · derived Q4",
                    mode="lines+markers",
                    line={"dash": "dot", "width": 1.5},
                    marker={"symbol": "circle-open", "size": seg["sizes"], "line": {"width": 2}},
                    text=seg["text"],
                    hovertemplate="%{text}<extra></extra>",
                    customdata=seg["customdata"],
                    connectgaps=False,
                )
            )
    _match_derived_colors(fig)
    fig.update_layout(
        title=title,
        yaxis_title=y_label,
        xaxis_title="Period end",
        hovermode="closest",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        height=480,
        clickmode="event+select",
    )
    if log_y:
        fig.update_yaxes(type="log")
    if events is not None and not events.empty:
        add_event_markers(fig, events)
    return fig


PALETTE = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880", "#ff97ff", "#fecb52")


def _match_derived_colors(fig: go.Figure) -> None:
    """Give every company one colour, shared by its reported line and its derived pieces."""
    companies: list[str] = []
    for trace in fig.data:
        company = trace.name.split(" · ")[0]
        if company not in companies:
            companies.append(company)
        color = PALETTE[companies.index(company) % len(PALETTE)]
        trace.update(line={"color": color}, marker={"color": color})


def add_event_markers(fig: go.Figure, events: pd.DataFrame) -> go.Figure:
    """A dotted vertical line and a short label at the top for each event (published, title, company)."""
    for row in events.itertuples(index=False):
        if is_missing(row.published):
            continue
        when = pd.Timestamp(row.published)
        title = _shorten(_get(row, "title", "event"), 38)
        fig.add_shape(
            type="line",
            x0=when,
            x1=when,
            y0=0,
            y1=1,
            xref="x",
            yref="paper",
            line={"color": EVENT_COLOR, "width": 1, "dash": "dot"},
        )
        fig.add_annotation(
            x=when,
            y=1.0,
            xref="x",
            yref="paper",
            text=f"◆ {html.escape(title)}",
            hovertext=html.escape(f"{row.company} · {when:%Y-%m-%d} · {_get(row, 'title', '')}"),
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font={"size": 10, "color": EVENT_COLOR},
        )
    return fig


def compare_bar_figure(df: pd.DataFrame, title: str, axis_label: str) -> go.Figure:
    """Ranked horizontal bars (rank 1 on top) of ``converted_value``, labelled with the formatted value."""
    rows = df.sort_values("rank")
    texts = [
        format_value(v, u, c)
        for v, u, c in zip(rows["converted_value"], rows["unit"], rows["converted_currency"], strict=True)
    ]
    hover = []
    for row, text in zip(rows.itertuples(index=False), texts, strict=True):
        reported = format_value(row.value, row.unit, _get(row, "currency"))
        lines = [f"<b>#{row.rank} {html.escape(str(row.company))}</b>: {html.escape(text)}"]
        if reported != text:
            lines.append(f"as reported: {html.escape(reported)}")
        lines.append(f"{row.period_start:%Y-%m-%d} – {row.period_end:%Y-%m-%d} ({html.escape(str(row.alignment))})")
        lines.append(f"Source: {html.escape(str(_get(row, 'source', '')))}")
        hover.append("<br>".join(lines))
    fig = go.Figure(
        go.Bar(
            x=rows["converted_value"],
            y=rows["company"],
            orientation="h",
            text=texts,
            textposition="auto",
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            customdata=_fact_ids(rows),
            marker={"color": [PALETTE[0] if c != "Xiaomi" else PALETTE[4] for c in rows["company"]]},
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=axis_label,
        yaxis={"autorange": "reversed", "title": None},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        height=max(260, 60 + 38 * len(rows)),
    )
    return fig


def scatter_figure(df: pd.DataFrame, title: str, x_label: str, y_label: str) -> go.Figure:
    """One labelled point per company: metric x against metric y for the same period."""
    hover = [
        f"<b>{html.escape(str(r.company))}</b><br>"
        f"{html.escape(x_label)}: {html.escape(format_value(r.x, r.x_unit, _get(r, 'x_currency')))}<br>"
        f"{html.escape(y_label)}: {html.escape(format_value(r.y, r.y_unit, _get(r, 'y_currency')))}"
        for r in df.itertuples(index=False)
    ]
    fig = go.Figure(
        go.Scatter(
            x=df["x"],
            y=df["y"],
            mode="markers+text",
            text=df["company"],
            textposition="top center",
            marker={"size": 12, "color": PALETTE[0]},
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            name="companies",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_label,
        yaxis_title=y_label,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        height=420,
    )
    return fig


def coverage_figure(grid: pd.DataFrame, title: str) -> go.Figure:
    """Company × period heatmap of how many sources give a value; blank cells are gaps."""
    z = grid.to_numpy(dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(c) for c in grid.columns],
            y=[str(i) for i in grid.index],
            colorscale="Blues",
            zmin=0,
            zmax=max(3.0, float(pd.Series(z.ravel()).max(skipna=True) or 0)),
            xgap=1,
            ygap=1,
            hovertemplate="%{y} · %{x}: %{z} source(s)<extra></extra>",
            colorbar={"title": "sources"},
        )
    )
    fig.update_layout(
        title=title,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        height=max(260, 80 + 26 * len(grid.index)),
        xaxis={"type": "category", "tickangle": -60},
        yaxis={"autorange": "reversed"},
    )
    return fig
