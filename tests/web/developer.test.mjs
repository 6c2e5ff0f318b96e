// The developer portal in Chromium, each flow checked against what the API then holds (read
// back with @coinbox/sdk): API keys (secret once, usage, rotation, revocation) and a webhook
// endpoint delivering to a receiver on 127.0.0.1 (attempts, retry).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { API, Coinbox, WEB, launch, makeUser, newPage, screenshot, signIn, unique, waitFor } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

const keyRow = (page, name) => page.locator("tr", { has: page.locator(`text="${name}"`) });

test("API keys: create (secret once), usage counted, rotate with grace, revoke", async () => {
  const user = await makeUser({ tier: "business" });
  const page = await newPage(browser);
  await signIn(page, "/developer/keys", user.email);
  const name = unique("ci-");

  // create: pro tier, two scopes
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Tier").selectOption("pro");
  for (const scope of ["read:*", "write:investments", "write:crypto", "write:exports"]) {
    await page.getByRole("checkbox", { name: scope, exact: true }).uncheck();
  }
  await page.getByRole("checkbox", { name: "read:loans" }).check();
  await page.getByRole("checkbox", { name: "write:loans" }).check();
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByTestId("secret").textContent()).trim();
  assert.match(secret, /^cb_live_[0-9A-Za-z]{38}$/);
  await keyRow(page, name).waitFor();
  await screenshot(page, "flow-key-created");
  const [created] = (await user.client.apiKeys.list()).data.filter((k) => k.name === name);
  assert.equal(created.status, "active");
  assert.equal(created.tier, "pro");
  assert.deepEqual([...created.scopes].sort(), ["read:loans", "write:loans"]);
  assert.equal(created.displayPrefix, secret.slice(0, 12));
  assert.equal("secret" in created, false);

  // ... and never again: not after a reload, not from the API
  await page.reload({ waitUntil: "domcontentloaded" });
  await keyRow(page, name).waitFor();
  assert.equal((await page.content()).includes(secret), false);
  assert.equal("secret" in (await user.client.apiKeys.retrieve(created.id)), false);

  // use the key from here; the usage chart counts it
  const program = new Coinbox({ apiKey: secret, baseUrl: API(), maxRetries: 0 });
  for (let i = 0; i < 3; i++) await program.loans.list({ limit: 1 });
  await program.wallet.retrieve().catch((e) => assert.equal(e.code, "insufficient_scope")); // a 403
  const usage = await waitFor(async () => {
    const u = await user.client.apiKeys.usage(created.id);
    return u.totals.requests >= 4 ? u : null;
  }, { what: "the request logs of the key" });
  await keyRow(page, name).getByRole("link", { name: "Usage" }).click();
  await page.locator("#panel[data-ready]").waitFor();
  assert.equal(await page.getByLabel("API key").inputValue(), created.id);
  assert.equal(Number(await page.getByTestId("usage-requests").textContent()), usage.totals.requests);
  assert.equal(Number(await page.getByTestId("usage-errors").textContent()), usage.totals.byStatusClass["4xx"] + usage.totals.byStatusClass["5xx"]);
  assert.ok(usage.totals.byStatusClass["4xx"] >= 1);
  await page.getByRole("cell", { name: "GET /v1/loans", exact: true }).waitFor(); // top routes
  assert.ok(usage.byRoute.some((r) => r.route === "GET /v1/loans" && r.requests === 3));
  assert.equal(await page.locator(".uplot").count(), 3);
  await screenshot(page, "flow-key-usage");

  // rotate with a one-hour grace period: a new secret shown once, the old key still works
  await page.getByRole("link", { name: "API keys" }).click();
  await page.locator('#panel[data-ready="/developer/keys"]').waitFor();
  await page.getByRole("button", { name: `Rotate ${name}` }).first().click();
  await page.getByLabel("Grace period").selectOption("3600");
  await page.getByRole("button", { name: "Rotate now" }).click();
  const rotatedSecret = (await page.getByTestId("secret").textContent()).trim();
  assert.notEqual(rotatedSecret, secret);
  const keys = (await user.client.apiKeys.list()).data.filter((k) => k.name === name);
  const old = keys.find((k) => k.id === created.id);
  const fresh = keys.find((k) => k.id !== created.id);
  assert.equal(old.rotatedTo, fresh.id);
  assert.equal(fresh.rotatedFrom, old.id);
  const grace = Date.parse(old.graceUntil) - Date.now();
  assert.ok(grace > 3_000_000 && grace <= 3_600_000, `grace ${grace} ms`);
  await program.loans.list({ limit: 1 }); // the old key, within its grace period
  const rotated = new Coinbox({ apiKey: rotatedSecret, baseUrl: API(), maxRetries: 0 });
  await rotated.loans.list({ limit: 1 });
  await screenshot(page, "flow-key-rotated");

  // revoke the new key, with confirmation
  const row = page.locator("tr", { has: page.locator(`[data-key-id="${fresh.id}"]`) });
  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await row.getByRole("button", { name: `Yes, revoke ${name}` }).click();
  await page.locator("tr", { has: page.locator(`[data-key-id="${fresh.id}"]`) }).getByText("revoked", { exact: true }).waitFor();
  assert.equal((await user.client.apiKeys.retrieve(fresh.id)).status, "revoked");
  // A revocation reaches the other functions' key caches within 30 s (docs/api-access.md).
  const refused = await waitFor(async () => {
    const e = await rotated.loans.list({ limit: 1 }).then(() => null, (err) => err);
    return e?.status === 401 ? e : null;
  }, { timeoutMs: 45_000, intervalMs: 2_000, what: "the revoked key refused" });
  assert.equal(refused.code, "api_key_revoked");
  assert.equal((await user.client.apiKeys.retrieve(old.id)).status, "active"); // still in its grace period
  await screenshot(page, "flow-key-revoked");
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("webhooks: endpoint to a local receiver, a test delivery with its attempts, then a retry", async () => {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      // The first delivery fails; everything after it succeeds.
      res.writeHead(received.length === 1 ? 500 : 204).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}/hook/${unique()}`;
  try {
    const user = await makeUser({ tier: "business" });
    const page = await newPage(browser);
    await signIn(page, "/developer/webhooks", user.email);
    await page.getByLabel("Endpoint URL").fill(url);
    await page.getByLabel("Description").fill("browser test");
    await page.getByRole("checkbox", { name: /^loan\.created/ }).check();
    await page.getByText("Example payload of loan.created").click(); // the example payload shows
    assert.match(await page.locator("details[open] pre").first().textContent(), /"type": "loan.created"/);
    await page.getByRole("button", { name: "Create endpoint" }).click();
    const secret = (await page.getByTestId("secret").textContent()).trim();
    assert.match(secret, /^whsec_/);
    const [endpoint] = (await user.client.webhooks.list()).data;
    assert.equal(endpoint.url, url);
    assert.deepEqual(endpoint.events, ["loan.created"]);
    await screenshot(page, "flow-webhook-created");

    await page.getByRole("link", { name: `Manage ${url}` }).click();
    await page.locator("#panel[data-ready]").waitFor();
    await page.getByLabel("Test event type").selectOption("loan.created");
    await page.getByRole("button", { name: "Send test event" }).click();
    await waitFor(() => received.length >= 1, { what: "the first delivery" });
    const [delivery] = (await user.client.webhooks.deliveries.list(endpoint.id)).data;
    await waitFor(async () => (await user.client.webhooks.deliveries.retrieve(endpoint.id, delivery.id)).attemptCount >= 1, { what: "attempt recorded" });
    // the signature verifies with the secret the page showed
    const { verifyWebhook } = await import("../../sdks/typescript/dist/index.js");
    const event = verifyWebhook(received[0].body, received[0].headers, secret);
    assert.equal(event.type, "loan.created");

    await page.getByRole("button", { name: "Refresh" }).click();
    const card = page.locator(`[data-delivery-id="${delivery.id}"]`);
    await card.getByRole("cell", { name: "500", exact: true }).waitFor();
    await screenshot(page, "flow-webhook-failed-attempt");
    await card.getByRole("button", { name: `Retry ${delivery.id}` }).click();
    await waitFor(async () => (await user.client.webhooks.deliveries.retrieve(endpoint.id, delivery.id)).status === "succeeded", { what: "a succeeded delivery" });
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.locator(`[data-delivery-id="${delivery.id}"]`).getByRole("cell", { name: "204", exact: true }).waitFor();
    const done = await user.client.webhooks.deliveries.retrieve(endpoint.id, delivery.id);
    assert.equal(done.status, "succeeded");
    assert.deepEqual(done.attempts.map((a) => a.statusCode).slice(0, 1), [500]);
    assert.equal(done.attempts.at(-1).statusCode, 204);
    await screenshot(page, "flow-webhook-retried");

    // disable: the API then holds a paused endpoint
    await page.getByRole("button", { name: "Disable" }).click();
    await waitFor(async () => (await user.client.webhooks.retrieve(endpoint.id)).status === "paused", { what: "a paused endpoint" });
    await page.getByRole("button", { name: "Enable" }).waitFor();
    assert.deepEqual(page.problems, []);
    await page.context().close();
  } finally {
    server.close();
  }
});

test("events explorer: filter by type and view the payload", async () => {
  const user = await makeUser({ tier: "business" });
  const loan = await user.client.loans.create({ amount: 30_000, interestRate: 18, termDays: 30, purpose: "Events explorer" });
  const event = await waitFor(async () => (await user.client.events.list({ type: "loan.created" })).data.find((e) => e.data.object.id === loan.id),
    { timeoutMs: 60_000, what: "the loan.created event" });
  const page = await newPage(browser);
  await signIn(page, "/developer/events", user.email);
  await page.getByLabel("Type").selectOption("loan.created");
  await page.getByRole("button", { name: "Search" }).click();
  const item = page.getByTestId("events").locator("details", { hasText: event.id });
  await item.locator("summary").click();
  const payload = JSON.parse(await item.locator("pre").textContent());
  assert.deepEqual(payload, event);
  // a time window that excludes it
  await page.getByLabel("To").fill("2020-01-01T00:00");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByText("No events match these filters.").waitFor();
  await screenshot(page, "flow-events-empty");
  await page.context().close();
});
