// Small DOM helpers, formatting and the one way every error is shown (problem detail and
// requestId, field errors).
import { CoinboxError } from "@coinbox/sdk";

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v as EventListener);
    else if (k === "class") el.className = String(v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

/** ZAR cents as "R1,500.00". */
export function rands(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return "—";
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100).toLocaleString("en-ZA").replace(/\u00a0/g, ",").replace(/ /g, ",");
  return `${sign}R${whole}.${String(abs % 100).padStart(2, "0")}`;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString("en-ZA", { hour12: false });
}

let uid = 0;
export function nextId(prefix = "f"): string {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled input; returns [wrapper, input]. */
export function field(
  label: string,
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): HTMLElement {
  if (!input.id) input.id = nextId("in");
  const hintEl = hint ? h("small", { id: `${input.id}-hint`, class: "hint" }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input, hintEl);
}

export function option(value: string, label: string, selected = false): HTMLOptionElement {
  return h("option", { value, selected }, label);
}

/** Every error state: the problem's title, detail, requestId and field errors. */
export function problemBox(err: unknown, context?: string): HTMLElement {
  const box = h("div", { class: "problem", role: "alert" });
  if (err instanceof CoinboxError) {
    append(box, [
      h("strong", {}, `${context ? `${context}: ` : ""}${err.code}${err.status ? ` (HTTP ${err.status})` : ""}`),
      h("p", { class: "detail" }, err.detail || err.message),
      err.errors.length
        ? h("ul", {}, err.errors.map((e) => h("li", {}, h("code", {}, e.field), ` ${e.message} (${e.code})`)))
        : null,
      h(
        "p",
        { class: "request-id" },
        "Request id: ",
        h("code", { "data-testid": "request-id" }, err.requestId ?? "none (no answer from the API)"),
        " · ",
        err.status ? h("a", { href: `/docs/errors#${err.code}` }, "what this error means") : null,
      ),
    ]);
  } else {
    append(box, [
      h("strong", {}, context ?? "Error"),
      h("p", { class: "detail" }, err instanceof Error ? err.message : String(err)),
    ]);
  }
  return box;
}

export function empty(text: string): HTMLElement {
  return h("p", { class: "empty" }, text);
}

export function loading(text = "Loading…"): HTMLElement {
  return h("p", { class: "loading", role: "status" }, text);
}

/** Announce to screen readers (the shell's live region). */
export function announce(text: string): void {
  const live = document.getElementById("live");
  if (live) live.textContent = text;
}

export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A <table> with a caption; rows are arrays of cells (on a phone each row becomes a card). */
export function table(caption: string, head: string[], rows: Child[][], attrs: Attrs = {}): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "cards", ...attrs },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c, i) => h("td", { "data-label": head[i] || null }, c))))),
    ),
  );
}

export function badge(text: string, kind = text): HTMLElement {
  return h("span", { class: `badge badge-${kind.replace(/[^a-z0-9_-]/gi, "")}` }, text);
}

export function button(label: string, onclick: (ev: Event) => void, attrs: Attrs = {}): HTMLButtonElement {
  return h("button", { type: "button", ...attrs, onclick: onclick as EventListener }, label);
}

/** Run an action with its button disabled; errors land in `where`. */
export async function busy<T>(btn: HTMLButtonElement | null, where: Element, fn: () => PromiseLike<T>, context?: string): Promise<T | undefined> {
  if (btn) btn.disabled = true;
  try {
    return await fn();
  } catch (err) {
    where.prepend(problemBox(err, context));
    return undefined;
  } finally {
    if (btn) btn.disabled = false;
  }
}
