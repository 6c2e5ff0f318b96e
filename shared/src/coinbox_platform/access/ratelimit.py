"""Rate limits (docs/product.md §4.3): token buckets made of claimable "token slots".

A bucket of capacity C over a window of W seconds mints one token every T = W/C seconds. Slot
k is the token minted at k·T (k = floor(t·C/W)). At time t the claimable slots are
``(hi - C, hi]`` with ``hi = floor(t·C/W)``: at most C tokens, one more every T seconds, the
oldest falling away as a new one appears, which is a token bucket with continuous refill
(discretised to T). A request takes a token by *creating* the document of a free slot:
``rateLimits/{bucket}/rateLimitSlots/{k}``. Firestore lets exactly one creator win each
document, so two requests can never hold the same token, with no transaction and no document
that every request writes: contention is spread over as many documents as there are tokens.

Requests claim the lowest free slot (that makes it a token bucket rather than a sliding log:
a token spent at the bottom of the window is replaced after T, not after W). Claimed slots in
range are therefore contiguous from the bottom, so the next free slot is one past the highest
claimed one: each instance keeps that as a hint, and after a lost race asks Firestore for the
highest claimed slot (one indexed query, limit 1) and probes upwards from there. While other
instances are claiming from the same bucket, an instance asks for the top first instead of
losing a create on its stale hint. A request
takes its minute token first (bursts are refused there at no further cost), then hour and
day; if a later window refuses, the earlier tokens are handed back (deleted). Windows of
1,000 tokens or more are split into 8 interleaved slot sequences (k mod 8): a request starts
at a random one and tries the others only when it is exhausted, so concurrent requests of one
key rarely race for the same slot, and a refusal still means every slot in range is taken.

Guarantee: every admitted request holds a distinct slot of (hi(t) - C, hi(t)] at its time t,
so in any interval [a, b] at most C + hi(b) - hi(a) requests are admitted, whatever the
concurrency. A refusal is only given when a fresh read shows every slot in range claimed.

Leases (issue 12). One caller's concurrent requests used to race for that caller's slots: a
create per window per request (six for a key: its own three windows and its owner's), all on
documents of one caller, serialising a pool of workers. A window of LEASE_MIN tokens or more
is now claimed in aligned blocks of ``lease_size(w)`` = limit / LEASE_DIVISOR tokens: slot
document b of such a window stands for tokens bL … bL+L-1, created exactly as a single slot is
(one winner per block, lowest free block first), and the instance spends the block's tokens from
memory, each only while it is in the claimable range at the time it is spent. So the guarantee
above holds unchanged (every admitted request holds a distinct in-range token, taken from the
global budget before use), an instance writes one document per L tokens instead of one per
token, and an instance that dies loses at most its unspent block (1/LEASE_DIVISOR of a window).
Only fully minted blocks are claimed. Windows below LEASE_MIN (a basic key's 10 a minute and
100 an hour, a pro key's 100 a minute, anonymous traffic's 120 a minute) keep one token per
document, exact across instances: no instance can sit on another's few tokens. What leasing
gives up on the big windows: a refusal can come while other instances still hold unspent
tokens (at most L - 1 each); those tokens are spent by their holders or lapse with the window.
Leased windows are not sharded: a claim per L requests rarely races.

Any store error other than "already exists" fails closed: 503 service_unavailable.
The clock is injectable (epoch milliseconds), so hour and day windows are testable.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from coinbox_platform.errors import RateLimited, ServiceUnavailable
from coinbox_platform.tiers import ApiTier

if TYPE_CHECKING:
    from google.cloud.firestore import CollectionReference

RATE_LIMITS = "rateLimits"
SLOTS = "rateLimitSlots"
SHARDS = 8  # slot sequences of a window with at least SHARD_MIN tokens
SHARD_MIN = 1000
LEASE_MIN = 500  # windows of at least this many tokens are leased in blocks
LEASE_DIVISOR = 50  # a block is 1/50 of the window (2 %): enterprise minute 20, day 2,000
STORE_TIMEOUT = 10.0  # seconds of retries; beyond that the limiter fails closed


@dataclass(frozen=True)
class Window:
    name: str
    seconds: int
    limit: int

    @property
    def ms(self) -> int:
        return self.seconds * 1000


def _windows(minute: int, hour: int, day: int | None = None) -> tuple[Window, ...]:
    out = [Window("minute", 60, minute), Window("hour", 3600, hour)]
    if day is not None:
        out.append(Window("day", 86400, day))
    return tuple(out)


POLICIES: dict[str, tuple[Window, ...]] = {
    ApiTier.BASIC.value: _windows(10, 100, 1_000),
    ApiTier.PRO.value: _windows(100, 1_000, 10_000),
    ApiTier.ENTERPRISE.value: _windows(1_000, 10_000, 100_000),
    # People in the portal and dashboard: generous for a person clicking, tight enough to
    # stop a runaway script using a stolen session (programs should use keys).
    "session": _windows(600, 10_000),
    # Anonymous traffic (public routes, failed sign-ins), per client IP: enough for a person
    # or a health check, nothing for a credential-stuffing or write-amplifying script.
    "anonymous": _windows(120, 3_000),
}


# --- bucket math (pure) -------------------------------------------------------------------


def slot_at(t_ms: int, w: Window) -> int:
    """The newest claimable slot at t: floor(t·C/W)."""
    return t_ms * w.limit // w.ms


def slot_time(k: int, w: Window) -> int:
    """When slot k is minted (epoch ms, rounded up)."""
    return -(-k * w.ms // w.limit)


def claimable(t_ms: int, w: Window) -> tuple[int, int]:
    """(lo, hi): the slots a request at t may claim."""
    hi = slot_at(t_ms, w)
    return hi - w.limit + 1, hi


def lease_size(w: Window) -> int:
    """Tokens per claimed document of window w (1: one token per document, no lease)."""
    return w.limit // LEASE_DIVISOR if w.limit >= LEASE_MIN else 1


def claimable_blocks(t_ms: int, w: Window, size: int) -> tuple[int, int]:
    """(first, last) blocks of `size` tokens that are fully minted at t and still hold at
    least one token of the claimable range."""
    lo, hi = claimable(t_ms, w)
    return -(-(lo + 1) // size) - 1, (hi + 1) // size - 1


@dataclass(frozen=True)
class BucketState:
    """One window's state after a request: for headers."""

    window: Window
    remaining: int
    full_at_ms: int  # when the bucket holds `limit` tokens again
    next_token_ms: int  # when the next token appears (only meaningful at remaining 0)

    @property
    def reset_s(self) -> int:
        return math.ceil(self.full_at_ms / 1000)


def state_after(t_ms: int, w: Window, top: int | None) -> BucketState:
    """The window's state at t when `top` is the highest claimed slot (None: none claimed)."""
    lo, hi = claimable(t_ms, w)
    highest = lo - 1 if top is None else max(top, lo - 1)
    remaining = max(0, hi - highest)
    full_at = max(t_ms, slot_time(highest + w.limit, w))
    return BucketState(w, remaining, full_at, slot_time(hi + 1, w))


# --- stores -------------------------------------------------------------------------------


class SlotStore(Protocol):
    def claim(self, bucket: str, k: int, expire_at_ms: int) -> bool:
        """Create the slot; False if it exists. Any other failure raises."""
        ...

    def highest(self, bucket: str, lo: int) -> int | None:
        """The highest claimed slot ≥ lo, or None."""
        ...

    def release(self, bucket: str, k: int) -> None: ...


class FirestoreSlots:
    """Slots as documents `rateLimits/{bucket}/rateLimitSlots/{k}` with `i` and `expireAt`
    (a TTL policy on the collection group removes old ones)."""

    def __init__(self, client: Callable[[], Any] | None = None) -> None:
        from coinbox_platform import store

        self._client = client or store.db

    def _slots(self, bucket: str) -> CollectionReference:
        return self._client().collection(RATE_LIMITS).document(bucket).collection(SLOTS)

    @staticmethod
    def _retry() -> Any:
        from google.api_core import exceptions as gexc
        from google.api_core.retry import Retry, if_exception_type

        return Retry(
            predicate=if_exception_type(gexc.ServiceUnavailable, gexc.InternalServerError),
            initial=0.05,
            maximum=0.5,
            timeout=STORE_TIMEOUT,
        )

    def claim(self, bucket: str, k: int, expire_at_ms: int) -> bool:
        from datetime import UTC, datetime

        from google.api_core.exceptions import AlreadyExists

        from coinbox_platform import retention

        window_end = datetime.fromtimestamp(expire_at_ms / 1000, UTC)
        doc = {"i": k, "expireAt": retention.expire_at(SLOTS, window_end)}
        try:
            self._slots(bucket).document(str(k)).create(
                doc, retry=self._retry(), timeout=STORE_TIMEOUT
            )
        except AlreadyExists:
            return False
        return True

    def highest(self, bucket: str, lo: int) -> int | None:
        from google.cloud.firestore import FieldFilter, Query

        q = (
            self._slots(bucket)
            .where(filter=FieldFilter("i", ">=", lo))
            .order_by("i", direction=Query.DESCENDING)
            .limit(1)
        )
        for snap in q.stream(retry=self._retry(), timeout=STORE_TIMEOUT):
            return int((snap.to_dict() or {})["i"])
        return None

    def release(self, bucket: str, k: int) -> None:
        self._slots(bucket).document(str(k)).delete(retry=self._retry(), timeout=STORE_TIMEOUT)


class MemorySlots:
    """The same contract in memory (unit tests, benchmarks of the algorithm)."""

    def __init__(self) -> None:
        self._slots: dict[str, set[int]] = {}
        self._lock = threading.Lock()

    def claim(self, bucket: str, k: int, expire_at_ms: int) -> bool:
        with self._lock:
            taken = self._slots.setdefault(bucket, set())
            if k in taken:
                return False
            taken.add(k)
            return True

    def highest(self, bucket: str, lo: int) -> int | None:
        with self._lock:
            above = [k for k in self._slots.get(bucket, ()) if k >= lo]
        return max(above) if above else None

    def release(self, bucket: str, k: int) -> None:
        with self._lock:
            self._slots.get(bucket, set()).discard(k)


# --- the limiter --------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    allowed: bool
    states: tuple[BucketState, ...]
    refused_by: BucketState | None = None
    store_ops: int = 0  # writes and queries this decision cost (for measurements)
    windows: tuple[Window, ...] = ()

    @property
    def tightest(self) -> BucketState:
        if self.refused_by is not None:
            return self.refused_by
        return min(self.states, key=lambda s: (s.remaining, s.window.seconds))

    def headers(self, now_ms: int) -> dict[str, str]:
        t = self.tightest
        windows = self.windows or tuple(s.window for s in self.states)
        policy = ", ".join(f'"{w.name}";q={w.limit};w={w.seconds}' for w in windows)
        reset_in = max(0, math.ceil((t.full_at_ms - now_ms) / 1000))
        out = {
            "X-RateLimit-Limit": str(t.window.limit),
            "X-RateLimit-Remaining": str(t.remaining),
            "X-RateLimit-Reset": str(t.reset_s),
            "RateLimit-Policy": policy,
            "RateLimit": f'"{t.window.name}";r={t.remaining};t={reset_in}',
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after(now_ms))
        return out

    def retry_after(self, now_ms: int) -> int:
        assert self.refused_by is not None
        return max(1, math.ceil((self.refused_by.next_token_ms - now_ms) / 1000))


class RateLimiter:
    """Takes one token from every window of a subject's policy, or refuses."""

    def __init__(
        self,
        store: SlotStore | None = None,
        clock: Callable[[], float] | None = None,
        *,
        lease: bool = True,
    ) -> None:
        """`lease=False`: one token per document in every window (the slot algorithm alone)."""
        self.store: SlotStore = store if store is not None else FirestoreSlots()
        self.clock: Callable[[], float] = clock or time.time  # epoch seconds
        self.lease = lease
        self._leases: dict[str, list[int]] = {}  # bucket → unspent leased tokens, ascending
        self._hints: dict[str, int] = {}
        self._contended: set[str] = set()  # buckets where this instance lost a race lately
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def take(self, subject: str, windows: tuple[Window, ...]) -> Decision:
        """One token from each window for `subject` (e.g. a key id), all or none."""
        return self.take_all([(subject, windows)])

    def take_all(self, policies: list[tuple[str, tuple[Window, ...]]]) -> Decision:
        """One token from every window of every (subject, windows), all or none: e.g. a
        key's own windows and its owner's windows across all of their keys."""
        t = self.now_ms()
        held: list[tuple[str, int, bool]] = []  # (bucket, token, leased)
        states: list[BucketState] = []
        ops = 0
        pairs = [(subject, w) for subject, windows in policies for w in windows]
        windows = tuple(w for _, w in pairs)  # the header's order: as the policies list them
        # Shortest windows first, every subject's: a burst is refused by the minute windows
        # before any longer window is touched, and one request's minute tokens (its key's and
        # its owner's) are claimed back to back.
        pairs.sort(key=lambda p: p[1].seconds)
        try:
            for i, (subject, w) in enumerate(pairs):
                claim, state, n = self._take_window(subject, w, t)
                ops += n
                if claim is None:
                    for b, slot, leased in held:  # hand back the tokens of the other windows
                        if leased:
                            self._give_back(b, slot)
                        else:
                            self.store.release(b, slot)
                            ops += 1
                    others = [state_after(t, o, None) for j, (_, o) in enumerate(pairs) if j != i]
                    return Decision(False, (state, *others), state, ops, _unique(windows))
                held.append(claim)
                states.append(state)
        except (RateLimited, ServiceUnavailable):
            raise
        except Exception as exc:
            raise ServiceUnavailable(
                "The rate limiter cannot reach its store; the request was not run.",
                code="service_unavailable",
                headers={"Retry-After": "1"},
            ) from exc
        return Decision(True, tuple(states), None, ops, _unique(windows))

    def window_lease(self, w: Window) -> int:
        return lease_size(w) if self.lease else 1

    def _give_back(self, bucket: str, k: int) -> None:
        with self._lock:
            tokens = self._leases.setdefault(bucket, [])
            tokens.append(k)
            tokens.sort()

    def _take_leased(
        self, subject: str, w: Window, t: int, size: int
    ) -> tuple[tuple[str, int, bool] | None, BucketState, int]:
        """A token of a leased window: from this instance's block, or from a new block."""
        lo, hi = claimable(t, w)
        bucket = bucket_id(subject, w, lease=size)
        first, last = claimable_blocks(t, w, size)
        ops = 0
        while True:
            with self._lock:
                tokens = [k for k in self._leases.get(bucket, ()) if lo <= k <= hi]
                self._leases[bucket] = tokens  # lapsed tokens fall away
                if tokens:
                    k = tokens.pop(0)
                    self._leases[bucket] = tokens
                    ahead = max(0, last - max(self._hints.get(bucket, first), first) + 1)
                    remaining = min(w.limit, len(tokens) + ahead * size)
                    return (bucket, k, True), state_after(t, w, hi - remaining), ops
            b, used = self._take_one(bucket, first, last, 1, slot_time(hi + w.limit, w) + 60_000)
            ops += used
            if b is None:
                break
            with self._lock:
                tokens = self._leases.setdefault(bucket, [])
                tokens.extend(k for k in range(b * size, (b + 1) * size) if k >= lo)
                tokens.sort()
        refused = state_after(t, w, hi)
        next_block = slot_time((last + 2) * size - 1, w)
        return None, BucketState(w, 0, refused.full_at_ms, next_block), ops

    def _take_window(
        self, subject: str, w: Window, t: int
    ) -> tuple[tuple[str, int, bool] | None, BucketState, int]:
        """((bucket, slot, leased) claimed or None, the window's state, store operations).

        A sharded window starts at a random shard and moves on to the others only when it
        is exhausted, so it refuses only when every slot in range is claimed."""
        size = self.window_lease(w)
        if size > 1:
            return self._take_leased(subject, w, t, size)
        lo, hi = claimable(t, w)
        n = shards_for(w)
        start = random.randrange(n) if n > 1 else 0
        ops = 0
        for i in range(n):
            j = (start + i) % n
            bucket = bucket_id(subject, w, j, n)
            first, last = lo + (j - lo) % n, hi - (hi - j) % n
            k, used = self._take_one(bucket, first, last, n, slot_time(hi + w.limit, w) + 60_000)
            ops += used
            if k is not None:
                # Exact for one shard; for n shards, this shard's free slots times n.
                remaining = min(w.limit, (last - k) // n * n)
                return (bucket, k, False), state_after(t, w, hi - remaining), ops
        return None, state_after(t, w, hi), ops

    def _take_one(
        self, bucket: str, first: int, last: int, step: int, expire: int
    ) -> tuple[int | None, int]:
        """Claim the lowest free slot of first, first+step, …, last: (slot or None, ops)."""
        with self._lock:
            k = max(first, self._hints.get(bucket, first))
            contended = bucket in self._contended
        ops = 0
        failures = 0
        top = k - step
        others_claimed = False
        if contended:
            # Others claimed from this bucket lately: this instance's hint is stale, so ask
            # for the top first rather than lose a create.
            ops += 1
            highest = self.store.highest(bucket, first)
            if highest is not None:
                top = max(top, highest)
                others_claimed = highest >= k
                k = max(k, highest + step)
        while k <= last:
            ops += 1
            if self.store.claim(bucket, k, expire):
                with self._lock:
                    if self._hints.get(bucket, first) <= k:
                        self._hints[bucket] = k + step
                    if failures or others_claimed:
                        self._contended.add(bucket)
                    else:
                        self._contended.discard(bucket)
                return k, ops
            failures += 1
            top = max(top, k)
            if failures == 1 or failures % 4 == 0:
                # Lost a race: jump to one past the highest claimed slot.
                ops += 1
                highest = self.store.highest(bucket, first)
                if highest is not None:
                    top = max(top, highest)
                k = max(k + step, top + step)
            else:
                k += step
        with self._lock:
            self._hints[bucket] = last + step
        return None, ops


def shards_for(w: Window) -> int:
    """How many slot sequences a window is split into: big windows are split so that
    concurrent requests of one key rarely race for the same slot; small ones stay one
    sequence (exactly lowest-first)."""
    return SHARDS if w.limit >= SHARD_MIN and w.limit % SHARDS == 0 else 1


def bucket_id(subject: str, w: Window, shard: int = 0, shards: int = 1, lease: int = 1) -> str:
    """A window's slot collection: `{subject}:{window}`, `.{shard}` when sharded, `.L{size}`
    when leased in blocks of `size` tokens (so a change of block size never reuses ids)."""
    base = f"{subject}:{w.name}"
    if lease > 1:
        return f"{base}.L{lease}"
    return base if shards == 1 else f"{base}.{shard}"


def bucket_ids(subject: str, w: Window, *, lease: bool = True) -> list[str]:
    """The slot collections of a subject's window (one when the window is leased)."""
    if lease and lease_size(w) > 1:
        return [bucket_id(subject, w, lease=lease_size(w))]
    n = shards_for(w)
    return [bucket_id(subject, w, j, n) for j in range(n)]


def _unique(windows: tuple[Window, ...]) -> tuple[Window, ...]:
    return tuple(dict.fromkeys(windows))


def policy_for(principal: Any, ip: str | None = None) -> list[tuple[str, tuple[Window, ...]]]:
    """The (subject, windows) a request draws from:

    - an API key: its own tier's windows, and its owner's windows across all of their keys
      (the limits of the highest API tier the owner may hold: more keys never mean more
      requests);
    - a person: their session windows, shared by all of their sessions;
    - nobody (a public route or a failed sign-in): the anonymous windows of the client IP.
    """
    if principal is None:
        return [(f"ip:{ip or 'unknown'}", POLICIES["anonymous"])]
    if principal.kind == "api_key" and principal.key_id:
        tier = principal.api_tier or ApiTier.BASIC.value
        ceiling = getattr(principal, "tier_ceiling", None) or tier
        return [
            (principal.key_id, POLICIES[tier]),
            (f"apiuser:{principal.user.id}:{ceiling}", POLICIES[ceiling]),
        ]
    return [(f"user:{principal.user.id}", POLICIES["session"])]


_limiter: RateLimiter | None = None


def limiter() -> RateLimiter:
    """The instance's limiter (the pipeline's rate-limit stage, api/app.py)."""
    global _limiter
    if _limiter is None:
        _limiter = RateLimiter()
    return _limiter


def set_limiter(value: RateLimiter | None) -> None:
    """Swap the instance's limiter (tests and benchmarks: another store, clock or mode)."""
    global _limiter
    _limiter = value
