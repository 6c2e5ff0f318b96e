// Shared set-up for the Firestore rules tests (node --test tests/rules/; not a test file itself).
//
// The emulator comes from FIRESTORE_EMULATOR_HOST (host:port), which `scripts/stack.py exec`
// sets. Each test file uses its own demo- project id, so its documents and the rules it loads
// never touch the stack's `demo-coinbox` data or another file's project. Nothing is cleared:
// every run writes under fresh ids.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { initializeTestEnvironment } from '@firebase/rules-unit-testing';
import { setLogLevel } from 'firebase/firestore';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RULES_PATH = join(ROOT, 'firestore.rules');

// Denied requests make the SDK log every PERMISSION_DENIED as a warning; keep the output readable.
setLogLevel('silent');

export function emulatorHost() {
  const raw = process.env.FIRESTORE_EMULATOR_HOST;
  if (!raw) {
    throw new Error(
      'FIRESTORE_EMULATOR_HOST is not set. Run the rules tests inside the stack: ' +
        '`functions/venv/bin/python scripts/stack.py exec -- node --test tests/rules/` (or `make rules-test`).',
    );
  }
  const at = raw.lastIndexOf(':');
  const host = raw.slice(0, at);
  const port = Number(raw.slice(at + 1));
  if (at < 1 || !Number.isInteger(port)) {
    throw new Error(`FIRESTORE_EMULATOR_HOST must be host:port, got ${JSON.stringify(raw)}`);
  }
  return { host, port };
}

/** A test environment on the emulator for `projectId` with `rules` (default: firestore.rules). */
export async function testEnv(projectId, rules = readFileSync(RULES_PATH, 'utf8')) {
  const { host, port } = emulatorHost();
  const firestore = { host, port };
  if (rules !== null) firestore.rules = rules;
  return initializeTestEnvironment({ projectId, firestore });
}

/** Short unique id for one run, so concurrent and repeated runs never share documents. */
export function runId() {
  return randomUUID().replaceAll('-', '').slice(0, 12);
}
