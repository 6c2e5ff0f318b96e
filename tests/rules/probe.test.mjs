// Proves the harness can tell allowed from denied: the same kinds of requests deny-all.test.mjs
// makes succeed against deliberately permissive rules. If this file passes and deny-all fails,
// someone opened firestore.rules; if assertFails could never fail, this file would fail.
//
// It loads its own rules into its own project (demo-coinbox-rules-probe), never into the one
// the stack or the other rules tests use.

import { after, before, test } from 'node:test';

import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { collection, doc, getDoc, getDocs, query, setDoc, updateDoc, where } from 'firebase/firestore';

import { runId, testEnv } from './harness.mjs';

const PROJECT = 'demo-coinbox-rules-probe';
const RUN = runId();
const OWNER = `owner-${RUN}`;
const OTHER = `other-${RUN}`;
const LOAN = `loan-${RUN}`;

// The kinds of allows people add "just for the portal": owner-by-field, owner-by-path, admin claim.
const PERMISSIVE = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /loans/{id} {
      allow get, list: if request.auth != null && resource.data.borrowerId == request.auth.uid;
    }
    match /users/{uid} {
      allow read, create, update: if request.auth != null && request.auth.uid == uid;
    }
    match /health/{id} {
      allow read: if request.auth.token.role == 'admin';
    }
  }
}`;

let env;

before(async () => {
  env = await testEnv(PROJECT, PERMISSIVE);
  await env.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    await setDoc(doc(db, 'loans', LOAN), { borrowerId: OWNER, amount: 50000 });
    await setDoc(doc(db, 'users', OWNER), { userId: OWNER, role: 'user' });
    await setDoc(doc(db, 'health', 'ping'), { ok: true });
  });
});

after(async () => {
  await env?.cleanup();
});

test('probe: an owner-by-field read rule lets the owner get and query, not others', async () => {
  const owner = env.authenticatedContext(OWNER).firestore();
  await assertSucceeds(getDoc(doc(owner, 'loans', LOAN)));
  await assertSucceeds(getDocs(query(collection(owner, 'loans'), where('borrowerId', '==', OWNER))));
  const other = env.authenticatedContext(OTHER).firestore();
  await assertFails(getDoc(doc(other, 'loans', LOAN)));
});

test('probe: an owner-by-path rule lets a user create and update their own profile', async () => {
  const other = env.authenticatedContext(OTHER).firestore();
  await assertSucceeds(setDoc(doc(other, 'users', OTHER), { userId: OTHER }));
  const owner = env.authenticatedContext(OWNER).firestore();
  await assertSucceeds(updateDoc(doc(owner, 'users', OWNER), { role: 'admin' }));
  await assertFails(updateDoc(doc(other, 'users', OWNER), { role: 'admin' }));
});

test('probe: an admin-claim rule lets role=admin read', async () => {
  const admin = env.authenticatedContext(`admin-${RUN}`, { role: 'admin' }).firestore();
  await assertSucceeds(getDoc(doc(admin, 'health', 'ping')));
  await assertFails(getDoc(doc(env.unauthenticatedContext().firestore(), 'health', 'ping')));
});
