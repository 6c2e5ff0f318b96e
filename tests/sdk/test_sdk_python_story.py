"""The Python SDK's whole integration story against the live local stack: a key made through
the SDK, a loan requested, funded by a second user, repaid; pagination, idempotent replays,
the exception tree with real problems, webhooks delivered by the platform and verified with
coinbox.webhooks.verify, events, and the async client."""

from __future__ import annotations

import asyncio

import coinbox
import pytest
from coinbox import AsyncCoinbox, Coinbox

from tests.api.webhook_receiver import start_receiver
from tests.sdk.sdk_support import SdkUser, make_sdk_user
from tests.support import api_base, wait_for

pytestmark = pytest.mark.stack


def test_key_loan_funding_repayment_and_pagination() -> None:
    borrower = make_sdk_user(balance=1_000_000, name="borrower key")
    investor = make_sdk_user(balance=1_000_000, name="investor key")
    client = borrower.client
    key_ids = [k.id for k in client.api_keys.list()]
    assert len(key_ids) == 1 and client.api_keys.retrieve(key_ids[0]).name == "borrower key"
    assert client.me.retrieve().id == borrower.user.uid

    loan = client.loans.create(amount=150000, interest_rate=18, term_days=30, purpose="Stock")
    assert loan.status == "approved" and loan.borrower_id == borrower.user.uid
    assert loan.id in [o.id for o in investor.client.loans.marketplace(limit=100)]

    funding = investor.client.investments.create(loan_id=loan.id, amount=150000)
    investment = investor.client.investments.retrieve(funding.id)
    assert investment.loan_id == loan.id

    funded = client.loans.retrieve(loan.id)
    assert funded.status == "disbursed" and funded.investor_id == investor.user.uid
    assert funded.total_due == 150000 * 118 // 100

    half = funded.total_due // 2
    client.loans.repayments.create(loan.id, amount=half)
    done = client.loans.repayments.create(loan.id, amount=funded.total_due - half)
    assert done.status == "completed" and done.repaid == funded.total_due
    repayments = list(client.loans.repayments.list(loan.id))
    assert sorted(r.amount for r in repayments) == sorted([half, funded.total_due - half])
    types = {t.type.value for t in client.transactions.list(limit=100)}
    assert {"disbursement", "repayment"} <= types

    # pagination: 5 more loans, walked 2 at a time, newest first, each once
    made = [
        client.loans.create(amount=10000 + i, interest_rate=15, term_days=7, purpose=f"p{i}").id
        for i in range(5)
    ]
    pages = list(client.loans.list(limit=2).pages())
    assert [len(p.data) for p in pages] == [2, 2, 2]
    assert pages[0].has_more and not pages[-1].has_more and pages[-1].next_cursor is None
    walked = [item.id for item in client.loans.list(limit=2)]
    assert walked == [item.id for page in pages for item in page.data]
    assert walked[:5] == made[::-1] and walked[5] == loan.id


def test_idempotent_replays_and_the_exception_tree(sdk_user: SdkUser) -> None:
    client = sdk_user.client
    first = client.loans.create(
        amount=20000, interest_rate=16, term_days=10, purpose="a", idempotency_key="sdk-idem-1"
    )
    again = client.loans.create(
        amount=20000, interest_rate=16, term_days=10, purpose="a", idempotency_key="sdk-idem-1"
    )
    assert again.id == first.id
    raw = client.request(
        "POST",
        "/loans",
        json={"amount": 20000, "interestRate": 16, "termDays": 10, "purpose": "a"},
        idempotency_key="sdk-idem-1",
    )
    assert raw.headers["idempotent-replayed"] == "true"
    with pytest.raises(coinbox.IdempotencyConflictError) as conflict:
        client.loans.create(
            amount=20001, interest_rate=16, term_days=10, purpose="a", idempotency_key="sdk-idem-1"
        )
    assert conflict.value.status == 422 and conflict.value.request_id.startswith("req_")

    with pytest.raises(coinbox.NotFoundError) as missing:
        client.loans.retrieve("loan_doesNotExist1")
    assert missing.value.code == "not_found" and missing.value.response.status_code == 404

    with pytest.raises(coinbox.BadRequestError) as bad:
        client.loans.create(amount=0, interest_rate=40, term_days=30, purpose="x")
    assert {e.field for e in bad.value.errors} >= {"amount", "interestRate"}

    poor = make_sdk_user(balance=0, name="poor")
    with pytest.raises(coinbox.InsufficientFundsError) as funds:
        poor.client.investments.create(loan_id=first.id, amount=20000)
    assert funds.value.code == "insufficient_funds"

    with pytest.raises(coinbox.AuthenticationError) as unknown:
        Coinbox(api_key="cb_live_" + "A" * 38, base_url=api_base()).me.retrieve()
    assert unknown.value.status == 401

    key_id = next(iter(client.api_keys.list())).id
    rotated = client.api_keys.rotate(key_id, grace_period_seconds=0)
    assert rotated.secret.startswith("cb_live_") and rotated.secret != sdk_user.key
    fresh = Coinbox(api_key=rotated.secret, base_url=api_base())
    assert fresh.me.retrieve().id == sdk_user.user.uid
    usage = fresh.api_keys.usage(key_id)
    assert usage.totals.requests >= 1
    assert fresh.api_keys.revoke(rotated.id).status == "revoked"
    # a revocation reaches every instance's key cache within 30 s (docs/api-access.md)
    wait_for(lambda: _refused(rotated.secret), timeout=45, interval=2)


def _refused(secret: str) -> bool:
    try:
        Coinbox(api_key=secret, base_url=api_base(), max_retries=0).me.retrieve()
    except coinbox.APIKeyRevokedError as err:
        return err.status == 401 and err.code == "api_key_revoked"
    return False


def test_platform_webhooks_verify_with_the_sdk(sdk_user: SdkUser) -> None:
    client = sdk_user.client
    receiver = start_receiver()
    try:
        hook = client.webhooks.create(url=f"{receiver.base}/ok/sdk", events=["loan.*"])
        assert hook.secret.startswith("whsec_")
        loan = client.loans.create(amount=30000, interest_rate=17, term_days=14, purpose="hook")
        created = wait_for(
            lambda: [
                r
                for r in receiver.on("/ok/sdk")
                if r.headers.get("x-coinbox-event-type") == "loan.created"
            ],
            timeout=60,
        )
        event = coinbox.webhooks.verify(created[0].body, created[0].headers, hook.secret)
        assert event.type == "loan.created" and event.data["object"]["id"] == loan.id
        with pytest.raises(coinbox.WebhookSignatureError):
            coinbox.webhooks.verify(
                created[0].body, created[0].headers, client.webhooks.rotate_secret(hook.id).secret
            )

        delivery = client.webhooks.test(hook.id, type="loan.approved")
        test_hits = wait_for(
            lambda: [
                r
                for r in receiver.on("/ok/sdk")
                if r.headers.get("webhook-id") == delivery.event_id
            ],
            timeout=60,
        )
        assert test_hits[0].headers["x-coinbox-event-type"] == "loan.approved"
        deliveries = list(client.webhooks.deliveries.list(hook.id))
        assert delivery.id in [d.id for d in deliveries]
        assert client.webhooks.deliveries.retrieve(hook.id, delivery.id).id == delivery.id
        assert loan.id in {
            e.data["object"]["id"] for e in client.events.list(type="loan.created", limit=10)
        }
        catalog = client.event_types.list()
        assert "loan.created" in {t["type"] for t in catalog.data}
        assert client.webhooks.delete(hook.id).deleted is True
    finally:
        receiver.stop()


def test_async_client_against_the_stack(sdk_user: SdkUser) -> None:
    async def run() -> tuple[list[str], int, str]:
        async with AsyncCoinbox(api_key=sdk_user.key, base_url=api_base()) as client:
            loans = await asyncio.gather(
                *[
                    client.loans.create(
                        amount=11000 + i, interest_rate=15, term_days=7, purpose="async"
                    )
                    for i in range(3)
                ]
            )
            listed = [loan.id async for loan in client.loans.list(limit=2)]
            wallet = await client.wallet.retrieve()
            me = await client.me.retrieve()
            return [loan.id for loan in loans] + listed, wallet.balance, me.id

    ids, balance, uid = asyncio.run(run())
    assert sorted(ids[:3]) == sorted(ids[3:]) and balance == 5_000_000 and uid == sdk_user.user.uid
