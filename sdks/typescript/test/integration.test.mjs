// The integration story through the live local stack, with the built SDK (dist/):
// an ID-token user creates an API key; a loan is requested, funded by a second user and repaid;
// lists walk their cursors; a bulk CSV with one bad row; an xlsx export downloaded and checked;
// typed errors; an idempotent POST replayed; the CORS preflight a browser would send.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { before, describe, test } from "node:test";
import {
  AuthenticationError,
  Coinbox,
  CoinboxError,
  IdempotencyConflictError,
  InvalidRequestError,
  NotFoundError,
  Page,
  PagePromise,
  UnprocessableError,
  VERSION,
} from "../dist/index.js";
import { API_BASE, makeUser, unique } from "./support.mjs";

describe("integration story", () => {
  let borrower; // {uid, token, client (ID token)}
  let investor;
  let keyClient; // the borrower's API key client
  let keySecret;

  before(async () => {
    [borrower, investor] = await Promise.all([
      makeUser({ tier: "business", balance: 100_000 }),
      makeUser({ tier: "business", balance: 2_000_000 }),
    ]);
  });

  test("an ID-token user creates an API key, and the key authenticates as that user", async () => {
    const key = await borrower.client.apiKeys.create({ name: `sdk ${unique()}` });
    assert.match(key.secret, /^cb_live_[0-9A-Za-z]{38}$/);
    assert.equal(key.tier, "enterprise");
    keySecret = key.secret;
    keyClient = new Coinbox({ apiKey: key.secret, baseUrl: API_BASE() });
    const me = await keyClient.me();
    assert.equal(me.id, borrower.uid);
    // X-API-Key works the same
    const viaHeader = new Coinbox({ apiKey: key.secret, apiKeyHeader: "x-api-key", baseUrl: API_BASE() });
    assert.equal((await viaHeader.me()).id, borrower.uid);
    const listed = await borrower.client.apiKeys.list().toArray();
    assert.ok(listed.some((k) => k.id === key.id));
    assert.equal((await keyClient.apiKeys.retrieve(key.id)).name, key.name);
  });

  test("request a loan, fund it from a second user, repay it in full", async () => {
    const loan = await keyClient.loans.create({
      amount: 150_000,
      interestRate: 18,
      termDays: 30,
      purpose: "Stock for the spaza shop",
    });
    assert.equal(loan.status, "approved");
    assert.equal(loan.borrowerId, borrower.uid);

    const funding = await investor.client.investments.create({ loanId: loan.id, amount: loan.amount });
    assert.equal(funding.loan.id, loan.id);
    assert.equal(funding.loan.status, "disbursed");
    assert.equal(funding.investorId ?? investor.uid, investor.uid);

    const disbursed = await keyClient.loans.retrieve(loan.id);
    assert.equal(disbursed.status, "disbursed");
    assert.ok(disbursed.totalDue > loan.amount, "interest is due on top of the principal");

    const part = await keyClient.loans.repayments.create(loan.id, { amount: 50_000 });
    assert.equal(part.repaid, 50_000);
    const done = await keyClient.loans.repayments.create(loan.id, {
      amount: disbursed.totalDue - 50_000,
    });
    assert.equal(done.status, "completed");
    assert.equal(done.repaid, disbursed.totalDue);

    const repayments = await keyClient.loans.repayments.list(loan.id).toArray();
    assert.equal(repayments.length, 2);
    assert.deepEqual(
      repayments.map((r) => r.amount).sort((a, b) => a - b),
      [50_000, disbursed.totalDue - 50_000].sort((a, b) => a - b),
    );
    const investments = await investor.client.investments.list().toArray();
    const inv = investments.find((i) => i.loanId === loan.id);
    assert.ok(inv, "the investor lists the investment");
    assert.equal(inv.status, "completed");
    const wallet = await keyClient.wallet.retrieve();
    assert.equal(wallet.balance, 100_000 + loan.amount - disbursed.totalDue);
  });

  test("list with pagination: the async iterator walks every cursor, pages() and nextPage() too", async () => {
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(
        await keyClient.loans.create({ amount: 10_000 + i, interestRate: 15, termDays: 7, purpose: `p${i}` }),
      );
    }
    const listing = keyClient.loans.list({ limit: 2, status: "approved" });
    assert.ok(listing instanceof PagePromise);
    const seen = [];
    for await (const loan of listing) seen.push(loan.id);
    assert.equal(new Set(seen).size, seen.length, "no loan twice");
    assert.deepEqual(
      seen.slice(0, 5),
      created.map((l) => l.id).reverse(),
      "newest first, across pages of 2",
    );

    const sizes = [];
    for await (const page of keyClient.loans.list({ limit: 2, status: "approved" }).pages()) {
      assert.ok(page instanceof Page);
      sizes.push(page.data.length);
    }
    assert.deepEqual(sizes, [2, 2, 1], "5 approved loans in pages of 2");

    const first = await keyClient.loans.list({ limit: 2, status: "approved" });
    assert.equal(first.hasMore, true);
    assert.equal(first.nextCursor, first.data[1].id);
    const second = await first.nextPage();
    assert.deepEqual(
      second.data.map((l) => l.id),
      seen.slice(2, 4),
    );
    const fromCursor = await keyClient.loans.list({ limit: 2, status: "approved", startingAfter: first.nextCursor });
    assert.deepEqual(fromCursor.data.map((l) => l.id), seen.slice(2, 4));
  });

  test("bulk CSV with one bad row: per-row errors, the good rows written", async () => {
    const template = await keyClient.bulk.template("loans");
    assert.match(template, /^amount,interestRate,termDays,purpose\r?\n/);
    const rows = ["amount,interestRate,termDays,purpose"];
    for (let i = 0; i < 6; i++) rows.push(`${20_000 + i},16,30,Bulk row ${i}`);
    rows[3] = "20002,40,30,Rate out of range"; // rows[0] is the header: data row 2 (0-based) is bad
    const result = await keyClient.bulk.uploadCsv("loans", rows.join("\n") + "\n");
    assert.equal(result.status, "partial");
    assert.equal(result.totalItems, 6);
    assert.equal(result.succeeded, 5);
    assert.equal(result.failed, 1);
    assert.equal(result.items[2].status, "failed");
    assert.equal(result.items[2].error.field, "interestRate");
    assert.deepEqual(
      result.errors.map((e) => [e.index, e.field]),
      [[2, "interestRate"]],
    );
    for (const item of result.items.filter((i) => i.status === "succeeded")) {
      const loan = await keyClient.loans.retrieve(item.id);
      assert.equal(loan.batchId, result.batchId);
    }
    const batch = await keyClient.bulk.retrieve(result.batchId);
    assert.equal(batch.failed, 1);

    // atomic: the same file writes nothing and raises a typed 422 with per-row field errors
    await assert.rejects(
      keyClient.bulk.uploadCsv("loans", rows.join("\n"), { mode: "atomic" }),
      (err) => {
        assert.ok(err instanceof UnprocessableError);
        assert.equal(err.code, "batch_failed");
        assert.deepEqual(
          err.errors.map((e) => e.field),
          ["items.2.interestRate"],
        );
        return true;
      },
    );
  });

  test("an xlsx export: create, wait, download, sha256 and ZIP magic checked", async () => {
    const exp = await keyClient.exports.create({ type: "loans", format: "xlsx" });
    assert.equal(exp.format, "xlsx");
    assert.ok(["queued", "running", "completed"].includes(exp.status));
    const progress = [];
    const done = await keyClient.exports.wait(exp.id, { intervalMs: 500, timeoutMs: 120_000, onProgress: (e) => progress.push(e.status) });
    assert.equal(done.status, "completed");
    const loans = await keyClient.loans.list({ limit: 100 }).toArray();
    assert.equal(done.recordCount, loans.length, "every loan of the borrower exported");
    const file = await keyClient.exports.download(exp.id);
    assert.equal(file.fileName, done.fileName);
    assert.match(file.fileName, /\.xlsx$/);
    assert.equal(file.data.length, done.bytes);
    // checked independently of the SDK's own check
    assert.equal(createHash("sha256").update(file.data).digest("hex"), done.sha256);
    assert.equal(file.sha256, done.sha256);
    assert.deepEqual([...file.data.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], "an xlsx is a ZIP");
    const listed = await keyClient.exports.list({ limit: 5 });
    assert.ok(listed.data.some((e) => e.id === exp.id));
  });

  test("typed errors: 404 not_found with requestId; 400 and 422 with field errors; 401", async () => {
    await assert.rejects(keyClient.loans.retrieve("loan_doesNotExist000000000000"), (err) => {
      assert.ok(err instanceof NotFoundError && err instanceof CoinboxError);
      assert.equal(err.status, 404);
      assert.equal(err.code, "not_found");
      assert.match(err.requestId, /^req_/);
      assert.equal(err.requestId, err.headers.get("x-request-id"));
      return true;
    });
    await assert.rejects(
      keyClient.loans.create({ amount: -5, interestRate: 18, termDays: 30, purpose: "x" }),
      (err) => {
        assert.ok(err instanceof InvalidRequestError);
        assert.equal(err.status, 400);
        assert.ok(err.errors.some((e) => e.field === "amount"), JSON.stringify(err.errors));
        return true;
      },
    );
    const before = (await keyClient.wallet.retrieve()).balance;
    const open = await investor.client.loans.create({ amount: 500_000, interestRate: 20, termDays: 30, purpose: "Too big to fund" });
    await assert.rejects(keyClient.investments.create({ loanId: open.id, amount: open.amount }), (err) => {
      assert.ok(err instanceof UnprocessableError);
      assert.equal(err.status, 422);
      assert.equal(err.code, "insufficient_funds");
      assert.deepEqual(err.errors.map((e) => [e.field, e.code]), [["amount", "insufficient_funds"]]);
      assert.match(err.requestId, /^req_/);
      return true;
    });
    assert.equal((await keyClient.wallet.retrieve()).balance, before, "nothing moved");
    await assert.rejects(
      new Coinbox({ apiKey: "cb_live_notAValidKey", baseUrl: API_BASE(), maxRetries: 0 }).me(),
      (err) => err instanceof AuthenticationError && err.code === "invalid_api_key" && err.status === 401,
    );
  });

  test("an idempotent POST: the same key replays the first answer; another body is a conflict", async () => {
    const idempotencyKey = unique("idem-");
    const body = { amount: 30_000, interestRate: 17, termDays: 14, purpose: "Idempotent" };
    const first = await keyClient.loans.create(body, { idempotencyKey }).withResponse();
    assert.equal(first.status, 201);
    assert.equal(first.idempotentReplayed, false);
    const again = await keyClient.loans.create(body, { idempotencyKey }).withResponse();
    assert.equal(again.idempotentReplayed, true);
    assert.equal(again.data.id, first.data.id);
    const mine = await keyClient.loans.list({ limit: 100 }).toArray();
    assert.equal(mine.filter((l) => l.purpose === "Idempotent").length, 1, "one loan written");
    await assert.rejects(
      keyClient.loans.create({ ...body, amount: 30_001 }, { idempotencyKey }),
      (err) => err instanceof IdempotencyConflictError && err.status === 422,
    );
    // without an explicit key every call gets its own: two calls, two loans
    const a = await keyClient.loans.create({ ...body, purpose: "Auto key" });
    const b = await keyClient.loans.create({ ...body, purpose: "Auto key" });
    assert.notEqual(a.id, b.id);
  });

  test("resources: wallet, transactions, crypto orders and order book, messages, events, event types, key usage", async () => {
    const deposit = await keyClient.wallet.deposit({ asset: "BTC", quantity: "0.01" });
    assert.equal(deposit.asset, "BTC");
    const txn = await keyClient.transactions.retrieve(deposit.id);
    assert.equal(txn.id, deposit.id);
    const txns = await keyClient.transactions.list({ limit: 3 }).toArray();
    assert.ok(txns.length >= 3);
    const order = await keyClient.crypto.orders.create({ asset: "BTC", side: "sell", quantity: "0.005", price: 125_000_000 });
    assert.equal(order.status, "open");
    const book = await keyClient.crypto.orderBook("BTC");
    assert.ok(JSON.stringify(book).includes(order.id), "the listing is in the order book");
    const cancelled = await keyClient.crypto.orders.cancel(order.id);
    assert.equal(cancelled.status, "cancelled");
    assert.equal((await keyClient.crypto.orders.retrieve(order.id)).status, "cancelled");
    const page = await keyClient.messages.list({ limit: 5 });
    assert.ok(Array.isArray(page.data));
    const events = await keyClient.events.list({ limit: 5, type: "loan.created" });
    for (const e of events.data) assert.equal(e.type, "loan.created");
    const types = await keyClient.eventTypes.list();
    assert.ok(types.some((t) => t.type === "loan.completed"));
    const me = await keyClient.me();
    const keys = await borrower.client.apiKeys.list().toArray();
    assert.equal(keys.length, 1);
    const usage = await borrower.client.apiKeys.usage(keys[0].id, { granularity: "hour" });
    assert.equal(usage.keyId, keys[0].id);
    assert.ok(usage.totals.requests >= 20, `the key's requests are logged (${usage.totals.requests})`);
    assert.ok(usage.byRoute.some((r) => r.route === "POST /v1/loans" && r.requests > 0));
    assert.equal(me.id, borrower.uid);
  });

  test("CORS: the API admits the headers the SDK sends from a browser (portal origin)", async () => {
    const portal = new URL(API_BASE()).origin; // this stack's Hosting: the portal's origin
    const res = await fetch(`${API_BASE()}/loans`, {
      method: "OPTIONS",
      headers: {
        Origin: portal,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,idempotency-key,x-coinbox-client",
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), portal);
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    for (const h of ["authorization", "content-type", "idempotency-key", "x-coinbox-client"]) {
      assert.ok(allowed.includes(h), `${h} allowed (got ${allowed})`);
    }
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").toLowerCase();
    for (const h of ["x-request-id", "idempotent-replayed", "retry-after", "ratelimit"]) {
      assert.ok(exposed.includes(h), `${h} exposed`);
    }
  });

  test("ID-token mode takes a function, called for every request (the portal's refresh)", async () => {
    let calls = 0;
    const client = new Coinbox({
      token: async () => {
        calls++;
        return investor.token;
      },
      baseUrl: API_BASE(),
    });
    assert.equal((await client.me()).id, investor.uid);
    await client.wallet.retrieve();
    assert.equal(calls, 2);
    assert.equal(VERSION, "0.1.0");
    assert.ok(keySecret);
  });
});
