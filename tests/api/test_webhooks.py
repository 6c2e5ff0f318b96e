"""Webhooks end to end through the real local stack: domain writes → Firestore triggers →
events → task-queue deliveries → a real receiver on 127.0.0.1, with every signature checked
by the PyPI package `standardwebhooks` (not by our code)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter
from standardwebhooks.webhooks import Webhook

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain import crypto, loans, users, wallets
from coinbox_platform.domain.loans import LoanRequest
from coinbox_platform.domain.models import OrderSide
from coinbox_platform.money import Asset
from coinbox_platform.tiers import KycStatus, Role
from coinbox_platform.webhooks import WEBHOOK_DELIVERIES, WEBHOOK_EVENTS, catalog
from coinbox_platform.webhooks.delivery import deliver, sweep
from coinbox_platform.webhooks.events import Event, emit, event_id, handle_change
from tests.api.webhook_receiver import Receiver, start_receiver
from tests.support import ApiUser, make_api_user, make_profile, unique, wait_for

pytestmark = pytest.mark.stack
# A filter no test action matches: such an endpoint gets only the test events sent to it
# (making a user writes a verified profile and deposits, which emit events of their own).
QUIET = ["crypto.order_expired"]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    rec = start_receiver()
    yield rec
    rec.stop()


def subscribe(user: ApiUser, url: str, events: list[str] | None = None) -> dict[str, Any]:
    resp = user.post("/webhooks", json={"url": url, "events": events or ["*"]})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["secret"].startswith("whsec_")
    return dict(body)


def verified(secret: str, r: Any) -> dict[str, Any]:
    """The payload, after `standardwebhooks` verified its signature (raises otherwise)."""
    payload = Webhook(secret).verify(r.body, r.headers)
    assert r.headers["user-agent"] == "CoinBox-Webhooks/1"
    assert r.headers["x-coinbox-event-type"] == payload["type"]
    assert r.headers["webhook-id"] == payload["id"]
    return dict(payload)


def deliveries_of(sub_id: str) -> list[dict[str, Any]]:
    q = (
        store.db()
        .collection(WEBHOOK_DELIVERIES)
        .where(filter=FieldFilter("subscriptionId", "==", sub_id))
    )
    return [d.to_dict() | {"id": d.id} for d in q.stream()]


def test_every_domain_event_type_reaches_a_real_receiver_signed(receiver: Receiver) -> None:
    borrower = make_api_user(balance=200_000)
    investor = make_api_user(balance=200_000)
    kyc_user = make_api_user(kyc=KycStatus.PENDING)
    staff = make_profile(role=Role.SUPPORT)
    paths = {u.uid: f"/ok/{unique('all')}" for u in (borrower, investor, kyc_user)}
    subs = {
        u.uid: subscribe(u, receiver.base + paths[u.uid]) for u in (borrower, investor, kyc_user)
    }
    secrets = {uid: sub["secret"] for uid, sub in subs.items()}
    sub_ids = {uid: sub["id"] for uid, sub in subs.items()}
    b, i = users.require_profile(borrower.uid), users.require_profile(investor.uid)

    loan = loans.create_loan(b, LoanRequest(40_000, 20, 30, "stock for the shop"))
    loans.create_loan(b, LoanRequest(90_000, 20, 30, "over the basic limit"))  # rejected
    funding = loans.fund_loan(i, loan.id, 40_000)
    loans.repay_loan(b.id, loan.id, 10_000)
    loans.repay_loan(b.id, loan.id, funding.loan.total_due - 10_000)  # type: ignore[operator]
    pending = wallets.request_withdrawal(b.id, 5_013)  # ends in 13 cents: the payout fails
    wallets.settle_withdrawal(pending.id)
    wallets.deposit(i.id, asset=Asset.USDT, quantity="50")
    order = crypto.create_order(b, crypto.OrderRequest(Asset.USDT, OrderSide.BUY, "20", 1_800))
    crypto.take_order(i, order.id)
    other = crypto.create_order(b, crypto.OrderRequest(Asset.USDT, OrderSide.BUY, "10", 1_800))
    crypto.cancel_order(b.id, other.id)
    users.update_user(staff, kyc_user.uid, kyc_status=KycStatus.VERIFIED)
    users.update_user(staff, kyc_user.uid, kyc_status=KycStatus.REJECTED, kyc_reason="blurry")

    def types_seen() -> set[str]:
        return {json.loads(r.body)["type"] for path in paths.values() for r in receiver.on(path)}

    def disbursed_to() -> set[str]:
        return {
            uid
            for uid, path in paths.items()
            for r in receiver.on(path)
            if json.loads(r.body)["type"] == "loan.disbursed"
        }

    wanted = set(catalog.DOMAIN_EVENT_TYPES)
    assert len(wanted) == 17
    both = {borrower.uid, investor.uid}
    try:
        # Deliveries are unordered: every type may have reached someone while the loan's
        # second delivery (to the investor or the borrower) is still in flight.
        wait_for(
            lambda: wanted <= types_seen() and disbursed_to() == both, timeout=90, interval=0.5
        )
    except AssertionError:
        # Say where the missing types stopped: no event, or a delivery in which state.
        missing = wanted - types_seen()
        if disbursed_to() != both:
            missing |= {f"loan.disbursed to {uid}" for uid in both - disbursed_to()}
        trail = {
            uid: sorted(
                (d.get("eventType") or d.get("type"), d.get("status"), len(d.get("attempts") or []))
                for d in deliveries_of(sub_id)
            )
            for uid, sub_id in sub_ids.items()
        }
        raise AssertionError(f"missing {sorted(missing)}; deliveries: {trail}") from None
    checked = 0
    for uid, path in paths.items():
        for r in receiver.on(path):
            payload = verified(secrets[uid], r)
            assert payload["userId"] == uid
            assert payload["apiVersion"] == catalog.API_VERSION
            assert payload["data"]["object"]["id"]
            checked += 1
    assert checked >= 17
    # The loan went to both of the people it belongs to, as one event (one id).
    disbursed = [
        json.loads(r.body)
        for p in paths.values()
        for r in receiver.on(p)
        if json.loads(r.body)["type"] == "loan.disbursed"
    ]
    assert {d["userId"] for d in disbursed} == {borrower.uid, investor.uid}
    assert len({d["id"] for d in disbursed}) == 1
    assert disbursed[0]["data"]["object"]["status"] == "disbursed"
    # The caller's events are listed by the API too.
    listed = borrower.get("/events", params={"type": "loan.completed"}).json()["data"]
    assert [e["data"]["object"]["id"] for e in listed] == [loan.id]


def test_flaky_receiver_gets_the_event_once_after_logged_failures(receiver: Receiver) -> None:
    user = make_api_user()
    path = f"/fail3/{unique('flaky')}"
    sub = subscribe(user, receiver.base + path, QUIET)
    resp = user.post(f"/webhooks/{sub['id']}/test", json={"type": "loan.approved"})
    assert resp.status_code == 202, resp.text
    delivery_id = resp.json()["id"]

    def finished() -> dict[str, Any] | None:
        d = user.get(f"/webhooks/{sub['id']}/deliveries/{delivery_id}").json()
        return d if d["status"] != "pending" else None

    d = wait_for(finished, timeout=60, interval=0.5)
    assert d["status"] == "succeeded"
    assert [a["statusCode"] for a in d["attempts"]] == [500, 500, 500, 200]
    assert all(a["error"] == "HTTP 500" and a["response"] for a in d["attempts"][:3])
    assert all(len(a["response"]) <= 1024 for a in d["attempts"])
    got = receiver.on(path)
    assert len(got) == 4 and sum(r.status == 200 for r in got) == 1
    assert len({r.headers["webhook-id"] for r in got}) == 1  # stable across retries
    for r in got:
        verified(sub["secret"], r)
    # Exponential backoff: the scheduled delays grow (±10 % jitter keeps their order) and
    # each retry waited at least its delay. Arrival gaps alone also carry the machine's
    # scheduling noise, so they are checked against the schedule, not against each other.
    delays = [a["retryInSeconds"] for a in d["attempts"][:3]]
    assert delays[0] < delays[1] < delays[2], delays
    gaps = [b.at - a.at for a, b in itertools.pairwise(got)]
    assert all(gap >= 0.95 * delay for gap, delay in zip(gaps, delays, strict=True)), (gaps, delays)
    assert user.get(f"/webhooks/{sub['id']}").json()["consecutiveFailures"] == 0


def test_always_failing_endpoint_is_disabled_after_ten_failed_deliveries(
    receiver: Receiver,
) -> None:
    user = make_api_user()
    path = f"/always500/{unique('down')}"
    sub = subscribe(user, receiver.base + path, QUIET)
    for _ in range(10):
        assert user.post(f"/webhooks/{sub['id']}/test", json={}).status_code == 202

    def disabled() -> dict[str, Any] | None:
        s = user.get(f"/webhooks/{sub['id']}").json()
        return s if s["status"] == "disabled" else None

    s = wait_for(disabled, timeout=120, interval=1)
    assert s["disabledReason"] == "consecutive_failures"
    assert s["consecutiveFailures"] >= 10
    events = user.get("/events", params={"type": "webhook.endpoint_disabled"}).json()["data"]
    assert [e["data"]["object"]["id"] for e in events] == [sub["id"]]
    inbox = (
        store.db()
        .collection(store.NOTIFICATIONS)
        .where(filter=FieldFilter("userId", "==", user.uid))
        .stream()
    )
    titles = [m.to_dict()["title"] for m in inbox]
    assert titles == ["Webhook endpoint disabled"]
    failed = [d for d in deliveries_of(sub["id"]) if d["status"] == "failed"]
    assert len(failed) == 10
    assert all(d["attemptCount"] == d["maxAttempts"] for d in failed)
    # Nothing more is sent once disabled: a test event is refused.
    assert user.post(f"/webhooks/{sub['id']}/test", json={}).status_code == 409


def test_gone_disables_at_once_and_recover_redelivers(receiver: Receiver) -> None:
    user = make_api_user()
    path = f"/gone/{unique('gone')}"
    sub = subscribe(user, receiver.base + path, QUIET)
    since = utcnow() - timedelta(seconds=5)
    delivery = user.post(f"/webhooks/{sub['id']}/test", json={}).json()
    s = wait_for(
        lambda: (r := user.get(f"/webhooks/{sub['id']}").json())["status"] == "disabled" and r
    )
    assert s["disabledReason"] == "endpoint_gone"
    d = user.get(f"/webhooks/{sub['id']}/deliveries/{delivery['id']}").json()
    assert (d["status"], d["attemptCount"], d["lastStatusCode"]) == ("failed", 1, 410)
    assert len(receiver.on(path)) == 1
    # The owner fixes the endpoint, re-enables it and recovers what failed.
    fixed = receiver.base + f"/ok/{unique('fixed')}"
    resp = user.patch(f"/webhooks/{sub['id']}", json={"url": fixed, "status": "active"})
    assert resp.status_code == 200 and resp.json()["consecutiveFailures"] == 0
    resp = user.post(f"/webhooks/{sub['id']}/recover", json={"since": since.isoformat()})
    assert resp.status_code == 202 and resp.json()["recovered"] == 1
    fixed_path = fixed.removeprefix(receiver.base)
    wait_for(lambda: receiver.on(fixed_path))
    assert verified(sub["secret"], receiver.on(fixed_path)[0])["id"] == delivery["eventId"]


def test_retry_after_is_honoured(receiver: Receiver) -> None:
    user = make_api_user()
    path = f"/busy1/{unique('busy')}"
    sub = subscribe(user, receiver.base + path, QUIET)
    user.post(f"/webhooks/{sub['id']}/test", json={})
    wait_for(lambda: len(receiver.on(path)) == 2, timeout=30)
    first, second = receiver.on(path)
    assert second.at - first.at >= 0.95  # Retry-After: 1 beats the 0.25 s backoff


def test_redelivered_trigger_emits_once(receiver: Receiver) -> None:
    user = make_api_user()
    path = f"/ok/{unique('dup')}"
    subscribe(user, receiver.base + path)
    profile = users.require_profile(user.uid)
    loan = loans.create_loan(profile, LoanRequest(20_000, 18, 14, "redelivered trigger"))
    created_id = event_id(f"loans/{loan.id}#created", "loan.created")
    wait_for(lambda: any(json.loads(r.body)["id"] == created_id for r in receiver.on(path)))
    after = store.db().collection(store.LOANS).document(loan.id).get().to_dict()
    for _ in range(2):  # the trigger delivered twice more
        again = handle_change("loans", loan.id, None, after)
        assert [e.created for e in again] == [False, False]
    time.sleep(3)
    events = (
        store.db()
        .collection(WEBHOOK_EVENTS)
        .where(filter=FieldFilter("source", ">=", f"loans/{loan.id}#"))
    )
    found = {
        e.id: (e.get("source"), e.get("type"))
        for e in events.where(filter=FieldFilter("source", "<", f"loans/{loan.id}$")).stream()
    }
    assert sorted(found) == sorted(
        [created_id, event_id(f"loans/{loan.id}#status:approved", "loan.approved")]
    ), found
    for eid in found:
        q = (
            store.db()
            .collection(WEBHOOK_DELIVERIES)
            .where(filter=FieldFilter("eventId", "==", eid))
            .stream()
        )
        assert len(list(q)) == 1
        assert len([r for r in receiver.on(path) if r.headers["webhook-id"] == eid]) == 1


def _example_event(uid: str) -> Event:
    """A loan.created event for `uid` with the catalogue's example payload (not yet emitted)."""
    now = utcnow()
    return Event(
        id=event_id(f"test/{unique()}", "loan.created"),
        type="loan.created",
        created_at=now,
        data=catalog.example_event("loan.created")["data"],
        user_ids=[uid],
        expire_at=now + catalog.EVENT_RETENTION,
    )


def test_sweeper_delivers_what_a_crash_left_pending(receiver: Receiver) -> None:
    user = make_api_user()
    path = f"/ok/{unique('swept')}"
    sub = subscribe(user, receiver.base + path, QUIET)
    event = _example_event(user.uid)
    # Committed, then "crashed" before enqueueing.
    emitted = emit(event, enqueue=False, only_subscription=sub["id"])
    assert len(emitted.delivery_ids) == 1
    time.sleep(2)
    assert receiver.on(path) == []
    assert sweep(utcnow() + timedelta(minutes=5)) >= 1
    wait_for(lambda: receiver.on(path))
    assert verified(sub["secret"], receiver.on(path)[0])["id"] == event.id


def test_two_tasks_for_one_delivery_at_once_send_it_once_and_record_one_attempt(
    receiver: Receiver,
) -> None:
    """At-least-once task delivery can run one delivery twice at the same moment: the lease is
    a write conditional on the delivery as read, so exactly one of them sends and records."""
    user = make_api_user()
    path = f"/ok/{unique('twice')}"
    sub = subscribe(user, receiver.base + path, QUIET)
    event = _example_event(user.uid)
    [delivery_id] = emit(event, enqueue=False, only_subscription=sub["id"]).delivery_ids
    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(lambda _: deliver(delivery_id), range(2)))
    assert outcomes in (["leased", "succeeded"], ["done", "succeeded"]), outcomes
    assert len(receiver.on(path)) == 1
    stored = store.db().collection(WEBHOOK_DELIVERIES).document(delivery_id).get().to_dict() or {}
    assert stored["status"] == "succeeded" and stored["attemptCount"] == 1
    assert [a["number"] for a in stored["attempts"]] == [1]
    assert stored["leaseToken"] is None


def test_rotated_secret_signs_with_both_for_a_day(receiver: Receiver) -> None:
    user = make_api_user()
    path = f"/ok/{unique('rot')}"
    sub = subscribe(user, receiver.base + path, QUIET)
    resp = user.post(f"/webhooks/{sub['id']}/rotate-secret")
    assert resp.status_code == 200
    new_secret = resp.json()["secret"]
    assert new_secret != sub["secret"] and "secret" not in user.get(f"/webhooks/{sub['id']}").json()
    user.post(f"/webhooks/{sub['id']}/test", json={"type": "crypto.order_filled"})
    wait_for(lambda: receiver.on(path))
    r = receiver.on(path)[0]
    assert len(r.headers["webhook-signature"].split(" ")) == 2
    assert verified(sub["secret"], r) == verified(new_secret, r)
    stored = store.db().collection("webhookSubscriptions").document(sub["id"]).get().to_dict()
    assert new_secret not in json.dumps(stored, default=str)  # encrypted at rest


@pytest.mark.parametrize(
    "url, code",
    [
        ("https://10.0.0.8/hook", "unsafe_url"),
        ("https://192.168.1.20/hook", "unsafe_url"),
        ("https://169.254.169.254/latest/meta-data", "unsafe_url"),
        ("https://[fd00:ec2::254]/", "unsafe_url"),
        ("https://metadata.google.internal/computeMetadata/v1/", "unsafe_url"),
        # Public addresses are fine in production (https_required for http: unit tests); the
        # local stack never sends traffic off the machine.
        ("https://93.184.216.34/hook", "local_stack_loopback_only"),
        ("http://93.184.216.34/hook", "local_stack_loopback_only"),
        ("https://user:pw@93.184.216.34/", "invalid_url"),
        ("ftp://93.184.216.34/", "invalid_url"),
    ],
)
def test_unsafe_urls_are_refused(url: str, code: str) -> None:
    user = make_api_user()
    resp = user.post("/webhooks", json={"url": url, "events": ["*"]})
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == code
    assert resp.json()["errors"][0]["field"] == "url"
    assert user.get("/webhooks").json()["data"] == []
    ok = subscribe(user, "http://127.0.0.1:9/hook")  # sandbox allows loopback
    resp = user.patch(f"/webhooks/{ok['id']}", json={"url": url})
    assert resp.status_code == 400
    assert user.get(f"/webhooks/{ok['id']}").json()["url"] == "http://127.0.0.1:9/hook"


def test_subscriptions_crud_and_isolation() -> None:
    owner, stranger = make_api_user(), make_api_user()
    sub = subscribe(owner, "http://127.0.0.1:9/a", ["loan.*", "user.kyc_completed"])
    assert sub["events"] == ["loan.*", "user.kyc_completed"] and sub["status"] == "active"
    assert owner.get("/webhooks").json()["data"][0]["id"] == sub["id"]
    for method, extra in (("get", {}), ("patch", {"json": {"description": "x"}}), ("delete", {})):
        assert getattr(stranger, method)(f"/webhooks/{sub['id']}", **extra).status_code == 404
    assert stranger.get(f"/webhooks/{sub['id']}/deliveries").status_code == 404
    bad = owner.post("/webhooks", json={"url": "http://127.0.0.1:9/b", "events": ["nope.x"]})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"].startswith("events")
    paused = owner.patch(f"/webhooks/{sub['id']}", json={"status": "paused"}).json()
    assert paused["status"] == "paused"
    assert owner.patch(f"/webhooks/{sub['id']}", json={"status": "disabled"}).status_code == 400
    assert owner.delete(f"/webhooks/{sub['id']}").json()["deleted"] is True
    assert owner.get(f"/webhooks/{sub['id']}").status_code == 404
