// The developer portal (/developer): API keys, their usage, webhook endpoints with their
// deliveries, and the event explorer. Every call goes through @coinbox/sdk with the user's ID token.
import type { ApiKey, ApiKeyUsage, EventTypeInfo, WebhookDelivery, WebhookEndpoint } from "@coinbox/sdk";
import { timeChart } from "../charts";
import { ALL_SCOPES, ALLOWANCE, covers, POLICY, type Tier, tiersUpTo } from "../scopes";
import { type Ctx, startApp } from "../shell";
import {
  announce, badge, busy, button, clear, empty, field, h, loading, option, problemBox, table, when,
} from "../ui";

// --- API keys -------------------------------------------------------------------------------

function secretOnce(title: string, secret: string, note: string): HTMLElement {
  const code = h("code", { "data-testid": "secret" }, secret);
  const copied = h("span", { role: "status" });
  const box = h(
    "div",
    { class: "notice", role: "region", "aria-label": title, "data-testid": "secret-box" },
    h("h3", {}, title),
    h("p", {}, h("strong", {}, "Copy it now: it is shown only once. "), note),
    h(
      "div",
      { class: "secret" },
      code,
      button("Copy", async () => {
        try {
          await navigator.clipboard.writeText(secret);
          copied.textContent = "Copied.";
        } catch {
          const range = document.createRange();
          range.selectNodeContents(code);
          getSelection()?.removeAllRanges();
          getSelection()?.addRange(range);
          copied.textContent = "Selected: press Ctrl+C to copy.";
        }
      }),
      copied,
    ),
    button("I have stored it", () => box.remove(), { class: "secondary" }),
  );
  return box;
}

function scopePicker(tier: Tier, selected: string[], legend: string): { el: HTMLElement; value: () => string[] } {
  const allowance = ALLOWANCE[tier];
  const boxes = ALL_SCOPES.filter((s) => covers(allowance, s)).map((s) => {
    const input = h("input", { type: "checkbox", name: "scope", value: s, checked: selected.includes(s) });
    return { s, input, label: h("label", {}, input, h("code", {}, s)) };
  });
  const el = h("fieldset", {}, h("legend", {}, legend), h("div", { class: "checks" }, boxes.map((b) => b.label)));
  return { el, value: () => boxes.filter((b) => b.input.checked).map((b) => b.s) };
}

async function renderKeys(ctx: Ctx, panel: HTMLElement): Promise<void> {
  const { client, me } = ctx;
  const messages = h("div", { id: "key-messages" });
  const listEl = h("div", {}, loading());
  const tiers = tiersUpTo(me.limits.apiTier);

  // Create form
  const name = h("input", { name: "name", required: true, maxlength: 100 });
  const tierSel = h("select", { name: "tier" }, tiers.map((t) => option(t, t, t === tiers[tiers.length - 1])));
  const expires = h("input", { name: "expiresInDays", type: "number", min: 1, max: 365, inputmode: "numeric" });
  const scopesHolder = h("div", {});
  let picker = scopePicker(tierSel.value as Tier, ALLOWANCE[tierSel.value as Tier], "Scopes");
  scopesHolder.append(picker.el);
  tierSel.addEventListener("change", () => {
    picker = scopePicker(tierSel.value as Tier, ALLOWANCE[tierSel.value as Tier], "Scopes");
    clear(scopesHolder, picker.el);
  });
  const createBtn = h("button", { type: "submit" }, "Create key");
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "create-key-title" },
    h("h2", { id: "create-key-title" }, "Create an API key"),
    h("div", { class: "row" },
      field("Name", name),
      field("Tier", tierSel, `Up to ${me.limits.apiTier} for your ${me.membershipTier} membership.`),
      field("Expires in days (optional)", expires, "1–365; empty for no expiry."),
    ),
    scopesHolder,
    createBtn,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    messages.replaceChildren();
    const scopes = picker.value();
    const created = await busy(createBtn, messages, () =>
      client.apiKeys.create({
        name: name.value.trim(),
        tier: tierSel.value as Tier,
        scopes: scopes.length ? scopes : null,
        expiresInDays: expires.value ? Number(expires.value) : null,
      }), "The key was not created");
    if (!created) return;
    messages.append(secretOnce(`New key “${created.name}”`, created.secret, "We keep only a hash of it; if you lose it, rotate the key."));
    form.reset();
    announce(`Key ${created.name} created`);
    await loadList();
  });

  const loadList = async (): Promise<void> => {
    try {
      const keys = await client.apiKeys.list({ limit: 100 }).toArray(500);
      if (!keys.length) {
        clear(listEl, empty("No API keys yet. Create one below to call the API from a program."));
        return;
      }
      clear(listEl, table("Your API keys", ["Name", "Key", "Tier", "Scopes", "Status", "Created", "Last used", "Actions"],
        keys.map((k) => keyRow(k)), { "data-testid": "keys" }));
    } catch (err) {
      clear(listEl, problemBox(err, "Your keys could not be listed"));
    }
  };

  const keyRow = (k: ApiKey): (Node | string)[] => {
    const actions = h("div", { class: "actions" });
    const detail = h("div", {});
    if (k.status === "active") {
      actions.append(
        h("a", { href: `/developer/usage?key=${encodeURIComponent(k.id)}` }, "Usage"),
        button("Edit", () => editKey(k, detail), { class: "secondary", "aria-label": `Edit ${k.name}` }),
        button("Rotate", () => rotateKey(k, detail), { class: "secondary", "aria-label": `Rotate ${k.name}` }),
        button("Revoke", () => revokeKey(k, detail), { class: "danger", "aria-label": `Revoke ${k.name}` }),
      );
    } else {
      actions.append(h("a", { href: `/developer/usage?key=${encodeURIComponent(k.id)}` }, "Usage"));
    }
    const grace = k.graceUntil ? h("div", { class: "hint" }, `works until ${when(k.graceUntil)} (rotated)`) : null;
    return [
      h("span", { "data-key-id": k.id }, k.name),
      h("code", {}, `${k.displayPrefix}…`),
      k.tier,
      h("span", {}, k.scopes.map((s) => h("code", {}, s, " "))),
      h("span", {}, badge(k.status), grace),
      when(k.createdAt),
      when(k.lastUsedAt),
      h("div", {}, actions, detail),
    ];
  };

  const editKey = (k: ApiKey, detail: HTMLElement): void => {
    const nm = h("input", { value: k.name, maxlength: 100, required: true });
    const pick = scopePicker(k.tier as Tier, k.scopes, "Scopes");
    const save = h("button", { type: "submit" }, "Save");
    const f = h("form", { class: "card", "aria-label": `Edit ${k.name}` }, field("Name", nm), pick.el,
      h("div", { class: "actions" }, save, button("Cancel", () => detail.replaceChildren(), { class: "secondary" })));
    f.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const scopes = pick.value();
      const done = await busy(save, f, () => client.apiKeys.update(k.id, { name: nm.value.trim(), scopes: scopes.length ? scopes : null }), "Not saved");
      if (done) {
        announce(`Key ${done.name} saved`);
        await loadList();
      }
    });
    clear(detail, f);
    nm.focus();
  };

  const rotateKey = (k: ApiKey, detail: HTMLElement): void => {
    const grace = h("select", { name: "grace" },
      option("0", "None: the old key stops now"), option("3600", "1 hour"), option("86400", "24 hours", true), option("604800", "7 days"));
    const go = h("button", { type: "submit" }, "Rotate now");
    const f = h("form", { class: "card", "aria-label": `Rotate ${k.name}` },
      h("p", {}, "A new key replaces this one. The old key keeps working for the grace period."),
      field("Grace period", grace),
      h("div", { class: "actions" }, go, button("Cancel", () => detail.replaceChildren(), { class: "secondary" })));
    f.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      messages.replaceChildren();
      const rotated = await busy(go, f, () => client.apiKeys.rotate(k.id, { gracePeriodSeconds: Number(grace.value) }), "Not rotated");
      if (!rotated) return;
      messages.append(secretOnce(`Rotated key “${rotated.name}”`, rotated.secret,
        `The old key ${rotated.previousKey.displayPrefix}… works until ${when(rotated.previousKey.graceUntil)}.`));
      announce("Key rotated");
      await loadList();
    });
    clear(detail, f);
    grace.focus();
  };

  const revokeKey = (k: ApiKey, detail: HTMLElement): void => {
    const yes = button(`Yes, revoke ${k.name}`, async () => {
      const done = await busy(yes, detail, () => client.apiKeys.revoke(k.id), "Not revoked");
      if (done) {
        announce(`Key ${k.name} revoked`);
        await loadList();
      }
    }, { class: "danger" });
    clear(detail, h("div", { class: "card", role: "alertdialog", "aria-label": `Confirm revoking ${k.name}` },
      h("p", {}, `Revoke “${k.name}” (${k.displayPrefix}…)? Programs using it stop working at once. This cannot be undone.`),
      h("div", { class: "actions" }, yes, button("Cancel", () => detail.replaceChildren(), { class: "secondary" }))));
    yes.focus();
  };

  clear(panel, h("h2", {}, "API keys"), messages, listEl, form);
  await loadList();
}

// --- usage ----------------------------------------------------------------------------------

const RANGES = { "24h": { ms: 86_400_000, granularity: "hour" }, "7d": { ms: 7 * 86_400_000, granularity: "hour" }, "30d": { ms: 30 * 86_400_000, granularity: "day" } } as const;

async function renderUsage(ctx: Ctx, panel: HTMLElement): Promise<void> {
  const { client } = ctx;
  const keys = await client.apiKeys.list({ limit: 100 }).toArray(500);
  if (!keys.length) {
    clear(panel, h("h2", {}, "Usage"), empty("No API keys yet: create one under API keys, use it, and its usage appears here."));
    return;
  }
  const wanted = new URLSearchParams(location.search).get("key");
  const keySel = h("select", { name: "key" }, keys.map((k) => option(k.id, `${k.name} (${k.displayPrefix}…, ${k.status})`, k.id === wanted)));
  const rangeSel = h("select", { name: "range" }, option("24h", "Last 24 hours", true), option("7d", "Last 7 days"), option("30d", "Last 30 days"));
  const out = h("div", {});
  const refresh = h("button", { type: "submit" }, "Refresh");
  const form = h("form", { class: "row", "aria-label": "Usage filters" }, field("API key", keySel), field("Period", rangeSel), refresh);

  const load = async (): Promise<void> => {
    const key = keys.find((k) => k.id === keySel.value)!;
    const range = RANGES[rangeSel.value as keyof typeof RANGES];
    history.replaceState({}, "", `/developer/usage?key=${encodeURIComponent(key.id)}`);
    clear(out, loading("Loading usage…"));
    const now = new Date();
    const iso = (ms: number) => new Date(now.getTime() - ms).toISOString();
    try {
      const [usage, minute, hour] = await Promise.all([
        client.apiKeys.usage(key.id, { from: iso(range.ms), to: now.toISOString(), granularity: range.granularity }),
        client.apiKeys.usage(key.id, { from: iso(60_000), to: now.toISOString(), granularity: "hour" }),
        client.apiKeys.usage(key.id, { from: iso(3_600_000), to: now.toISOString(), granularity: "hour" }),
      ]);
      const day = rangeSel.value === "24h" ? usage : await client.apiKeys.usage(key.id, { from: iso(86_400_000), to: now.toISOString(), granularity: "hour" });
      clear(out, usageView(key, usage, { minute, hour, day }));
    } catch (err) {
      clear(out, problemBox(err, "Usage could not be loaded"));
    }
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void load();
  });
  keySel.addEventListener("change", () => void load());
  rangeSel.addEventListener("change", () => void load());
  clear(panel, h("h2", {}, "Usage"), form, out);
  await load();
}

function usageView(key: ApiKey, u: ApiKeyUsage, win: Record<"minute" | "hour" | "day", ApiKeyUsage>): HTMLElement {
  const t = u.totals;
  const errors = (t.byStatusClass["4xx"] ?? 0) + (t.byStatusClass["5xx"] ?? 0);
  const stat = (label: string, value: string | number, id: string) =>
    h("div", { class: "stat" }, label, h("b", { "data-testid": id }, String(value)));
  const times = u.series.map((p) => Date.parse(p.start) / 1000);
  const col = (f: (p: ApiKeyUsage["series"][number]) => number | null | undefined) => u.series.map((p) => f(p) ?? null);
  const policy = POLICY[(key.tier as Tier) ?? "basic"];
  // Tokens refill continuously, so a window holds at least (limit − requests that took a token
  // in the last window) tokens; requests refused before the limiter (401/403) took none, and
  // neither did 429s.
  const headroom = (["minute", "hour", "day"] as const).map((w) => {
    const used = Math.max(0, win[w].totals.requests - win[w].totals.rateLimited);
    const left = Math.max(0, policy[w] - used);
    return [w, `${used}`, `${policy[w]}`, h("span", {}, h("progress", { max: policy[w], value: left, "aria-label": `${w} headroom` }), ` at least ${left} left`)];
  });
  const routes = [...u.byRoute].sort((a, b) => b.requests - a.requests).slice(0, 10);
  const maxR = Math.max(1, ...routes.map((r) => r.requests));
  return h("div", { "data-testid": "usage" },
    h("div", { class: "stats" },
      stat("Requests", t.requests, "usage-requests"),
      stat("Errors (4xx + 5xx)", errors, "usage-errors"),
      stat("Rate limited (429)", t.rateLimited, "usage-429"),
      stat("Latency p50", t.latencyMs.p50 == null ? "—" : `${t.latencyMs.p50} ms`, "usage-p50"),
      stat("Latency p95", t.latencyMs.p95 == null ? "—" : `${t.latencyMs.p95} ms`, "usage-p95"),
    ),
    t.requests === 0 ? empty("No requests with this key in this period.") : null,
    h("div", { class: "charts" },
      timeChart("Requests", times, [{ label: "requests", values: col((p) => p.requests), color: "#0b5cad" }], "requests"),
      timeChart("Errors by status", times, [
        { label: "4xx", values: col((p) => p.byStatusClass["4xx"]), color: "#9a6700" },
        { label: "5xx", values: col((p) => p.byStatusClass["5xx"]), color: "#a40e26" },
        { label: "429", values: col((p) => p.rateLimited), color: "#6639ba" },
      ], "responses"),
      timeChart("Latency", times, [
        { label: "p50", values: col((p) => p.latencyMs.p50), color: "#116329" },
        { label: "p95", values: col((p) => p.latencyMs.p95), color: "#a40e26" },
      ], "ms"),
    ),
    h("h3", {}, "Top routes"),
    routes.length
      ? table("Top routes by requests", ["Route", "Requests", "Share", "2xx", "4xx", "5xx", "p95"], routes.map((r) => [
          h("code", {}, r.route), String(r.requests),
          h("div", {}, h("div", { class: "bar", style: `width:${Math.round((100 * r.requests) / maxR)}%`, "aria-hidden": "true" }),
            h("span", { class: "sr-only" }, `${Math.round((100 * r.requests) / Math.max(1, t.requests))} % of requests`)),
          String(r.byStatusClass["2xx"] ?? 0), String(r.byStatusClass["4xx"] ?? 0), String(r.byStatusClass["5xx"] ?? 0),
          r.latencyMs.p95 == null ? "—" : `${r.latencyMs.p95} ms`,
        ]))
      : empty("No routes called in this period."),
    h("h3", {}, "Rate-limit headroom now"),
    table(`Headroom of the ${key.tier} tier`, ["Window", "Requests in the last window", "Limit", "Headroom"], headroom),
  );
}

// --- webhooks -------------------------------------------------------------------------------

let eventTypesCache: PromiseLike<EventTypeInfo[]> | null = null;
const eventTypes = (ctx: Ctx) => (eventTypesCache ??= ctx.client.eventTypes.list());

async function renderWebhooks(ctx: Ctx, panel: HTMLElement): Promise<void> {
  const { client } = ctx;
  const id = new URLSearchParams(location.search).get("endpoint");
  if (id) {
    await renderEndpoint(ctx, panel, id);
    return;
  }
  const messages = h("div", {});
  const listEl = h("div", {}, loading());
  const types = await eventTypes(ctx);

  const url = h("input", { type: "url", name: "url", required: true, placeholder: "https://example.com/coinbox/webhooks" });
  const desc = h("input", { name: "description", maxlength: 500 });
  const picks = types.map((t) => {
    const input = h("input", { type: "checkbox", name: "events", value: t.type });
    return { t, input };
  });
  const picker = h("fieldset", { class: "event-picker" }, h("legend", {}, "Event types (none ticked: every event)"),
    picks.map(({ t, input }) => h("div", {},
      h("label", {}, input, h("code", {}, t.type), ` — ${t.description}`),
      h("details", {}, h("summary", {}, `Example payload of ${t.type}`), h("pre", { tabindex: 0 }, JSON.stringify(t.example, null, 2))),
    )));
  const createBtn = h("button", { type: "submit" }, "Create endpoint");
  const form = h("form", { class: "card", "aria-labelledby": "wh-create" },
    h("h2", { id: "wh-create" }, "Add an endpoint"),
    h("div", { class: "row" }, field("Endpoint URL", url, "HTTPS in production; the local stack delivers to 127.0.0.1 only."), field("Description", desc)),
    picker, createBtn);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    messages.replaceChildren();
    const events = picks.filter((p) => p.input.checked).map((p) => p.t.type);
    const created = await busy(createBtn, messages, () =>
      client.webhooks.create({ url: url.value.trim(), description: desc.value || null, ...(events.length ? { events } : {}) }), "The endpoint was not created");
    if (!created) return;
    messages.append(secretOnce("Signing secret", created.secret, "Verify every delivery with it (see the webhooks guide)."));
    form.reset();
    await loadList();
  });

  const loadList = async (): Promise<void> => {
    try {
      const eps = await client.webhooks.list({ limit: 100 }).toArray(500);
      clear(listEl, eps.length
        ? table("Your webhook endpoints", ["URL", "Events", "Status", "Failures", "Last success", "Actions"], eps.map((e) => [
            h("code", {}, e.url), e.events.join(", "), badge(e.status), String(e.consecutiveFailures), when(e.lastSuccessAt),
            h("a", { href: `/developer/webhooks?endpoint=${encodeURIComponent(e.id)}`, "aria-label": `Manage ${e.url}` }, "Deliveries and settings"),
          ]), { "data-testid": "endpoints" })
        : empty("No webhook endpoints yet."));
    } catch (err) {
      clear(listEl, problemBox(err, "Endpoints could not be listed"));
    }
  };
  clear(panel, h("h2", {}, "Webhook endpoints"), messages, listEl, form);
  await loadList();
}

function attemptsTable(d: WebhookDelivery): HTMLElement {
  if (!d.attempts.length) return empty("No attempt yet.");
  return table(`Attempts of ${d.id}`, ["#", "At", "Response code", "Duration", "Error", "Retry in"], d.attempts.map((a) => [
    String(a.number), when(a.at), a.statusCode == null ? "—" : String(a.statusCode), `${Math.round(a.latencyMs)} ms`,
    a.error ?? "—", a.retryInSeconds == null ? "—" : `${Math.round(a.retryInSeconds)} s`,
  ]));
}

async function renderEndpoint(ctx: Ctx, panel: HTMLElement, id: string): Promise<void> {
  const { client } = ctx;
  const messages = h("div", {});
  const settings = h("div", {});
  const deliveriesEl = h("div", {}, loading());
  let ep: WebhookEndpoint;
  try {
    ep = await client.webhooks.retrieve(id);
  } catch (err) {
    clear(panel, h("a", { href: "/developer/webhooks" }, "← All endpoints"), problemBox(err, "This endpoint could not be loaded"));
    return;
  }
  const types = await eventTypes(ctx);

  const showSettings = (): void => {
    const url = h("input", { type: "url", value: ep.url, required: true });
    const desc = h("input", { value: ep.description ?? "" });
    const evs = h("input", { value: ep.events.join(", ") });
    const save = h("button", { type: "submit" }, "Save");
    const f = h("form", { class: "card", "aria-labelledby": "ep-settings" }, h("h3", { id: "ep-settings" }, "Settings"),
      h("div", { class: "row" }, field("URL", url), field("Description", desc), field("Event types (comma-separated; * or loan.* allowed)", evs)),
      h("div", { class: "actions" },
        save,
        button(ep.status === "active" ? "Disable" : "Enable", async (e) => {
          const upd = await busy(e.currentTarget as HTMLButtonElement, messages, () => client.webhooks.update(ep.id, { status: ep.status === "active" ? "paused" : "active" }));
          if (upd) { ep = upd; showSettings(); announce(`Endpoint ${upd.status}`); }
        }, { class: "secondary" }),
        button("Rotate secret", async (e) => {
          const r = await busy(e.currentTarget as HTMLButtonElement, messages, () => client.webhooks.rotateSecret(ep.id), "Not rotated");
          if (r) { ep = r; messages.append(secretOnce("New signing secret", r.secret, "The previous secret is accepted until it expires (previousSecretExpiresAt).")); }
        }, { class: "secondary" }),
        button("Delete", (e) => {
          const where = (e.currentTarget as HTMLElement).parentElement!;
          const yes = button("Yes, delete this endpoint", async () => {
            const del = await busy(yes, messages, () => client.webhooks.delete(ep.id), "Not deleted");
            if (del) location.assign("/developer/webhooks");
          }, { class: "danger" });
          where.append(h("span", { role: "alertdialog", "aria-label": "Confirm delete" }, " Delete it and stop all deliveries? ", yes));
          yes.focus();
        }, { class: "danger" }),
      ));
    f.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const events = evs.value.split(",").map((s) => s.trim()).filter(Boolean);
      const upd = await busy(save, messages, () => client.webhooks.update(ep.id, { url: url.value.trim(), description: desc.value || null, events }), "Not saved");
      if (upd) { ep = upd; announce("Endpoint saved"); showSettings(); }
    });
    clear(settings, h("p", {}, "Status ", badge(ep.status), ep.disabledReason ? ` — ${ep.disabledReason}` : null,
      ` · ${ep.consecutiveFailures} consecutive failures · id `, h("code", {}, ep.id)), f);
  };

  const testType = h("select", {}, types.map((t) => option(t.type, t.type, t.type === "loan.created")));
  const sendBtn = button("Send test event", async () => {
    const d = await busy(sendBtn, messages, () => client.webhooks.test(ep.id, { type: testType.value }), "The test event was not sent");
    if (d) { announce("Test event sent"); await loadDeliveries(); }
  });
  const since = h("input", { type: "datetime-local", value: new Date(Date.now() - 3_600_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) });
  const recoverBtn = button("Recover failed since", async () => {
    const r = await busy(recoverBtn, messages, () => client.webhooks.recover(ep.id, { since: new Date(since.value).toISOString() }), "Not recovered");
    if (r) {
      messages.append(h("p", { class: "success", role: "status" }, `${r.recovered} failed deliveries since ${when(new Date(since.value).toISOString())} sent again.`));
      await loadDeliveries();
    }
  }, { class: "secondary" });

  const loadDeliveries = async (): Promise<void> => {
    try {
      const ds = await client.webhooks.deliveries.list(ep.id, { limit: 50 });
      clear(deliveriesEl, ds.data.length
        ? h("div", { "data-testid": "deliveries" }, ds.data.map((d) => h("div", { class: "card", "data-delivery-id": d.id },
            h("p", {}, badge(d.status), " ", h("code", {}, d.eventType), ` · ${d.attemptCount}/${d.maxAttempts} attempts · last response `,
              h("b", {}, d.lastStatusCode == null ? "none" : String(d.lastStatusCode)),
              d.status === "pending" ? ` · next retry ${when(d.nextAttemptAt)}` : null, ` · created ${when(d.createdAt)}`),
            attemptsTable(d),
            button(`Retry ${d.id}`, async (e) => {
              const r = await busy(e.currentTarget as HTMLButtonElement, messages, () => client.webhooks.deliveries.retry(ep.id, d.id), "Not retried");
              if (r) { announce(`Delivery retried: ${r.status}`); await loadDeliveries(); }
            }, { class: "secondary" }),
          )))
        : empty("No deliveries yet: send a test event."));
    } catch (err) {
      clear(deliveriesEl, problemBox(err, "Deliveries could not be listed"));
    }
  };

  showSettings();
  clear(panel,
    h("a", { href: "/developer/webhooks" }, "← All endpoints"),
    h("h2", {}, "Endpoint ", h("code", {}, ep.url)),
    messages, settings,
    h("h3", {}, "Deliveries"),
    h("div", { class: "row card" }, field("Test event type", testType), sendBtn, field("Since", since), recoverBtn,
      button("Refresh", () => void loadDeliveries(), { class: "secondary" })),
    deliveriesEl);
  await loadDeliveries();
}

// --- events ---------------------------------------------------------------------------------

async function renderEvents(ctx: Ctx, panel: HTMLElement): Promise<void> {
  const { client } = ctx;
  const types = await eventTypes(ctx);
  const typeSel = h("select", { name: "type" }, option("", "All types", true), types.map((t) => option(t.type, t.type)));
  const from = h("input", { type: "datetime-local", name: "from" });
  const to = h("input", { type: "datetime-local", name: "to" });
  const out = h("div", {});
  const form = h("form", { class: "row card", "aria-label": "Event filters" }, field("Type", typeSel), field("From", from, "Searches your newest 500 events."), field("To", to), h("button", { type: "submit" }, "Search"));
  const load = async (): Promise<void> => {
    clear(out, loading());
    try {
      // The API filters by type; the time window is applied to the newest 500 events here.
      const fromMs = from.value ? Date.parse(from.value) : -Infinity;
      const toMs = to.value ? Date.parse(to.value) : Infinity;
      const all = await client.events.list({ limit: 100, ...(typeSel.value ? { type: typeSel.value } : {}) }).toArray(500);
      const evs = all.filter((e) => { const t = Date.parse(e.createdAt); return t >= fromMs && t < toMs; });
      clear(out, evs.length
        ? h("div", { "data-testid": "events" }, evs.map((e) => h("details", { class: "card" },
            h("summary", {}, h("code", {}, e.type), ` · ${when(e.createdAt)} · `, h("code", {}, e.id)),
            h("pre", { tabindex: 0 }, JSON.stringify(e, null, 2)))))
        : empty("No events match these filters."));
    } catch (err) {
      clear(out, problemBox(err, "Events could not be listed"));
    }
  };
  form.addEventListener("submit", (ev) => { ev.preventDefault(); void load(); });
  clear(panel, h("h2", {}, "Events"), form, out);
  await load();
}

void startApp({
  base: "/developer",
  title: "Developer portal",
  intro: "API keys, their usage, webhooks and events.",
  tabs: [
    { path: "/developer/keys", label: "API keys", render: renderKeys },
    { path: "/developer/usage", label: "Usage", render: renderUsage },
    { path: "/developer/webhooks", label: "Webhooks", render: renderWebhooks },
    { path: "/developer/events", label: "Events", render: renderEvents },
  ],
});
