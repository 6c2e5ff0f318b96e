"""OWASP API10:2023 Unsafe Consumption of APIs: what the platform does with the answers of the
systems it calls — webhook receivers. It does not follow their redirects (a receiver could
point it at an internal address), reads a bounded excerpt of their bodies, and treats their
answers as data. Held before issue 11."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.support import ApiUser, make_api_user, wait_for

pytestmark = pytest.mark.stack


class Hostile:
    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hits.append(self.path)
                if self.path.startswith("/redirect"):
                    port = self.server.server_address[1]
                    self.send_response(307)
                    self.send_header("Location", f"http://127.0.0.1:{port}/landed")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = b"<script>alert(1)</script>" + b"A" * 2_000_000
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                hits.append("GET " + self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture(scope="module")
def hostile() -> Iterator[Hostile]:
    h = Hostile()
    yield h
    h.server.shutdown()
    h.server.server_close()


def _test_delivery(user: ApiUser, url: str) -> dict[str, Any]:
    hook = user.post("/webhooks", json={"url": url, "events": ["crypto.order_expired"]})
    assert hook.status_code == 201, hook.text
    hook_id = hook.json()["id"]
    sent = user.post(f"/webhooks/{hook_id}/test", json={"type": "loan.created"})
    assert sent.status_code in (200, 201, 202), sent.text

    def attempted() -> dict[str, Any] | None:
        data = user.get(f"/webhooks/{hook_id}/deliveries").json()["data"]
        return data[0] if data and data[0].get("attempts") else None

    return wait_for(attempted, timeout=60)


def test_a_receivers_redirect_is_not_followed(hostile: Hostile) -> None:
    delivery = _test_delivery(make_api_user(), hostile.base + "/redirect")
    attempt = delivery["attempts"][0]
    assert attempt["statusCode"] == 307
    assert "/landed" not in hostile.hits and "GET /landed" not in hostile.hits


def test_a_receivers_huge_answer_is_read_as_a_bounded_excerpt(hostile: Hostile) -> None:
    delivery = _test_delivery(make_api_user(), hostile.base + "/huge")
    attempt = delivery["attempts"][0]
    assert attempt["statusCode"] == 200
    assert attempt["response"].startswith("<script>")  # kept as text, never interpreted
    assert len(attempt["response"]) <= 1024
