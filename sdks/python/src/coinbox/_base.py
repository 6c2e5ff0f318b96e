"""The HTTP core shared by Coinbox and AsyncCoinbox: configuration, headers, idempotency keys,
retries with jittered backoff, problem+json errors and pagination."""

from __future__ import annotations

import asyncio
import email.utils
import os
import platform
import random
import re
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from coinbox import errors
from coinbox._pagination import AsyncPaginator, Page, SyncPaginator
from coinbox._version import __version__

M = TypeVar("M", bound=BaseModel)

DEFAULT_BASE_URL = "http://127.0.0.1:5002/v1"  # the local stack (`make dev`)
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
# A 429 or 503 asking to wait longer than this is raised at once rather than slept through.
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
USER_AGENT = (
    f"coinbox-python/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"
)

_RATELIMIT_T = re.compile(r"(?:^|;)\s*t=(\d+(?:\.\d+)?)")


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the API asked to wait: `Retry-After` (seconds or an HTTP date), else the `t=`
    of the `RateLimit` header on a 429."""
    value = response.headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))  # seconds
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                when = None
            if when is not None:
                return max(0.0, when.timestamp() - time.time())
    if response.status_code == 429:
        match = _RATELIMIT_T.search(response.headers.get("ratelimit", ""))
        if match:
            return float(match.group(1))
    return None


def backoff(attempt: int) -> float:
    """Exponential backoff with jitter: half to all of min(cap, 0.5 s · 2^attempt)."""
    ceiling: float = min(MAX_BACKOFF, INITIAL_BACKOFF * float(2**attempt))
    return ceiling * (0.5 + random.random() / 2)


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return getattr(value, "value", value)  # enums


class BaseClient:
    """Configuration and the pieces of a request that do not depend on sync or async."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        default_headers: Mapping[str, str] | None,
    ) -> None:
        self.api_key = api_key if api_key is not None else os.environ.get("COINBOX_API_KEY")
        if not self.api_key:
            raise errors.CoinboxError(
                "No API key: pass api_key=… or set COINBOX_API_KEY (a cb_live_… key, or a "
                "Firebase ID token)."
            )
        self.base_url = (
            base_url
            or os.environ.get("COINBOX_BASE_URL")
            or os.environ.get("COINBOX_API_BASE")
            or DEFAULT_BASE_URL
        ).rstrip("/")
        self.timeout = timeout if timeout is not None else DEFAULT_TIMEOUT
        self.max_retries = DEFAULT_MAX_RETRIES if max_retries is None else max(0, max_retries)
        self._headers = {
            "Authorization": f"Bearer {self.api_key}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            **(default_headers or {}),
        }

    def _build(
        self,
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        content: bytes | None,
        content_type: str | None,
        idempotency_key: str | None,
        timeout: float | None,
    ) -> httpx.Request:
        headers = dict(self._headers)
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or f"cbpy_{uuid.uuid4().hex}"
        if content_type:
            headers["Content-Type"] = content_type
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        return http.build_request(
            method,
            self.base_url + path,
            params=query,
            json=json,
            content=content,
            headers=headers,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )

    def _retry_delay(self, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None not to retry."""
        if attempt >= self.max_retries:
            return None
        if response is None:
            return backoff(attempt)
        status = response.status_code
        retryable = status in RETRY_STATUSES or (status >= 500 and status != 501)
        if status == 409 and response.headers.get("content-type", "").startswith(
            "application/problem+json"
        ):
            try:
                retryable = response.json().get("code") == "idempotency_in_flight"
            except ValueError:
                retryable = False
        if not retryable:
            return None
        asked = retry_after(response)
        if asked is None:
            return backoff(attempt)
        if asked > MAX_RETRY_AFTER:
            return None
        return asked + random.random() * 0.25

    @staticmethod
    def _page(response: httpx.Response, model: type[M]) -> Page[M]:
        body = response.json()
        return Page(
            data=[model.model_validate(item) for item in body.get("data", [])],
            has_more=bool(body.get("hasMore")),
            next_cursor=body.get("nextCursor"),
        )


def _connection_error(exc: httpx.TransportError) -> errors.APIConnectionError:
    cls = errors.APITimeoutError if isinstance(exc, httpx.TimeoutException) else None
    message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return (cls or errors.APIConnectionError)(message, request=getattr(exc, "_request", None))


class SyncClient(BaseClient):
    """The synchronous transport (Coinbox)."""

    def __init__(self, *, http_client: httpx.Client | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._http = http_client or httpx.Client(timeout=self.timeout)

    def close(self) -> None:
        self._http.close()

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _request_raw(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        request = self._build(
            self._http,
            method,
            path,
            params=params,
            json=json,
            content=content,
            content_type=content_type,
            idempotency_key=idempotency_key,
            timeout=timeout,
        )
        attempt = 0
        while True:
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                delay = self._retry_delay(attempt, None)
                if delay is None:
                    raise _connection_error(exc) from exc
            else:
                if response.status_code < 400:
                    return response
                delay = self._retry_delay(attempt, response)
                if delay is None:
                    raise errors.from_response(response)
            self._sleep(delay)
            attempt += 1

    def _request(self, method: str, path: str, model: type[M], **kw: Any) -> M:
        return model.model_validate(self._request_raw(method, path, **kw).json())

    def _paginate(self, path: str, model: type[M], params: Mapping[str, Any]) -> SyncPaginator[M]:
        def fetch(cursor: str | None) -> Page[M]:
            query = dict(params)
            if cursor:
                query["startingAfter"] = cursor
            return self._page(self._request_raw("GET", path, params=query), model)

        return SyncPaginator(fetch, params.get("startingAfter"))


class AsyncClient(BaseClient):
    """The asynchronous transport (AsyncCoinbox)."""

    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._http = http_client or httpx.AsyncClient(timeout=self.timeout)

    async def close(self) -> None:
        await self._http.aclose()

    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def _request_raw(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        request = self._build(
            self._http,
            method,
            path,
            params=params,
            json=json,
            content=content,
            content_type=content_type,
            idempotency_key=idempotency_key,
            timeout=timeout,
        )
        attempt = 0
        while True:
            try:
                response = await self._http.send(request)
            except httpx.TransportError as exc:
                delay = self._retry_delay(attempt, None)
                if delay is None:
                    raise _connection_error(exc) from exc
            else:
                if response.status_code < 400:
                    return response
                delay = self._retry_delay(attempt, response)
                if delay is None:
                    raise errors.from_response(response)
            await self._sleep(delay)
            attempt += 1

    async def _request(self, method: str, path: str, model: type[M], **kw: Any) -> M:
        return model.model_validate((await self._request_raw(method, path, **kw)).json())

    def _paginate(self, path: str, model: type[M], params: Mapping[str, Any]) -> AsyncPaginator[M]:
        async def fetch(cursor: str | None) -> Page[M]:
            query = dict(params)
            if cursor:
                query["startingAfter"] = cursor
            return self._page(await self._request_raw("GET", path, params=query), model)

        return AsyncPaginator(fetch, params.get("startingAfter"))
