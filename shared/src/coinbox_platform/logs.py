"""Structured logs that Cloud Logging parses: one JSON object per line on stdout.

Cloud Functions (2nd gen) sends each stdout line to Cloud Logging and, when the line is a JSON
object, stores it as `jsonPayload` with these special fields lifted out of it:

- `severity` (DEBUG, INFO, WARNING, ERROR, CRITICAL): the entry's level;
- `message`: the text shown in the log viewer; for an exception it ends with the traceback,
  which is what Error Reporting groups errors by;
- `logging.googleapis.com/trace` (`projects/<project>/traces/<trace id>`) and `.../spanId`,
  taken from the request's `traceparent` or `X-Cloud-Trace-Context` header, so all lines of one
  request sit under its trace;
- `logging.googleapis.com/labels`: `requestId` (the `X-Request-Id` of the response, or the id a
  task run is given), searchable as `labels.requestId="req_…"`;
- `logging.googleapis.com/sourceLocation`: file, line and function of the call.

`configure()` installs the handler once per process (functions/main.py calls it). Entry points
bind the request id with `context(...)`; anything logged inside carries it. Extra structured
fields go in `extra={"fields": {...}}`. See docs/deploy.md for example lines.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TextIO

TRACE = "logging.googleapis.com/trace"
SPAN = "logging.googleapis.com/spanId"
LABELS = "logging.googleapis.com/labels"
SOURCE = "logging.googleapis.com/sourceLocation"

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")
_CLOUD_TRACE = re.compile(r"^([0-9a-fA-F]{32})(?:/(\d+))?")


class Headers(Protocol):
    """Request headers: a werkzeug `Headers` (case-insensitive) or a plain mapping."""

    def get(self, key: str, /) -> str | None: ...


@dataclass(frozen=True)
class LogContext:
    """What every line logged while serving one request or task carries."""

    request_id: str
    trace_id: str | None = None
    span_id: str | None = None
    labels: Mapping[str, str] | None = None


_current: contextvars.ContextVar[LogContext | None] = contextvars.ContextVar(
    "coinbox_log_context", default=None
)


def trace_from_headers(headers: Headers) -> tuple[str | None, str | None]:
    """(trace id, span id) from a W3C `traceparent` or a Google `X-Cloud-Trace-Context`."""
    parent = (headers.get("traceparent") or "").strip().lower()
    m = _TRACEPARENT.match(parent)
    if m and set(m.group(1)) != {"0"}:
        return m.group(1), m.group(2)
    cloud = (headers.get("X-Cloud-Trace-Context") or "").strip()
    m2 = _CLOUD_TRACE.match(cloud)
    if m2:
        span = format(int(m2.group(2)), "016x") if m2.group(2) else None
        return m2.group(1).lower(), span
    return None, None


@contextmanager
def context(request_id: str, headers: Headers | None = None, **labels: str) -> Iterator[LogContext]:
    """Bind `request_id` (and the trace of `headers`) to every line logged inside."""
    trace_id, span_id = trace_from_headers(headers or {})
    ctx = LogContext(request_id, trace_id, span_id, labels or None)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


_SEVERITY = {
    logging.DEBUG: "DEBUG",
    logging.INFO: "INFO",
    logging.WARNING: "WARNING",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "CRITICAL",
}


class CloudLoggingFormatter(logging.Formatter):
    """Formats a record as one line of JSON in Cloud Logging's structured-log shape."""

    def __init__(self, project_id: str | None = None) -> None:
        super().__init__()
        self.project_id = project_id

    def _project(self) -> str:
        if self.project_id is None:
            from coinbox_platform.config import settings

            self.project_id = settings().project_id
        return self.project_id

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and record.exc_info[0] is not None:
            message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.stack_info:
            message += "\n" + record.stack_info
        entry: dict[str, Any] = {
            "severity": _SEVERITY.get(record.levelno, record.levelname),
            "message": message,
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logger": record.name,
            SOURCE: {
                "file": record.pathname,
                "line": str(record.lineno),
                "function": record.funcName,
            },
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            entry.update({k: v for k, v in fields.items() if k not in entry})
        ctx = _current.get()
        if ctx is not None:
            entry["requestId"] = ctx.request_id
            entry[LABELS] = {"requestId": ctx.request_id, **(ctx.labels or {})}
            if ctx.trace_id:
                entry[TRACE] = f"projects/{self._project()}/traces/{ctx.trace_id}"
                if ctx.span_id:
                    entry[SPAN] = ctx.span_id
        return json.dumps(entry, ensure_ascii=False, default=str)


_HANDLER_NAME = "coinbox-cloud-logging"


def configure(stream: TextIO | None = None, level: int = logging.INFO) -> None:
    """Send every log record of this process to `stream` (stdout) as structured JSON. Safe to
    call more than once: the handler is installed once and replaces the runtime's defaults."""
    root = logging.getLogger()
    for handler in root.handlers:
        if handler.get_name() == _HANDLER_NAME:
            return
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(CloudLoggingFormatter())
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # Client libraries log every retry and connection at INFO; their warnings still show.
    for noisy in ("urllib3", "google", "grpc", "werkzeug", "firebase_admin"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_context(
    function: str, headers: Headers | None = None, **labels: str
) -> AbstractContextManager[LogContext]:
    """The context of one task, trigger or scheduled run: a fresh request id (`req_…`) labelled
    with the function, the Cloud Tasks task name when there is one, and the trace of `headers`."""
    from coinbox_platform.ids import new_id

    task = headers.get("X-CloudTasks-TaskName") if headers is not None else None
    if task:
        labels["task"] = task
    return context(new_id("req"), headers, function=function, **labels)
