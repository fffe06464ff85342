"""Widgets whose value lives in the URL (``st.query_params``), so a copied link reproduces the view.

The URL wins at the start of a run (a link or a page_link may have changed it); a user's change is written
back to the URL by the widget's ``on_change`` callback before the rerun, so the two never fight.
Every widget gets an explicit ``key`` (tests find widgets by key); ``param`` is the name in the URL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from metrics.catalogue import load_catalogue


def _to_url(key: str, param: str, multi: bool = False, boolean: bool = False) -> None:
    value = st.session_state.get(key)
    if multi:
        st.query_params[param] = [str(v) for v in value or []]
    elif boolean:
        st.query_params[param] = "1" if value else "0"
    elif value is None:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = str(value)


def _initial(options: Sequence[Any], key: str, param: str, default: Any) -> Any:
    wanted = st.query_params.get(param)
    for candidate in (wanted, st.session_state.get(key), default):
        if candidate is not None and candidate in options:
            return candidate
    return options[0] if options else None


def url_select(label: str, options: Sequence[Any], key: str, default: Any = None, param: str | None = None, **kw):
    """A selectbox kept in the URL under ``param`` (default: the key). Options must be strings."""
    param = param or key
    options = list(options)
    st.session_state[key] = _initial(options, key, param, default)
    choice = st.selectbox(label, options, key=key, on_change=_to_url, args=(key, param), **kw)
    if choice is not None:
        st.query_params[param] = str(choice)
    return choice


def url_radio(label: str, options: Sequence[str], key: str, default: str | None = None, param: str | None = None, **kw):
    """A horizontal radio kept in the URL."""
    param = param or key
    options = list(options)
    st.session_state[key] = _initial(options, key, param, default)
    kw.setdefault("horizontal", True)
    choice = st.radio(label, options, key=key, on_change=_to_url, args=(key, param), **kw)
    st.query_params[param] = str(choice)
    return choice


def url_multiselect(
    label: str, options: Sequence[str], key: str, default: Sequence[str] = (), param: str | None = None, **kw
) -> list[str]:
    """A multiselect kept in the URL as a repeated parameter (?company=A&company=B)."""
    param = param or key
    options = list(options)
    wanted = [v for v in st.query_params.get_all(param) if v in options]
    if not wanted:
        wanted = [v for v in st.session_state.get(key) or [] if v in options] or [v for v in default if v in options]
    st.session_state[key] = wanted
    chosen = st.multiselect(label, options, key=key, on_change=_to_url, args=(key, param, True), **kw)
    st.query_params[param] = chosen
    return chosen


def url_toggle(label: str, key: str, default: bool = False, param: str | None = None, **kw) -> bool:
    """A toggle kept in the URL as 1 / 0."""
    param = param or key
    raw = st.query_params.get(param)
    st.session_state[key] = (raw == "1") if raw in ("0", "1") else bool(st.session_state.get(key, default))
    value = st.toggle(label, key=key, on_change=_to_url, args=(key, param, False, True), **kw)
    st.query_params[param] = "1" if value else "0"
    return value


def url_text(label: str, key: str, param: str | None = None, **kw) -> str:
    """A text input kept in the URL (empty text removes the parameter)."""
    param = param or key
    st.session_state[key] = st.query_params.get(param, st.session_state.get(key, ""))
    value = st.text_input(label, key=key, on_change=_to_url, args=(key, param), **kw)
    if value:
        st.query_params[param] = value
    else:
        st.query_params.pop(param, None)
    return value


def metric_label(metric: str) -> str:
    """The catalogue's label for a metric id, else the id."""
    found = load_catalogue().metrics.get(metric)
    return found.label if found else metric


def metric_kind(metric: str) -> str:
    found = load_catalogue().metrics.get(metric)
    return found.kind if found else "flow"


def segment_label(segment: str) -> str:
    return segment or "Whole company"


def pick_metric(metric_ids: Sequence[str], key: str, default: str = "smartphone_shipments", label: str = "Metric"):
    """The metric selectbox every page uses (URL parameter ``metric``)."""
    return url_select(label, metric_ids, key=key, default=default, param="metric", format_func=metric_label)


def format_with(mapping: dict[str, str]) -> Callable[[str], str]:
    return lambda value: mapping.get(value, value)


def _date_to_url(key: str, param: str) -> None:
    value = st.session_state.get(key)
    if value:
        st.query_params[param] = value.isoformat()
    else:
        st.query_params.pop(param, None)


def url_date(label: str, key: str, param: str | None = None, **kw) -> dt.date | None:
    """An optional date input kept in the URL as YYYY-MM-DD (no parameter: no date)."""
    param = param or key
    raw = st.query_params.get(param)
    try:
        st.session_state[key] = dt.date.fromisoformat(raw) if raw else st.session_state.get(key)
    except ValueError:
        st.session_state[key] = None
    value = st.date_input(label, key=key, on_change=_date_to_url, args=(key, param), **kw)
    if value:
        st.query_params[param] = value.isoformat()
    return value or None
