// Retries, timeouts and connection errors against a real HTTP server on 127.0.0.1 that answers
// what a busy API answers (429 with Retry-After or RateLimit, 503, slow answers), then 200.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import {
  APIConnectionError,
  APITimeoutError,
  Coinbox,
  InternalServerError,
  InvalidRequestError,
  RateLimitError,
  ServiceUnavailableError,
  VERSION,
} from "../dist/index.js";

const problem = (status, code, extra = {}) =>
  JSON.stringify({ type: `https://docs.coinbox.example/errors/${code}`, title: code, status, detail: code, code, requestId: `req_${status}`, ...extra });

// Each scenario: a list of answers, served in turn to the requests of one path (the last repeats).
const SCENARIOS = {
  "/v1/loans": [
    { status: 429, headers: { "Retry-After": "1" }, body: problem(429, "rate_limited") },
    { status: 503, headers: {}, body: problem(503, "service_unavailable") },
    { status: 201, headers: {}, body: JSON.stringify({ id: "loan_ok", object: "loan" }) },
  ],
  "/v1/ratelimit-header": [
    { status: 429, headers: { RateLimit: '"minute";r=0;t=1' }, body: problem(429, "rate_limited") },
    { status: 200, headers: {}, body: JSON.stringify({ ok: true }) },
  ],
  "/v1/always-429": [{ status: 429, headers: { "Retry-After": "2" }, body: problem(429, "rate_limited") }],
  "/v1/long-retry-after": [{ status: 429, headers: { "Retry-After": "3600" }, body: problem(429, "rate_limited") }],
  "/v1/always-503": [{ status: 503, headers: {}, body: problem(503, "service_unavailable") }],
  "/v1/bad-request": [{ status: 400, headers: {}, body: problem(400, "invalid_request", { errors: [{ field: "amount", message: "bad", code: "invalid" }] }) }],
  "/v1/html-502": [
    { status: 502, headers: { "Content-Type": "text/html" }, body: "<html>Bad gateway</html>" },
    { status: 200, headers: {}, body: JSON.stringify({ ok: true }) },
  ],
  "/v1/html-500": [{ status: 500, headers: { "Content-Type": "text/html" }, body: "<html>Internal proxy error</html>" }],
  "/v1/slow-body": [{ status: 200, headers: {}, body: JSON.stringify({ ok: true, pad: "x".repeat(100) }), bodyDelayMs: 1_000 }],
  "/v1/slow": [{ status: 200, headers: {}, body: JSON.stringify({ ok: true }), delayMs: 1_000 }],
  "/v1/slow-once": [
    { status: 200, headers: {}, body: JSON.stringify({ ok: "late" }), delayMs: 1_000 },
    { status: 200, headers: {}, body: JSON.stringify({ ok: true }) },
  ],
};

describe("retries against a real 127.0.0.1 server", () => {
  let server;
  let base;
  const seen = []; // {path, method, headers, at}

  before(async () => {
    const counts = new Map();
    server = createServer((req, res) => {
      const path = req.url.split("?")[0];
      seen.push({ path, method: req.method, headers: req.headers, at: Date.now() });
      const answers = SCENARIOS[path];
      if (!answers) {
        res.writeHead(404, { "Content-Type": "application/problem+json" });
        return res.end(problem(404, "route_not_found"));
      }
      const n = counts.get(path) ?? 0;
      counts.set(path, n + 1);
      const a = answers[Math.min(n, answers.length - 1)];
      if (a.bodyDelayMs) {
        // headers and half the body now, the rest later: a stalled download
        res.writeHead(a.status, { "Content-Type": "application/json" });
        res.write(a.body.slice(0, 5));
        setTimeout(() => !res.destroyed && res.end(a.body.slice(5)), a.bodyDelayMs);
        return;
      }
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(a.status, {
          "Content-Type": a.status >= 400 ? "application/problem+json" : "application/json",
          "X-Request-Id": `req_srv${n}`,
          ...a.headers,
        });
        res.end(a.body);
      }, a.delayMs ?? 0);
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${server.address().port}/v1`;
  });

  after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));

  const client = (opts = {}) => new Coinbox({ apiKey: "cb_live_test", baseUrl: base, initialRetryDelayMs: 50, ...opts });
  const requestsTo = (path) => seen.filter((r) => r.path === path);

  test("429 (Retry-After: 1) then 503 then 201: retried, one Idempotency-Key throughout", async () => {
    const started = Date.now();
    const res = await client({ maxRetries: 2 }).loans.create({ amount: 1, interestRate: 15, termDays: 7, purpose: "x" }).withResponse();
    const elapsed = Date.now() - started;
    assert.equal(res.status, 201);
    assert.equal(res.data.id, "loan_ok");
    assert.equal(res.attempts, 3);
    const reqs = requestsTo("/v1/loans");
    assert.equal(reqs.length, 3);
    const keys = new Set(reqs.map((r) => r.headers["idempotency-key"]));
    assert.equal(keys.size, 1, "the same Idempotency-Key on every attempt");
    assert.match([...keys][0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(reqs[1].at - reqs[0].at >= 1_000, `waited out Retry-After: 1 (${reqs[1].at - reqs[0].at} ms)`);
    assert.ok(reqs[1].at - reqs[0].at < 1_500, "Retry-After plus at most 10 % jitter");
    assert.ok(elapsed < 5_000);
    // the version headers
    assert.equal(reqs[0].headers["x-coinbox-client"], `coinbox-typescript/${VERSION}`);
    assert.match(reqs[0].headers["user-agent"], new RegExp(`^coinbox-typescript/${VERSION} node/`));
    assert.equal(reqs[0].headers.authorization, "Bearer cb_live_test");
  });

  test("the RateLimit header's t= is honoured when there is no Retry-After", async () => {
    const res = await client().request("GET", "/ratelimit-header").withResponse();
    assert.equal(res.attempts, 2);
    const reqs = requestsTo("/v1/ratelimit-header");
    assert.ok(reqs[1].at - reqs[0].at >= 1_000, "waited t=1 second");
    assert.equal(reqs[0].headers["idempotency-key"], undefined, "GET carries no Idempotency-Key");
  });

  test("retries run out: a typed RateLimitError carrying Retry-After", async () => {
    await assert.rejects(client({ maxRetries: 1 }).request("GET", "/always-429"), (err) => {
      assert.ok(err instanceof RateLimitError);
      assert.equal(err.status, 429);
      assert.equal(err.retryAfterSeconds, 2);
      return true;
    });
    assert.equal(requestsTo("/v1/always-429").length, 2, "one try and one retry");
  });

  test("a Retry-After longer than maxRetryAfterMs is raised at once, not slept through", async () => {
    const started = Date.now();
    await assert.rejects(client({ maxRetries: 3 }).request("GET", "/long-retry-after"), RateLimitError);
    assert.equal(requestsTo("/v1/long-retry-after").length, 1);
    assert.ok(Date.now() - started < 1_000);
  });

  test("5xx: backoff with jitter and a cap, then ServiceUnavailableError", async () => {
    const c = client({ maxRetries: 3, initialRetryDelayMs: 100, maxRetryDelayMs: 150 });
    await assert.rejects(c.request("GET", "/always-503"), (err) => err instanceof ServiceUnavailableError && err.code === "service_unavailable");
    const reqs = requestsTo("/v1/always-503");
    assert.equal(reqs.length, 4);
    const gaps = reqs.slice(1).map((r, i) => r.at - reqs[i].at);
    for (const gap of gaps) assert.ok(gap >= 45 && gap < 400, `gap ${gap} within [step/2, cap]`);
    // the computed delays: exponential, capped, jittered
    for (let retry = 0; retry < 8; retry++) {
      const d = c.core.backoffMs(retry);
      const step = Math.min(150, 100 * 2 ** retry);
      assert.ok(d >= step / 2 && d <= step, `retry ${retry}: ${d}`);
    }
  });

  test("a 4xx other than 429 is not retried", async () => {
    await assert.rejects(client({ maxRetries: 3 }).request("GET", "/bad-request"), (err) => {
      assert.ok(err instanceof InvalidRequestError);
      assert.deepEqual(err.errors, [{ field: "amount", message: "bad", code: "invalid" }]);
      assert.equal(err.requestId, "req_400");
      return true;
    });
    assert.equal(requestsTo("/v1/bad-request").length, 1);
  });

  test("a non-JSON 5xx from a proxy is retried, and its text becomes the error's detail", async () => {
    const res = await client().request("GET", "/html-502").withResponse();
    assert.equal(res.attempts, 2);
    await assert.rejects(client({ maxRetries: 0 }).request("GET", "/html-500"), (err) => {
      assert.ok(err instanceof InternalServerError && !(err instanceof ServiceUnavailableError));
      assert.equal(err.code, "internal_error");
      assert.equal(err.detail, "<html>Internal proxy error</html>");
      assert.equal(err.requestId, "req_srv0", "from X-Request-Id when the body has none");
      return true;
    });
  });

  test("timeouts: each attempt is bounded, and retried", async () => {
    await assert.rejects(client({ timeoutMs: 150, maxRetries: 1 }).request("GET", "/slow"), (err) => {
      assert.ok(err instanceof APITimeoutError && err instanceof APIConnectionError);
      assert.equal(err.code, "timeout");
      return true;
    });
    assert.equal(requestsTo("/v1/slow").length, 2);
    const res = await client({ timeoutMs: 300, maxRetries: 1 }).request("GET", "/slow-once").withResponse();
    assert.deepEqual(res.data, { ok: true });
    assert.equal(res.attempts, 2);
  });

  test("the timeout covers reading the body: a stalled body is a timeout too", async () => {
    await assert.rejects(client({ timeoutMs: 200, maxRetries: 1 }).request("GET", "/slow-body"), APITimeoutError);
    assert.equal(requestsTo("/v1/slow-body").length, 2);
  });

  test("connection refused: retried, then APIConnectionError", async () => {
    const closed = createServer();
    await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = closed.address().port;
    await new Promise((resolve) => closed.close(resolve));
    const c = new Coinbox({ baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 2, initialRetryDelayMs: 20 });
    await assert.rejects(c.health(), (err) => err instanceof APIConnectionError && err.code === "connection_error" && err.status === 0);
  });

  test("an aborted signal stops at once and is not retried", async () => {
    const controller = new AbortController();
    const p = client({ maxRetries: 3 }).request("GET", "/slow", { options: { signal: controller.signal } });
    setTimeout(() => controller.abort(new Error("stop")), 50);
    await assert.rejects(p, /stop/);
  });
});
