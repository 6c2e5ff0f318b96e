// Static checks on firestore.rules (no emulator needed): the file stays deny-by-default.
// Every `allow` must be unconditional `if false`; the only match is the catch-all.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { RULES_PATH } from './harness.mjs';

function source() {
  // Strip // and /* */ comments so that commented-out text neither hides nor fakes a rule.
  return readFileSync(RULES_PATH, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/[^\n]*/g, '');
}

test('firestore.rules uses rules_version 2 and the cloud.firestore service', () => {
  const src = source();
  assert.match(src, /rules_version\s*=\s*'2'\s*;/);
  assert.match(src, /service\s+cloud\.firestore\s*\{/);
});

test('every allow statement in firestore.rules is `if false`', () => {
  const allows = [...source().matchAll(/\ballow\b([^;]*);/g)].map((m) => m[1].trim());
  assert.ok(allows.length >= 1, 'no allow statement found: the parser is out of date');
  for (const stmt of allows) {
    assert.match(stmt, /^[a-z,\s]+:\s*if\s+false$/, `an allow that is not \`if false\`: allow ${stmt};`);
  }
});

test('firestore.rules matches only the catch-all path', () => {
  const matches = [...source().matchAll(/\bmatch\s+(\S+)\s*\{/g)].map((m) => m[1]);
  assert.deepEqual(matches, ['/databases/{database}/documents', '/{document=**}']);
});

test('firestore.rules defines no functions that could be used to open access', () => {
  assert.doesNotMatch(source(), /\bfunction\s+\w+\s*\(/);
});
