// `npm pack` the SDK and install the tarball into a fresh temporary project (as a user of
// `npm install ./sdks/typescript` would get it), then import it there and call the live API.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { API_BASE } from "./support.mjs";

const sdkDir = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "coinbox-sdk-pack-"));
after(() => rmSync(work, { recursive: true, force: true }));

const npm = (args, cwd) =>
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, npm_config_update_notifier: "false" },
  });

const MAIN = `import { Coinbox, VERSION } from "@coinbox/sdk";
const client = new Coinbox({ baseUrl: process.argv[2] });
const health = await client.health();
console.log(JSON.stringify({ version: VERSION, health }));
`;

function freshProject(name) {
  const app = join(work, name);
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  writeFileSync(join(app, "main.mjs"), MAIN);
  return app;
}

const runMain = (app) =>
  JSON.parse(execFileSync(process.execPath, ["main.mjs", API_BASE()], { cwd: app, encoding: "utf8", timeout: 60_000 }));

test("npm install ./sdks/typescript (the README's way) in a fresh project: import and call health", async () => {
  const app = freshProject("linked");
  npm(["install", "--prefer-offline", sdkDir], app);
  const out = runMain(app);
  assert.equal(out.health.status, "ok");
  assert.equal(out.version, JSON.parse(readFileSync(join(sdkDir, "package.json"), "utf8")).version);
});

test("npm pack + npm install into a fresh project: import @coinbox/sdk and call health", async () => {
  const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", work], sdkDir));
  const files = packed[0].files.map((f) => f.path);
  assert.ok(files.includes("dist/index.js") && files.includes("dist/index.d.ts"), files.join(", "));
  assert.ok(files.includes("README.md"));
  assert.ok(!files.some((f) => f.startsWith("src/") || f.startsWith("test/")), "only dist and README ship");

  const app = freshProject("packed");
  // standardwebhooks comes from the npm cache that setup filled (online, the registry)
  npm(["install", "--prefer-offline", join(work, packed[0].filename)], app);
  const installed = JSON.parse(readFileSync(join(app, "node_modules/@coinbox/sdk/package.json"), "utf8"));
  assert.equal(installed.name, "@coinbox/sdk");
  assert.ok(readdirSync(join(app, "node_modules")).includes("standardwebhooks"));

  const out = runMain(app);
  assert.equal(out.version, installed.version);
  assert.equal(out.health.status, "ok");
});
