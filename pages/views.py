"""What the Trends and Compare pages draw, built once per process and shared by every session.

Building a Plotly figure, its hover texts and the formatted peer table costs several times the cached
query behind it (py-spy under ``bench/load.py``: about half of a Trends run was ``trend_figure``). Every
view here is a pure function of the page's choices and of the data, so it is cached with
``st.cache_resource`` keyed by those choices and by :func:`pages.data.cache_token` (which changes after
every write, here or, on a DuckLake, in another replica). ``cache_resource`` hands every session the
same objects without copying them: callers only read what they get (``st.plotly_chart`` and
``st.dataframe`` copy what they send).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from pages import data
from pages.charts import VIEWS, compare_bar_figure, scatter_figure, trend_figure
from pages.database import get_connection
from pages.tables import alignment_notes, fx_notes, peer_table
from pages.widgets import metric_label

VIEW_TTL = data.CACHE_TTL
TREND_TABLE_COLUMNS = [
    "company", "period_start", "period_end", "value", "unit", "currency", "qualifier", "source", "status",
    "evidence", "source_url", "document_title",
]  # fmt: skip
GROWTH_TABLE_COLUMNS = [
    "company",
    "period_start",
    "period_end",
    "value",
    "derived",
    "source",
    "evidence",
    "document_title",
]
_BUILDERS: dict[str, Callable[..., Any]] = {}


@st.cache_resource(ttl=VIEW_TTL, max_entries=512, show_spinner=False)
def _build(token: tuple, name: str, args: tuple) -> Any:
    return _BUILDERS[name](*args)


def _shared(builder: Callable[..., Any]) -> Callable[..., Any]:
    """Cache a view builder's result per process, keyed by its arguments and the data's token."""
    _BUILDERS[builder.__name__] = builder

    def view(*args: Any) -> Any:
        get_connection()  # outside the cache: a first start's build draws a progress bar, never to be replayed
        frozen = tuple(tuple(a) if isinstance(a, list | set) else a for a in args)
        return _build(data.cache_token(), builder.__name__, frozen)

    view.__doc__ = builder.__doc__
    return view


def _arrow(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """A table for ``st.dataframe`` converted once, here, instead of on every run of every session.

    A frame Arrow cannot take as it is (mixed types in a column) is returned unchanged for Streamlit's own
    conversion, which repairs such columns.
    """
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return frame


@dataclass(frozen=True)
class MetricChoices:
    """What the pickers offer for one metric: companies, trackers, segments and the default peers."""

    companies: list[str]
    trackers: list[str]
    segments: list[str]
    default_peers: list[str]


@_shared
def metric_choices(metric: str) -> MetricChoices:
    """The picker options of one metric (trackers exclude the companies' own reports)."""
    return MetricChoices(
        companies=data.list_companies_for_metric(metric)["company"].tolist(),
        trackers=[s for s in data.list_sources_for_metric(metric)["source"].tolist() if s != "company"],
        segments=data.list_segments_for_metric(metric)["segment"].tolist(),
        default_peers=list(data.default_peers(metric)),
    )


@_shared
def metric_ids() -> list[str]:
    """Every metric with a current value, as the metric pickers list them."""
    return data.list_metrics()["metric"].tolist()


# ---------------------------------------------------------------------------- Trends


@dataclass(frozen=True)
class TrendView:
    """The chart and table of one Trends choice, or the message saying why there is none."""

    message: str | None = None
    figure: go.Figure | None = None
    table: pa.Table | pd.DataFrame = field(default_factory=pd.DataFrame)
    value_column: str = "value"
    values: int = 0


def _plotted(series: pd.DataFrame, growth: pd.DataFrame, view: str) -> pd.DataFrame | None:
    """The rows the chart draws: reported values plus derived fourth quarters, or one growth view."""
    if view != "Value":
        return None if growth.empty else growth
    derived = growth[growth["derived"].fillna(False).astype(bool)] if not growth.empty else growth
    return pd.concat([series.assign(derived=False), derived], ignore_index=True) if len(derived) else series


@_shared
def trend_view(
    metric: str, companies: tuple, segment: str, source: str, grain: str, view: str, log_y: bool
) -> TrendView:
    """One metric over time for the chosen companies, in one of the Trends views."""
    series = data.current_series(metric, list(companies), segment, source, grain)
    if series.empty:
        return TrendView("No values for this choice. Try another frequency, segment or source.")
    growth = data.growth_series(metric, list(companies), segment, source, grain) if grain != "any" else pd.DataFrame()
    plotted = _plotted(series, growth, view)
    if plotted is None:
        return TrendView(f"{view} needs one frequency: pick Quarterly or Annual.")
    column = VIEWS[view][0]
    values = int(plotted[column].notna().sum())
    if values == 0:
        return TrendView(f"No {view} values for this choice ({view} needs the period a year or a quarter before).")
    label = metric_label(metric)
    currencies = sorted({c for c in series["currency"].dropna()})
    unit_text = ", ".join(currencies) or series["unit"].iloc[0]
    y_label = f"{label} ({unit_text})" if view in ("Value", "Trailing 12 months") else view
    events = data.list_events()
    events = events[events["company"].isin(companies)]
    figure = trend_figure(plotted, f"{label} — {segment or 'whole company'}", y_label, log_y, view, events)
    if view == "Value":
        table = series[TREND_TABLE_COLUMNS]
    else:
        table = plotted[[*GROWTH_TABLE_COLUMNS[:4], column, *GROWTH_TABLE_COLUMNS[4:]]]
    return TrendView(figure=figure, table=_arrow(table), value_column=column, values=values)


# ---------------------------------------------------------------------------- Compare


@dataclass(frozen=True)
class PeriodChoice:
    """The calendar periods with values (newest first), their labels, and the default one."""

    options: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    default: str | None = None


@_shared
def compare_periods(metric: str, segment: str, grain: str) -> PeriodChoice:
    """Calendar periods with values; the default is the newest that at least three companies report."""
    cells = data.coverage_cells(metric, segment, grain)
    if cells.empty:
        return PeriodChoice()
    per = cells.groupby(["calendar_period_end", "period"]).size().reset_index(name="companies")
    per = per.sort_values("calendar_period_end", ascending=False)
    options = [f"{d:%Y-%m-%d}" for d in per["calendar_period_end"]]
    labels = {
        f"{d:%Y-%m-%d}": f"{p} ({n} companies)"
        for d, p, n in zip(per["calendar_period_end"], per["period"], per["companies"], strict=True)
    }
    best = per[per["companies"] >= min(3, per["companies"].max())].iloc[0]
    return PeriodChoice(options, labels, f"{best['calendar_period_end']:%Y-%m-%d}")


@dataclass(frozen=True)
class RankedView:
    """Ranked bars of one period across companies, with the notes and the peer table beside them."""

    figure: go.Figure | None = None
    fx_notes: list[str] = field(default_factory=list)
    reporting_currencies_note: bool = False
    alignment_notes: list[str] = field(default_factory=list)
    table: pa.Table | pd.DataFrame = field(default_factory=pd.DataFrame)


@_shared
def ranked_view(
    metric: str, period_end: dt.date, grain: str, segment: str, source: str, currency: str, grain_label: str
) -> RankedView:
    """One metric and calendar period across companies, money converted to ``currency`` when set."""
    ranked = data.compare_period(metric, period_end, grain, segment, source, currency)
    if ranked.empty:
        return RankedView()
    label = metric_label(metric)
    shown = ranked["converted_currency"].dropna().unique().tolist()
    axis = f"{label} ({', '.join(shown)})" if shown else f"{label} ({ranked['unit'].iloc[0]})"
    title = f"{label} — {ranked['period_end'].max():%Y-%m-%d} ({grain_label.lower()})"
    notes = fx_notes(ranked, currency)
    return RankedView(
        figure=compare_bar_figure(ranked, title, axis),
        fx_notes=notes,
        reporting_currencies_note=not notes and ranked["unit"].iloc[0] == "currency" and not currency,
        alignment_notes=alignment_notes(ranked),
        table=_arrow(peer_table(ranked)),
    )


@dataclass(frozen=True)
class ScatterView:
    """Two metrics of one period, one point per company, or the message saying why there is none."""

    message: str | None = None
    figure: go.Figure | None = None


def _axis(metric: str, points: pd.DataFrame, side: str) -> str:
    currencies = points[f"{side}_currency"].dropna().unique().tolist()
    return f"{metric_label(metric)} ({', '.join(currencies) or points[f'{side}_unit'].iloc[0]})"


@_shared
def scatter_view(
    metric_x: str, metric_y: str, period_end: dt.date, grain: str, source: str, currency: str
) -> ScatterView:
    """``metric_x`` against ``metric_y`` for the companies that report both in the period."""
    points = data.scatter_metrics(metric_x, metric_y, period_end, grain, "", "", source, currency)
    if len(points) < 2:
        who = f"Only {points['company'].iloc[0]} reports" if len(points) else "No company reports"
        return ScatterView(f"{who} both metrics for this period: pick another period (or a metric pair) to compare.")
    title = f"{metric_label(metric_x)} vs {metric_label(metric_y)} — {period_end:%Y-%m-%d}"
    figure = scatter_figure(points, title, _axis(metric_x, points, "x"), _axis(metric_y, points, "y"))
    return ScatterView(figure=figure)
