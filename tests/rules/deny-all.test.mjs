// firestore.rules is deny-by-default: every client request is refused, whoever makes it.
//
// Clients reach data only through the API (the Cloud Functions use the Admin SDK, which the rules
// do not bind). So for every collection the platform has or will have, plus an unknown collection
// and subcollections, four principals are refused every operation:
//   unauthenticated; the owner (uid matches the document's id and its userId/borrowerId/... fields);
//   another signed-in user; a user whose token carries the custom claim role=admin.
// Operations: get, list (unfiltered, filtered on each owner field as the owner's rules would
// require, and as a collection-group query), create (a self-owned new document, also at the
// caller's own uid as id), update and delete of the seeded document. An `allow` added to
// firestore.rules that lets any of them through makes a test here fail.
//
// Run inside the stack: functions/venv/bin/python scripts/stack.py exec -- node --test tests/rules/

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  collection,
  collectionGroup,
  deleteDoc,
  doc,
  getDoc,
  getDocs,
  limit,
  query,
  setDoc,
  updateDoc,
  where,
} from 'firebase/firestore';

import { runId, testEnv } from './harness.mjs';

const PROJECT = 'demo-coinbox-rules';
const RUN = runId();
const OWNER = `owner-${RUN}`;
const OTHER = `other-${RUN}`;
const ADMIN = `admin-${RUN}`;

// Every field through which a rule might tie a document to a user.
const OWNER_FIELDS = [
  'userId',
  'borrowerId',
  'investorId',
  'ownerId',
  'uid',
  'createdBy',
  'recipientId',
  'senderId',
];

// Top-level collections of the platform (README, docs/), now and planned. Keyed ones use the uid as id.
const KEYED_BY_UID = new Set(['users', 'wallets']);
const COLLECTIONS = [
  'users',
  'wallets',
  'transactions',
  'loans',
  'investments',
  'cryptoOrders',
  'notifications',
  'apiKeys',
  'apiKeyEvents',
  'apiRequestLogs',
  'rateLimits',
  'idempotencyKeys',
  'webhookSubscriptions',
  'webhookEvents',
  'webhookDeliveries',
  'bulkOperationsLog',
  'exportLogs',
  'health',
  'userQuotas',
];

// A target: where its seeded document lives and where a caller would create one of its own.
// `coll(uid)` is the collection path for a given owner (subcollections live under the owner).
function topLevel(name) {
  return {
    name,
    group: name,
    coll: () => name,
    seedId: KEYED_BY_UID.has(name) ? OWNER : `seed-${RUN}`,
  };
}
const TARGETS = [
  ...COLLECTIONS.map(topLevel),
  topLevel(`unknown_${RUN}`),
  // Subcollections under a user's own documents: the classic owner-path leak.
  { name: 'users/{uid}/sessions', group: 'sessions', coll: (uid) => `users/${uid}/sessions`, seedId: `seed-${RUN}` },
  { name: 'wallets/{uid}/history', group: 'history', coll: (uid) => `wallets/${uid}/history`, seedId: `seed-${RUN}` },
  { name: 'loans/{id}/events', group: 'events', coll: () => `loans/seed-${RUN}/events`, seedId: `seed-${RUN}` },
];

function owned(uid, extra = {}) {
  const data = { status: 'active', amount: 150000, balance: 150000, role: 'user', ...extra };
  for (const f of OWNER_FIELDS) data[f] = uid;
  return data;
}

const PRINCIPALS = [
  { label: 'unauthenticated', uid: null, ctx: (env) => env.unauthenticatedContext() },
  { label: 'owner', uid: OWNER, ctx: (env) => env.authenticatedContext(OWNER) },
  { label: 'another user', uid: OTHER, ctx: (env) => env.authenticatedContext(OTHER) },
  {
    label: 'admin (custom claim role=admin)',
    uid: ADMIN,
    ctx: (env) => env.authenticatedContext(ADMIN, { role: 'admin', admin: true }),
  },
];

let env;
const dbs = new Map(); // one client per principal, reused by its tests

before(async () => {
  env = await testEnv(PROJECT);
  for (const p of PRINCIPALS) dbs.set(p.label, p.ctx(env).firestore());
  await env.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    await Promise.all(
      TARGETS.map((t) => setDoc(doc(db, t.coll(OWNER), t.seedId), owned(OWNER, { seeded: RUN }))),
    );
  });
});

after(async () => {
  await env?.cleanup();
});

test('harness: with rules disabled the seeded documents are readable and listable', async () => {
  await env.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    for (const t of TARGETS) {
      const snap = await assertSucceeds(getDoc(doc(db, t.coll(OWNER), t.seedId)));
      assert.ok(snap.exists(), `${t.name}: seeded document missing`);
      assert.equal(snap.get('seeded'), RUN);
      assert.equal(snap.get('userId'), OWNER);
      const listed = await assertSucceeds(
        getDocs(query(collection(db, t.coll(OWNER)), where('userId', '==', OWNER))),
      );
      assert.ok(
        listed.docs.some((d) => d.id === t.seedId),
        `${t.name}: owner query misses the seed`,
      );
    }
  });
});

for (const t of TARGETS) {
  describe(`${t.name} is closed to clients`, () => {
    for (const p of PRINCIPALS) {
      const mine = p.uid ?? OWNER; // the owner id a caller would claim in data it writes

      test(`${p.label}: get denied`, async () => {
        const db = dbs.get(p.label);
        await assertFails(getDoc(doc(db, t.coll(OWNER), t.seedId)));
        // Also a document of the caller's own (the id a per-user rule would key on).
        await assertFails(getDoc(doc(db, t.coll(mine), mine)));
      });

      test(`${p.label}: list and query denied`, async () => {
        const db = dbs.get(p.label);
        const queries = [
          collection(db, t.coll(OWNER)),
          query(collection(db, t.coll(OWNER)), limit(1)),
          ...OWNER_FIELDS.map((f) => query(collection(db, t.coll(mine)), where(f, '==', mine))),
          query(collectionGroup(db, t.group), where('userId', '==', mine)),
          collectionGroup(db, t.group),
        ];
        for (const q of queries) await assertFails(getDocs(q));
      });

      test(`${p.label}: create denied`, async () => {
        const db = dbs.get(p.label);
        const base = t.coll(mine);
        const targets = [doc(db, base, `new-${runId()}`)];
        // A document keyed by the caller's own uid, unless that is the seeded one (then a write
        // is an update, covered below).
        if (!(base === t.coll(OWNER) && mine === t.seedId)) targets.push(doc(db, base, mine));
        for (const ref of targets) await assertFails(setDoc(ref, owned(mine)));
      });

      test(`${p.label}: update denied`, async () => {
        const db = dbs.get(p.label);
        const ref = doc(db, t.coll(OWNER), t.seedId);
        await assertFails(updateDoc(ref, { status: 'tampered', balance: 999999999 }));
        await assertFails(setDoc(ref, { status: 'tampered' }, { merge: true }));
        await assertFails(setDoc(ref, owned(mine, { status: 'tampered' })));
      });

      test(`${p.label}: delete denied`, async () => {
        const db = dbs.get(p.label);
        await assertFails(deleteDoc(doc(db, t.coll(OWNER), t.seedId)));
      });
    }
  });
}

test('nothing changed: every seeded document is still intact, no new document appeared', async () => {
  await env.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    for (const t of TARGETS) {
      const snap = await getDoc(doc(db, t.coll(OWNER), t.seedId));
      assert.ok(snap.exists(), `${t.name}: seeded document was deleted`);
      assert.deepEqual(snap.data(), owned(OWNER, { seeded: RUN }), `${t.name}: seeded document changed`);
      for (const uid of [OWNER, OTHER, ADMIN]) {
        const all = await getDocs(collection(db, t.coll(uid)));
        const foreign = all.docs.filter((d) => d.id !== t.seedId && d.get('userId') === uid);
        assert.deepEqual(
          foreign.map((d) => d.ref.path),
          [],
          `${t.name}: a client created documents`,
        );
      }
    }
  });
});
