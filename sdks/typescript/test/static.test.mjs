// Checks that need no stack: generated types in step with docs/openapi.json, the built ESM
// importable in a browser (no node: or other Node-only import), versions in step.
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { generate } from "../scripts/generate.mjs";
import * as sdk from "../dist/index.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

test("src/generated/openapi.ts is what openapi-typescript makes of docs/openapi.json (no drift)", async () => {
  const committed = await readFile(here("../src/generated/openapi.ts"), "utf8");
  const fresh = await generate();
  assert.ok(
    committed === fresh,
    "src/generated/openapi.ts is out of date with docs/openapi.json: run `make sdk-typescript-generate` and commit",
  );
  // and it covers every operation of the document
  const spec = JSON.parse(await readFile(here("../../../docs/openapi.json"), "utf8"));
  for (const [path, ops] of Object.entries(spec.paths)) {
    assert.ok(committed.includes(`    "${path}": {`), `paths has ${path}`);
    for (const [method, op] of Object.entries(ops)) {
      if (method === "parameters") continue;
      assert.ok(committed.includes(`    ${op.operationId}: {`), `operations has ${op.operationId}`);
    }
  }
});

test("the built ESM imports nothing Node-only: only relative modules and standardwebhooks", async () => {
  const files = (await readdir(here("../dist"), { recursive: true })).filter((f) => f.endsWith(".js"));
  assert.ok(files.includes("index.js") && files.includes("core.js"));
  const specifiers = [];
  for (const f of files) {
    // without comments (the doc comments show `import … from "@coinbox/sdk"` examples)
    const code = (await readFile(here(`../dist/${f}`), "utf8"))
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    for (const m of code.matchAll(/\b(?:import|export)\s[^"']*?from\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\bimport\s*["']([^"']+)["']|\brequire\s*\(/g)) {
      assert.ok(!m[0].startsWith("require"), `${f} uses require()`);
      specifiers.push([f, m[1] ?? m[2] ?? m[3]]);
    }
    assert.doesNotMatch(code, /\bprocess\.(?!env|versions)|\bBuffer\b|__dirname|import\.meta\.url/, `${f} uses a Node-only global`);
  }
  for (const [f, s] of specifiers) {
    assert.ok(!s.startsWith("node:"), `${f} imports ${s}`);
    assert.ok(s.startsWith("./") || s === "standardwebhooks", `${f} imports ${s}`);
  }
  // standardwebhooks and its dependencies are pure JS too
  const dep = JSON.parse(await readFile(here("../node_modules/standardwebhooks/package.json"), "utf8"));
  assert.deepEqual(Object.keys(dep.dependencies).sort(), ["@stablelib/base64", "fast-sha256"]);
  for (const file of ["standardwebhooks/dist/index.js", "standardwebhooks/dist/timing_safe_equal.js"]) {
    const code = await readFile(here(`../node_modules/${file}`), "utf8");
    const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    for (const r of required) assert.ok(["@stablelib/base64", "fast-sha256", "./timing_safe_equal"].includes(r), `${file} requires ${r}`);
  }
});

test("versions agree: package.json, VERSION, the webhook apiVersion of the API", async () => {
  const pkg = JSON.parse(await readFile(here("../package.json"), "utf8"));
  assert.equal(pkg.name, "@coinbox/sdk");
  assert.equal(sdk.VERSION, pkg.version);
  assert.deepEqual(Object.keys(pkg.dependencies), ["standardwebhooks"]);
  const spec = JSON.parse(await readFile(here("../../../docs/openapi.json"), "utf8"));
  const loanCreated = spec.webhooks["loan.created"].post.requestBody.content["application/json"].schema;
  assert.equal(loanCreated.properties.apiVersion.const, sdk.WEBHOOK_API_VERSION);
  assert.ok(Object.keys(spec.paths).every((p) => p.startsWith(`/${sdk.API_VERSION}/`)));
  const changelog = await readFile(here("../../../CHANGELOG.md"), "utf8");
  assert.match(changelog, new RegExp(`## \\[${pkg.version.replaceAll(".", "\\.")}\\]`), "CHANGELOG has this version");
});

test("errors map from code first, then status", () => {
  const h = new Headers({ "x-request-id": "req_h" });
  const e = sdk.errorFor(409, { code: "idempotency_in_flight", detail: "running" }, h);
  assert.ok(e instanceof sdk.IdempotencyInFlightError && e instanceof sdk.ConflictError);
  assert.equal(e.requestId, "req_h");
  assert.ok(sdk.errorFor(422, { code: "limit_exceeded" }, h) instanceof sdk.UnprocessableError);
  assert.ok(sdk.errorFor(410, {}, h) instanceof sdk.GoneError);
  assert.equal(sdk.errorFor(405, { code: "method_not_allowed" }, h).constructor, sdk.APIError);
  assert.equal(sdk.errorFor(502, {}, h).code, "internal_error");
});
