"""export.completed and export.failed reach a subscribed receiver, signed, once each."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from standardwebhooks import Webhook

from coinbox_platform.exports import service
from coinbox_platform.tasks import enqueue
from tests.api.webhook_receiver import Receiver, start_receiver
from tests.support import ApiUser, make_api_user, unique, wait_for

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    rec = start_receiver()
    yield rec
    rec.stop()


def _subscribed(user: ApiUser, receiver: Receiver, path: str) -> str:
    resp = user.post("/webhooks", json={"url": receiver.base + path, "events": ["export.*"]})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["secret"])


def _events(receiver: Receiver, path: str, secret: str) -> list[dict[str, Any]]:
    return [dict(Webhook(secret).verify(r.body, r.headers)) for r in receiver.on(path)]


def _finished(user: ApiUser, export_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        body = user.get(f"/exports/{export_id}").json()
        return body if body["status"] in ("completed", "failed") else None

    return wait_for(done, timeout=60)


def test_a_finished_export_announces_itself(receiver: Receiver) -> None:
    user = make_api_user()
    path = f"/{unique('exp-ok')}"
    secret = _subscribed(user, receiver, path)

    resp = user.post("/exports", {"type": "transactions", "format": "csv"})
    assert resp.status_code == 202, resp.text
    record = _finished(user, resp.json()["id"])
    assert record["status"] == "completed", record

    events = wait_for(lambda: _events(receiver, path, secret) or None, timeout=30)
    assert [e["type"] for e in events] == ["export.completed"]
    obj = events[0]["data"]["object"]
    assert obj["id"] == record["id"] and obj["status"] == "completed"
    assert obj["sha256"] == record["sha256"] and obj["bytes"] == record["bytes"]
    assert events[0]["userId"] == user.uid


def test_a_failed_export_announces_why(receiver: Receiver) -> None:
    user = make_api_user()
    path = f"/{unique('exp-fail')}"
    secret = _subscribed(user, receiver, path)
    # A record whose spec stopped being valid after it was queued (a column renamed by a
    # deploy in between): the task fails it with the reason.
    queued = service.create_export(
        user.uid, service.ExportSpec(type="loans", format="csv"), enqueue=False
    )
    service._logs().document(queued["id"]).update({"fields": ["noSuchColumn"]})
    enqueue("runexport", {"exportId": queued["id"]})

    record = _finished(user, queued["id"])
    assert record["status"] == "failed", record
    events = wait_for(lambda: _events(receiver, path, secret) or None, timeout=30)
    assert [e["type"] for e in events] == ["export.failed"]
    obj = events[0]["data"]["object"]
    assert obj["id"] == queued["id"] and obj["status"] == "failed"
    assert "noSuchColumn" in obj["error"], json.dumps(obj)

    # A duplicate task finds the export finished and announces nothing new.
    enqueue("runexport", {"exportId": queued["id"]})
    enqueue("runexport", {"exportId": queued["id"]})
    wait_for(lambda: user.get(f"/exports/{queued['id']}").status_code == 200, timeout=10)
    assert len(_events(receiver, path, secret)) == 1
