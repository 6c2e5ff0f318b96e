// Webhook verification of a real delivery: an endpoint pointing at a receiver on 127.0.0.1,
// a loan request emits loan.created, the stack's task queue delivers it signed; the SDK
// verifies it with the endpoint's secret. A wrong secret, an altered body and a stale
// timestamp (the same body correctly signed 10 minutes ago: a replay) are refused.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import {
  CoinboxError,
  WebhookHeadersError,
  WebhookSignatureError,
  WebhookTimestampError,
  WebhookVerificationError,
  WEBHOOK_API_VERSION,
  signWebhook,
  verifyWebhook,
} from "../dist/index.js";
import { makeUser, unique, waitFor } from "./support.mjs";

describe("webhooks", () => {
  let server;
  let base;
  const received = []; // {path, headers, body (Buffer)}

  before(async () => {
    server = createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end('{"received":true}');
      });
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${server.address().port}`;
  });

  after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));

  test("a real loan.created delivery verifies; wrong secret, altered body, stale timestamp fail", async () => {
    const user = await makeUser({ tier: "business", balance: 0 });
    const path = `/hook/${unique()}`;
    const endpoint = await user.client.webhooks.create({ url: base + path, events: ["loan.*"], description: "sdk test" });
    assert.match(endpoint.secret, /^whsec_/);
    assert.equal((await user.client.webhooks.retrieve(endpoint.id)).url, base + path);

    const loan = await user.client.loans.create({ amount: 40_000, interestRate: 19, termDays: 21, purpose: "Webhook" });
    const delivery = await waitFor(
      () =>
        received.find((r) => {
          const body = JSON.parse(r.body.toString());
          return r.path === path && body.type === "loan.created" && body.data?.object?.id === loan.id;
        }),
      { timeoutMs: 60_000, what: "the loan.created delivery" },
    );

    // Node's req.headers (lower-case record) and the raw Buffer, as a receiver has them
    const event = verifyWebhook(delivery.body, delivery.headers, endpoint.secret);
    assert.equal(event.type, "loan.created");
    assert.equal(event.apiVersion, WEBHOOK_API_VERSION);
    assert.equal(event.id, delivery.headers["webhook-id"]);
    assert.equal(event.userId, user.uid);
    if (event.type === "loan.created") {
      assert.equal(event.data.object.id, loan.id);
      assert.equal(event.data.object.amount, 40_000);
    }
    // a fetch Headers object and a string body work the same, as does client.webhooks.verify
    const asHeaders = new Headers(Object.entries(delivery.headers).filter(([, v]) => typeof v === "string"));
    assert.deepEqual(user.client.webhooks.verify(delivery.body.toString("utf8"), asHeaders, endpoint.secret), event);
    // during a rotation the receiver passes both secrets: either may match
    assert.deepEqual(verifyWebhook(delivery.body, delivery.headers, ["whsec_" + Buffer.from("x".repeat(24)).toString("base64"), endpoint.secret]), event);

    // wrong secret
    const other = await user.client.webhooks.create({ url: `${base}/hook/${unique()}`, events: ["export.failed"] });
    assert.throws(() => verifyWebhook(delivery.body, delivery.headers, other.secret), (err) => {
      assert.ok(err instanceof WebhookSignatureError && err instanceof WebhookVerificationError && err instanceof CoinboxError);
      assert.equal(err.code, "invalid_signature");
      return true;
    });
    // altered body
    const altered = delivery.body.toString().replace('"amount":40000', '"amount":40001');
    assert.notEqual(altered, delivery.body.toString());
    assert.throws(() => verifyWebhook(altered, delivery.headers, endpoint.secret), WebhookSignatureError);
    // stale: the same message, correctly signed with the right secret, 10 minutes ago
    const old = Math.floor(Date.now() / 1000) - 600;
    const replay = {
      "webhook-id": delivery.headers["webhook-id"],
      "webhook-timestamp": String(old),
      "webhook-signature": signWebhook(endpoint.secret, delivery.headers["webhook-id"], old, delivery.body.toString()),
    };
    assert.throws(() => verifyWebhook(delivery.body, replay, endpoint.secret), (err) => {
      assert.ok(err instanceof WebhookTimestampError);
      assert.equal(err.code, "stale_timestamp");
      return true;
    });
    // the API signs exactly as signWebhook does: the delivered signature is reproduced
    const ts = Number(delivery.headers["webhook-timestamp"]);
    assert.ok(
      delivery.headers["webhook-signature"].split(" ").includes(signWebhook(endpoint.secret, event.id, ts, delivery.body.toString())),
    );
    // missing headers
    assert.throws(() => verifyWebhook(delivery.body, { "webhook-id": event.id }, endpoint.secret), (err) => err instanceof WebhookHeadersError && err.code === "missing_headers");

    // the API's record of the delivery, through the SDK
    const deliveries = await user.client.webhooks.deliveries.list(endpoint.id).toArray();
    const record = await waitFor(
      async () => (await user.client.webhooks.deliveries.list(endpoint.id).toArray()).find((d) => d.eventId === event.id && d.status === "succeeded"),
      { what: "the delivery recorded as succeeded" },
    );
    assert.ok(deliveries.length >= 1);
    assert.equal((await user.client.webhooks.deliveries.retrieve(endpoint.id, record.id)).id, record.id);
    const fetched = await user.client.events.retrieve(event.id);
    assert.equal(fetched.type, "loan.created");

    // a test event and a rotated secret: the new delivery verifies with the new secret only
    const rotated = await user.client.webhooks.rotateSecret(endpoint.id);
    assert.notEqual(rotated.secret, endpoint.secret);
    const test = await user.client.webhooks.test(endpoint.id, { type: "loan.completed" });
    const testDelivery = await waitFor(
      () => received.find((r) => r.path === path && JSON.parse(r.body.toString()).type === "loan.completed"),
      { timeoutMs: 60_000, what: "the test delivery" },
    );
    assert.ok(test.id);
    assert.equal(verifyWebhook(testDelivery.body, testDelivery.headers, rotated.secret).type, "loan.completed");
    const deleted = await user.client.webhooks.delete(other.id);
    assert.equal(deleted.deleted, true);
  });
});
