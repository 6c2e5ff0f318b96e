// The portal (/developer), the dashboard (/bulk), the API reference and guides (/docs) and the
// landing page (/): one multi-page Vite build into dist/, which Firebase Hosting serves
// (firebase.json "hosting.public"). @coinbox/sdk is the repo's own SDK (sdks/typescript, built
// to dist/ by scripts/setup.sh before this build).
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";

const here = import.meta.dirname;

/**
 * `virtual:coinbox-rules`: the API's own validation rules for the bulk CSV columns (the item
 * schemas of docs/openapi.json) and the export columns per type, taken from the committed
 * OpenAPI document at build time, so the dashboard validates every row as the API will without
 * shipping the whole 1 MB document.
 */
function coinboxRules(): Plugin {
  const id = "virtual:coinbox-rules";
  return {
    name: "coinbox-rules",
    resolveId: (source) => (source === id ? `\0${id}` : null),
    load(loaded) {
      if (loaded !== `\0${id}`) return null;
      const file = resolve(here, "../docs/openapi.json");
      this.addWatchFile(file);
      const doc = JSON.parse(readFileSync(file, "utf8"));
      const schemas = doc.components.schemas;
      const deref = (s: Record<string, unknown>): Record<string, unknown> =>
        typeof s.$ref === "string" ? deref(schemas[s.$ref.split("/").pop()!]) : s;
      const item = (name: string) => {
        const s = schemas[name];
        if (!s) throw new Error(`docs/openapi.json has no schema ${name}`);
        const props = Object.fromEntries(
          Object.entries(s.properties as Record<string, Record<string, unknown>>).map(([k, v]) => [k, { ...deref(v), ...(v.description ? { description: v.description } : {}) }]),
        );
        return { required: s.required ?? [], properties: props };
      };
      const post = doc.paths["/v1/exports"].post.description as string;
      const m = /Columns per type: (.*)/.exec(post);
      if (!m) throw new Error("docs/openapi.json: POST /v1/exports no longer lists the columns per type");
      const columns = Object.fromEntries(
        m[1].split(/;\s*/).map((part) => {
          const [type, cols] = part.split(/:\s*/);
          return [type.trim(), cols.split(/,\s*/).map((c) => c.trim())];
        }),
      );
      const exportCreate = schemas.ExportCreate.properties;
      const rules = {
        items: {
          loans: item("LoanCreate"),
          investments: item("InvestmentCreate"),
          "crypto-orders": item("OrderCreate"),
          messages: item("MessageItem"),
        },
        maxItems: {
          loans: schemas.BulkLoansBody.properties.items.maxItems,
          investments: schemas.BulkInvestmentsBody.properties.items.maxItems,
          "crypto-orders": schemas.BulkCryptoOrdersBody.properties.items.maxItems,
          messages: schemas.BulkMessagesBody.properties.items.anyOf[0].maxItems,
        },
        groupPattern: schemas.BulkMessagesBody.properties.group.anyOf[0].pattern,
        exportTypes: exportCreate.type.enum,
        exportFormats: exportCreate.format.enum,
        exportColumns: columns,
      };
      return `export default ${JSON.stringify(rules)};`;
    },
  };
}

/**
 * Swagger UI renders its operations in a second <main> inside the page's own (two main
 * landmarks, one nested: axe-core flags both); make it a labelled region in the bundled copy.
 */
function swaggerLandmark(): Plugin {
  const from = 'createElement("main",{id:"operations",';
  return {
    name: "swagger-ui-landmark",
    transform(code, id) {
      if (!id.includes("swagger-ui-dist") || !id.endsWith("swagger-ui-bundle.js")) return null;
      if (!code.includes(from)) this.error("swagger-ui-dist changed: the operations <main> was not found");
      return { code: code.replace(from, 'createElement("div",{id:"operations",role:"region","aria-label":"Operations",'), map: null };
    },
  };
}

/** Keep the stack's /coinbox-config.json across a rebuild while the stack runs (see scripts/stack.py). */
function keepStackConfig(): Plugin {
  const file = resolve(here, "dist/coinbox-config.json");
  let kept: string | null = null;
  return {
    name: "keep-stack-config",
    apply: "build",
    buildStart() {
      try {
        kept = readFileSync(file, "utf8");
      } catch {
        kept = null;
      }
    },
    closeBundle() {
      if (kept !== null) writeFileSync(file, kept);
    },
  };
}

export default defineConfig({
  root: here,
  publicDir: false,
  plugins: [coinboxRules(), swaggerLandmark(), keepStackConfig()],
  resolve: {
    alias: { "@coinbox/sdk": resolve(here, "../sdks/typescript/dist/index.js") },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      checks: { bundlerTimings: false },
      input: {
        index: resolve(here, "index.html"),
        developer: resolve(here, "developer.html"),
        bulk: resolve(here, "bulk.html"),
        docs: resolve(here, "docs.html"),
      },
    },
  },
});
