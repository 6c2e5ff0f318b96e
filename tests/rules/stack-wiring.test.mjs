// The stack's own project (demo-coinbox, started from firebase.json) enforces firestore.rules:
// firebase.json points the emulator at the file and a client is refused there too. This file
// loads no rules itself; it only runs meaningfully inside `scripts/stack.py exec`.

import { after, before, test } from 'node:test';

import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { doc, getDoc, setDoc } from 'firebase/firestore';

import { runId, testEnv } from './harness.mjs';

const RUN = runId();
const UID = `owner-${RUN}`;
const PATH = ['zzRulesWiring', `doc-${RUN}`];

let env;

before(async () => {
  env = await testEnv('demo-coinbox', null); // null: keep the rules the stack loaded
  await env.withSecurityRulesDisabled(async (ctx) => {
    await setDoc(doc(ctx.firestore(), ...PATH), { userId: UID });
  });
});

after(async () => {
  await env?.cleanup();
});

test('stack project demo-coinbox denies clients (firebase.json -> firestore.rules)', async () => {
  await env.withSecurityRulesDisabled(async (ctx) => {
    await assertSucceeds(getDoc(doc(ctx.firestore(), ...PATH)));
  });
  await assertFails(getDoc(doc(env.unauthenticatedContext().firestore(), ...PATH)));
  await assertFails(getDoc(doc(env.authenticatedContext(UID).firestore(), ...PATH)));
  await assertFails(getDoc(doc(env.authenticatedContext(UID, { role: 'admin' }).firestore(), 'users', UID)));
});
