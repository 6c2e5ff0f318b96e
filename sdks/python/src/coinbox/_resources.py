"""The resources of the synchronous client: `client.loans`, `client.wallet`, … mirror the API.

Every method sends one request (or walks pages lazily) and returns the typed model of the
answer (coinbox.models). POST methods take `idempotency_key=`; without it the client sends a
fresh random key, the same on every retry of that call. The AsyncCoinbox resources are
generated from this file (scripts/generate.py): keep every I/O call in the form
`self._client._request(…)`, `self._client._request_raw(…)` or `self._client._sleep(…)`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from coinbox import models as m
from coinbox._resource_base import (
    SyncResource,
    body,
    check_sha256,
    export_done,
    filters_of,
    params,
    read_file,
    seg,
)

if TYPE_CHECKING:
    from coinbox._base import SyncClient
    from coinbox._pagination import SyncPaginator

BulkKind = Literal["loans", "investments", "crypto-orders", "messages"]
ExportType = Literal["loans", "investments", "transactions", "crypto_orders", "api_requests"]
Mode = Literal["independent", "atomic"]


class Me(SyncResource):
    def retrieve(self) -> m.Me:
        """The caller's profile, tier limits and usage (GET /v1/me)."""
        return self._client._request("GET", "/me", m.Me)


class Health(SyncResource):
    def retrieve(self) -> m.Health:
        """Service health (GET /v1/health; no authentication needed)."""
        return self._client._request("GET", "/health", m.Health)


class LoanRepayments(SyncResource):
    def create(self, loan_id: str, *, amount: int, idempotency_key: str | None = None) -> m.LoanOut:
        """Repay `amount` cents of a disbursed loan; returns the loan."""
        return self._client._request(
            "POST",
            f"/loans/{seg(loan_id)}/repayments",
            m.LoanOut,
            json=body(amount=amount),
            idempotency_key=idempotency_key,
        )

    def list(
        self, loan_id: str, *, limit: int | None = None, starting_after: str | None = None
    ) -> SyncPaginator[m.RepaymentEntry]:
        return self._client._paginate(
            f"/loans/{seg(loan_id)}/repayments",
            m.RepaymentEntry,
            params(limit=limit, startingAfter=starting_after),
        )


class Loans(SyncResource):
    def __init__(self, client: SyncClient) -> None:
        super().__init__(client)
        self.repayments = LoanRepayments(client)

    def create(
        self,
        *,
        amount: int,
        interest_rate: int,
        term_days: int,
        purpose: str,
        idempotency_key: str | None = None,
    ) -> m.LoanOut:
        """Request a loan (cents, percent for the term, days); reviewed at once."""
        return self._client._request(
            "POST",
            "/loans",
            m.LoanOut,
            json=body(
                amount=amount, interestRate=interest_rate, termDays=term_days, purpose=purpose
            ),
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        status: str | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> SyncPaginator[m.LoanOut]:
        """Your loans as borrower, newest first; iterate for every page."""
        return self._client._paginate(
            "/loans", m.LoanOut, params(status=status, limit=limit, startingAfter=starting_after)
        )

    def marketplace(
        self,
        *,
        term_days: int | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> SyncPaginator[m.MarketplaceLoan]:
        """Loans open for funding."""
        return self._client._paginate(
            "/loans/marketplace",
            m.MarketplaceLoan,
            params(termDays=term_days, limit=limit, startingAfter=starting_after),
        )

    def retrieve(self, loan_id: str) -> m.LoanOut:
        return self._client._request("GET", f"/loans/{seg(loan_id)}", m.LoanOut)

    def cancel(self, loan_id: str, *, idempotency_key: str | None = None) -> m.LoanOut:
        return self._client._request(
            "POST", f"/loans/{seg(loan_id)}/cancel", m.LoanOut, idempotency_key=idempotency_key
        )


class Deposits(SyncResource):
    def create(
        self,
        *,
        amount: int | None = None,
        asset: str | None = None,
        quantity: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Transaction:
        """Fund the wallet with ZAR cents, or a crypto `quantity` of `asset` (sandbox only)."""
        return self._client._request(
            "POST",
            "/wallet/deposits",
            m.Transaction,
            json=body(amount=amount, asset=asset, quantity=quantity),
            idempotency_key=idempotency_key,
        )


class Withdrawals(SyncResource):
    def create(self, *, amount: int, idempotency_key: str | None = None) -> m.Transaction:
        """Withdraw `amount` cents to the bank (settles in the background)."""
        return self._client._request(
            "POST",
            "/wallet/withdrawals",
            m.Transaction,
            json=body(amount=amount),
            idempotency_key=idempotency_key,
        )


class Wallet(SyncResource):
    def __init__(self, client: SyncClient) -> None:
        super().__init__(client)
        self.deposits = Deposits(client)
        self.withdrawals = Withdrawals(client)

    def retrieve(self) -> m.WalletOut:
        return self._client._request("GET", "/wallet", m.WalletOut)


class Transactions(SyncResource):
    def list(
        self,
        *,
        type: str | None = None,
        status: str | None = None,
        asset: str | None = None,
        from_: str | None = None,
        to: str | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> SyncPaginator[m.Transaction]:
        """Your ledger entries, newest first (`from_`/`to`: ISO 8601)."""
        return self._client._paginate(
            "/transactions",
            m.Transaction,
            params(
                type=type,
                status=status,
                asset=asset,
                to=to,
                limit=limit,
                startingAfter=starting_after,
                **{"from": from_},
            ),
        )

    def retrieve(self, transaction_id: str) -> m.Transaction:
        return self._client._request("GET", f"/transactions/{seg(transaction_id)}", m.Transaction)


class Investments(SyncResource):
    def create(
        self, *, loan_id: str, amount: int, idempotency_key: str | None = None
    ) -> m.FundingOut:
        """Fund a whole loan (`amount` equals the loan's amount; the R10 fee is on top)."""
        return self._client._request(
            "POST",
            "/investments",
            m.FundingOut,
            json=body(loanId=loan_id, amount=amount),
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        status: str | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> SyncPaginator[m.InvestmentOut]:
        return self._client._paginate(
            "/investments",
            m.InvestmentOut,
            params(status=status, limit=limit, startingAfter=starting_after),
        )

    def retrieve(self, investment_id: str) -> m.InvestmentOut:
        return self._client._request("GET", f"/investments/{seg(investment_id)}", m.InvestmentOut)


class CryptoOrders(SyncResource):
    def create(
        self,
        *,
        asset: str,
        side: str,
        quantity: str,
        price: int,
        idempotency_key: str | None = None,
    ) -> m.OrderOut:
        """Post a listing: `quantity` a decimal string, `price` cents per unit."""
        return self._client._request(
            "POST",
            "/crypto/orders",
            m.OrderOut,
            json=body(asset=asset, side=side, quantity=quantity, price=price),
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        role: str | None = None,
        status: str | None = None,
        asset: str | None = None,
        side: str | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> SyncPaginator[m.OrderOut]:
        return self._client._paginate(
            "/crypto/orders",
            m.OrderOut,
            params(
                role=role,
                status=status,
                asset=asset,
                side=side,
                limit=limit,
                startingAfter=starting_after,
            ),
        )

    def retrieve(self, order_id: str) -> m.OrderOut:
        return self._client._request("GET", f"/crypto/orders/{seg(order_id)}", m.OrderOut)

    def take(self, order_id: str, *, idempotency_key: str | None = None) -> m.OrderOut:
        """Take someone else's open listing."""
        return self._client._request(
            "POST",
            f"/crypto/orders/{seg(order_id)}/take",
            m.OrderOut,
            idempotency_key=idempotency_key,
        )

    def cancel(self, order_id: str, *, idempotency_key: str | None = None) -> m.OrderOut:
        return self._client._request(
            "POST",
            f"/crypto/orders/{seg(order_id)}/cancel",
            m.OrderOut,
            idempotency_key=idempotency_key,
        )


class OrderBook(SyncResource):
    def retrieve(self, asset: str, *, limit: int | None = None) -> m.OrderBook:
        """The open listings of an asset (BTC, ETH, USDT, USDC)."""
        return self._client._request(
            "GET", f"/crypto/orderbook/{seg(asset)}", m.OrderBook, params=params(limit=limit)
        )


class Messages(SyncResource):
    def list(
        self,
        *,
        status: str | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> SyncPaginator[m.MessageOut]:
        return self._client._paginate(
            "/messages",
            m.MessageOut,
            params(status=status, limit=limit, startingAfter=starting_after),
        )

    def mark_read(self, message_id: str, *, idempotency_key: str | None = None) -> m.MessageOut:
        return self._client._request(
            "POST",
            f"/messages/{seg(message_id)}/read",
            m.MessageOut,
            idempotency_key=idempotency_key,
        )


class ApiKeys(SyncResource):
    def create(
        self,
        *,
        name: str,
        tier: str | None = None,
        scopes: Sequence[str] | None = None,
        expires_in_days: int | None = None,
        user_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.ApiKeyWithSecret:
        """A new key; its `secret` (cb_live_…) is shown only in this answer."""
        return self._client._request(
            "POST",
            "/api-keys",
            m.ApiKeyWithSecret,
            json=body(
                name=name,
                tier=tier,
                scopes=list(scopes) if scopes is not None else None,
                expiresInDays=expires_in_days,
                userId=user_id,
            ),
            idempotency_key=idempotency_key,
        )

    def list(
        self, *, limit: int | None = None, starting_after: str | None = None
    ) -> SyncPaginator[m.ApiKeyOut]:
        return self._client._paginate(
            "/api-keys", m.ApiKeyOut, params(limit=limit, startingAfter=starting_after)
        )

    def retrieve(self, key_id: str) -> m.ApiKeyOut:
        return self._client._request("GET", f"/api-keys/{seg(key_id)}", m.ApiKeyOut)

    def update(
        self, key_id: str, *, name: str | None = None, scopes: Sequence[str] | None = None
    ) -> m.ApiKeyOut:
        return self._client._request(
            "PATCH",
            f"/api-keys/{seg(key_id)}",
            m.ApiKeyOut,
            json=body(name=name, scopes=list(scopes) if scopes is not None else None),
        )

    def rotate(
        self,
        key_id: str,
        *,
        grace_period_seconds: int | None = None,
        idempotency_key: str | None = None,
    ) -> m.RotationOut:
        """A new key with the same name, tier and scopes; the old one works for the grace."""
        return self._client._request(
            "POST",
            f"/api-keys/{seg(key_id)}/rotate",
            m.RotationOut,
            json=body(gracePeriodSeconds=grace_period_seconds),
            idempotency_key=idempotency_key,
        )

    def revoke(self, key_id: str, *, idempotency_key: str | None = None) -> m.ApiKeyOut:
        return self._client._request(
            "POST",
            f"/api-keys/{seg(key_id)}/revoke",
            m.ApiKeyOut,
            idempotency_key=idempotency_key,
        )

    def usage(
        self,
        key_id: str,
        *,
        from_: str | None = None,
        to: str | None = None,
        granularity: Literal["hour", "day"] | None = None,
    ) -> m.UsageOut:
        """Requests, status classes, rate-limited count and latency of a key, in [from, to)."""
        return self._client._request(
            "GET",
            f"/api-keys/{seg(key_id)}/usage",
            m.UsageOut,
            params=params(to=to, granularity=granularity, **{"from": from_}),
        )


class WebhookDeliveries(SyncResource):
    def list(
        self,
        webhook_id: str,
        *,
        status: str | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> SyncPaginator[m.WebhookDelivery]:
        return self._client._paginate(
            f"/webhooks/{seg(webhook_id)}/deliveries",
            m.WebhookDelivery,
            params(status=status, limit=limit, startingAfter=starting_after),
        )

    def retrieve(self, webhook_id: str, delivery_id: str) -> m.WebhookDelivery:
        return self._client._request(
            "GET",
            f"/webhooks/{seg(webhook_id)}/deliveries/{seg(delivery_id)}",
            m.WebhookDelivery,
        )

    def retry(
        self, webhook_id: str, delivery_id: str, *, idempotency_key: str | None = None
    ) -> m.WebhookDelivery:
        """One more attempt now."""
        return self._client._request(
            "POST",
            f"/webhooks/{seg(webhook_id)}/deliveries/{seg(delivery_id)}/retry",
            m.WebhookDelivery,
            idempotency_key=idempotency_key,
        )


class Webhooks(SyncResource):
    def __init__(self, client: SyncClient) -> None:
        super().__init__(client)
        self.deliveries = WebhookDeliveries(client)

    def create(
        self,
        *,
        url: str,
        events: Sequence[str],
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.WebhookEndpointWithSecret:
        """A new endpoint; its signing `secret` (whsec_…) is shown in this answer."""
        return self._client._request(
            "POST",
            "/webhooks",
            m.WebhookEndpointWithSecret,
            json=body(url=url, events=list(events), description=description),
            idempotency_key=idempotency_key,
        )

    def list(
        self, *, limit: int | None = None, starting_after: str | None = None
    ) -> SyncPaginator[m.WebhookEndpoint]:
        return self._client._paginate(
            "/webhooks", m.WebhookEndpoint, params(limit=limit, startingAfter=starting_after)
        )

    def retrieve(self, webhook_id: str) -> m.WebhookEndpoint:
        return self._client._request("GET", f"/webhooks/{seg(webhook_id)}", m.WebhookEndpoint)

    def update(
        self,
        webhook_id: str,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        description: str | None = None,
        status: Literal["active", "disabled"] | None = None,
    ) -> m.WebhookEndpoint:
        return self._client._request(
            "PATCH",
            f"/webhooks/{seg(webhook_id)}",
            m.WebhookEndpoint,
            json=body(
                url=url,
                events=list(events) if events is not None else None,
                description=description,
                status=status,
            ),
        )

    def delete(self, webhook_id: str) -> m.DeletedOut:
        return self._client._request("DELETE", f"/webhooks/{seg(webhook_id)}", m.DeletedOut)

    def test(
        self, webhook_id: str, *, type: str | None = None, idempotency_key: str | None = None
    ) -> m.WebhookDelivery:
        """Send the catalog's example of an event type to the endpoint."""
        return self._client._request(
            "POST",
            f"/webhooks/{seg(webhook_id)}/test",
            m.WebhookDelivery,
            json=body(type=type),
            idempotency_key=idempotency_key,
        )

    def recover(
        self, webhook_id: str, *, since: str, idempotency_key: str | None = None
    ) -> m.RecoverOut:
        """Redeliver every failed delivery since an ISO 8601 time."""
        return self._client._request(
            "POST",
            f"/webhooks/{seg(webhook_id)}/recover",
            m.RecoverOut,
            json=body(since=since),
            idempotency_key=idempotency_key,
        )

    def rotate_secret(
        self, webhook_id: str, *, idempotency_key: str | None = None
    ) -> m.WebhookEndpointWithSecret:
        return self._client._request(
            "POST",
            f"/webhooks/{seg(webhook_id)}/rotate-secret",
            m.WebhookEndpointWithSecret,
            idempotency_key=idempotency_key,
        )


class Events(SyncResource):
    def list(
        self,
        *,
        type: str | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> SyncPaginator[m.EventOut]:
        """Your events, newest first."""
        return self._client._paginate(
            "/events", m.EventOut, params(type=type, limit=limit, startingAfter=starting_after)
        )

    def retrieve(self, event_id: str) -> m.EventOut:
        return self._client._request("GET", f"/events/{seg(event_id)}", m.EventOut)


class EventTypes(SyncResource):
    def list(self) -> m.ListEnvelope:
        """Every event type with the JSON Schema of its payload and an example."""
        return self._client._request("GET", "/event-types", m.ListEnvelope)


class Bulk(SyncResource):
    def loans(
        self,
        items: Sequence[Mapping[str, Any]],
        *,
        mode: Mode = "independent",
        idempotency_key: str | None = None,
    ) -> m.BulkResultOut:
        """Up to 20 loans (each what loans.create takes, camelCase keys). Independent mode
        answers with per-item results; an atomic batch that fails raises BatchFailedError."""
        return self._client._request(
            "POST",
            "/bulk/loans",
            m.BulkResultOut,
            json={"mode": mode, "items": list(items)},
            idempotency_key=idempotency_key,
        )

    def investments(
        self,
        items: Sequence[Mapping[str, Any]],
        *,
        mode: Mode = "independent",
        idempotency_key: str | None = None,
    ) -> m.BulkResultOut:
        return self._client._request(
            "POST",
            "/bulk/investments",
            m.BulkResultOut,
            json={"mode": mode, "items": list(items)},
            idempotency_key=idempotency_key,
        )

    def crypto_orders(
        self,
        items: Sequence[Mapping[str, Any]],
        *,
        mode: Mode = "independent",
        idempotency_key: str | None = None,
    ) -> m.BulkResultOut:
        return self._client._request(
            "POST",
            "/bulk/crypto-orders",
            m.BulkResultOut,
            json={"mode": mode, "items": list(items)},
            idempotency_key=idempotency_key,
        )

    def messages(
        self,
        items: Sequence[Mapping[str, Any]] | None = None,
        *,
        group: str | None = None,
        title: str | None = None,
        body_text: str | None = None,
        priority: str | None = None,
        mode: Mode = "independent",
        idempotency_key: str | None = None,
    ) -> m.BulkResultOut:
        """Staff: up to 50 explicit recipients, or one `group` (all, borrowers, investors,
        tier:<name>) answered while it fans out."""
        payload = body(
            mode=mode,
            items=list(items) if items is not None else None,
            group=group,
            title=title,
            body=body_text,
            priority=priority,
        )
        return self._client._request(
            "POST", "/bulk/messages", m.BulkResultOut, json=payload, idempotency_key=idempotency_key
        )

    def upload_csv(
        self,
        kind: BulkKind,
        file: str | Path | bytes,
        *,
        mode: Mode = "independent",
        idempotency_key: str | None = None,
    ) -> m.BulkResultOut:
        """A CSV file (header row first, the columns of the template) as one batch."""
        return self._client._request(
            "POST",
            f"/bulk/{kind}",
            m.BulkResultOut,
            params={"mode": mode},
            content=read_file(file),
            content_type="text/csv",
            idempotency_key=idempotency_key,
        )

    def template(self, kind: Literal["loans", "investments", "crypto-orders"]) -> bytes:
        """The CSV template of a kind: the header row and one example row."""
        response = self._client._request_raw("GET", f"/bulk/templates/{kind}")
        return response.content

    def list(
        self,
        *,
        operation: str | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
    ) -> SyncPaginator[m.BulkResultOut]:
        return self._client._paginate(
            "/bulk",
            m.BulkResultOut,
            params(operation=operation, limit=limit, startingAfter=starting_after),
        )

    def retrieve(self, batch_id: str) -> m.BulkResultOut:
        return self._client._request("GET", f"/bulk/{seg(batch_id)}", m.BulkResultOut)


class Exports(SyncResource):
    def create(
        self,
        *,
        type: ExportType,
        format: Literal["csv", "json", "xlsx"] = "csv",
        filters: Mapping[str, Any] | None = None,
        fields: Sequence[str] | None = None,
        from_: str | None = None,
        to: str | None = None,
        status: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.ExportOut:
        """Start an export; it runs in the background (see wait and download)."""
        return self._client._request(
            "POST",
            "/exports",
            m.ExportOut,
            json=body(
                type=type,
                format=format,
                filters=filters_of(filters, to=to, status=status, **{"from": from_}),
                fields=list(fields) if fields is not None else None,
            ),
            idempotency_key=idempotency_key,
        )

    def list(
        self, *, limit: int | None = None, starting_after: str | None = None
    ) -> SyncPaginator[m.ExportOut]:
        return self._client._paginate(
            "/exports", m.ExportOut, params(limit=limit, startingAfter=starting_after)
        )

    def retrieve(self, export_id: str) -> m.ExportOut:
        return self._client._request("GET", f"/exports/{seg(export_id)}", m.ExportOut)

    def wait(
        self,
        export_id: str,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        on_progress: Callable[[m.ExportOut], None] | None = None,
    ) -> m.ExportOut:
        """Poll until the export completes; ExportError if it fails, expires or takes longer
        than `timeout` seconds. `on_progress` sees every status read."""
        deadline = time.monotonic() + timeout
        while True:
            record = self._client._request("GET", f"/exports/{seg(export_id)}", m.ExportOut)
            if on_progress is not None:
                on_progress(record)
            if export_done(record):
                return record
            if time.monotonic() > deadline:
                from coinbox.errors import ExportError

                raise ExportError(f"Export {export_id} did not complete within {timeout} s.")
            self._client._sleep(poll_interval)

    def download(self, export_id: str, path: str | Path | None = None) -> bytes:
        """The export's file (written to `path` when given), checked against its sha256."""
        response = self._client._request_raw("GET", f"/exports/{seg(export_id)}/file")
        content = response.content
        check_sha256(content, response.headers.get("x-content-sha256"), export_id)
        if path is not None:
            Path(path).write_bytes(content)
        return content


class AdminUsers(SyncResource):
    def retrieve(self, uid: str) -> m.UserOut:
        """Staff: look a user up."""
        return self._client._request("GET", f"/admin/users/{seg(uid)}", m.UserOut)

    def update(
        self,
        uid: str,
        *,
        role: str | None = None,
        membership_tier: str | None = None,
        kyc_status: str | None = None,
        kyc_reason: str | None = None,
    ) -> m.UserOut:
        """Admin: change a user's role, tier or KYC status."""
        return self._client._request(
            "PATCH",
            f"/admin/users/{seg(uid)}",
            m.UserOut,
            json=body(
                role=role,
                membershipTier=membership_tier,
                kycStatus=kyc_status,
                kycReason=kyc_reason,
            ),
        )


class Admin(SyncResource):
    def __init__(self, client: SyncClient) -> None:
        super().__init__(client)
        self.users = AdminUsers(client)
