/**
 * @coinbox/sdk: the TypeScript client of the CoinBox API (/v1).
 *
 *     import { Coinbox } from "@coinbox/sdk";
 *     const client = new Coinbox({ apiKey: "cb_live_…", baseUrl: "http://127.0.0.1:5002/v1" });
 *     for await (const loan of client.loans.list()) console.log(loan.id, loan.status);
 */
export { Coinbox, APIPromise } from "./client.js";
export type { ExportFile, WaitOptions } from "./client.js";
export { newIdempotencyKey } from "./core.js";
export type { APIResponse, CoinboxOptions, RequestOptions, TokenSource } from "./core.js";
export * from "./errors.js";
export { Page, PagePromise } from "./pagination.js";
export type { ListEnvelope } from "./pagination.js";
export { signWebhook, verifyWebhook } from "./webhooks.js";
export type { WebhookHeaders } from "./webhooks.js";
export type * from "./types.js";
export { API_VERSION, VERSION, WEBHOOK_API_VERSION } from "./version.js";
export { Coinbox as default } from "./client.js";
