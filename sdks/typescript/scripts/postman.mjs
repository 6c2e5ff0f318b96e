// Generates the Postman collection and the local-stack environment from docs/openapi.json:
//   docs/postman/coinbox.postman_collection.json   (openapi-to-postmanv2, by tag folders)
//   docs/postman/coinbox-local.postman_environment.json (baseUrl, apiKey)
//   npm run postman (make postman) writes them; `--check` exits 1 if they differ.
// The collection authenticates with `Authorization: Bearer {{apiKey}}` on every request and
// requests go to {{baseUrl}} (http://127.0.0.1:5002, the make dev stack; paths carry /v1).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import Converter from "openapi-to-postmanv2";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const SPEC = here("../../../docs/openapi.json");
const OUT_DIR = here("../../../docs/postman/");
export const COLLECTION = `${OUT_DIR}coinbox.postman_collection.json`;
export const ENVIRONMENT = `${OUT_DIR}coinbox-local.postman_environment.json`;

function convert(spec) {
  return new Promise((resolve, reject) => {
    Converter.convert(
      { type: "json", data: spec },
      {
        folderStrategy: "Tags",
        requestNameSource: "Fallback",
        // "Schema": placeholders such as <integer> where the document has no example (the
        // "Example" mode invents random values, so the file would change on every run)
        parametersResolution: "Schema",
        includeAuthInfoInExample: false,
        alwaysInheritAuthentication: true,
        optimizeConversion: true,
      },
      (err, result) => {
        if (err) return reject(err);
        if (!result.result) return reject(new Error(result.reason));
        resolve(JSON.parse(JSON.stringify(result.output[0].data)));
      },
    );
  });
}

/** Stable ids: the converter makes random UUIDs; derive them from the item's position instead. */
function stabilise(node, path = "c") {
  if (Array.isArray(node)) return node.map((n, i) => stabilise(n, `${path}.${i}`));
  if (node && typeof node === "object") {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if ((k === "id" || k === "_postman_id") && typeof v === "string" && /^[0-9a-f-]{36}$/.test(v)) {
        out[k] = uuidFrom(`${path}.${k}`);
      } else out[k] = stabilise(v, `${path}.${k}`);
    }
    return out;
  }
  return node;
}

function uuidFrom(seed) {
  // FNV-1a, widened to 128 bits: stable and unique enough for ids inside one collection
  const parts = [];
  for (let round = 0; round < 4; round++) {
    let h = 0x811c9dc5 ^ round;
    for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    parts.push(h.toString(16).padStart(8, "0"));
  }
  const hex = parts.join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** No saved example responses: the converter invents their values at random (so the file
 * would change on every run) and cannot fake nested schemas; the request descriptions and
 * docs/openapi.json document the answers. */
function withoutExampleResponses(node) {
  if (Array.isArray(node.item)) node.item.forEach(withoutExampleResponses);
  if (Array.isArray(node.response)) node.response = [];
  return node;
}

/** Request bodies from the document's own examples (the faker cannot fill nested bulk items),
 * and a fresh Idempotency-Key per send (Postman's {{$guid}}), never a fixed placeholder. */
function useSpecExamples(node, spec) {
  if (Array.isArray(node.item)) for (const child of node.item) useSpecExamples(child, spec);
  const request = node.request;
  if (!request?.url) return;
  const path = "/" + request.url.path.map((seg) => (seg.startsWith(":") ? `{${seg.slice(1)}}` : seg)).join("/");
  const op = spec.paths[path]?.[request.method.toLowerCase()];
  const examples = op?.requestBody?.content?.["application/json"]?.examples;
  const first = examples && Object.values(examples)[0];
  if (first && request.body?.mode === "raw") request.body.raw = JSON.stringify(first.value, null, 2);
  for (const h of request.header ?? []) if (h.key === "Idempotency-Key") h.value = "{{$guid}}";
}

export async function build() {
  const spec = JSON.parse(await readFile(SPEC, "utf8"));
  const collection = stabilise(withoutExampleResponses(await convert(spec)));
  useSpecExamples(collection, spec);
  collection.info.name = `${spec.info.title} ${spec.info.version}`;
  collection.info._postman_id = uuidFrom("coinbox-collection");
  // One variable, one auth scheme: an API key (or an ID token) as a bearer token.
  collection.variable = [{ key: "baseUrl", value: "http://127.0.0.1:5002", type: "string" }];
  collection.auth = { type: "bearer", bearer: [{ key: "token", value: "{{apiKey}}", type: "string" }] };
  const environment = {
    id: uuidFrom("coinbox-local-environment"),
    name: "CoinBox local stack (make dev)",
    values: [
      { key: "baseUrl", value: "http://127.0.0.1:5002", type: "default", enabled: true },
      { key: "apiKey", value: "", type: "secret", enabled: true },
    ],
    _postman_variable_scope: "environment",
  };
  return {
    collection: JSON.stringify(collection, null, 2) + "\n",
    environment: JSON.stringify(environment, null, 2) + "\n",
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { collection, environment } = await build();
  if (process.argv.includes("--check")) {
    const same =
      (await readFile(COLLECTION, "utf8").catch(() => "")) === collection &&
      (await readFile(ENVIRONMENT, "utf8").catch(() => "")) === environment;
    if (!same) {
      console.error("docs/postman/ is out of date: run `make postman`");
      process.exit(1);
    }
    console.log("docs/postman/ matches docs/openapi.json");
  } else {
    await mkdir(OUT_DIR, { recursive: true });
    await writeFile(COLLECTION, collection);
    await writeFile(ENVIRONMENT, environment);
    console.log(`wrote docs/postman/ (${collection.length} + ${environment.length} chars)`);
  }
}
