"""The Python SDK against a real local HTTP server that fails on purpose: retries of 429 and
5xx (honouring Retry-After and RateLimit), the same Idempotency-Key on every attempt, the
give-up after max_retries, connection errors, and problem+json mapped to the exception tree."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import coinbox
import pytest
from coinbox import AsyncCoinbox, Coinbox, errors

KEY = "cb_live_unit0000000000000000000000000000000000"


@dataclass
class Script:
    """Answers per path, in order; the last one repeats."""

    answers: dict[str, list[tuple[int, dict[str, str], Any]]] = field(default_factory=dict)
    seen: list[tuple[str, str, dict[str, str], float]] = field(default_factory=list)


def _problem(status: int, code: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": f"https://docs.coinbox.example/errors/{code}",
        "title": "err",
        "status": status,
        "detail": f"detail of {code}",
        "code": code,
        "requestId": f"req_{code}",
        **extra,
    }


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            path = self.path.split("?")[0]
            script.seen.append(
                (
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    time.monotonic(),
                )
            )
            queue = script.answers.get(path) or [(404, {}, _problem(404, "not_found"))]
            status, headers, body = queue.pop(0) if len(queue) > 1 else queue[0]
            raw = json.dumps(body).encode()
            self.send_response(status)
            ctype = "application/problem+json" if status >= 400 else "application/json"
            self.send_header("Content-Type", ctype)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_PATCH = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", script
    httpd.shutdown()
    httpd.server_close()


HEALTH = (200, {}, {"status": "ok", "version": "1"})
LOAN = {
    "id": "loan_abc",
    "object": "loan",
    "borrowerId": "u1",
    "amount": 150000,
    "interestRate": 18,
    "termDays": 30,
    "purpose": "Stock",
    "status": "approved",
    "reason": None,
    "investorId": None,
    "investmentId": None,
    "totalDue": None,
    "repaid": 0,
    "dueAt": None,
    "expiresAt": None,
    "createdAt": "2026-01-02T10:00:00.000Z",
    "updatedAt": None,
    "disbursedAt": None,
    "completedAt": None,
    "batchId": None,
}


def test_429_then_503_then_200_is_retried_with_one_idempotency_key(
    server: tuple[str, Script],
) -> None:
    base, script = server
    script.answers["/v1/loans"] = [
        (429, {"Retry-After": "1", "RateLimit": '"minute";r=0;t=1'}, _problem(429, "rate_limited")),
        (503, {"Retry-After": "0"}, _problem(503, "service_unavailable")),
        (201, {}, LOAN),
    ]
    client = Coinbox(api_key=KEY, base_url=base, max_retries=3)
    loan = client.loans.create(amount=150000, interest_rate=18, term_days=30, purpose="Stock")
    assert loan.id == "loan_abc" and loan.status == "approved" and loan.interest_rate == 18
    attempts = [s for s in script.seen if s[1] == "/v1/loans"]
    assert len(attempts) == 3
    keys = {s[2]["idempotency-key"] for s in attempts}
    assert len(keys) == 1 and next(iter(keys)).startswith("cbpy_")
    # Retry-After: 1 was honoured (the wait is 1 s plus at most 0.25 s of jitter)
    assert 0.95 <= attempts[1][3] - attempts[0][3] < 5.0
    assert attempts[0][2]["authorization"] == f"Bearer {KEY}"
    assert attempts[0][2]["user-agent"].startswith(f"coinbox-python/{coinbox.__version__} ")


def test_ratelimit_header_alone_sets_the_wait(server: tuple[str, Script]) -> None:
    base, script = server
    script.answers["/v1/health"] = [
        (429, {"RateLimit": '"minute";r=0;t=1'}, _problem(429, "rate_limited")),
        HEALTH,
    ]
    Coinbox(api_key=KEY, base_url=base).health.retrieve()
    first, second = script.seen
    assert 0.95 <= second[3] - first[3] < 5.0


def test_given_idempotency_key_is_sent(server: tuple[str, Script]) -> None:
    base, script = server
    script.answers["/v1/loans/loan_abc/cancel"] = [(200, {}, {**LOAN, "status": "cancelled"})]
    Coinbox(api_key=KEY, base_url=base).loans.cancel("loan_abc", idempotency_key="mine-1")
    assert script.seen[0][2]["idempotency-key"] == "mine-1"
    assert "idempotency-key" not in _get(base, script)


def _get(base: str, script: Script) -> dict[str, str]:
    script.answers["/v1/health"] = [HEALTH]
    Coinbox(api_key=KEY, base_url=base).health.retrieve()
    return script.seen[-1][2]


def test_gives_up_after_max_retries_with_the_mapped_error(server: tuple[str, Script]) -> None:
    base, script = server
    script.answers["/v1/wallet"] = [
        (503, {"Retry-After": "0"}, _problem(503, "service_unavailable"))
    ]
    client = Coinbox(api_key=KEY, base_url=base, max_retries=2)
    with pytest.raises(errors.ServiceUnavailableError) as info:
        client.wallet.retrieve()
    assert len(script.seen) == 3
    err = info.value
    assert isinstance(err, errors.InternalServerError) and isinstance(err, errors.APIError)
    assert (err.status, err.code, err.request_id) == (
        503,
        "service_unavailable",
        "req_service_unavailable",
    )
    assert err.response is not None and err.response.status_code == 503


def test_a_long_retry_after_is_raised_not_slept(server: tuple[str, Script]) -> None:
    base, script = server
    script.answers["/v1/me"] = [(429, {"Retry-After": "3600"}, _problem(429, "rate_limited"))]
    started = time.monotonic()
    with pytest.raises(errors.RateLimitError) as info:
        Coinbox(api_key=KEY, base_url=base).me.retrieve()
    assert time.monotonic() - started < 5.0 and len(script.seen) == 1
    assert info.value.retry_after == 3600


def test_4xx_is_not_retried_and_carries_the_field_errors(server: tuple[str, Script]) -> None:
    base, script = server
    body = _problem(
        400, "invalid_request", errors=[{"field": "amount", "message": "too big", "code": "le"}]
    )
    script.answers["/v1/loans"] = [(400, {}, body)]
    with pytest.raises(errors.BadRequestError) as info:
        Coinbox(api_key=KEY, base_url=base).loans.create(
            amount=1, interest_rate=18, term_days=30, purpose="x"
        )
    assert len(script.seen) == 1
    assert info.value.errors == [errors.FieldError("amount", "too big", "le")]
    assert "amount: too big" in str(info.value) and "req_invalid_request" in str(info.value)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, "invalid_api_key", errors.AuthenticationError),
        (401, "api_key_revoked", errors.APIKeyRevokedError),
        (403, "insufficient_scope", errors.PermissionDeniedError),
        (404, "not_found", errors.NotFoundError),
        (409, "invalid_state", errors.ConflictError),
        (422, "insufficient_funds", errors.InsufficientFundsError),
        (422, "idempotency_conflict", errors.IdempotencyConflictError),
        (422, "batch_failed", errors.BatchFailedError),
        (422, "loan_not_open", errors.UnprocessableEntityError),
        (418, "teapot", errors.APIError),
    ],
)
def test_problem_codes_map_to_the_tree(
    server: tuple[str, Script], status: int, code: str, cls: type[errors.APIError]
) -> None:
    base, script = server
    script.answers["/v1/me"] = [(status, {}, _problem(status, code))]
    with pytest.raises(errors.APIError) as info:
        Coinbox(api_key=KEY, base_url=base, max_retries=0).me.retrieve()
    assert type(info.value) is cls
    assert info.value.code == code and info.value.status == status


def test_idempotency_in_flight_409_is_retried(server: tuple[str, Script]) -> None:
    base, script = server
    script.answers["/v1/loans/loan_abc/cancel"] = [
        (409, {"Retry-After": "0"}, _problem(409, "idempotency_in_flight")),
        (200, {}, LOAN),
    ]
    Coinbox(api_key=KEY, base_url=base).loans.cancel("loan_abc")
    assert len(script.seen) == 2
    assert script.seen[0][2]["idempotency-key"] == script.seen[1][2]["idempotency-key"]


def test_pagination_walks_every_cursor(server: tuple[str, Script]) -> None:
    base, script = server

    def page(ids: list[str], more: bool) -> tuple[int, dict[str, str], Any]:
        data = [{**LOAN, "id": i} for i in ids]
        return (
            200,
            {},
            {
                "object": "list",
                "data": data,
                "hasMore": more,
                "nextCursor": ids[-1] if more else None,
            },
        )

    script.answers["/v1/loans"] = [page(["loan_a", "loan_b"], True), page(["loan_c"], False)]
    ids = [
        loan.id
        for loan in Coinbox(api_key=KEY, base_url=base).loans.list(limit=2, status="approved")
    ]
    assert ids == ["loan_a", "loan_b", "loan_c"]
    assert "startingAfter=loan_b" in script.seen[1][1] and "limit=2" in script.seen[1][1]
    assert "status=approved" in script.seen[0][1]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_is_retried_then_raised() -> None:
    client = Coinbox(api_key=KEY, base_url=f"http://127.0.0.1:{_closed_port()}/v1", max_retries=1)
    with pytest.raises(errors.APIConnectionError):
        client.health.retrieve()


def test_timeout_raises_api_timeout_error(server: tuple[str, Script]) -> None:
    # a listening socket that never answers
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        client = Coinbox(
            api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1", timeout=0.3, max_retries=1
        )
        started = time.monotonic()
        with pytest.raises(errors.APITimeoutError):
            client.health.retrieve()
        assert time.monotonic() - started < 5


def test_async_client_retries_and_paginates(server: tuple[str, Script]) -> None:
    base, script = server
    script.answers["/v1/loans"] = [
        (502, {}, _problem(502, "bad_gateway")),
        (200, {}, {"object": "list", "data": [LOAN], "hasMore": False, "nextCursor": None}),
    ]

    async def run() -> list[str]:
        async with AsyncCoinbox(api_key=KEY, base_url=base) as client:
            return [loan.id async for loan in client.loans.list()]

    assert asyncio.run(run()) == ["loan_abc"]
    assert len(script.seen) == 2


def test_api_key_and_base_url_from_the_environment(
    server: tuple[str, Script], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = server
    monkeypatch.setenv("COINBOX_API_KEY", KEY)
    monkeypatch.setenv("COINBOX_BASE_URL", base)
    script.answers["/v1/health"] = [HEALTH]
    assert Coinbox().health.retrieve().status == "ok"
    monkeypatch.delenv("COINBOX_API_KEY")
    with pytest.raises(errors.CoinboxError, match="COINBOX_API_KEY"):
        Coinbox()
