"""Cursor pagination: `{data, hasMore, nextCursor}` pages walked by `startingAfter`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its objects, whether more follow, and the cursor to the next."""

    data: list[T]
    has_more: bool
    next_cursor: str | None


class SyncPaginator(Generic[T]):
    """`for obj in client.loans.list(): …` walks every page; `.pages()` yields the pages."""

    def __init__(self, fetch: Callable[[str | None], Page[T]], start: str | None = None) -> None:
        self._fetch = fetch
        self._start = start

    def pages(self) -> Iterator[Page[T]]:
        cursor = self._start
        while True:
            page = self._fetch(cursor)
            yield page
            if not page.has_more or not page.next_cursor:
                return
            cursor = page.next_cursor

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.data

    def first_page(self) -> Page[T]:
        return self._fetch(self._start)


class AsyncPaginator(Generic[T]):
    """`async for obj in client.loans.list(): …`; `.pages()` is an async iterator of pages."""

    def __init__(
        self, fetch: Callable[[str | None], Awaitable[Page[T]]], start: str | None = None
    ) -> None:
        self._fetch = fetch
        self._start = start

    async def pages(self) -> AsyncIterator[Page[T]]:
        cursor = self._start
        while True:
            page = await self._fetch(cursor)
            yield page
            if not page.has_more or not page.next_cursor:
                return
            cursor = page.next_cursor

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.data:
                yield item

    async def first_page(self) -> Page[T]:
        return await self._fetch(self._start)
