// Every ```ts example of README.md is type-checked against the built .d.ts (tsc, strict) and
// then run, in order, against the live stack as a user with an API key, so the docs cannot rot.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { Coinbox, signWebhook } from "../dist/index.js";
import { API_BASE, makeUser } from "./support.mjs";

const sdkDir = fileURLToPath(new URL("..", import.meta.url));
// Inside the package, so that `import … from "@coinbox/sdk"` resolves to it (self-reference).
const dir = `${sdkDir}.readme-examples/`;
const readme = readFileSync(`${sdkDir}README.md`, "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

before(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  blocks.forEach((code, i) => writeFileSync(`${dir}example${i}.ts`, code));
  writeFileSync(
    `${dir}tsconfig.json`,
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2022", "DOM"],
        types: ["node"],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      include: ["*.ts"],
    }),
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("README has the examples this test expects", () => {
  assert.ok(blocks.length >= 7, `found ${blocks.length} ts blocks`);
  for (const b of blocks) assert.match(b, /from "@coinbox\/sdk"/);
});

test("every README example type-checks (tsc --strict against dist/*.d.ts)", () => {
  try {
    execFileSync(process.execPath, [`${sdkDir}node_modules/typescript/bin/tsc`, "-p", `${dir}tsconfig.json`], {
      encoding: "utf8",
    });
  } catch (err) {
    assert.fail(`tsc found errors in the README examples:\n${err.stdout}${err.stderr}`);
  }
});

test("every README example runs against the stack", async () => {
  const user = await makeUser({ tier: "business", balance: 5_000_000 });
  const key = await user.client.apiKeys.create({ name: "readme" });
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  Object.assign(process.env, {
    COINBOX_API_KEY: key.secret,
    COINBOX_BASE_URL: API_BASE(),
    COINBOX_ID_TOKEN: user.token,
    COINBOX_WEBHOOK_SECRET: secret,
  });
  const logs = [];
  const log = console.log;
  console.log = (...args) => logs.push(args.join(" "));
  const modules = [];
  try {
    for (let i = 0; i < blocks.length; i++) {
      const js = ts.transpileModule(blocks[i], {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      }).outputText;
      writeFileSync(`${dir}example${i}.mjs`, js);
      try {
        modules.push(await import(pathToFileURL(`${dir}example${i}.mjs`).href));
      } catch (err) {
        throw new Error(`README example ${i} failed: ${err.stack}\n--- example ---\n${blocks[i]}`);
      }
    }
  } finally {
    console.log = log;
  }
  // What the examples printed and did
  assert.ok(logs.includes("ok"), "health printed");
  assert.ok(logs.some((l) => l.startsWith("not_found req_")), logs.join("\n"));
  assert.ok(logs.some((l) => l === "interestRate: must be 15 to 25 (out_of_range)" || l.startsWith("interestRate:")), logs.join("\n"));
  assert.ok(logs.includes("true true"), "the idempotent replay");
  assert.ok(logs.includes("partial 2 1"), "the bulk CSV");
  assert.ok(logs.some((l) => /^row 1: interestRate /.test(l)));
  assert.ok(logs.some((l) => /^coinbox-loans-.*\.xlsx \d+ [0-9a-f]{64}$/.test(l)), logs.join("\n"));
  const client = new Coinbox({ apiKey: key.secret, baseUrl: API_BASE() });
  const loans = await client.loans.list({ limit: 100 }).toArray();
  assert.ok(loans.some((l) => l.purpose === "Stock for my spaza shop"), "the quick start's loan exists");
  const keys = await user.client.apiKeys.list().toArray();
  assert.equal(keys.find((k) => k.name === "CI pipeline")?.status, "revoked", "the browser example's key");

  // the webhook handler, with a correctly signed request and a forged one
  const handler = modules.find((m) => typeof m.handleWebhook === "function")?.handleWebhook;
  assert.ok(handler, "the webhook example exports handleWebhook");
  const body = JSON.stringify({
    id: "evt_readme", object: "event", type: "loan.completed", createdAt: new Date().toISOString(),
    apiVersion: "2025-06-01", userId: user.uid, data: { object: { id: "loan_readme" } },
  });
  const now = Math.floor(Date.now() / 1000);
  const headers = { "webhook-id": "evt_readme", "webhook-timestamp": String(now), "webhook-signature": signWebhook(secret, "evt_readme", now, body) };
  const ok = await handler(new Request("http://127.0.0.1/hook", { method: "POST", body, headers }));
  assert.equal(ok.status, 204);
  const forged = await handler(new Request("http://127.0.0.1/hook", { method: "POST", body: body.replace("loan_readme", "loan_other"), headers }));
  assert.equal(forged.status, 400);
  assert.equal(await forged.text(), "invalid_signature");
});
