/**
 * Cursor pagination (`limit`, `startingAfter` → `{data, hasMore, nextCursor}`).
 *
 *     for await (const loan of client.loans.list()) { … }      every item, page after page
 *     const page = await client.loans.list({ limit: 50 });    one page
 *     for await (const page of client.loans.list().pages())   page by page
 */
import type { APIResponse } from "./core.js";

/** The list envelope every list endpoint answers with. */
export interface ListEnvelope<T> {
  object?: string;
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

type FetchPage<T> = (startingAfter: string | undefined) => Promise<APIResponse<ListEnvelope<T>>>;

export class Page<T> implements AsyncIterable<T> {
  readonly data: T[];
  readonly hasMore: boolean;
  readonly nextCursor: string | null;
  readonly requestId: string | null;
  readonly #fetch: FetchPage<T>;

  constructor(fetchPage: FetchPage<T>, response: APIResponse<ListEnvelope<T>>) {
    this.#fetch = fetchPage;
    this.data = response.data.data;
    this.hasMore = response.data.hasMore;
    this.nextCursor = response.data.nextCursor ?? null;
    this.requestId = response.requestId;
  }

  hasNextPage(): boolean {
    return this.hasMore && this.nextCursor !== null;
  }

  /** The page after this one, or null at the end. */
  async nextPage(): Promise<Page<T> | null> {
    if (!this.hasNextPage()) return null;
    return new Page(this.#fetch, await this.#fetch(this.nextCursor ?? undefined));
  }

  /** Every item from this page on. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let page: Page<T> | null = this;
    while (page) {
      yield* page.data;
      page = await page.nextPage();
    }
  }
}

/**
 * What a `list()` returns: await it for the first page, or iterate it (`for await`) for every
 * item. Nothing is fetched until one of them happens.
 */
export class PagePromise<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  readonly #fetch: FetchPage<T>;
  readonly #startingAfter: string | undefined;
  #first: Promise<Page<T>> | null = null;

  constructor(fetchPage: FetchPage<T>, startingAfter?: string) {
    this.#fetch = fetchPage;
    this.#startingAfter = startingAfter;
  }

  #firstPage(): Promise<Page<T>> {
    this.#first ??= this.#fetch(this.#startingAfter).then((r) => new Page(this.#fetch, r));
    return this.#first;
  }

  then<A = Page<T>, B = never>(
    onFulfilled?: ((page: Page<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#firstPage().then(onFulfilled, onRejected);
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Page<T> | B> {
    return this.#firstPage().catch(onRejected);
  }

  /** Page by page, from the first. */
  async *pages(): AsyncGenerator<Page<T>> {
    let page: Page<T> | null = await this.#firstPage();
    while (page) {
      yield page;
      page = await page.nextPage();
    }
  }

  /** Every item, page after page. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Every item in an array (at most `max`, default 10 000, so a typo cannot load a million). */
  async toArray(max = 10_000): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this) {
      if (out.length >= max) break;
      out.push(item);
    }
    return out;
  }
}
