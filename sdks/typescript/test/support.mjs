// Helpers for the tests that run against the live local stack (scripts/stack.py exec sets
// COINBOX_API_BASE, FIREBASE_AUTH_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST, GCLOUD_PROJECT).
// People are real Auth emulator accounts with ID tokens; one admin profile is written to the
// Firestore emulator (as scripts/seed.py and tests/support.py do), and that admin then verifies
// the other users' KYC and sets their tier through the API, as staff would.
import { randomBytes } from "node:crypto";
import { Coinbox } from "../dist/index.js";

export function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run under the stack, e.g. make sdk-typescript-test`);
  }
  return value;
}

export const API_BASE = () => env("COINBOX_API_BASE");
export const unique = (prefix = "u") => `${prefix}${randomBytes(5).toString("hex")}`;

/** A new Auth emulator account: {uid, token, email}. */
export async function signUp(email = `${unique()}@example.test`) {
  const url = `http://${env("FIREBASE_AUTH_EMULATOR_HOST")}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake`;
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password: "password123", returnSecureToken: true }),
  });
  if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const body = await res.json();
  return { uid: body.localId, token: body.idToken, email };
}

/** A client acting as a person (ID-token mode). */
export function personClient(token, options = {}) {
  return new Coinbox({ token, baseUrl: API_BASE(), ...options });
}

let adminPromise = null;

/** One admin per test process: an Auth account whose profile document says role admin. */
export function admin() {
  adminPromise ??= (async () => {
    const user = await signUp();
    const project = process.env.GCLOUD_PROJECT || "demo-coinbox";
    const url =
      `http://${env("FIRESTORE_EMULATOR_HOST")}/v1/projects/${project}/databases/(default)` +
      `/documents/users/${user.uid}`;
    const res = await fetch(url, {
      method: "PATCH",
      headers: { Authorization: "Bearer owner", "Content-Type": "application/json" },
      body: JSON.stringify({
        fields: {
          email: { stringValue: user.email },
          displayName: { stringValue: "SDK test admin" },
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

/**
 * A verified user of `tier` with `balance` cents in the wallet: {uid, token, email, client}
 * (client in ID-token mode).
 */
export async function makeUser({ tier = "business", balance = 0 } = {}) {
  const user = await signUp();
  const client = personClient(user.token);
  await client.me(); // the first authenticated request creates the profile
  const staff = await admin();
  const profile = await staff.client.admin.users.update(user.uid, {
    kycStatus: "verified",
    membershipTier: tier,
  });
  if (profile.kycStatus !== "verified" || profile.membershipTier !== tier) {
    throw new Error(`admin update did not apply: ${JSON.stringify(profile)}`);
  }
  if (balance) await client.wallet.deposit({ amount: balance });
  return { ...user, client };
}

/** Poll `fn` until it returns a truthy value (or fail after timeoutMs). */
export async function waitFor(fn, { timeoutMs = 30_000, intervalMs = 250, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
