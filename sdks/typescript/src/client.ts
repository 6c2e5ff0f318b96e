/**
 * `new Coinbox({...})`: one property per API resource, each method one endpoint of /v1.
 */
import { type APIResponse, type CoinboxOptions, Core, type Query, type RequestOptions, type RequestSpec } from "./core.js";
import { CoinboxError } from "./errors.js";
import { type ListEnvelope, PagePromise } from "./pagination.js";
import type * as T from "./types.js";
import { type WebhookHeaders, verifyWebhook } from "./webhooks.js";

/** A Promise of the parsed body that can also give the whole response: `.withResponse()`. */
export class APIPromise<R> implements PromiseLike<R> {
  readonly #response: Promise<APIResponse<R>>;

  constructor(response: Promise<APIResponse<R>>) {
    this.#response = response;
  }

  /** The body with the status, headers, requestId and idempotentReplayed. */
  withResponse(): Promise<APIResponse<R>> {
    return this.#response;
  }

  then<A = R, B = never>(
    onFulfilled?: ((value: R) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#response.then((r) => r.data).then(onFulfilled, onRejected);
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<R | B> {
    return this.then(undefined, onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<R> {
    return this.then().finally(onFinally);
  }
}

const enc = encodeURIComponent;

abstract class Resource {
  protected readonly core: Core;

  constructor(core: Core) {
    this.core = core;
  }

  protected call<R>(spec: RequestSpec): APIPromise<R> {
    return new APIPromise(this.core.request<R>(spec));
  }

  protected get<R>(path: string, query?: Query, options?: RequestOptions): APIPromise<R> {
    return this.call({ method: "GET", path, query, options });
  }

  protected post<R>(path: string, body?: unknown, options?: RequestOptions, query?: Query): APIPromise<R> {
    return this.call({ method: "POST", path, body: body ?? {}, options, query });
  }

  protected patch<R>(path: string, body: unknown, options?: RequestOptions): APIPromise<R> {
    return this.call({ method: "PATCH", path, body, options });
  }

  protected paged<I>(path: string, params?: object, options?: RequestOptions): PagePromise<I> {
    const { startingAfter, ...rest } = (params ?? {}) as { startingAfter?: string } & Query;
    return new PagePromise<I>(
      (cursor) =>
        this.core.request<ListEnvelope<I>>({
          method: "GET",
          path,
          query: { ...rest, startingAfter: cursor },
          options,
        }),
      startingAfter,
    );
  }
}

export class Repayments extends Resource {
  /** Repay part or all of a loan (POST /loans/{id}/repayments); answers the loan. */
  create(loanId: string, body: T.RepaymentCreateParams, options?: RequestOptions): APIPromise<T.Loan> {
    return this.post(`/loans/${enc(loanId)}/repayments`, body, options);
  }

  list(loanId: string, params?: T.RepaymentListParams, options?: RequestOptions): PagePromise<T.Repayment> {
    return this.paged(`/loans/${enc(loanId)}/repayments`, params, options);
  }
}

export class Loans extends Resource {
  readonly repayments = new Repayments(this.core);

  /** Request a loan: the automatic review answers `approved` or `rejected` at once. */
  create(body: T.LoanCreateParams, options?: RequestOptions): APIPromise<T.Loan> {
    return this.post("/loans", body, options);
  }

  /** Your loans, newest first. */
  list(params?: T.LoanListParams, options?: RequestOptions): PagePromise<T.Loan> {
    return this.paged("/loans", params, options);
  }

  retrieve(loanId: string, options?: RequestOptions): APIPromise<T.Loan> {
    return this.get(`/loans/${enc(loanId)}`, undefined, options);
  }

  cancel(loanId: string, options?: RequestOptions): APIPromise<T.Loan> {
    return this.post(`/loans/${enc(loanId)}/cancel`, undefined, options);
  }

  /** Loans open for funding (other borrowers'). */
  marketplace(params?: T.MarketplaceParams, options?: RequestOptions): PagePromise<T.MarketplaceLoan> {
    return this.paged("/loans/marketplace", params, options);
  }
}

export class Wallet extends Resource {
  retrieve(options?: RequestOptions): APIPromise<T.Wallet> {
    return this.get("/wallet", undefined, options);
  }

  /** Sandbox only: fund the wallet (`{amount}` cents or `{asset, quantity}`). */
  deposit(body: T.DepositParams, options?: RequestOptions): APIPromise<T.Transaction> {
    return this.post("/wallet/deposits", body, options);
  }

  withdraw(body: T.WithdrawalParams, options?: RequestOptions): APIPromise<T.Transaction> {
    return this.post("/wallet/withdrawals", body, options);
  }
}

export class Transactions extends Resource {
  list(params?: T.TransactionListParams, options?: RequestOptions): PagePromise<T.Transaction> {
    return this.paged("/transactions", params, options);
  }

  retrieve(transactionId: string, options?: RequestOptions): APIPromise<T.Transaction> {
    return this.get(`/transactions/${enc(transactionId)}`, undefined, options);
  }
}

export class Investments extends Resource {
  /** Fund a loan (the whole amount); answers the investment and the loan. */
  create(body: T.InvestmentCreateParams, options?: RequestOptions): APIPromise<T.Funding> {
    return this.post("/investments", body, options);
  }

  list(params?: T.InvestmentListParams, options?: RequestOptions): PagePromise<T.Investment> {
    return this.paged("/investments", params, options);
  }

  retrieve(investmentId: string, options?: RequestOptions): APIPromise<T.Investment> {
    return this.get(`/investments/${enc(investmentId)}`, undefined, options);
  }
}

export class CryptoOrders extends Resource {
  create(body: T.CryptoOrderCreateParams, options?: RequestOptions): APIPromise<T.CryptoOrder> {
    return this.post("/crypto/orders", body, options);
  }

  list(params?: T.CryptoOrderListParams, options?: RequestOptions): PagePromise<T.CryptoOrder> {
    return this.paged("/crypto/orders", params, options);
  }

  retrieve(orderId: string, options?: RequestOptions): APIPromise<T.CryptoOrder> {
    return this.get(`/crypto/orders/${enc(orderId)}`, undefined, options);
  }

  cancel(orderId: string, options?: RequestOptions): APIPromise<T.CryptoOrder> {
    return this.post(`/crypto/orders/${enc(orderId)}/cancel`, undefined, options);
  }

  take(orderId: string, options?: RequestOptions): APIPromise<T.CryptoOrder> {
    return this.post(`/crypto/orders/${enc(orderId)}/take`, undefined, options);
  }
}

export class Crypto extends Resource {
  readonly orders = new CryptoOrders(this.core);

  /** The open listings of an asset, best price first on each side. */
  orderBook(asset: T.Asset, params?: { limit?: number }, options?: RequestOptions): APIPromise<T.OrderBook> {
    return this.get(`/crypto/orderbook/${enc(asset)}`, params, options);
  }
}

export class Messages extends Resource {
  list(params?: T.MessageListParams, options?: RequestOptions): PagePromise<T.Message> {
    return this.paged("/messages", params, options);
  }

  markRead(messageId: string, options?: RequestOptions): APIPromise<T.Message> {
    return this.post(`/messages/${enc(messageId)}/read`, undefined, options);
  }
}

export class ApiKeys extends Resource {
  /** Create a key; the answer's `secret` is shown only this once. */
  create(body: T.ApiKeyCreateParams, options?: RequestOptions): APIPromise<T.ApiKeyWithSecret> {
    return this.post("/api-keys", body, options);
  }

  list(params?: T.ListParams, options?: RequestOptions): PagePromise<T.ApiKey> {
    return this.paged("/api-keys", params, options);
  }

  retrieve(keyId: string, options?: RequestOptions): APIPromise<T.ApiKey> {
    return this.get(`/api-keys/${enc(keyId)}`, undefined, options);
  }

  update(keyId: string, body: T.ApiKeyUpdateParams, options?: RequestOptions): APIPromise<T.ApiKey> {
    return this.patch(`/api-keys/${enc(keyId)}`, body, options);
  }

  revoke(keyId: string, options?: RequestOptions): APIPromise<T.ApiKey> {
    return this.post(`/api-keys/${enc(keyId)}/revoke`, undefined, options);
  }

  rotate(keyId: string, body?: T.ApiKeyRotateParams, options?: RequestOptions): APIPromise<T.ApiKeyRotation> {
    return this.post(`/api-keys/${enc(keyId)}/rotate`, body ?? {}, options);
  }

  /** Usage analytics: totals, per route and per hour/day. */
  usage(keyId: string, params?: T.ApiKeyUsageParams, options?: RequestOptions): APIPromise<T.ApiKeyUsage> {
    return this.get(`/api-keys/${enc(keyId)}/usage`, params as Query, options);
  }
}

export class Deliveries extends Resource {
  list(
    webhookId: string,
    params?: T.WebhookDeliveryListParams,
    options?: RequestOptions,
  ): PagePromise<T.WebhookDelivery> {
    return this.paged(`/webhooks/${enc(webhookId)}/deliveries`, params, options);
  }

  retrieve(webhookId: string, deliveryId: string, options?: RequestOptions): APIPromise<T.WebhookDelivery> {
    return this.get(`/webhooks/${enc(webhookId)}/deliveries/${enc(deliveryId)}`, undefined, options);
  }

  /** One more attempt now. */
  retry(webhookId: string, deliveryId: string, options?: RequestOptions): APIPromise<T.WebhookDelivery> {
    return this.post(`/webhooks/${enc(webhookId)}/deliveries/${enc(deliveryId)}/retry`, undefined, options);
  }
}

export class Webhooks extends Resource {
  readonly deliveries = new Deliveries(this.core);

  /** Create an endpoint; the answer's `secret` (`whsec_…`) verifies its deliveries. */
  create(body: T.WebhookCreateParams, options?: RequestOptions): APIPromise<T.WebhookEndpointWithSecret> {
    return this.post("/webhooks", body, options);
  }

  list(params?: T.ListParams, options?: RequestOptions): PagePromise<T.WebhookEndpoint> {
    return this.paged("/webhooks", params, options);
  }

  retrieve(webhookId: string, options?: RequestOptions): APIPromise<T.WebhookEndpoint> {
    return this.get(`/webhooks/${enc(webhookId)}`, undefined, options);
  }

  update(webhookId: string, body: T.WebhookUpdateParams, options?: RequestOptions): APIPromise<T.WebhookEndpoint> {
    return this.patch(`/webhooks/${enc(webhookId)}`, body, options);
  }

  delete(webhookId: string, options?: RequestOptions): APIPromise<T.Deleted> {
    return this.call({ method: "DELETE", path: `/webhooks/${enc(webhookId)}`, options });
  }

  /** Send the catalog's example of an event type to the endpoint. */
  test(webhookId: string, body?: T.WebhookTestParams, options?: RequestOptions): APIPromise<T.WebhookDelivery> {
    return this.post(`/webhooks/${enc(webhookId)}/test`, body ?? {}, options);
  }

  /** A new secret; the old one keeps signing for a grace period. */
  rotateSecret(webhookId: string, options?: RequestOptions): APIPromise<T.WebhookEndpointWithSecret> {
    return this.post(`/webhooks/${enc(webhookId)}/rotate-secret`, undefined, options);
  }

  /** Redeliver every failed delivery since a time. */
  recover(webhookId: string, body: T.WebhookRecoverParams, options?: RequestOptions): APIPromise<T.WebhookRecovery> {
    return this.post(`/webhooks/${enc(webhookId)}/recover`, body, options);
  }

  /** `verifyWebhook(payload, headers, secret)`: check a delivery and return its typed event. */
  verify(payload: string | Uint8Array | ArrayBuffer, headers: WebhookHeaders, secret: string | readonly string[]): T.WebhookEvent {
    return verifyWebhook(payload, headers, secret);
  }
}

export class Events extends Resource {
  list(params?: T.EventListParams, options?: RequestOptions): PagePromise<T.Event> {
    return this.paged("/events", params, options);
  }

  retrieve(eventId: string, options?: RequestOptions): APIPromise<T.Event> {
    return this.get(`/events/${enc(eventId)}`, undefined, options);
  }
}

export class EventTypes extends Resource {
  /** Every event type with its JSON Schema and an example (public). */
  list(options?: RequestOptions): APIPromise<T.EventTypeInfo[]> {
    return new APIPromise(
      this.core
        .request<ListEnvelope<T.EventTypeInfo>>({ method: "GET", path: "/event-types", options })
        .then((r) => ({ ...r, data: r.data.data })),
    );
  }
}

export class Bulk extends Resource {
  /** Up to 20 loans in one request (`mode: "atomic"` for all or nothing). */
  loans(body: T.BulkLoansParams, options?: RequestOptions): APIPromise<T.BulkResult> {
    return this.post("/bulk/loans", body, options);
  }

  investments(body: T.BulkInvestmentsParams, options?: RequestOptions): APIPromise<T.BulkResult> {
    return this.post("/bulk/investments", body, options);
  }

  cryptoOrders(body: T.BulkCryptoOrdersParams, options?: RequestOptions): APIPromise<T.BulkResult> {
    return this.post("/bulk/crypto-orders", body, options);
  }

  /** Staff: up to 50 recipients, or one group. */
  messages(body: T.BulkMessagesParams, options?: RequestOptions): APIPromise<T.BulkResult> {
    return this.post("/bulk/messages", body, options);
  }

  /**
   * Upload a CSV file (header row first, the JSON item fields as columns; see `template`).
   * Per-row errors come back in `items[].error` / `errors[]` (207), or as an
   * UnprocessableError `batch_failed` in atomic mode.
   */
  uploadCsv(
    kind: T.BulkKind,
    csv: string | Uint8Array | Blob,
    params?: { mode?: T.BulkMode },
    options?: RequestOptions,
  ): APIPromise<T.BulkResult> {
    return this.call({
      method: "POST",
      path: `/bulk/${kind}`,
      query: params?.mode ? { mode: params.mode } : undefined,
      rawBody: csv,
      contentType: "text/csv",
      options,
    });
  }

  /** The CSV template of a kind (header and one example row). */
  template(kind: Exclude<T.BulkKind, "messages">, options?: RequestOptions): APIPromise<string> {
    return this.call({ method: "GET", path: `/bulk/templates/${kind}`, responseType: "text", options });
  }

  list(params?: T.BulkListParams, options?: RequestOptions): PagePromise<T.BulkResult> {
    return this.paged("/bulk", params, options);
  }

  retrieve(batchId: string, options?: RequestOptions): APIPromise<T.BulkResult> {
    return this.get(`/bulk/${enc(batchId)}`, undefined, options);
  }
}

/** A downloaded export file, its checksum checked. */
export interface ExportFile {
  data: Uint8Array;
  fileName: string;
  sha256: string;
  contentType: string;
  export: T.Export;
}

export interface WaitOptions {
  /** Between polls (default 1 000 ms). */
  intervalMs?: number;
  /** Give up after (default 5 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with every status read (progress: `recordCount` of `totalRecords`). */
  onProgress?: (exp: T.Export) => void;
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new CoinboxError("Web Crypto (crypto.subtle) is unavailable: needs a secure context (https).", {
      code: "crypto_unavailable",
    });
  }
  const digest = await subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Exports extends Resource {
  /** Start an export (answers 202 with the record, `status: "queued"`). */
  create(body: T.ExportCreateParams, options?: RequestOptions): APIPromise<T.Export> {
    return this.post("/exports", body, options);
  }

  list(params?: T.ExportListParams, options?: RequestOptions): PagePromise<T.Export> {
    return this.paged("/exports", params, options);
  }

  retrieve(exportId: string, options?: RequestOptions): APIPromise<T.Export> {
    return this.get(`/exports/${enc(exportId)}`, undefined, options);
  }

  /** Poll until the export is completed; throws a CoinboxError `export_failed` if it failed. */
  async wait(exportId: string, opts: WaitOptions = {}): Promise<T.Export> {
    const interval = opts.intervalMs ?? 1_000;
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    for (;;) {
      const exp = await this.retrieve(exportId, { signal: opts.signal });
      opts.onProgress?.(exp);
      if (exp.status === "completed") return exp;
      if (exp.status === "failed" || exp.status === "expired") {
        throw new CoinboxError(`Export ${exportId} ${exp.status}: ${exp.error ?? "no reason given"}.`, {
          code: `export_${exp.status}`,
        });
      }
      if (Date.now() + interval > deadline) {
        throw new CoinboxError(`Export ${exportId} still ${exp.status} after ${opts.timeoutMs ?? 300_000} ms.`, {
          code: "export_wait_timeout",
        });
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  /**
   * Download a completed export's file and check its SHA-256 against the export record
   * (throws a CoinboxError `checksum_mismatch` if they differ).
   */
  async download(exportId: string, options?: RequestOptions): Promise<ExportFile> {
    const record = await this.retrieve(exportId, options);
    const res = await this.core.request<Uint8Array>({
      method: "GET",
      path: `/exports/${enc(exportId)}/file`,
      responseType: "bytes",
      options,
    });
    const sha256 = await sha256Hex(res.data);
    if (record.sha256 && sha256 !== record.sha256) {
      throw new CoinboxError(`The downloaded file's SHA-256 ${sha256} is not the export's ${record.sha256}.`, {
        code: "checksum_mismatch",
        requestId: res.requestId,
      });
    }
    return {
      data: res.data,
      sha256,
      fileName: record.fileName ?? `${exportId}.${record.format}`,
      contentType: res.headers.get("content-type") ?? "application/octet-stream",
      export: record,
    };
  }
}

export class AdminUsers extends Resource {
  /** Staff: look a user up. */
  retrieve(uid: string, options?: RequestOptions): APIPromise<T.User> {
    return this.get(`/admin/users/${enc(uid)}`, undefined, options);
  }

  /** Admins change role and tier; support and admins change KYC. */
  update(uid: string, body: T.UserUpdateParams, options?: RequestOptions): APIPromise<T.User> {
    return this.patch(`/admin/users/${enc(uid)}`, body, options);
  }
}

export class Admin extends Resource {
  readonly users = new AdminUsers(this.core);
}

export class Coinbox {
  readonly core: Core;
  readonly loans: Loans;
  readonly wallet: Wallet;
  readonly transactions: Transactions;
  readonly investments: Investments;
  readonly crypto: Crypto;
  readonly messages: Messages;
  readonly apiKeys: ApiKeys;
  readonly webhooks: Webhooks;
  readonly events: Events;
  readonly eventTypes: EventTypes;
  readonly bulk: Bulk;
  readonly exports: Exports;
  readonly admin: Admin;

  constructor(options: CoinboxOptions = {}) {
    const core = new Core(options);
    this.core = core;
    this.loans = new Loans(core);
    this.wallet = new Wallet(core);
    this.transactions = new Transactions(core);
    this.investments = new Investments(core);
    this.crypto = new Crypto(core);
    this.messages = new Messages(core);
    this.apiKeys = new ApiKeys(core);
    this.webhooks = new Webhooks(core);
    this.events = new Events(core);
    this.eventTypes = new EventTypes(core);
    this.bulk = new Bulk(core);
    this.exports = new Exports(core);
    this.admin = new Admin(core);
  }

  get baseUrl(): string {
    return this.core.baseUrl;
  }

  /** Service health (public). */
  health(options?: RequestOptions): APIPromise<T.Health> {
    return new APIPromise(this.core.request({ method: "GET", path: "/health", options }));
  }

  /** The caller's profile, tier limits and usage. */
  me(options?: RequestOptions): APIPromise<T.Me> {
    return new APIPromise(this.core.request({ method: "GET", path: "/me", options }));
  }

  /** The OpenAPI 3.1 document the SDK's types are generated from. */
  openapi(options?: RequestOptions): APIPromise<Record<string, unknown>> {
    return new APIPromise(this.core.request({ method: "GET", path: "/openapi.json", options }));
  }

  /** Any endpoint, for what the SDK does not wrap yet: `request("GET", "/loans", {query})`. */
  request<R = unknown>(
    method: RequestSpec["method"],
    path: string,
    init: { query?: Query; body?: unknown; options?: RequestOptions } = {},
  ): APIPromise<R> {
    return new APIPromise(this.core.request<R>({ method, path, ...init }));
  }
}
