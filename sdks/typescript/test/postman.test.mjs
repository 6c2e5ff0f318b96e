// The Postman collection (docs/postman/) parses with the `postman-collection` package, has one
// request per operation of docs/openapi.json, is what the generator makes today, and its
// requests work against the live stack with the local environment's variables.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import sdk from "postman-collection";
import { build, COLLECTION, ENVIRONMENT } from "../scripts/postman.mjs";
import { API_BASE, makeUser } from "./support.mjs";

const { Collection, VariableScope } = sdk;
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const readJson = async (p) => JSON.parse(await readFile(p, "utf8"));

function requests(collection) {
  const out = [];
  collection.forEachItem((item) => out.push(item));
  return out;
}

const key = (method, segments) =>
  `${method} /${segments.map((s) => (s.startsWith(":") ? `{${s.slice(1)}}` : s)).join("/")}`;

test("the collection parses and has a request for every operation", async () => {
  const collection = new Collection(await readJson(COLLECTION));
  const spec = await readJson(here("../../../docs/openapi.json"));
  assert.equal(collection.name, `${spec.info.title} ${spec.info.version}`);
  const items = requests(collection);
  const have = new Set(items.map((i) => key(i.request.method, i.request.url.path)));
  const want = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const method of Object.keys(ops)) if (method !== "parameters") want.push(`${method.toUpperCase()} ${path}`);
  }
  assert.equal(want.length, 60, "the API's 60 routes");
  for (const op of want) assert.ok(have.has(op), `the collection lacks ${op}`);
  assert.equal(items.length, want.length, "one request per operation");
  for (const item of items) {
    assert.equal(item.request.url.host.join(""), "{{baseUrl}}", item.name);
    if (item.request.method === "POST") {
      assert.equal(item.request.headers.get("Idempotency-Key"), "{{$guid}}", `${item.name}: a fresh key per send`);
    }
  }
  assert.equal(collection.auth.type, "bearer");
  assert.equal(collection.auth.parameters().get("token"), "{{apiKey}}");
});

test("the environment names baseUrl and apiKey; the files are what the generator makes now", async () => {
  const environment = await readJson(ENVIRONMENT);
  const scope = new VariableScope(environment);
  assert.equal(scope.get("baseUrl"), "http://127.0.0.1:5002");
  assert.equal(scope.has("apiKey"), true);
  const fresh = await build();
  assert.ok(fresh.collection === (await readFile(COLLECTION, "utf8")), "docs/postman/ is out of date: run `make postman`");
  assert.ok(fresh.environment === (await readFile(ENVIRONMENT, "utf8")), "docs/postman/ is out of date: run `make postman`");
});

test("requests of the collection, resolved with the environment, work against the stack", async () => {
  const collection = new Collection(await readJson(COLLECTION));
  const user = await makeUser({ tier: "business" });
  const apiKey = (await user.client.apiKeys.create({ name: "postman" })).secret;
  const variables = { baseUrl: API_BASE().replace(/\/v1$/, ""), apiKey };
  const resolve = (text) => text.replace(/\{\{(\w+)\}\}/g, (_, name) => variables[name]);
  const find = (method, path) => requests(collection).find((i) => key(i.request.method, i.request.url.path) === `${method} ${path}`);

  const health = find("GET", "/v1/health");
  const res = await fetch(resolve(health.request.url.toString()));
  assert.equal(res.status, 200);
  assert.equal((await res.json()).status, "ok");

  const me = find("GET", "/v1/me");
  const token = resolve(collection.auth.parameters().get("token"));
  const meRes = await fetch(resolve(me.request.url.toString()), { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(meRes.status, 200);
  assert.equal((await meRes.json()).id, user.uid);

  // a POST with the collection's example body (from the OpenAPI examples)
  const create = find("POST", "/v1/loans");
  const body = JSON.parse(create.request.body.raw);
  assert.deepEqual(Object.keys(body).sort(), ["amount", "interestRate", "purpose", "termDays"]);
  const loanRes = await fetch(resolve(create.request.url.toString()), {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    body: create.request.body.raw,
  });
  assert.equal(loanRes.status, 201, await loanRes.clone().text());
  assert.equal((await loanRes.json()).amount, body.amount);
});
