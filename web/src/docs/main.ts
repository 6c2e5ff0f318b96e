// /docs: the API reference (Swagger UI, loaded only on that page) and the guides beside it,
// including the error catalogue at /docs/errors. No sign-in; the OpenAPI document is read
// with @coinbox/sdk (a public route).
import { Coinbox } from "@coinbox/sdk";
import { frame } from "../frame";
import { announce, clear, empty, h, loading, problemBox, table } from "../ui";
import { GUIDES } from "./guides";

const client = new Coinbox({ baseUrl: `${location.origin}/v1`, maxRetries: 1 });
let openapi: PromiseLike<Record<string, unknown>> | null = null;
const spec = () => (openapi ??= client.openapi());

const PAGES = [
  { path: "/docs", title: "API reference" },
  ...GUIDES.map((g) => ({ path: `/docs/${g.slug}`, title: g.title })),
  { path: "/docs/errors", title: "Error catalogue" },
];

interface ErrorEntry {
  code: string;
  status: number;
  title: string;
  description: string;
  fix: string | null;
}

type Doc = {
  paths?: Record<string, Record<string, { responses?: Record<string, { description?: string }> }>>;
  "x-coinbox-errors"?: ErrorEntry[];
};

/**
 * The catalogue: the document's `x-coinbox-errors` registry when it has one; otherwise every
 * code the document's problem responses name (their descriptions list the codes in backticks).
 */
export function errorCatalogue(doc: Doc): { entries: ErrorEntry[]; fromRegistry: boolean } {
  const registry = doc["x-coinbox-errors"];
  if (Array.isArray(registry) && registry.length) {
    return { entries: [...registry].sort((a, b) => a.status - b.status || a.code.localeCompare(b.code)), fromRegistry: true };
  }
  // Names of Problem members (`errors`, `requestId`…) are quoted in the same descriptions.
  const members = new Set(["type", "title", "status", "detail", "code", "requestId", "instance", "errors"]);
  const found = new Map<string, ErrorEntry & { where: Set<string>; texts: Set<string> }>();
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, resp] of Object.entries(op.responses ?? {})) {
        if (!/^[45]\d\d$/.test(status) || !resp.description) continue;
        const text = resp.description;
        for (const m of text.matchAll(/`([a-z][a-z0-9_]*)`/g)) {
          const code = m[1];
          if (members.has(code)) continue;
          const entry = found.get(code) ?? { code, status: Number(status), title: "", description: "", fix: null, where: new Set(), texts: new Set() };
          entry.where.add(`${method.toUpperCase()} ${path}`);
          entry.texts.add(text);
          found.set(code, entry);
        }
      }
    }
  }
  const entries = [...found.values()].map((e) => ({
    code: e.code,
    status: e.status,
    title: e.code.replace(/_/g, " "),
    description: `${[...e.texts][0]} Returned by ${e.where.size} operation${e.where.size === 1 ? "" : "s"}, e.g. ${[...e.where].slice(0, 3).join(", ")}.`,
    fix: null,
  }));
  return { entries: entries.sort((a, b) => a.status - b.status || a.code.localeCompare(b.code)), fromRegistry: false };
}

async function renderErrors(el: HTMLElement): Promise<void> {
  clear(el, h("h1", {}, "Error catalogue"), loading("Reading the OpenAPI document…"));
  let doc: Doc;
  try {
    doc = (await spec()) as Doc;
  } catch (err) {
    clear(el, h("h1", {}, "Error catalogue"), problemBox(err, "The OpenAPI document could not be read"));
    return;
  }
  const { entries, fromRegistry } = errorCatalogue(doc);
  clear(el,
    h("h1", {}, "Error catalogue"),
    h("p", {}, "Every error is an RFC 9457 ", h("code", {}, "application/problem+json"), " body with a stable ", h("code", {}, "code"),
      ", the HTTP ", h("code", {}, "status"), ", a human ", h("code", {}, "detail"), ", the ", h("code", {}, "requestId"),
      " to quote to support and, for bad input, ", h("code", {}, "errors[]"), " naming the fields. A problem's ",
      h("code", {}, "type"), " links to its entry here."),
    fromRegistry ? null : h("p", { class: "hint" }, "Listed from the codes the operations of the OpenAPI document name in their error responses."),
    entries.length
      ? h("div", { "data-testid": "error-catalogue" },
          table("Codes", ["Code", "Status", "Meaning"], entries.map((e) => [h("a", { href: `#${e.code}` }, h("code", {}, e.code)), String(e.status), e.title])),
          entries.map((e) => h("section", { class: "error-entry", id: e.code, "aria-labelledby": `h-${e.code}` },
            h("h2", { id: `h-${e.code}` }, h("code", {}, e.code), ` — ${e.status}`),
            h("p", {}, h("strong", {}, e.title)),
            h("p", {}, e.description),
            e.fix ? h("p", {}, h("strong", {}, "Fix: "), e.fix) : null)))
      : empty("The OpenAPI document names no error codes."));
  el.dataset.ready = "errors";
  if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
}

async function renderReference(el: HTMLElement): Promise<void> {
  clear(el, h("h1", {}, "API reference"), loading("Loading the reference…"));
  try {
    const [doc, ui] = await Promise.all([spec(), import("./reference")]);
    const holder = h("div", { id: "swagger" });
    clear(el, h("h1", {}, "API reference"), h("p", {}, "The OpenAPI 3.1 document at ", h("a", { href: "/v1/openapi.json" }, h("code", {}, "/v1/openapi.json")), "."), holder);
    ui.mount(holder, doc);
    el.dataset.ready = "reference";
  } catch (err) {
    clear(el, h("h1", {}, "API reference"), problemBox(err, "The reference could not be shown"));
  }
}

function render(): void {
  const path = location.pathname.replace(/\/$/, "") || "/docs";
  const page = PAGES.find((p) => p.path === path) ?? PAGES[0];
  const { main } = frame("/docs");
  const content = h("div", { class: "guide" });
  const nav = h("nav", { class: "docs-nav", "aria-label": "Documentation" },
    h("ul", {}, PAGES.map((p) => h("li", {}, h("a", { href: p.path, "aria-current": p.path === page.path ? "page" : null }, p.title)))));
  main.append(h("div", { class: "docs-layout" }, nav, content));
  document.title = `${page.title} · CoinBox API docs`;
  if (page.path === "/docs") {
    content.classList.remove("guide");
    void renderReference(content);
  } else if (page.path === "/docs/errors") void renderErrors(content);
  else {
    const guide = GUIDES.find((g) => `/docs/${g.slug}` === page.path)!;
    const article = h("article", {});
    article.innerHTML = `<h1>${guide.title}</h1>${guide.html.replaceAll("${ORIGIN}", location.origin)}`;
    content.append(article);
    content.dataset.ready = guide.slug;
    if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  }
  announce(`${page.title} shown`);
}

render();
