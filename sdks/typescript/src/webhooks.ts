/**
 * Webhook verification on the `standardwebhooks` package (https://www.standardwebhooks.com):
 * `webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of
 * `{id}.{timestamp}.{body}`, keyed by the base64 part of the `whsec_…` secret). Timestamps more
 * than 5 minutes from now are refused (replay protection). Synchronous and pure JavaScript, so
 * it runs in Node, browsers and edge runtimes alike.
 */
import { Webhook, WebhookVerificationError as StdVerificationError } from "standardwebhooks";
import {
  WebhookHeadersError,
  WebhookSignatureError,
  WebhookTimestampError,
  WebhookVerificationError,
} from "./errors.js";
import type { WebhookEvent } from "./types.js";

/** Headers as a fetch `Headers`, Node's `req.headers` (lower-case, maybe arrays) or a record. */
export type WebhookHeaders =
  | Headers
  | Record<string, string | readonly string[] | undefined>
  | Iterable<[string, string]>;

const NAMES = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

function normalise(headers: WebhookHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (key: string, value: string | readonly string[] | undefined) => {
    if (value === undefined) return;
    const name = key.toLowerCase();
    if ((NAMES as readonly string[]).includes(name)) {
      out[name] = typeof value === "string" ? value : value.join(" ");
    }
  };
  if (typeof (headers as Headers).get === "function" && typeof (headers as Headers).forEach === "function") {
    (headers as Headers).forEach((value, key) => put(key, value));
  } else if (Symbol.iterator in (headers as object) && !isRecord(headers)) {
    for (const [key, value] of headers as Iterable<[string, string]>) put(key, value);
  } else {
    for (const [key, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
      put(key, value);
    }
  }
  return out;
}

function isRecord(value: unknown): boolean {
  return Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null;
}

function text(payload: string | Uint8Array | ArrayBuffer): string {
  if (typeof payload === "string") return payload;
  // The exact bytes that were signed, as UTF-8 (Node hands Buffers, which are Uint8Arrays).
  return new TextDecoder("utf-8", { fatal: true }).decode(payload);
}

/**
 * Verify a delivery and return its event, typed by `type`.
 *
 * @param payload the raw request body, exactly as received (do not re-serialise parsed JSON)
 * @param headers the request's headers
 * @param secret  the endpoint's `whsec_…` secret; during a secret rotation pass both
 * @throws WebhookSignatureError  no signature matches (wrong secret, altered body)
 * @throws WebhookTimestampError  the timestamp is more than 5 minutes old (or ahead)
 * @throws WebhookHeadersError    a webhook-* header is missing or malformed
 */
export function verifyWebhook(
  payload: string | Uint8Array | ArrayBuffer,
  headers: WebhookHeaders,
  secret: string | readonly string[],
): WebhookEvent {
  const secrets = typeof secret === "string" ? [secret] : [...secret];
  if (secrets.length === 0) throw new TypeError("verifyWebhook needs a secret");
  const body = text(payload);
  const hdrs = normalise(headers);
  const missing = NAMES.filter((n) => !hdrs[n]);
  if (missing.length) {
    throw new WebhookHeadersError(`Missing webhook header(s): ${missing.join(", ")}.`, "missing_headers");
  }
  let last: unknown;
  for (const s of secrets) {
    try {
      const event = new Webhook(s).verify(body, hdrs) as WebhookEvent | undefined;
      if (!event || typeof event !== "object") {
        throw new WebhookVerificationError("The webhook body is empty.", "invalid_payload");
      }
      return event;
    } catch (err) {
      if (!(err instanceof StdVerificationError)) {
        if (err instanceof WebhookVerificationError) throw err;
        if (err instanceof SyntaxError) {
          throw new WebhookVerificationError("The webhook body is not JSON.", "invalid_payload", err);
        }
        throw err;
      }
      const message = err.message;
      if (message.startsWith("Message timestamp")) {
        throw new WebhookTimestampError(
          `The webhook timestamp is ${message.endsWith("old") ? "more than 5 minutes old" : "more than 5 minutes ahead"}: a replay, or a clock far off.`,
          message.endsWith("old") ? "stale_timestamp" : "future_timestamp",
          err,
        );
      }
      if (message === "Invalid Signature Headers") {
        throw new WebhookHeadersError("webhook-timestamp is not a number.", "invalid_headers", err);
      }
      last = err; // No matching signature found: try the next secret
    }
  }
  throw new WebhookSignatureError(
    "No webhook signature matches the secret: a wrong secret, or the body was altered.",
    "invalid_signature",
    last,
  );
}

/** Sign a payload as the API does (for tests of your receiver). `timestamp` in unix seconds. */
export function signWebhook(secret: string, msgId: string, timestamp: number, payload: string): string {
  return new Webhook(secret).sign(msgId, new Date(timestamp * 1000), payload);
}
