"""HTTP sources: CSV or JSON from a URL, with retries, and skipped when unchanged."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pipelines.source_config import HttpSource
from pipelines.sources.base import Batch, LastState, SourceError, SourceRead, content_hash
from pipelines.tabular import Table, TableError, read_csv_bytes, records_table
from warehouse.runs import SourceState

RETRY_STATUSES = (429, 500, 502, 503, 504)


def _session(source: HttpSource) -> requests.Session:
    retry = Retry(
        total=source.retries,
        backoff_factor=source.backoff_seconds,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def read_http(
    source: HttpSource, last_state: LastState, force: bool, numeric: tuple[str, ...] = ()
) -> SourceRead:
    """Fetch the URL; a 304 reply, or the same bytes as last time, means unchanged."""
    previous = None if force else last_state(source.url)
    headers = dict(source.headers)
    if previous is not None:
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
    try:
        with _session(source) as session:
            reply = session.get(source.url, headers=headers, timeout=source.timeout_seconds)
    except requests.RequestException as exc:
        raise SourceError(
            f"could not fetch {source.url} after {source.retries} retries: {_reason(exc)}"
        ) from None
    if reply.status_code == 304:
        return SourceRead(unchanged=[source.url])
    if reply.status_code >= 400:
        raise SourceError(
            f"{source.url} answered {reply.status_code} {reply.reason}; "
            "check the address and whether the service needs credentials"
        )
    digest = content_hash(reply.content)
    if previous is not None and previous.content_hash == digest:
        return SourceRead(unchanged=[source.url])
    state = SourceState(digest, reply.headers.get("ETag"), reply.headers.get("Last-Modified"))
    table = _parse(source, reply, numeric)
    return SourceRead([Batch(source.url, table.frame, table.row_numbers, state, _label(source))])


def _label(source: HttpSource) -> str:
    return "record" if source.format == "json" else "line"


def _parse(source: HttpSource, reply: requests.Response, numeric: tuple[str, ...]) -> Table:
    try:
        if source.format == "csv":
            return read_csv_bytes(
                reply.content, label=source.url, encoding=source.encoding, numeric=numeric
            )
        try:
            data: Any = reply.json()
        except ValueError:
            raise SourceError(f"{source.url} did not return valid JSON") from None
        for key in (source.records or "").split(".") if source.records else []:
            if not isinstance(data, dict) or key not in data:
                raise SourceError(
                    f"{source.url}: the JSON has no '{key}' on the path '{source.records}'"
                )
            data = data[key]
        if not isinstance(data, list):
            raise SourceError(
                f"{source.url}: expected a list of records; set 'records:' to the path of the list"
            )
        return records_table(data, label=source.url)
    except TableError as exc:
        raise SourceError(str(exc)) from None


def _reason(exc: requests.RequestException) -> str:
    text = str(exc)
    if "timed out" in text.lower() or isinstance(exc, requests.Timeout):
        return "the server did not answer in time"
    if isinstance(exc, requests.ConnectionError):
        return "the server could not be reached"
    return text.splitlines()[0] if text else type(exc).__name__
