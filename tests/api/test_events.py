"""GET /v1/events, /v1/events/{id} and the catalog /v1/event-types."""

from __future__ import annotations

import jsonschema
import pytest

from coinbox_platform.domain import loans, users
from coinbox_platform.domain.loans import LoanRequest
from coinbox_platform.webhooks.events import event_id
from tests.support import SESSION, api_base, make_api_user, wait_for

pytestmark = pytest.mark.stack


def test_catalog_lists_every_type_with_a_schema_its_example_satisfies() -> None:
    resp = SESSION.get(api_base() + "/event-types", timeout=10)
    assert resp.status_code == 200
    data = resp.json()["data"]
    names = [t["type"] for t in data]
    assert len(names) == 26 and sum(t["domain"] for t in data) == 17
    for t in data:
        jsonschema.validate(t["example"], t["schema"])


def test_events_are_listed_to_the_users_they_belong_to_only() -> None:
    owner, stranger = make_api_user(), make_api_user()
    loan = loans.create_loan(users.require_profile(owner.uid), LoanRequest(10_000, 15, 7, "x"))
    eid = event_id(f"loans/{loan.id}#created", "loan.created")
    wait_for(lambda: owner.get(f"/events/{eid}").status_code == 200)
    event = owner.get(f"/events/{eid}").json()
    assert event["type"] == "loan.created" and event["userId"] == owner.uid
    assert event["data"]["object"] == loan.to_api()
    assert stranger.get(f"/events/{eid}").status_code == 404
    theirs = stranger.get("/events").json()["data"]  # their own profile's KYC event only
    assert all(e["userId"] == stranger.uid for e in theirs)
    assert eid not in {e["id"] for e in theirs}
    page = owner.get("/events", params={"limit": 1}).json()
    assert page["hasMore"] is True and len(page["data"]) == 1
    rest = owner.get("/events", params={"startingAfter": page["nextCursor"]}).json()["data"]
    assert {e["type"] for e in page["data"] + rest} >= {"loan.created", "loan.approved"}
    bad = stranger.get("/events", params={"startingAfter": eid})
    assert bad.status_code == 400
