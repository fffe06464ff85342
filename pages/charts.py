"""Plotly figures built from query results. Pure functions: DataFrame in, Figure out."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from pages.formatting import format_value, period_label

EVIDENCE_CHARS = 160


def _shorten(text: str | None, limit: int = EVIDENCE_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hover_texts(df: pd.DataFrame) -> list[str]:
    """One hover label per row: value with unit, period, source and the evidence (HTML-escaped)."""
    labels = []
    for row in df.itertuples(index=False):
        where = row.document_title or row.source_url or ""
        labels.append(
            "<br>".join(
                [
                    f"<b>{html.escape(row.company)}</b> · {html.escape(period_label(row.period_start, row.period_end, row.grain))}",
                    html.escape(format_value(row.value, row.unit, row.currency))
                    + (f" ({html.escape(row.qualifier)})" if isinstance(row.qualifier, str) else ""),
                    f"Source: {html.escape(row.source)}",
                    html.escape(_shorten(row.evidence, 120)),
                    html.escape(_shorten(where, 90)),
                ]
            )
        )
    return labels


def trend_figure(df: pd.DataFrame, title: str, y_label: str, log_y: bool = False) -> go.Figure:
    """A line per company over period end, markers on every point, hover with provenance."""
    fig = go.Figure()
    for company, rows in df.groupby("company", sort=False):
        fig.add_trace(
            go.Scatter(
                x=rows["period_end"],
                y=rows["value"],
                name=str(company),
                mode="lines+markers",
                text=hover_texts(rows),
                hovertemplate="%{text}<extra></extra>",
                customdata=rows[["fact_id"]].to_numpy(),
            )
        )
    fig.update_layout(
        title=title,
        yaxis_title=y_label,
        xaxis_title="Period end",
        hovermode="closest",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=480,
    )
    if log_y:
        fig.update_yaxes(type="log")
    return fig
