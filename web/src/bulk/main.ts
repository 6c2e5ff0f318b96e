// The bulk dashboard (/bulk): CSV uploads of loans, investments and crypto listings (and, for
// staff, messages) validated in the browser before anything is sent; submission in
// independent or atomic mode with progress and per-row results; batch history; group messages
// with live fan-out progress; exports.
import { APIError, type BulkResult, type Export } from "@coinbox/sdk";
import { parseCsv, toCsv } from "../csv";
import { type Ctx, isStaff, startApp } from "../shell";
import { announce, badge, button, clear, download, empty, field, h, option, problemBox, table, when } from "../ui";
import { checkCell, checkHeader, columnsOf, type Kind, rules, type Sheet } from "../validate";

const OPERATION: Record<Kind, "loans" | "investments" | "crypto_orders" | "messages"> = {
  loans: "loans",
  investments: "investments",
  "crypto-orders": "crypto_orders",
  messages: "messages",
};

const LABEL: Record<Kind, string> = {
  loans: "loans",
  investments: "investments (fundings)",
  "crypto-orders": "crypto listings",
  messages: "messages",
};

const BATCHES_CHANGED = "coinbox:batches-changed";

interface RowResult {
  row: number;
  status: "succeeded" | "failed" | "skipped";
  id: string | null;
  code: string;
  reason: string;
}

async function templateCsv(ctx: Ctx, kind: Kind): Promise<string> {
  if (kind !== "messages") return ctx.client.bulk.template(kind);
  const cols = columnsOf("messages");
  const example: Record<string, string> = { recipient: "thandi@coinbox.test", title: "Scheduled maintenance", body: "The platform is down on Sunday 02:00–03:00.", priority: "normal" };
  return toCsv([cols, cols.map((c) => example[c] ?? "")]);
}

function uploadPanel(ctx: Ctx, kind: Kind): HTMLElement {
  const { client } = ctx;
  const max = rules.maxItems[kind];
  const root = h("div", { class: "upload", "data-kind": kind });
  const fileInput = h("input", { type: "file", accept: ".csv,text/csv", name: "csv" });
  const headerErrors = h("div", {});
  const preview = h("div", {});
  const results = h("div", {});
  const progressEl = h("div", {});
  const modeInd = h("input", { type: "radio", name: `mode-${kind}`, value: "independent", checked: true });
  const modeAtomic = h("input", { type: "radio", name: `mode-${kind}`, value: "atomic" });
  const submit = h("button", { type: "button", disabled: true }, "Submit");
  const status = h("p", { role: "status", "data-testid": "validation-summary" });
  let sheet: Sheet | null = null;

  const invalidCount = (): number => {
    if (!sheet) return 0;
    return sheet.rows.filter((r) => sheet!.header.some((c, i) => checkCell(kind, c, r[i] ?? ""))).length;
  };
  const refreshSummary = (): void => {
    if (!sheet) return;
    const bad = invalidCount();
    const headerOk = checkHeader(kind, sheet.header).length === 0;
    const atomicTooBig = modeAtomic.checked && sheet.rows.length > max;
    status.textContent = bad
      ? `${sheet.rows.length} rows; ${bad} with errors (marked in red). Fix them to submit.`
      : atomicTooBig
        ? `${sheet.rows.length} rows: atomic mode takes at most ${max} rows.`
        : `${sheet.rows.length} rows, all valid.`;
    status.className = bad || atomicTooBig || !headerOk ? "notice" : "success";
    status.dataset.invalid = String(bad);
    submit.disabled = !headerOk || bad > 0 || atomicTooBig || sheet.rows.length === 0;
  };
  modeInd.addEventListener("change", refreshSummary);
  modeAtomic.addEventListener("change", refreshSummary);

  const renderPreview = (): void => {
    if (!sheet) return;
    const s = sheet;
    const headerProblems = checkHeader(kind, s.header);
    clear(headerErrors, headerProblems.map((p) => problemBox(new Error(p), "This file cannot be uploaded")));
    const body = s.rows.map((r, ri) => {
      const tr = h("tr", { "data-row": ri });
      tr.append(h("th", { scope: "row" }, String(ri + 1)));
      s.header.forEach((col, ci) => {
        const input = h("input", { value: r[ci] ?? "", "aria-label": `${col}, row ${ri + 1}`, "data-col": col });
        const err = h("span", { class: "cell-error", id: `err-${kind}-${ri}-${ci}` });
        const td = h("td", {}, input, err);
        const check = () => {
          r[ci] = input.value;
          const e = checkCell(kind, col, input.value);
          err.textContent = e ?? "";
          td.classList.toggle("bad", !!e);
          if (e) {
            input.setAttribute("aria-invalid", "true");
            input.setAttribute("aria-describedby", err.id);
          } else {
            input.removeAttribute("aria-invalid");
            input.removeAttribute("aria-describedby");
          }
        };
        input.addEventListener("input", () => { check(); refreshSummary(); });
        check();
        tr.append(td);
      });
      tr.append(h("td", {}, button("Remove", () => { s.rows.splice(ri, 1); renderPreview(); }, { class: "secondary", "aria-label": `Remove row ${ri + 1}` })));
      return tr;
    });
    clear(preview, h("div", { class: "table-wrap" }, h("table", { "data-testid": "preview" },
      h("caption", {}, `Preview: edit any cell; rows are validated with the API's rules`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Row"), s.header.map((c) => h("th", { scope: "col" }, c)), h("th", { scope: "col" }, "Remove"))),
      h("tbody", {}, body))));
    refreshSummary();
  };

  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    clear(results);
    if (!file) return;
    const rows = parseCsv(await file.text());
    if (!rows.length) {
      clear(headerErrors, problemBox(new Error("The file is empty."), "This file cannot be uploaded"));
      return;
    }
    sheet = { header: rows[0].map((c) => c.trim()), rows: rows.slice(1) };
    renderPreview();
    announce(status.textContent ?? "");
  });

  const showResults = (res: RowResult[], note?: HTMLElement): void => {
    const counts = { succeeded: 0, failed: 0, skipped: 0 };
    for (const r of res) counts[r.status] += 1;
    const csv = () => toCsv([[...sheet!.header, "status", "id", "errorCode", "reason"],
      ...res.map((r) => [...(sheet!.rows[r.row] ?? []), r.status, r.id ?? "", r.code, r.reason])]);
    clear(results,
      h("h3", {}, "Result"),
      note,
      h("p", { "data-testid": "result-summary", class: counts.failed ? "notice" : "success" },
        `${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.skipped} skipped.`),
      h("div", { class: "table-wrap" }, h("table", { "data-testid": "results" },
        h("caption", {}, "Per-row outcome"),
        h("thead", {}, h("tr", {}, ["Row", "Status", "Created", "Reason"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, res.map((r) => h("tr", { class: `row-${r.status}`, "data-status": r.status },
          h("td", {}, String(r.row + 1)), h("td", {}, badge(r.status)), h("td", {}, r.id ? h("code", {}, r.id) : "—"),
          h("td", {}, r.reason ? `${r.reason} (${r.code})` : "—")))))),
      button("Download results CSV", () => download(`coinbox-${kind}-results.csv`, csv(), "text/csv"), { class: "secondary" }),
    );
    announce(`${counts.succeeded} succeeded, ${counts.failed} failed`);
  };

  const fromBatch = (b: BulkResult, offset: number): RowResult[] =>
    b.items.map((it) => ({
      row: offset + it.index,
      status: it.status,
      id: it.id ?? null,
      code: it.error?.code ?? "",
      reason: it.error ? `${it.error.field ? `${it.error.field}: ` : ""}${it.error.message}` : "",
    }));

  submit.addEventListener("click", async () => {
    if (!sheet) return;
    const mode = modeAtomic.checked ? "atomic" : "independent";
    submit.disabled = true;
    clear(results);
    const chunks: number[] = [];
    for (let i = 0; i < sheet.rows.length; i += max) chunks.push(i);
    const bar = h("progress", { max: sheet.rows.length, value: 0, "aria-label": "Upload progress" });
    const text = h("span", { role: "status" }, "Sending…");
    clear(progressEl, bar, text);
    const out: RowResult[] = [];
    let note: HTMLElement | undefined;
    for (const start of chunks) {
      const rows = sheet.rows.slice(start, start + max);
      try {
        const batch = await client.bulk.uploadCsv(kind, toCsv([sheet.header, ...rows]), { mode });
        out.push(...fromBatch(batch, start));
      } catch (err) {
        const batch = err instanceof APIError ? (err.problem?.batch as BulkResult | undefined) : undefined;
        if (batch?.items) out.push(...fromBatch(batch, start));
        else rows.forEach((_, i) => out.push({ row: start + i, status: "failed", id: null, code: (err as APIError).code ?? "error", reason: "not sent: see the error above" }));
        note = problemBox(err, mode === "atomic" ? "Nothing was written" : "A batch failed");
      }
      bar.value = Math.min(sheet.rows.length, start + rows.length);
      text.textContent = ` ${bar.value} of ${sheet.rows.length} rows sent`;
    }
    showResults(out, note);
    submit.disabled = false;
    await loadHistory();
  });

  const history = h("div", {});
  // A group message (another panel) adds a batch too: reload when told, while shown.
  const onChanged = (): void => {
    if (root.isConnected) void loadHistory();
    else document.removeEventListener(BATCHES_CHANGED, onChanged);
  };
  document.addEventListener(BATCHES_CHANGED, onChanged);
  const loadHistory = async (): Promise<void> => {
    try {
      const page = await client.bulk.list({ operation: OPERATION[kind], limit: 20 });
      clear(history, page.data.length
        ? table(`Recent ${LABEL[kind]} batches`, ["Batch", "Mode", "Status", "Items", "Succeeded", "Failed", "Created"], page.data.map((b) => [
            h("code", {}, b.id), b.mode, badge(b.status), String(b.totalItems), String(b.succeeded), String(b.failed), when(b.createdAt),
          ]), { "data-testid": "history" })
        : empty(`No ${LABEL[kind]} batches yet.`));
    } catch (err) {
      clear(history, problemBox(err, "History could not be loaded"));
    }
  };

  const tmplBtn = button("Download the CSV template", async () => {
    tmplBtn.disabled = true;
    try {
      download(`coinbox-${kind}-template.csv`, await templateCsv(ctx, kind), "text/csv");
    } catch (err) {
      root.prepend(problemBox(err, "The template could not be downloaded"));
    } finally {
      tmplBtn.disabled = false;
    }
  }, { class: "secondary" });

  const cols = rules.items[kind];
  append(root, [
    h("div", { class: "card" },
      h("h3", {}, `Upload ${LABEL[kind]} (CSV)`),
      h("p", {}, `Columns: `, columnsOf(kind).map((c) => h("code", {}, c, cols.required.includes(c) ? "*" : "", " ")),
        `(* required). Up to ${max} rows are sent per request; atomic mode takes one request of at most ${max} rows.`),
      tmplBtn,
      field("CSV file", fileInput),
      headerErrors,
    ),
    preview,
    h("fieldset", {}, h("legend", {}, "Mode"),
      h("label", {}, modeInd, "Independent: each row on its own"),
      h("label", {}, modeAtomic, "Atomic: all rows or none")),
    status, submit, progressEl, results,
    h("h3", {}, "History"), history,
  ]);
  void loadHistory();
  return root;
}

function append(el: HTMLElement, nodes: (Node | null)[]): void {
  for (const n of nodes) if (n) el.append(n);
}

// --- group messages -------------------------------------------------------------------------

function groupMessagePanel(ctx: Ctx): HTMLElement {
  const { client } = ctx;
  const group = h("select", { name: "group" },
    ["all", "borrowers", "investors", "tier:basic", "tier:ambassador", "tier:vip", "tier:business"].map((g) => option(g, g)));
  const title = h("input", { name: "title", required: true, maxlength: 200 });
  const body = h("textarea", { name: "body", required: true, maxlength: 2000 });
  const priority = h("select", { name: "priority" }, ["low", "normal", "high", "urgent"].map((p) => option(p, p, p === "normal")));
  const send = h("button", { type: "submit" }, "Send to the group");
  const out = h("div", {});
  const form = h("form", { class: "card", "aria-labelledby": "gm-title" },
    h("h3", { id: "gm-title" }, "Message a group"),
    h("div", { class: "row" }, field("Group", group), field("Priority", priority)),
    field("Title", title), field("Message", body), send, out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    send.disabled = true;
    clear(out);
    try {
      const started = await client.bulk.messages({ group: group.value, title: title.value, body: body.value, priority: priority.value as "normal" });
      await watchFanout(ctx, started, out);
    } catch (err) {
      out.append(problemBox(err, "The message was not sent"));
    } finally {
      send.disabled = false;
    }
  });
  return form;
}

async function watchFanout(ctx: Ctx, started: BulkResult, out: HTMLElement): Promise<void> {
  const bar = h("progress", { max: 100, value: 0, "aria-label": "Fan-out progress" });
  const text = h("span", { "data-testid": "fanout-progress" });
  const state = h("span", {});
  clear(out, h("p", {}, "Batch ", h("code", {}, started.id), " ", state), bar, " ", text);
  let b = started;
  for (;;) {
    const total = b.progress?.recipientsTotal ?? null;
    const delivered = b.progress?.delivered ?? 0;
    const pct = total ? Math.floor((100 * delivered) / total) : b.status === "completed" ? 100 : 0;
    bar.value = pct;
    text.textContent = `${delivered} of ${total ?? "?"} recipients (${pct} %)`;
    clear(state, badge(b.status));
    if (b.status !== "running") break;
    await new Promise((r) => setTimeout(r, 500));
    b = await ctx.client.bulk.retrieve(b.id);
  }
  announce(`Group message ${b.status}: ${text.textContent}`);
  document.dispatchEvent(new Event(BATCHES_CHANGED));
}

// --- exports --------------------------------------------------------------------------------

async function renderExports(ctx: Ctx, panel: HTMLElement): Promise<void> {
  const { client } = ctx;
  const type = h("select", { name: "type" }, rules.exportTypes.map((t) => option(t, t.replace("_", " "))));
  const format = h("select", { name: "format" }, rules.exportFormats.map((f) => option(f, f.toUpperCase(), f === "xlsx")));
  const from = h("input", { type: "date", name: "from" });
  const to = h("input", { type: "date", name: "to" });
  const status = h("input", { name: "status", maxlength: 32 });
  const minAmount = h("input", { type: "number", name: "minAmount", min: 0, inputmode: "numeric" });
  const maxAmount = h("input", { type: "number", name: "maxAmount", min: 0, inputmode: "numeric" });
  const fieldsHolder = h("div", {});
  let fieldBoxes: HTMLInputElement[] = [];
  const showFields = (): void => {
    const cols = rules.exportColumns[type.value] ?? [];
    fieldBoxes = cols.map((c) => h("input", { type: "checkbox", value: c, name: "fields" }));
    clear(fieldsHolder, h("fieldset", {}, h("legend", {}, "Columns (none ticked: all)"),
      h("div", { class: "checks" }, fieldBoxes.map((b) => h("label", {}, b, h("code", {}, b.value))))));
  };
  type.addEventListener("change", showFields);
  showFields();
  const start = h("button", { type: "submit" }, "Start export");
  const watch = h("div", {});
  const history = h("div", {});
  const form = h("form", { class: "card", "aria-labelledby": "exp-title" },
    h("h2", { id: "exp-title" }, "New export"),
    h("div", { class: "row" }, field("Type", type), field("Format", format), field("Created from", from), field("Created before", to)),
    h("div", { class: "row" }, field("Status", status, "e.g. approved, completed"), field("Min amount (cents)", minAmount), field("Max amount (cents)", maxAmount)),
    fieldsHolder, start, watch);

  const dl = async (e: Export, btn: HTMLButtonElement | null): Promise<void> => {
    if (btn) btn.disabled = true;
    try {
      const file = await client.exports.download(e.id);
      download(file.fileName, file.data as Uint8Array<ArrayBuffer>, file.contentType);
      announce(`Downloaded ${file.fileName}`);
    } catch (err) {
      (btn?.parentElement ?? watch).append(problemBox(err, "The file could not be downloaded"));
    } finally {
      if (btn) btn.disabled = false;
    }
  };

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    start.disabled = true;
    clear(watch);
    try {
      const filters: Record<string, string | number> = {};
      if (from.value) filters.from = new Date(`${from.value}T00:00:00`).toISOString();
      if (to.value) filters.to = new Date(`${to.value}T00:00:00`).toISOString();
      if (status.value.trim()) filters.status = status.value.trim();
      if (minAmount.value) filters.minAmount = Number(minAmount.value);
      if (maxAmount.value) filters.maxAmount = Number(maxAmount.value);
      const created = await client.exports.create({
        type: type.value as "loans", format: format.value as "xlsx", filters, fields: fieldBoxes.filter((b) => b.checked).map((b) => b.value),
      });
      const bar = h("progress", { max: 100, value: 0, "aria-label": "Export progress" });
      const text = h("span", { "data-testid": "export-status" }, created.status);
      clear(watch, h("p", {}, "Export ", h("code", {}, created.id), ": ", text), bar);
      const done = await client.exports.wait(created.id, {
        intervalMs: 700,
        onProgress: (e) => {
          const pct = e.totalRecords ? Math.floor((100 * (e.recordCount ?? 0)) / e.totalRecords) : e.status === "completed" ? 100 : 0;
          bar.value = e.status === "completed" ? 100 : pct;
          text.textContent = `${e.status} — ${e.recordCount ?? 0} of ${e.totalRecords ?? "?"} records`;
        },
      });
      const dlBtn: HTMLButtonElement = button(`Download ${done.fileName ?? done.id}`, () => void dl(done, dlBtn));
      watch.append(dlBtn);
      announce("Export completed");
      await loadHistory();
    } catch (err) {
      watch.append(problemBox(err, "The export did not complete"));
    } finally {
      start.disabled = false;
    }
  });

  const loadHistory = async (): Promise<void> => {
    try {
      const page = await client.exports.list({ limit: 20 });
      clear(history, page.data.length
        ? table("Recent exports", ["Export", "Type", "Format", "Status", "Records", "Created", "File"], page.data.map((e) => {
            const b: HTMLButtonElement | null = e.status === "completed" ? button("Download", () => void dl(e, b), { class: "secondary", "aria-label": `Download ${e.id}` }) : null;
            return [h("code", {}, e.id), e.type, e.format, badge(e.status), String(e.recordCount ?? "—"), when(e.createdAt), b ?? (e.error ?? "—")];
          }), { "data-testid": "export-history" })
        : empty("No exports yet."));
    } catch (err) {
      clear(history, problemBox(err, "Export history could not be loaded"));
    }
  };
  clear(panel, h("h2", {}, "Exports"), form, h("h2", {}, "History"), history);
  await loadHistory();
}

const uploadTab = (kind: Kind) => (ctx: Ctx, panel: HTMLElement) => {
  clear(panel, h("h2", {}, `Bulk ${LABEL[kind]}`), uploadPanel(ctx, kind));
};

void startApp({
  base: "/bulk",
  title: "Bulk dashboard",
  intro: "Upload many loans, fundings or crypto listings at once, message groups, and export your data.",
  tabs: [
    { path: "/bulk/loans", label: "Loans", render: uploadTab("loans") },
    { path: "/bulk/investments", label: "Investments", render: uploadTab("investments") },
    { path: "/bulk/crypto-orders", label: "Crypto orders", render: uploadTab("crypto-orders") },
    {
      path: "/bulk/messages",
      label: "Messages",
      visible: (ctx) => isStaff(ctx.me),
      render: (ctx, panel) => {
        clear(panel, h("h2", {}, "Messages (staff)"), groupMessagePanel(ctx), uploadPanel(ctx, "messages"));
      },
    },
    { path: "/bulk/exports", label: "Exports", render: renderExports },
  ],
});
