"""/v1/messages: the inbox and marking messages read, through Hosting with real ID tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain.messages import build_message, send_message
from coinbox_platform.domain.models import Notification, Priority
from tests.support import SESSION, ApiUser, api_base, make_api_user

pytestmark = pytest.mark.stack


def seed(uid: str, count: int, *, sender: str = "staff-1") -> list[Notification]:
    """`count` messages, oldest first, a minute apart."""
    start = utcnow() - timedelta(hours=1)
    return [
        send_message(
            build_message(
                uid,
                f"Notice {i}",
                f"Body of notice {i}",
                priority=Priority.HIGH if i % 2 else Priority.NORMAL,
                sender_id=sender,
                now=start + timedelta(minutes=i),
            )
        )
        for i in range(count)
    ]


def stored(message_id: str) -> dict[str, Any]:
    return store.db().collection(store.NOTIFICATIONS).document(message_id).get().to_dict() or {}


def walk(user: ApiUser, **params: Any) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(20):
        resp = user.get("/messages", params=params | ({"startingAfter": cursor} if cursor else {}))
        assert resp.status_code == 200, resp.text
        page = resp.json()
        seen += [m["id"] for m in page["data"]]
        if not page["hasMore"]:
            assert page["nextCursor"] is None
            return seen
        cursor = page["nextCursor"]
    raise AssertionError("pagination did not end")


def test_inbox_lists_newest_first() -> None:
    user = make_api_user()
    made = seed(user.uid, 3)
    seed(make_api_user().uid, 2)  # someone else's
    resp = user.get("/messages")
    assert resp.status_code == 200, resp.text
    page = resp.json()
    assert page["object"] == "list" and page["hasMore"] is False and page["nextCursor"] is None
    assert [m["id"] for m in page["data"]] == [m.id for m in reversed(made)]
    first = page["data"][0]
    assert first == {
        "id": made[2].id,
        "object": "message",
        "userId": user.uid,
        "title": "Notice 2",
        "body": "Body of notice 2",
        "priority": "normal",
        "status": "unread",
        "senderId": "staff-1",
        "batchId": None,
        "createdAt": first["createdAt"],
        "readAt": None,
    }
    assert first["createdAt"].endswith("Z")


def test_mark_read_and_filter_by_status() -> None:
    user = make_api_user()
    made = seed(user.uid, 5)
    for m in (made[1], made[3]):
        resp = user.post(f"/messages/{m.id}/read")
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == "read"
        assert resp.json()["readAt"] is not None
        assert stored(m.id)["status"] == "read"
    assert walk(user, status="read", limit=1) == [made[3].id, made[1].id]
    assert walk(user, status="unread", limit=2) == [made[4].id, made[2].id, made[0].id]
    assert walk(user, limit=2) == [m.id for m in reversed(made)]

    # marking again is idempotent: same readAt
    again = user.post(f"/messages/{made[1].id}/read")
    assert again.status_code == 200
    assert again.json()["readAt"] == stored_read_at(made[1].id)


def stored_read_at(message_id: str) -> str:
    from coinbox_platform.clock import iso

    value = iso(stored(message_id)["readAt"])
    assert value is not None
    return value


def test_another_users_message_is_404_and_unchanged() -> None:
    owner, other = make_api_user(), make_api_user()
    (message,) = seed(owner.uid, 1)
    resp = other.post(f"/messages/{message.id}/read")
    assert resp.status_code == 404
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert resp.json()["code"] == "not_found"
    assert stored(message.id)["status"] == "unread"
    assert "readAt" not in stored(message.id) or stored(message.id)["readAt"] is None
    assert other.post("/messages/msg_nothing/read").status_code == 404


def test_list_refuses_foreign_cursor_and_bad_params() -> None:
    owner, other = make_api_user(), make_api_user()
    (theirs,) = seed(other.uid, 1)
    seed(owner.uid, 1)
    resp = owner.get("/messages", params={"startingAfter": theirs.id})
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["code"] == "invalid_cursor"
    for params, field in [({"status": "archived"}, "status"), ({"limit": 500}, "limit")]:
        resp = owner.get("/messages", params=params)
        assert resp.status_code == 400
        assert resp.json()["errors"][0]["field"] == field


def test_inbox_needs_a_token() -> None:
    resp = SESSION.get(api_base() + "/messages", timeout=10)
    assert resp.status_code == 401
    assert resp.json()["code"] == "unauthenticated"
    resp = SESSION.post(api_base() + "/messages/msg_x/read", timeout=10)
    assert resp.status_code == 401


def test_mark_read_replays_with_the_same_key() -> None:
    user = make_api_user()
    (message,) = seed(user.uid, 1)
    key = {"Idempotency-Key": f"read-{message.id}"}
    first = user.post(f"/messages/{message.id}/read", headers=key)
    second = user.post(f"/messages/{message.id}/read", headers=key)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
