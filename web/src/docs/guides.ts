// The guides beside the API reference. Plain HTML; code samples follow the SDK READMEs
// (sdks/typescript/README.md, sdks/python/README.md) and docs/api-access.md.
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const code = (lang: string, s: string) => `<pre tabindex="0"><code class="lang-${lang}">${esc(s.trim())}</code></pre>`;

export interface Guide {
  slug: string;
  title: string;
  html: string;
}

export const GUIDES: Guide[] = [
  {
    slug: "getting-started",
    title: "Getting started",
    html: `
<p>From nothing to a first request and a first webhook in three steps. The API lives under
<code>/v1</code> on the same host as these pages; every answer is JSON, every error
<code>application/problem+json</code>, and money is always integer cents (ZAR): <code>150000</code> is R1,500.00.</p>
<h2 id="key">1. Create an API key</h2>
<p>Sign in to the <a href="/developer/keys">developer portal</a>, open <em>API keys</em> and create a key with a
name, a tier and the scopes your program needs. The secret (<code>cb_live_…</code>) is shown
<strong>once</strong>: copy it into your secret store. Locally, <code>make dev</code> also prints a demo key.</p>
<h2 id="request">2. Make a request</h2>
${code("bash", `curl -H "Authorization: Bearer $COINBOX_API_KEY" ${"${ORIGIN}"}/v1/me`)}
<p>Or with the TypeScript SDK (<code>sdks/typescript</code>):</p>
${code("ts", `import { Coinbox } from "@coinbox/sdk";

const client = new Coinbox({ apiKey: process.env.COINBOX_API_KEY, baseUrl: "${"${ORIGIN}"}/v1" });
const me = await client.me();
const loan = await client.loans.create({ amount: 150_000, interestRate: 18, termDays: 30, purpose: "Stock" });
console.log(me.membershipTier, loan.id, loan.status);`)}
<p>or the Python SDK (<code>sdks/python</code>):</p>
${code("python", `from coinbox import Coinbox

client = Coinbox(api_key="cb_live_…", base_url="${"${ORIGIN}"}/v1")
print(client.me().membership_tier)`)}
<h2 id="webhook">3. Receive a webhook</h2>
<p>Under <a href="/developer/webhooks">Webhooks</a> add an endpoint URL and pick event types (each type shows an
example payload). Store the <code>whsec_…</code> signing secret, then press <em>Send test event</em>: the delivery and
every attempt (status, response code, duration, next retry) appear under the endpoint. Verify each delivery as the
<a href="/docs/webhooks">webhooks guide</a> shows.</p>`,
  },
  {
    slug: "authentication",
    title: "Authentication and scopes",
    html: `
<p>Two kinds of caller:</p>
<ul>
<li><strong>People</strong> (the portal, the dashboard) send a Firebase ID token: <code>Authorization: Bearer &lt;ID token&gt;</code>. A person may call every route their role allows.</li>
<li><strong>Programs</strong> send an API key: <code>Authorization: Bearer cb_live_…</code> or <code>X-API-Key: cb_live_…</code>. A key can do only what its <em>scopes</em> allow.</li>
</ul>
<h2 id="keys">Keys</h2>
<p>A key is <code>cb_live_</code> + 32 random characters + a 6-character checksum; a malformed key is refused (401
<code>invalid_api_key</code>) before any lookup. The API stores only a keyed hash. Keys may expire
(<code>expiresInDays</code>, 1–365), be rotated with a grace period (the old key keeps working until
<code>graceUntil</code>, at most 7 days) and be revoked (immediate on the instance that revoked it, everywhere within 30 s).</p>
<h2 id="tiers">Tiers and scopes</h2>
<table><caption>Scopes each API tier allows</caption><thead><tr><th scope="col">Tier</th><th scope="col">Scopes allowed</th><th scope="col">Your membership</th></tr></thead><tbody>
<tr><td>basic</td><td><code>read:*</code></td><td>any membership</td></tr>
<tr><td>pro</td><td><code>read:*</code>, <code>write:loans</code>, <code>write:investments</code>, <code>write:crypto</code>, <code>write:exports</code></td><td>VIP or business membership</td></tr>
<tr><td>enterprise</td><td><code>*</code> (everything, including <code>admin:api_keys</code>)</td><td>business membership (GET /v1/me: <code>limits.apiTier</code>)</td></tr>
</tbody></table>
<p>Scopes are <code>read:&lt;resource&gt;</code> and <code>write:&lt;resource&gt;</code> for loans, investments, transactions,
wallet, crypto, messages, webhooks, exports and bulk, the wildcards <code>read:*</code>, <code>write:*</code> and <code>*</code>,
and <code>admin:api_keys</code> (manage the owner's keys). Each operation of the <a href="/docs">reference</a> names
the scope it needs; a key without it gets 403 <code>insufficient_scope</code> with <code>requiredScope</code>.</p>`,
  },
  {
    slug: "rate-limits",
    title: "Rate limits",
    html: `
<p>Each key has token buckets per window that refill continuously; a person's session has its own generous limit.</p>
<table><caption>Requests per window</caption><thead><tr><th scope="col">Subject</th><th scope="col">Minute</th><th scope="col">Hour</th><th scope="col">Day</th></tr></thead><tbody>
<tr><td>basic key</td><td>10</td><td>100</td><td>1,000</td></tr>
<tr><td>pro key</td><td>100</td><td>1,000</td><td>10,000</td></tr>
<tr><td>enterprise key</td><td>1,000</td><td>10,000</td><td>100,000</td></tr>
<tr><td>a person's session</td><td>600</td><td>10,000</td><td>—</td></tr>
</tbody></table>
<p>Every authenticated answer carries <code>X-RateLimit-Limit</code>, <code>X-RateLimit-Remaining</code>,
<code>X-RateLimit-Reset</code>, <code>RateLimit-Policy</code> (all windows) and <code>RateLimit</code> (the tightest window,
e.g. <code>"minute";r=9;t=6</code>). A refusal is 429 <code>rate_limited</code> with <code>Retry-After</code> and
<code>limit</code>, <code>window</code>, <code>retryAfter</code> in the body. Both SDKs wait and retry 429s for you. Requests refused
before the limiter (401, 403, unknown routes) spend no token. The portal's <a href="/developer/usage">Usage</a>
page shows each key's current headroom.</p>`,
  },
  {
    slug: "idempotency",
    title: "Idempotency",
    html: `
<p>Every <code>POST</code> accepts an <code>Idempotency-Key</code> header (any unique string, e.g. a UUID). The first answer is
stored for 24 hours; the same key with the same body replays it (with <code>Idempotent-Replayed: true</code>) instead of
doing the work twice. The same key with a different body is 422 <code>idempotency_conflict</code>; while the first
request is still running a repeat is 409 <code>idempotency_in_flight</code> (retry shortly).</p>
${code("bash", `curl -X POST -H "Authorization: Bearer $COINBOX_API_KEY" -H "Idempotency-Key: order-42" \\
  -H "Content-Type: application/json" \\
  -d '{"amount":150000,"interestRate":18,"termDays":30,"purpose":"Stock"}' ${"${ORIGIN}"}/v1/loans`)}
<p>The SDKs send a fresh key with every POST and the same key on each of its retries; pass your own to make a retry
across processes safe:</p>
${code("ts", `const first = await client.loans.create(body, { idempotencyKey: "order-42" }).withResponse();
const again = await client.loans.create(body, { idempotencyKey: "order-42" }).withResponse();
console.log(first.data.id === again.data.id, again.idempotentReplayed); // true true`)}
${code("python", `loan = client.loans.create(amount=150_000, interest_rate=18, term_days=30, purpose="Stock",
                           idempotency_key="order-42")`)}`,
  },
  {
    slug: "webhooks",
    title: "Webhooks",
    html: `
<p>CoinBox POSTs an event to each of your endpoints subscribed to its type (<code>loan.*</code> or <code>*</code> work too).
Deliveries follow <a href="https://www.standardwebhooks.com/">Standard Webhooks</a>: headers <code>webhook-id</code> (the event id),
<code>webhook-timestamp</code> and <code>webhook-signature</code> (<code>v1,&lt;base64 HMAC-SHA256&gt;</code> of
<code>id.timestamp.body</code> with your <code>whsec_…</code> secret). Answer 2xx within 15 s; anything else is retried with
exponential backoff, and an endpoint that keeps failing is disabled. Delivery is <strong>at least once and
unordered</strong>: deduplicate on <code>webhook-id</code>.</p>
<h2 id="verify-ts">Verify in TypeScript</h2>
${code("ts", `import { WebhookVerificationError, verifyWebhook } from "@coinbox/sdk";

export async function handleWebhook(request: Request): Promise<Response> {
  const payload = await request.text(); // the raw body: do not parse and re-serialise it
  try {
    const event = verifyWebhook(payload, request.headers, process.env.COINBOX_WEBHOOK_SECRET!);
    if (event.type === "loan.completed") console.log("repaid in full:", event.data.object.id);
    return new Response(null, { status: 204 });
  } catch (err) {
    if (err instanceof WebhookVerificationError) return new Response(err.code, { status: 400 });
    throw err;
  }
}`)}
<p>During a secret rotation pass both secrets: <code>verifyWebhook(body, headers, [newSecret, oldSecret])</code>.</p>
<h2 id="verify-python">Verify in Python</h2>
${code("python", `import coinbox

def handle(body: bytes, headers: dict[str, str]) -> int:
    try:
        event = coinbox.webhooks.verify(body, headers, COINBOX_WEBHOOK_SECRET)
    except coinbox.WebhookSignatureError:
        return 400  # not from CoinBox, or altered
    except coinbox.WebhookTimestampError:
        return 400  # more than 5 minutes off: a replay
    print(event.type, event.data["object"]["id"])
    return 204`)}
<h2 id="operate">Operate</h2>
<p>In the <a href="/developer/webhooks">portal</a>: send a test event of any type, see every delivery with all its attempts,
retry one delivery, recover every failed delivery since a time, rotate the secret (the previous one stays valid for a
while), disable or delete an endpoint. The <a href="/developer/events">event explorer</a> shows every event and its payload.</p>`,
  },
  {
    slug: "bulk-csv",
    title: "Bulk CSV formats",
    html: `
<p><code>POST /v1/bulk/loans</code>, <code>/v1/bulk/investments</code>, <code>/v1/bulk/crypto-orders</code> and (staff)
<code>/v1/bulk/messages</code> take JSON <code>{"items": [...], "mode": ...}</code> or a CSV file
(<code>Content-Type: text/csv</code>, <code>?mode=atomic</code>): UTF-8, a header row of the item's field names in any order,
then up to 20 data rows (50 for messages). Empty cells are omitted; blank lines are skipped. Get a template from
<code>GET /v1/bulk/templates/{kind}</code> or the <a href="/bulk">dashboard</a>, which validates every row before sending.</p>
<table><caption>Columns</caption><thead><tr><th scope="col">Kind</th><th scope="col">Columns (* required)</th><th scope="col">Rules</th></tr></thead><tbody>
<tr><td>loans</td><td>amount*, interestRate*, termDays*, purpose*</td><td>amount 1–100,000,000 cents; interestRate 15–25; termDays 7–365; purpose 1–200 characters</td></tr>
<tr><td>investments</td><td>loanId*, amount*</td><td>an open loan (<code>loan_…</code>); amount equal to the loan's amount (the R10 fee comes on top)</td></tr>
<tr><td>crypto-orders</td><td>asset*, side*, quantity*, price*</td><td>BTC, ETH, USDT or USDC; buy or sell; a decimal quantity (8 places, 6 for USDT/USDC); price in cents per unit</td></tr>
<tr><td>messages</td><td>recipient*, title*, body*, priority</td><td>a user id or e-mail; title ≤ 200, body ≤ 2000 characters; low, normal, high or urgent</td></tr>
</tbody></table>
${code("csv", `amount,interestRate,termDays,purpose
50000,18,30,Stock
70000,20,60,"Delivery bicycle, second-hand"`)}
<h2 id="modes">Modes and results</h2>
<p><strong>independent</strong> (default): each row commits on its own — 201 when all succeeded, 207 with per-row outcomes
otherwise. <strong>atomic</strong>: all rows in one transaction or none — 201, or 422 <code>batch_failed</code> whose
<code>errors[].field</code> is <code>items.&lt;row&gt;.&lt;field&gt;</code> and whose <code>batch</code> holds every row's outcome
(valid rows are <code>skipped</code>). Rows count from 0 after the header. <code>GET /v1/bulk</code> lists your batches.</p>`,
  },
];
