// Helpers for the browser tests: Debian's Chromium driven by playwright-core (never a browser
// download), against the live local stack that scripts/stack.py exec starts (it sets
// COINBOX_HOSTING_BASE, COINBOX_API_BASE, FIREBASE_AUTH_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST).
// What the pages did is read back from the API with @coinbox/sdk (sdks/typescript/dist).
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, "../..");
export const SCREENSHOTS = join(ROOT, ".stack", "screenshots");
const { chromium } = await import(join(ROOT, "web/node_modules/playwright-core/index.mjs"));
export const { Coinbox } = await import(join(ROOT, "sdks/typescript/dist/index.js"));

export const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };
export const PASSWORD = "password123";

export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run under the stack (scripts/stack.py exec)`);
  return value;
}
export const WEB = () => env("COINBOX_HOSTING_BASE");
export const API = () => env("COINBOX_API_BASE");
export const unique = (prefix = "w") => `${prefix}${randomBytes(5).toString("hex")}`;

export async function launch() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: FLAGS, timeout: 60_000 });
}

/** A page whose console errors and failed requests are collected in page.problems. */
export async function newPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, ...(viewport === PHONE ? { isMobile: true, hasTouch: true } : {}) });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.setDefaultNavigationTimeout(90_000);
  page.problems = [];
  page.on("pageerror", (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") page.problems.push(`console: ${msg.text()}`);
  });
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** axe-core (npm) on the current page: the violations, [] when it passes. */
export async function axe(page) {
  await page.addScriptTag({ path: join(ROOT, "web/node_modules/axe-core/axe.min.js") });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  return result;
}

/** Sign in through the page's form and wait for the signed-in frame. */
export async function signIn(page, path, email, password = PASSWORD) {
  await page.goto(WEB() + path, { waitUntil: "domcontentloaded" });
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Signed in, or a problem the page shows (then fail at once, with what it says).
  await page.locator("#panel[data-ready]").or(page.locator("main .problem")).first().waitFor();
  if (!(await page.locator("#panel[data-ready]").count())) {
    await screenshot(page, `signin-failed${path.replaceAll("/", "-")}`);
    throw new Error(`sign-in on ${path} failed: ${(await page.locator("main").innerText()).slice(0, 500)}; ${page.problems.join("; ")}`);
  }
}

// --- people ------------------------------------------------------------------------------------

const authUrl = (path) => `http://${env("FIREBASE_AUTH_EMULATOR_HOST")}/identitytoolkit.googleapis.com/v1/${path}`;

export async function signInRest(email, password) {
  const res = await fetch(authUrl("accounts:signInWithPassword?key=fake"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password, returnSecureToken: true }),
  });
  if (!res.ok) return null;
  const body = await res.json();
  return { uid: body.localId, token: body.idToken, email };
}

async function signUp(email = `${unique()}@example.test`) {
  const res = await fetch(authUrl("accounts:signUp?key=fake"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD, returnSecureToken: true }),
  });
  if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const body = await res.json();
  return { uid: body.localId, token: body.idToken, email };
}

export const personClient = (token) => new Coinbox({ token, baseUrl: API() });

let adminPromise = null;
/** One admin per test file: an Auth account whose profile document says role admin. */
export function admin() {
  adminPromise ??= (async () => {
    const user = await signUp();
    const project = process.env.GCLOUD_PROJECT || "demo-coinbox";
    const url = `http://${env("FIRESTORE_EMULATOR_HOST")}/v1/projects/${project}/databases/(default)/documents/users/${user.uid}`;
    const res = await fetch(url, {
      method: "PATCH",
      headers: { Authorization: "Bearer owner", "Content-Type": "application/json" },
      body: JSON.stringify({
        fields: {
          email: { stringValue: user.email },
          displayName: { stringValue: "Browser test admin" },
          role: { stringValue: "admin" },
          membershipTier: { stringValue: "business" },
          kycStatus: { stringValue: "verified" },
          kycReason: { nullValue: null },
          createdAt: { timestampValue: new Date().toISOString() },
          updatedAt: { nullValue: null },
        },
      }),
    });
    if (!res.ok) throw new Error(`writing the admin profile failed: ${res.status} ${await res.text()}`);
    return { ...user, client: personClient(user.token) };
  })();
  return adminPromise;
}

/** A verified user of `tier` with `balance` cents: {uid, email, token, client}. */
export async function makeUser({ tier = "business", balance = 0, role } = {}) {
  const user = await signUp();
  const client = personClient(user.token);
  await client.me(); // the first authenticated request creates the profile
  const staff = await admin();
  await staff.client.admin.users.update(user.uid, { kycStatus: "verified", membershipTier: tier, ...(role ? { role } : {}) });
  if (balance) await client.wallet.deposit({ amount: balance });
  return { ...user, client };
}

/** Poll `fn` until it returns a truthy value (or fail after timeoutMs). */
export async function waitFor(fn, { timeoutMs = 30_000, intervalMs = 300, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
