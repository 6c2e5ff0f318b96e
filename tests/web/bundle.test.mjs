// The JS + CSS budget: ≤ 250 KB gzipped for the portal and the dashboard together (what
// /developer and /bulk load up front; shared chunks once). The API reference (Swagger UI) is a
// lazy chunk of /docs only, and the portal and dashboard must not load it. Sizes are printed.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./support.mjs";

const { measure, pageAssets, DIST } = await import(join(ROOT, "web/scripts/bundle-size.mjs"));

test("portal + dashboard stay within 250 KB gzipped, without the API reference", () => {
  const m = measure();
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`bundle sizes (gzipped): ${Object.entries(m.pages).map(([p, n]) => `${p} ${kb(n)}`).join(", ")}; ` +
    `portal + dashboard ${kb(m.portalAndDashboard)}; API reference chunk (lazy, /docs only) ${kb(m.referenceLazy)}`);
  assert.ok(m.portalAndDashboard > 20 * 1024, "implausibly small: did the build run?");
  assert.ok(m.portalAndDashboard <= 250 * 1024, `portal + dashboard: ${kb(m.portalAndDashboard)}`);
  for (const page of ["developer.html", "bulk.html", "index.html"]) {
    const files = Object.keys(pageAssets(page).files);
    assert.ok(files.every((f) => !f.includes("reference")), `${page} loads the API reference: ${files}`);
  }
  // /docs loads the reference lazily (a dynamic import), not up front
  assert.ok(!Object.keys(pageAssets("docs.html").files).some((f) => f.includes("reference")));
  assert.ok(m.referenceLazy > 100 * 1024, "the reference chunk is missing");
  assert.match(readFileSync(join(DIST, "docs.html"), "utf8"), /<script type="module"/);
});
