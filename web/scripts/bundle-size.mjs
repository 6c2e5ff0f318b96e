// What each page of web/dist loads (its scripts, module preloads, static imports and
// stylesheets), gzipped: `npm run size` in web/, and tests/web/bundle.test.mjs holds the budget
// (≤ 250 KB gzipped for the portal and the dashboard together; /docs's reference is excluded).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const DIST = resolve(dirname(fileURLToPath(import.meta.url)), "../dist");

function staticImports(file, seen) {
  if (seen.has(file)) return;
  seen.add(file);
  if (!file.endsWith(".js")) return;
  const code = readFileSync(join(DIST, file), "utf8");
  // import{…}from"./x.js" and import"./x.js" (static); import("./x.js") is lazy and not counted.
  for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.\/[^"']+)["']/g)) {
    staticImports(join(dirname(file), m[1]).replace(/\\/g, "/"), seen);
  }
}

/** The files a page loads before it is interactive: {files: {name: gzipBytes}, total}. */
export function pageAssets(html) {
  const text = readFileSync(join(DIST, html), "utf8");
  const seen = new Set();
  for (const m of text.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)) staticImports(m[1], seen);
  const files = {};
  for (const f of seen) files[f] = gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length;
  return { files, total: Object.values(files).reduce((a, b) => a + b, 0) };
}

/** Portal + dashboard together (shared chunks counted once), each page, and the lazy reference. */
export function measure() {
  const pages = Object.fromEntries(["index.html", "developer.html", "bulk.html", "docs.html"].map((p) => [p, pageAssets(p)]));
  const union = { ...pages["developer.html"].files, ...pages["bulk.html"].files };
  const reference = readdirSync(join(DIST, "assets"))
    .filter((f) => f.startsWith("reference-"))
    .reduce((a, f) => a + gzipSync(readFileSync(join(DIST, "assets", f)), { level: 9 }).length, 0);
  return {
    pages: Object.fromEntries(Object.entries(pages).map(([p, v]) => [p, v.total])),
    files: union,
    portalAndDashboard: Object.values(union).reduce((a, b) => a + b, 0),
    referenceLazy: reference,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const m = measure();
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const [p, n] of Object.entries(m.pages)) console.log(`${p.padEnd(16)} ${kb(n)} gzipped (JS + CSS loaded up front)`);
  console.log(`portal + dashboard: ${kb(m.portalAndDashboard)} gzipped (budget 250 KB)`);
  console.log(`API reference (Swagger UI, loaded only on /docs): ${kb(m.referenceLazy)} gzipped`);
}
