"""Coinbox and AsyncCoinbox: the clients and their resources."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from coinbox import _async_resources as ar
from coinbox import _resources as r
from coinbox._base import AsyncClient, SyncClient


class Coinbox(SyncClient):
    """The CoinBox API, synchronously.

        client = Coinbox()  # COINBOX_API_KEY; COINBOX_BASE_URL or the local stack
        loan = client.loans.create(amount=150000, interest_rate=18, term_days=30,
                                   purpose="Stock for my spaza shop")

    `api_key` is a `cb_live_…` key (or a Firebase ID token); `base_url` ends in /v1.
    `timeout` (seconds, or an httpx.Timeout) applies per attempt; `max_retries` (default 2)
    bounds the retries of connection errors, 408, 409 idempotency_in_flight, 429 and 5xx.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client=http_client,
        )
        self.me = r.Me(self)
        self.health = r.Health(self)
        self.loans = r.Loans(self)
        self.wallet = r.Wallet(self)
        self.transactions = r.Transactions(self)
        self.investments = r.Investments(self)
        self.crypto_orders = r.CryptoOrders(self)
        self.order_book = r.OrderBook(self)
        self.messages = r.Messages(self)
        self.api_keys = r.ApiKeys(self)
        self.webhooks = r.Webhooks(self)
        self.events = r.Events(self)
        self.event_types = r.EventTypes(self)
        self.bulk = r.Bulk(self)
        self.exports = r.Exports(self)
        self.admin = r.Admin(self)

    def request(self, method: str, path: str, *, json: Any = None, **kw: Any) -> httpx.Response:
        """Any API call by path (below /v1), with the client's auth, idempotency and retries;
        raises the mapped APIError on an error answer."""
        return self._request_raw(method.upper(), path, json=json, **kw)

    def __enter__(self) -> Coinbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncCoinbox(AsyncClient):
    """The CoinBox API for asyncio: the same resources as Coinbox, every call awaited and
    every list an async iterator (`async for loan in client.loans.list(): …`)."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client=http_client,
        )
        self.me = ar.AsyncMe(self)
        self.health = ar.AsyncHealth(self)
        self.loans = ar.AsyncLoans(self)
        self.wallet = ar.AsyncWallet(self)
        self.transactions = ar.AsyncTransactions(self)
        self.investments = ar.AsyncInvestments(self)
        self.crypto_orders = ar.AsyncCryptoOrders(self)
        self.order_book = ar.AsyncOrderBook(self)
        self.messages = ar.AsyncMessages(self)
        self.api_keys = ar.AsyncApiKeys(self)
        self.webhooks = ar.AsyncWebhooks(self)
        self.events = ar.AsyncEvents(self)
        self.event_types = ar.AsyncEventTypes(self)
        self.bulk = ar.AsyncBulk(self)
        self.exports = ar.AsyncExports(self)
        self.admin = ar.AsyncAdmin(self)

    async def request(
        self, method: str, path: str, *, json: Any = None, **kw: Any
    ) -> httpx.Response:
        return await self._request_raw(method.upper(), path, json=json, **kw)

    async def __aenter__(self) -> AsyncCoinbox:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
