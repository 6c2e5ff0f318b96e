// Every page in Chromium: the demo users sign in, axe-core passes, the layout fits a laptop and
// a phone (screenshots of both in .stack/screenshots/), time from navigation to interactive,
// the error catalogue and the error states (problem detail and requestId).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  API, Coinbox, DESKTOP, PHONE, ROOT, SCREENSHOTS, WEB, axe, launch, makeUser, newPage, screenshot, signIn, signInRest,
} from "./support.mjs";

const DEMO = [
  ["admin@coinbox.test", "admin", "business"],
  ["support@coinbox.test", "support", "basic"],
  ["thandi@coinbox.test", "user", "vip"],
  ["sipho@coinbox.test", "user", "business"],
];
const GUIDES = ["getting-started", "authentication", "rate-limits", "idempotency", "webhooks", "bulk-csv"];
const PUBLIC = ["/", "/docs", ...GUIDES.map((g) => `/docs/${g}`), "/docs/errors"];
const SIGNED_IN = [
  "/developer/keys", "/developer/usage", "/developer/webhooks", "/developer/events",
  "/bulk/loans", "/bulk/investments", "/bulk/crypto-orders", "/bulk/messages", "/bulk/exports",
];

let browser;
before(async () => {
  browser = await launch();
  // The demo users of `make dev` (scripts/seed.py); seed them if this stack has not yet.
  if (!(await signInRest(DEMO[0][0], "coinbox-demo"))) {
    const seeded = spawnSync(join(ROOT, "functions/venv/bin/python"), [join(ROOT, "scripts/seed.py")], {
      cwd: ROOT, env: { ...process.env, PYTHONPATH: ROOT }, encoding: "utf8", timeout: 240_000,
    });
    assert.equal(seeded.status, 0, seeded.stderr);
  }
});
after(async () => browser?.close());

test("each demo user printed by make dev signs in, sees role, tier and KYC, and signs out", async () => {
  for (const [email, role, tier] of DEMO) {
    const page = await newPage(browser);
    await signIn(page, "/developer", email, "coinbox-demo");
    await page.getByText(email).click(); // the account menu
    const rest = await signInRest(email, "coinbox-demo");
    const me = await new Coinbox({ token: rest.token, baseUrl: API() }).me();
    assert.equal(me.role, role);
    assert.equal(me.membershipTier, tier);
    assert.equal(await page.getByTestId("role").textContent(), me.role);
    assert.equal(await page.getByTestId("tier").textContent(), me.membershipTier);
    assert.match(await page.getByTestId("kyc").textContent(), new RegExp(`^${me.kycStatus}`));
    if (role === "admin") await screenshot(page, "account-menu");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test("the keyboard alone signs in and moves between tabs", async () => {
  const page = await newPage(browser);
  await page.goto(`${WEB()}/developer`, { waitUntil: "domcontentloaded" });
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to content");
  await page.getByLabel("E-mail").focus();
  await page.keyboard.type("thandi@coinbox.test");
  await page.keyboard.press("Tab");
  await page.keyboard.type("coinbox-demo");
  await page.keyboard.press("Enter");
  await page.locator("#panel[data-ready]").waitFor();
  await page.getByRole("link", { name: "Webhooks", exact: true }).focus();
  await page.keyboard.press("Enter");
  await page.locator('#panel[data-ready="/developer/webhooks"]').waitFor();
  assert.equal(new URL(page.url()).pathname, "/developer/webhooks");
  await page.context().close();
});

test("a wrong password is refused on the page", async () => {
  const page = await newPage(browser);
  await page.goto(`${WEB()}/bulk`, { waitUntil: "domcontentloaded" });
  await page.getByLabel("E-mail").fill("thandi@coinbox.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").getByText("do not match an account").waitFor();
  await screenshot(page, "signin-refused");
  await page.context().close();
});

/** Open `path`, wait until the page says it is interactive; ms from navigation start. */
async function open(page, path) {
  await page.goto(WEB() + path, { waitUntil: "domcontentloaded" });
  await page.locator("[data-ready]").first().waitFor({ timeout: 60_000 });
  return page.evaluate(() => Math.round(performance.now()));
}

test("every page passes axe-core, fits a laptop and a phone, and is screenshotted", async () => {
  const staff = await makeUser({ tier: "business", role: "admin" });
  // Something on every page: a key with usage, loans, their events, a bulk batch and an export.
  const key = await staff.client.apiKeys.create({ name: "Screenshots" });
  const program = new Coinbox({ apiKey: key.secret, baseUrl: API(), maxRetries: 0 });
  await program.loans.create({ amount: 120_000, interestRate: 18, termDays: 30, purpose: "Stock" });
  for (let i = 0; i < 3; i++) await program.loans.list({ limit: 5 });
  await program.loans.retrieve("loan_doesNotExist").catch(() => undefined); // a 404 in the error chart
  await staff.client.bulk.loans({ items: [{ amount: 90_000, interestRate: 20, termDays: 60, purpose: "Sewing machine" }] });
  await staff.client.exports.create({ type: "loans", format: "csv" });
  const timings = {};
  for (const viewport of [DESKTOP, PHONE]) {
    const tag = viewport === PHONE ? "phone" : "laptop";
    const page = await newPage(browser, viewport);
    // signed out: the sign-in page
    timings[`${tag} /developer (sign-in form)`] = await open(page, "/developer");
    if (viewport === DESKTOP) assert.deepEqual(await axe(page), [], "sign-in page");
    await screenshot(page, `${tag}-signin`);
    for (const path of PUBLIC) {
      timings[`${tag} ${path}`] = await open(page, path);
      await page.waitForTimeout(200);
      if (viewport === DESKTOP) assert.deepEqual(await axe(page), [], path);
      await screenshot(page, `${tag}${path === "/" ? "-landing" : path.replaceAll("/", "-")}`);
    }
    await signIn(page, "/developer", staff.email);
    for (const path of SIGNED_IN) {
      timings[`${tag} ${path}`] = await open(page, path);
      await page.waitForTimeout(300); // charts draw on the next frame
      if (viewport === DESKTOP) assert.deepEqual(await axe(page), [], path);
      else {
        // Nothing wider than the phone but tables, which scroll inside their own box.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `${path} is ${overflow}px wider than the phone`);
      }
      await screenshot(page, `${tag}${path.replaceAll("/", "-")}`);
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
  // The machine's load matters for these figures (2 cores shared with other work).
  timings.loadAverage = loadavg().map((l) => Number(l.toFixed(1)));
  writeFileSync(join(SCREENSHOTS, "timings.json"), JSON.stringify(timings, null, 2));
  console.log("time from navigation to interactive (ms):", JSON.stringify(timings, null, 2));
});

test("the error catalogue has an entry for every code of the OpenAPI document", async () => {
  const doc = await new Coinbox({ baseUrl: API() }).openapi();
  let codes;
  if (Array.isArray(doc["x-coinbox-errors"])) codes = doc["x-coinbox-errors"].map((e) => e.code);
  else {
    codes = new Set();
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        for (const [status, resp] of Object.entries(op.responses ?? {})) {
          if (/^[45]/.test(status)) for (const m of (resp.description ?? "").matchAll(/`([a-z][a-z0-9_]*)`/g)) codes.add(m[1]);
        }
      }
    }
    codes.delete("errors");
    codes = [...codes];
  }
  assert.ok(codes.length > 10, `only ${codes.length} codes`);
  const page = await newPage(browser);
  await open(page, "/docs/errors");
  const ids = await page.locator(".error-entry").evaluateAll((els) => els.map((e) => e.id));
  assert.deepEqual(ids.sort(), [...codes].sort());
  // A real problem's code (and, once problems link here, its `type`) lands on its entry.
  const err = await new Coinbox({ baseUrl: API(), maxRetries: 0 }).loans.list().catch((e) => e);
  assert.equal(err.code, "unauthenticated");
  const target = err.problem?.type?.startsWith("/docs/errors#") ? err.problem.type : `/docs/errors#${err.code}`;
  await page.goto(WEB() + target, { waitUntil: "domcontentloaded" });
  await page.locator(`#${err.code}`).waitFor();
  assert.match(await page.locator(`#${err.code}`).textContent(), /401/);
  await page.context().close();
});

test("the error catalogue renders the x-coinbox-errors registry when the document has one", async () => {
  // The registry is not in this API's document yet: serve the real document plus a registry
  // (the shape the error-code registry adds) to the page, and check the page renders it.
  const doc = await new Coinbox({ baseUrl: API() }).openapi();
  const registry = [
    { code: "insufficient_funds", status: 422, title: "Insufficient funds", description: "The wallet balance is below the amount plus fees.", fix: "Deposit or lower the amount." },
    { code: "not_found", status: 404, title: "Not found", description: "No such object, or it is not yours.", fix: "Check the id." },
  ];
  const page = await newPage(browser);
  await page.route("**/v1/openapi.json", (route) =>
    route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ ...doc, "x-coinbox-errors": registry }) }));
  await open(page, "/docs/errors#insufficient_funds");
  const ids = await page.locator(".error-entry").evaluateAll((els) => els.map((e) => e.id));
  assert.deepEqual(ids, ["not_found", "insufficient_funds"]); // by status
  const entry = page.locator("#insufficient_funds");
  assert.match(await entry.textContent(), /422.*Insufficient funds.*below the amount plus fees.*Fix: Deposit or lower the amount\./s);
  await page.context().close();
});

test("an error state shows the problem's detail and requestId", async () => {
  const user = await makeUser({ tier: "business" });
  const page = await newPage(browser);
  await signIn(page, "/developer/webhooks", user.email);
  // The local stack delivers to loopback only: a public URL is refused by the API.
  await page.getByLabel("Endpoint URL").fill("https://example.com/coinbox/webhooks");
  await page.getByRole("button", { name: "Create endpoint" }).click();
  const alert = page.getByRole("alert");
  await alert.waitFor();
  const requestId = await alert.getByTestId("request-id").textContent();
  assert.match(requestId, /^req_/);
  assert.match(await alert.locator(".detail").textContent(), /\w+/);
  await screenshot(page, "error-state");
  assert.deepEqual((await user.client.webhooks.list()).data, []); // nothing was created
  await page.context().close();
});
