/**
 * The HTTP core: credentials, headers, the Idempotency-Key of every POST, retries with jittered
 * backoff (honouring Retry-After / RateLimit), timeouts and problem+json errors.
 *
 * Runs on any `fetch` (Node 20, browsers, workers): no Node module is imported.
 */
import { APIConnectionError, APITimeoutError, type Problem, errorFor } from "./errors.js";
import { VERSION } from "./version.js";

/** A bearer credential, or a function that returns a fresh one (a Firebase ID token). */
export type TokenSource =
  | string
  | (() => string | null | undefined | Promise<string | null | undefined>);

export interface CoinboxOptions {
  /**
   * An API key (`cb_live_…`), sent as `Authorization: Bearer`. Defaults to the
   * `COINBOX_API_KEY` environment variable where there is one (Node), unless `token` is given.
   */
  apiKey?: string | null;
  /**
   * A Firebase ID token, or a function returning one (called before every attempt, so it can
   * refresh: `() => auth.currentUser?.getIdToken()`). Used when no `apiKey` is given.
   */
  token?: TokenSource | null;
  /** Send the API key as `X-API-Key` instead of `Authorization: Bearer` (same effect). */
  apiKeyHeader?: "authorization" | "x-api-key";
  /**
   * The API root, `…/v1`. Default: `COINBOX_BASE_URL` or `COINBOX_API_BASE` (Node), else in a
   * browser the page's origin + `/v1` (the portal is served next to the API), else the local
   * stack of `make dev`, `http://127.0.0.1:5002/v1`.
   */
  baseUrl?: string;
  /** A `fetch` implementation (default: the global one). */
  fetch?: typeof fetch;
  /** Per attempt, in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 2; 0 turns retrying off). */
  maxRetries?: number;
  /** The first backoff delay (default 500 ms); doubles per retry, with jitter. */
  initialRetryDelayMs?: number;
  /** The cap on a computed backoff delay (default 8 000 ms). */
  maxRetryDelayMs?: number;
  /**
   * The longest `Retry-After` the client waits out itself (default 60 000 ms); a longer one is
   * raised at once as a RateLimitError / ServiceUnavailableError carrying it.
   */
  maxRetryAfterMs?: number;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

/** Per-call options of every method. */
export interface RequestOptions {
  /** The Idempotency-Key of a POST (default: a new random key per call, kept across retries). */
  idempotencyKey?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
}

/** What came back, beside the parsed body. */
export interface APIResponse<T> {
  data: T;
  status: number;
  headers: Headers;
  /** `X-Request-Id`. */
  requestId: string | null;
  /** `Idempotent-Replayed: true`: the API answered a POST from its idempotency record. */
  idempotentReplayed: boolean;
  /** Attempts made (1 when the first answer was final). */
  attempts: number;
}

export type QueryValue = string | number | boolean | Date | null | undefined | readonly (string | number)[];
export type Query = Record<string, QueryValue>;

export interface RequestSpec {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  query?: Query | undefined;
  /** A JSON body. */
  body?: unknown;
  /** A raw body (CSV uploads) with its content type. */
  rawBody?: string | Uint8Array | Blob;
  contentType?: string;
  /** How to read a successful body (default json). */
  responseType?: "json" | "text" | "bytes";
  options?: RequestOptions | undefined;
}

const LOCAL_STACK = "http://127.0.0.1:5002/v1";
const CLIENT_ID = `coinbox-typescript/${VERSION}`;

interface Env {
  [name: string]: string | undefined;
}

function processEnv(): Env {
  const proc = (globalThis as { process?: { env?: Env } }).process;
  return proc?.env ?? {};
}

function nodeVersion(): string | null {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  const isBrowser = typeof (globalThis as { document?: unknown }).document !== "undefined";
  return !isBrowser && typeof proc?.versions?.node === "string" ? proc.versions.node : null;
}

function defaultBaseUrl(env: Env): string {
  const fromEnv = env["COINBOX_BASE_URL"] || env["COINBOX_API_BASE"];
  if (fromEnv) return fromEnv;
  const location = (globalThis as { location?: { origin?: string; protocol?: string } }).location;
  if (location?.origin && /^https?:$/.test(location.protocol ?? "")) return `${location.origin}/v1`;
  return LOCAL_STACK;
}

/** A random Idempotency-Key (UUID v4 shape) from crypto.getRandomValues, which (unlike
 * randomUUID) also exists on plain-http pages. */
export function newIdempotencyKey(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function encodeQuery(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else if (value instanceof Date) params.append(key, value.toISOString());
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Milliseconds the server asked us to wait: Retry-After (seconds or an HTTP date), else the
 * `t=` of the RateLimit header; null when it said nothing. */
export function serverDelayMs(headers: Headers, now = Date.now()): number | null {
  const retryAfter = headers.get("retry-after");
  if (retryAfter !== null && retryAfter.trim() !== "") {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const rateLimit = headers.get("ratelimit");
  const match = rateLimit ? /(?:^|[;,\s])t=(\d+)/.exec(rateLimit) : null;
  if (match) return Number(match[1]) * 1000;
  return null;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function readProblem(status: number, text: string): Problem {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") return parsed as Problem;
  } catch {
    // not JSON: a proxy's error page, say
  }
  return { detail: text.slice(0, 500) || `HTTP ${status}` };
}

export class Core {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly initialRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly #apiKey: string | null;
  readonly #token: TokenSource | null;
  readonly #apiKeyHeader: "authorization" | "x-api-key";
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;

  constructor(options: CoinboxOptions = {}) {
    const env = processEnv();
    const token = options.token ?? null;
    this.#apiKey = options.apiKey ?? (token ? null : (env["COINBOX_API_KEY"] ?? null));
    this.#token = token;
    this.#apiKeyHeader = options.apiKeyHeader ?? "authorization";
    this.baseUrl = (options.baseUrl ?? defaultBaseUrl(env)).replace(/\/+$/, "");
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== "function") throw new TypeError("No fetch: pass options.fetch");
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = Math.max(0, options.maxRetries ?? 2);
    this.initialRetryDelayMs = options.initialRetryDelayMs ?? 500;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 8_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    const node = nodeVersion();
    this.#headers = {
      "X-Coinbox-Client": CLIENT_ID,
      // Browsers forbid setting User-Agent; Node's fetch allows it.
      ...(node ? { "User-Agent": `${CLIENT_ID} node/${node}` } : {}),
      ...options.headers,
    };
  }

  /** The computed backoff before retry number `retry` (0-based): exponential, capped, with
   * "equal jitter" (between half and all of the step). */
  backoffMs(retry: number): number {
    const step = Math.min(this.maxRetryDelayMs, this.initialRetryDelayMs * 2 ** retry);
    return step / 2 + Math.random() * (step / 2);
  }

  async #credential(): Promise<Record<string, string>> {
    if (this.#apiKey) {
      return this.#apiKeyHeader === "x-api-key"
        ? { "X-API-Key": this.#apiKey }
        : { Authorization: `Bearer ${this.#apiKey}` };
    }
    const token = typeof this.#token === "function" ? await this.#token() : this.#token;
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  url(path: string, query?: Query): string {
    return this.baseUrl + path + encodeQuery(query);
  }

  async request<T>(spec: RequestSpec): Promise<APIResponse<T>> {
    const opts = spec.options ?? {};
    const maxRetries = Math.max(0, opts.maxRetries ?? this.maxRetries);
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const url = this.url(spec.path, spec.query);
    const headers: Record<string, string> = {
      Accept: spec.responseType === "bytes" ? "*/*" : "application/json",
      ...this.#headers,
    };
    let body: BodyInit | undefined;
    if (spec.rawBody !== undefined) {
      body = spec.rawBody as BodyInit;
      headers["Content-Type"] = spec.contentType ?? "application/octet-stream";
    } else if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers["Content-Type"] = "application/json";
    }
    if (spec.method === "POST") headers["Idempotency-Key"] = opts.idempotencyKey ?? newIdempotencyKey();
    Object.assign(headers, opts.headers);

    for (let attempt = 1; ; attempt++) {
      const retriesLeft = maxRetries - (attempt - 1);
      if (opts.signal?.aborted) throw opts.signal.reason;
      // One controller per attempt: the caller's signal and the timeout both abort it, and the
      // timeout covers reading the body too.
      const controller = new AbortController();
      const onAbort = () => controller.abort(opts.signal?.reason);
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      let res: Response;
      let payload: string | Uint8Array;
      try {
        res = await this.#fetch(url, {
          method: spec.method,
          headers: { ...headers, ...(await this.#credential()) },
          body,
          signal: controller.signal,
        });
        payload =
          res.ok && spec.responseType === "bytes" ? new Uint8Array(await res.arrayBuffer()) : await res.text();
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        const error = timedOut
          ? new APITimeoutError(timeoutMs)
          : new APIConnectionError(`Could not reach ${url}: ${(err as Error)?.message ?? err}`, err);
        if (retriesLeft > 0) {
          await sleep(this.backoffMs(attempt - 1), opts.signal);
          continue;
        }
        throw error;
      } finally {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
      }
      if (res.ok) {
        return {
          data: parseBody<T>(payload, spec.responseType ?? "json"),
          status: res.status,
          headers: res.headers,
          requestId: res.headers.get("x-request-id"),
          idempotentReplayed: res.headers.get("idempotent-replayed") === "true",
          attempts: attempt,
        };
      }
      const error = errorFor(res.status, readProblem(res.status, payload as string), res.headers);
      const retryable = res.status === 429 || res.status >= 500 || error.code === "idempotency_in_flight";
      if (retryable && retriesLeft > 0) {
        const asked = serverDelayMs(res.headers);
        if (asked === null || asked <= this.maxRetryAfterMs) {
          // Honour the server's delay (plus up to 10 % so that clients do not return together).
          const delay = asked === null ? this.backoffMs(attempt - 1) : asked * (1 + Math.random() * 0.1);
          await sleep(delay, opts.signal);
          continue;
        }
      }
      throw error;
    }
  }
}

function parseBody<T>(payload: string | Uint8Array, type: "json" | "text" | "bytes"): T {
  if (type !== "json") return payload as T;
  return (payload === "" ? undefined : JSON.parse(payload as string)) as T;
}
