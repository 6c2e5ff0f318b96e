"""`coinbox`: the CoinBox command line (bulk CSV uploads, exports, keys, webhooks, events).

Every command takes --json (machine-readable output on stdout) and --help (with examples).
The API key comes from --api-key or COINBOX_API_KEY, the base URL from --base-url or
COINBOX_BASE_URL (default: the local stack).
"""

from __future__ import annotations

import csv
import json
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from rich.console import Console

    from coinbox import Coinbox
    from coinbox.cli.bulkcsv import CsvFile, Row

F = TypeVar("F", bound=Callable[..., Any])

EPILOG_BULK = """\b
Examples:
  coinbox bulk loans loans.csv --dry-run      check every row, send nothing
  coinbox bulk loans loans.csv                upload in batches of 20
  coinbox bulk investments fund.csv --atomic  each batch all-or-nothing
  coinbox bulk messages notice.csv --json     staff: ≤50 recipients a batch
Columns: GET /v1/bulk/templates/{kind} (coinbox bulk-template loans).
"""


class Ctx:
    def __init__(self, api_key: str | None, base_url: str | None) -> None:
        self.api_key = api_key
        self.base_url = base_url
        self._client: Coinbox | None = None

    @property
    def client(self) -> Coinbox:
        if self._client is None:
            from coinbox import Coinbox, CoinboxError

            try:
                self._client = Coinbox(api_key=self.api_key, base_url=self.base_url)
            except CoinboxError as exc:
                raise click.UsageError(str(exc)) from exc
        return self._client


def escape(text: str) -> str:
    """Text shown through rich, with its [brackets] kept as text."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(func)


def dump(model: Any) -> Any:
    if hasattr(model, "model_dump"):
        return model.model_dump(mode="json", by_alias=True, exclude_none=False)
    return model


def out_json(data: Any) -> None:
    click.echo(json.dumps(data, default=str, ensure_ascii=False))


def handle_errors(func: F) -> F:
    """API errors become a one-line message and exit status 1 (2 for usage)."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from coinbox.errors import APIError, CoinboxError

        try:
            return func(*args, **kwargs)
        except APIError as exc:
            if kwargs.get("as_json"):
                out_json({"error": exc.problem or {"code": exc.code, "status": exc.status}})
            else:
                console(stderr=True).print(f"[red]error[/red] {escape(str(exc))}")
            sys.exit(1)
        except CoinboxError as exc:
            if kwargs.get("as_json"):
                out_json({"error": {"code": type(exc).__name__, "detail": str(exc)}})
            else:
                console(stderr=True).print(f"[red]error[/red] {escape(str(exc))}")
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def table(rows: list[dict[str, Any]], columns: list[str], title: str | None = None) -> None:
    from rich.table import Table

    t = Table(title=title)
    for c in columns:
        t.add_column(c, overflow="fold")
    for row in rows:
        t.add_row(*["" if row.get(c) is None else str(row.get(c)) for c in columns])
    console().print(t)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  export COINBOX_API_KEY=cb_live_…
  coinbox bulk loans loans.csv
  coinbox export transactions --format xlsx --from 2026-01-01 -o txns.xlsx
  coinbox webhooks listen --forward-to http://127.0.0.1:8000/hooks
  coinbox events tail
""",
)
@click.option("--api-key", envvar="COINBOX_API_KEY", help="A cb_live_… key (COINBOX_API_KEY).")
@click.option(
    "--base-url",
    envvar="COINBOX_BASE_URL",
    help="The API's base URL, ending in /v1 (COINBOX_BASE_URL).",
)
@click.version_option(package_name="coinbox", prog_name="coinbox")
@click.pass_context
def cli(ctx: click.Context, api_key: str | None, base_url: str | None) -> None:
    """The CoinBox API from the command line."""
    ctx.obj = Ctx(api_key, base_url)


pass_ctx = click.make_pass_decorator(Ctx)


# ---------------------------------------------------------------- bulk


def _bulk_results(
    ctx: Ctx, data: CsvFile, atomic: bool, show: bool
) -> tuple[list[dict[str, Any]], list[str]]:
    """Upload the valid rows in batches; one result per row of the file, and the batch ids."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from coinbox.cli.bulkcsv import BATCH_SIZE, to_csv
    from coinbox.errors import APIError, BatchFailedError

    results: dict[int, dict[str, Any]] = {}
    for row in data.rows:
        if not row.valid:
            results[row.index] = {
                "status": "invalid",
                "id": None,
                "errors": [
                    {"column": e.column, "code": e.code, "message": e.message} for e in row.errors
                ],
            }
    valid = [r for r in data.rows if r.valid]
    size = BATCH_SIZE[data.kind]
    batches = [valid[i : i + size] for i in range(0, len(valid), size)]
    batch_ids: list[str] = []
    progress = Progress(
        TextColumn("[bold]uploading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        console=console(stderr=True),
        disable=not show,
        transient=False,
    )
    with progress:
        task = progress.add_task("upload", total=len(valid))
        for batch in batches:
            body = to_csv(data.header, batch)
            try:
                outcome = dump(
                    ctx.client.bulk.upload_csv(
                        data.kind,  # type: ignore[arg-type]
                        body,
                        mode="atomic" if atomic else "independent",
                    )
                )
            except BatchFailedError as exc:
                outcome = exc.batch or {"items": [], "batchId": None}
                refusal = {"column": None, "code": exc.code, "message": exc.message}
            except APIError as exc:  # the whole batch refused (scope, auth, …): rows failed
                outcome = {"items": [], "batchId": None}
                refusal = {"column": None, "code": exc.code, "message": str(exc)}
            else:
                refusal = {"column": None, "code": "no_result", "message": "no result returned"}
            if outcome.get("batchId"):
                batch_ids.append(outcome["batchId"])
            by_index = {item["index"]: item for item in outcome.get("items", [])}
            for position, row in enumerate(batch):
                item = by_index.get(position)
                if item is None:
                    results[row.index] = {"status": "failed", "id": None, "errors": [refusal]}
                    continue
                error = item.get("error")
                results[row.index] = {
                    "status": item["status"],
                    "id": item.get("id"),
                    "errors": [
                        {
                            "column": error.get("field"),
                            "code": error["code"],
                            "message": error["message"],
                        }
                    ]
                    if error
                    else [],
                }
            progress.advance(task, len(batch))
    return [results[r.index] for r in data.rows], batch_ids


def _write_results(path: Path, data: CsvFile, results: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["row", "line", *data.header, "status", "id", "errorColumn", "errorCode", "error"]
        )
        for row, res in zip(data.rows, results, strict=True):
            first = res["errors"][0] if res["errors"] else {}
            writer.writerow(
                [
                    row.index + 1,
                    row.line,
                    *[row.cells.get(h, "") for h in data.header],
                    res["status"],
                    res["id"] or "",
                    first.get("column") or "",
                    first.get("code") or "",
                    "; ".join(e["message"] for e in res["errors"]),
                ]
            )


@cli.command(epilog=EPILOG_BULK)
@click.argument("kind", type=click.Choice(["loans", "investments", "crypto-orders", "messages"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--atomic", is_flag=True, help="Each batch all-or-nothing; nothing is sent if a row is invalid."
)
@click.option("--dry-run", is_flag=True, help="Check every row with the API's rules; send nothing.")
@json_option
@pass_ctx
@handle_errors
def bulk(ctx: Ctx, kind: str, file: Path, atomic: bool, dry_run: bool, as_json: bool) -> None:  # noqa: PLR0917 (click passes options by position)
    """Upload a CSV file of loans, investments, crypto orders or messages.

    Every row is checked first, with the API's rules; each error is printed with its row,
    line and column. The valid rows are then uploaded in batches of at most 20 (50 for
    messages), a result table is printed and FILE.results.csv is written next to the input.
    Exits 1 if any row failed or was invalid.
    """
    from coinbox.cli.bulkcsv import CsvFileError, read

    try:
        data = read(kind, file.read_bytes())
    except CsvFileError as exc:
        if as_json:
            out_json({"error": {"code": "invalid_csv", "detail": str(exc)}})
        else:
            console(stderr=True).print(f"[red]error[/red] {escape(f'{file}: {exc}')}")
        sys.exit(2)
    invalid = [r for r in data.rows if not r.valid]
    err = console(stderr=True)
    if not as_json:
        for row in invalid:
            for e in row.errors:
                err.print(
                    f"[red]row {row.index + 1}[/red] (line {row.line}), column "
                    f"[bold]{escape(e.column or '-')}[/bold]: {escape(e.message)} "
                    f"[dim]({escape(e.code)})[/dim]"
                )
        err.print(
            f"{len(data.rows)} rows checked: {len(data.rows) - len(invalid)} valid, {len(invalid)} invalid"
        )
    if dry_run or (atomic and invalid):
        if atomic and invalid and not dry_run and not as_json:
            err.print("[red]--atomic: nothing was sent[/red] (fix the invalid rows first)")
        if as_json:
            out_json(
                {
                    "file": str(file),
                    "kind": kind,
                    "dryRun": dry_run,
                    "sent": False,
                    "total": len(data.rows),
                    "invalid": len(invalid),
                    "rows": [_row_json(r, None) for r in data.rows],
                }
            )
        sys.exit(1 if invalid else 0)
    started = time.monotonic()
    results, batch_ids = _bulk_results(ctx, data, atomic, show=not as_json)
    elapsed = time.monotonic() - started
    out_path = file.with_name(file.stem + ".results.csv")
    _write_results(out_path, data, results)
    succeeded = sum(1 for r in results if r["status"] == "succeeded")
    failed = len(results) - succeeded
    if as_json:
        out_json(
            {
                "file": str(file),
                "kind": kind,
                "sent": True,
                "total": len(results),
                "succeeded": succeeded,
                "failed": failed,
                "batches": batch_ids,
                "results": str(out_path),
                "seconds": round(elapsed, 3),
                "rows": [_row_json(r, res) for r, res in zip(data.rows, results, strict=True)],
            }
        )
    else:
        table(
            [
                {
                    "row": r.index + 1,
                    "status": res["status"],
                    "id": res["id"],
                    "error": "; ".join(
                        f"{e['column'] or '-'}: {e['message']}" for e in res["errors"]
                    ),
                }
                for r, res in zip(data.rows, results, strict=True)
            ],
            ["row", "status", "id", "error"],
            title=f"{kind}: {succeeded} succeeded, {failed} failed",
        )
        err.print(f"results: {out_path}  ({elapsed:.1f} s, {len(batch_ids)} batches)")
    sys.exit(1 if failed else 0)


def _row_json(row: Row, res: dict[str, Any] | None) -> dict[str, Any]:
    errors = [{"column": e.column, "code": e.code, "message": e.message} for e in row.errors]
    out: dict[str, Any] = {"row": row.index + 1, "line": row.line}
    if res is None:
        out.update(status="valid" if row.valid else "invalid", errors=errors)
    else:
        out.update(status=res["status"], id=res["id"], errors=res["errors"])
    return out


@cli.command("bulk-template", epilog="\b\nExample:\n  coinbox bulk-template loans > loans.csv")
@click.argument("kind", type=click.Choice(["loans", "investments", "crypto-orders"]))
@json_option
@pass_ctx
@handle_errors
def bulk_template(ctx: Ctx, kind: str, as_json: bool) -> None:
    """Print the CSV template of a kind (header and one example row)."""
    content = ctx.client.bulk.template(kind)  # type: ignore[arg-type]
    if as_json:
        out_json({"kind": kind, "csv": content.decode()})
    else:
        click.echo(content.decode(), nl=False)


# ---------------------------------------------------------------- export

EXPORT_TYPES = {
    "loans": "loans",
    "investments": "investments",
    "transactions": "transactions",
    "crypto-orders": "crypto_orders",
    "api-requests": "api_requests",
}


@cli.command(
    epilog="""\b
Examples:
  coinbox export loans --format csv -o loans.csv
  coinbox export transactions --format xlsx --from 2026-01-01 --to 2026-02-01 -o jan.xlsx
  coinbox export crypto-orders --format json --status filled -o fills.json
"""
)
@click.argument("type_", metavar="TYPE", type=click.Choice(list(EXPORT_TYPES)))
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), default="csv", show_default=True
)
@click.option("--from", "from_", help="createdAt ≥ this (ISO 8601 date or time).")
@click.option("--to", help="createdAt < this (ISO 8601).")
@click.option("--status", help="Only objects in this status.")
@click.option("--min-amount", type=int, help="amount ≥ (cents).")
@click.option("--max-amount", type=int, help="amount ≤ (cents).")
@click.option("--field", "fields", multiple=True, help="A column to write (repeat; default all).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--timeout", type=float, default=600.0, show_default=True, help="Seconds to wait.")
@json_option
@pass_ctx
@handle_errors
def export(  # noqa: PLR0917
    ctx: Ctx,
    type_: str,
    fmt: str,
    from_: str | None,
    to: str | None,
    status: str | None,
    min_amount: int | None,
    max_amount: int | None,
    fields: tuple[str, ...],
    output: Path,
    timeout: float,
    as_json: bool,
) -> None:
    """Export your data to a file: start the export, follow it to completion, download the
    file and check its sha256.

    TYPE is loans, investments, transactions, crypto-orders or api-requests; --from and --to
    take a date (2026-01-01, midnight UTC) or an ISO 8601 time.
    """
    from rich.progress import BarColumn, Progress, TextColumn

    def iso(value: str | None) -> str | None:
        if value and len(value) == 10:  # a date
            return value + "T00:00:00Z"
        return value

    client = ctx.client
    record = client.exports.create(
        type=EXPORT_TYPES[type_],  # type: ignore[arg-type]
        format=fmt,  # type: ignore[arg-type]
        filters={"minAmount": min_amount, "maxAmount": max_amount},
        fields=list(fields) or None,
        from_=iso(from_),
        to=iso(to),
        status=status,
    )
    progress = Progress(
        TextColumn(f"[bold]export {record.id}"),
        BarColumn(),
        TextColumn("{task.fields[state]} {task.completed}/{task.total} rows"),
        console=console(stderr=True),
        disable=as_json,
    )
    with progress:
        task = progress.add_task("export", total=None, state="queued")

        def show(rec: Any) -> None:
            progress.update(
                task,
                total=rec.total_records,
                completed=rec.record_count or 0,
                state=str(getattr(rec.status, "value", rec.status)),
            )

        done = client.exports.wait(record.id, timeout=timeout, poll_interval=0.5, on_progress=show)
    client.exports.download(done.id, output)
    if as_json:
        out_json({**dump(done), "path": str(output), "sha256Verified": True})
    else:
        console(stderr=True).print(
            f"[green]✓[/green] {output}: {done.record_count} rows, {done.bytes} bytes, "
            f"sha256 {done.sha256} verified"
        )


# ---------------------------------------------------------------- keys


@cli.group(
    epilog="""\b
Examples:
  coinbox keys list
  coinbox keys create --name "nightly sync" --tier pro --scope read:loans --scope write:loans
  coinbox keys rotate key_… --grace-period 3600
  coinbox keys usage key_… --granularity day
"""
)
def keys() -> None:
    """Your API keys: list, create, rotate, revoke, usage."""


KEY_COLUMNS = ["id", "name", "tier", "status", "prefix", "lastUsedAt", "expiresAt"]


@keys.command("list")
@json_option
@pass_ctx
@handle_errors
def keys_list(ctx: Ctx, as_json: bool) -> None:
    """List your API keys."""
    rows = [dump(k) for k in ctx.client.api_keys.list()]
    if as_json:
        out_json(rows)
    else:
        table(rows, [c for c in KEY_COLUMNS if not rows or c in rows[0]], title="API keys")


@keys.command("get")
@click.argument("key_id")
@json_option
@pass_ctx
@handle_errors
def keys_get(ctx: Ctx, key_id: str, as_json: bool) -> None:
    """Show one API key."""
    data = dump(ctx.client.api_keys.retrieve(key_id))
    out_json(data) if as_json else console().print_json(data=data)


@keys.command("create")
@click.option("--name", required=True)
@click.option("--tier", type=click.Choice(["basic", "pro", "enterprise"]))
@click.option("--scope", "scopes", multiple=True, help="A scope (repeat); default: the tier's.")
@click.option("--expires-in-days", type=int)
@json_option
@pass_ctx
@handle_errors
def keys_create(  # noqa: PLR0917
    ctx: Ctx,
    name: str,
    tier: str | None,
    scopes: tuple[str, ...],
    expires_in_days: int | None,
    as_json: bool,
) -> None:
    """Create an API key; its secret is shown once."""
    key = ctx.client.api_keys.create(
        name=name, tier=tier, scopes=list(scopes) or None, expires_in_days=expires_in_days
    )
    if as_json:
        out_json(dump(key))
    else:
        console().print(f"created {key.id} ({key.tier}); secret, shown once:\n{key.secret}")


@keys.command("rotate")
@click.argument("key_id")
@click.option("--grace-period", type=int, help="Seconds the old key keeps working.")
@json_option
@pass_ctx
@handle_errors
def keys_rotate(ctx: Ctx, key_id: str, grace_period: int | None, as_json: bool) -> None:
    """Rotate a key: a new secret; the old one works for the grace period."""
    rotation = ctx.client.api_keys.rotate(key_id, grace_period_seconds=grace_period)
    data = dump(rotation)
    out_json(data) if as_json else console().print_json(data=data)


@keys.command("revoke")
@click.argument("key_id")
@json_option
@pass_ctx
@handle_errors
def keys_revoke(ctx: Ctx, key_id: str, as_json: bool) -> None:
    """Revoke a key (immediately)."""
    data = dump(ctx.client.api_keys.revoke(key_id))
    out_json(data) if as_json else console().print(f"revoked {data['id']}")


@keys.command("usage")
@click.argument("key_id")
@click.option("--from", "from_")
@click.option("--to")
@click.option("--granularity", type=click.Choice(["hour", "day"]))
@json_option
@pass_ctx
@handle_errors
def keys_usage(  # noqa: PLR0917
    ctx: Ctx, key_id: str, from_: str | None, to: str | None, granularity: str | None, as_json: bool
) -> None:
    """Requests, status classes, rate limiting and latency of a key."""
    data = dump(ctx.client.api_keys.usage(key_id, from_=from_, to=to, granularity=granularity))  # type: ignore[arg-type]
    out_json(data) if as_json else console().print_json(data=data)


# ---------------------------------------------------------------- webhooks


@cli.group(
    epilog="""\b
Examples:
  coinbox webhooks create --url https://example.com/hooks --event 'loan.*'
  coinbox webhooks test we_… --type loan.approved
  coinbox webhooks deliveries we_… --status failed
  coinbox webhooks retry we_… del_…
  coinbox webhooks listen --forward-to http://127.0.0.1:8000/hooks
"""
)
def webhooks() -> None:
    """Webhook endpoints, their deliveries, and `listen` for local development."""


@webhooks.command("list")
@json_option
@pass_ctx
@handle_errors
def webhooks_list(ctx: Ctx, as_json: bool) -> None:
    """List your webhook endpoints."""
    rows = [dump(w) for w in ctx.client.webhooks.list()]
    if as_json:
        out_json(rows)
    else:
        for r in rows:
            r["events"] = ",".join(r.get("events") or [])
        table(rows, ["id", "url", "status", "events"], title="webhook endpoints")


@webhooks.command("create")
@click.option("--url", required=True)
@click.option("--event", "events", multiple=True, required=True, help="A type or pattern (repeat).")
@click.option("--description")
@json_option
@pass_ctx
@handle_errors
def webhooks_create(
    ctx: Ctx, url: str, events: tuple[str, ...], description: str | None, as_json: bool
) -> None:
    """Create an endpoint; prints its signing secret."""
    hook = ctx.client.webhooks.create(url=url, events=list(events), description=description)
    if as_json:
        out_json(dump(hook))
    else:
        console().print(f"created {hook.id}; signing secret: {hook.secret}")


@webhooks.command("test")
@click.argument("webhook_id")
@click.option("--type", "type_", help="The event type whose example to send.")
@json_option
@pass_ctx
@handle_errors
def webhooks_test(ctx: Ctx, webhook_id: str, type_: str | None, as_json: bool) -> None:
    """Send a test event to an endpoint."""
    data = dump(ctx.client.webhooks.test(webhook_id, type=type_))
    out_json(data) if as_json else console().print_json(data=data)


@webhooks.command("deliveries")
@click.argument("webhook_id")
@click.option("--status")
@click.option("--limit", type=int, default=20, show_default=True)
@json_option
@pass_ctx
@handle_errors
def webhooks_deliveries(
    ctx: Ctx, webhook_id: str, status: str | None, limit: int, as_json: bool
) -> None:
    """The latest deliveries of an endpoint."""
    page = ctx.client.webhooks.deliveries.list(webhook_id, status=status, limit=limit).first_page()
    rows = [dump(d) for d in page.data]
    if as_json:
        out_json(rows)
    else:
        table(
            rows,
            ["id", "eventType", "status", "attemptCount", "lastStatusCode"],
            title="deliveries",
        )


@webhooks.command("retry")
@click.argument("webhook_id")
@click.argument("delivery_id")
@json_option
@pass_ctx
@handle_errors
def webhooks_retry(ctx: Ctx, webhook_id: str, delivery_id: str, as_json: bool) -> None:
    """Retry one delivery now."""
    data = dump(ctx.client.webhooks.deliveries.retry(webhook_id, delivery_id))
    out_json(data) if as_json else console().print_json(data=data)


@webhooks.command("rotate-secret")
@click.argument("webhook_id")
@json_option
@pass_ctx
@handle_errors
def webhooks_rotate_secret(ctx: Ctx, webhook_id: str, as_json: bool) -> None:
    """A new signing secret (the old one stays valid for a grace period)."""
    hook = ctx.client.webhooks.rotate_secret(webhook_id)
    out_json(dump(hook)) if as_json else console().print(f"{hook.id}: new secret {hook.secret}")


def follow_events(
    ctx: Ctx, interval: float, types: tuple[str, ...], on_ready: Callable[[], None]
) -> Iterator[dict[str, Any]]:
    """New events of the caller, oldest first, from now on: polls GET /v1/events (newest
    first), forwarding every id not seen before on the first page, and paging further only
    while a whole page is new."""
    from fnmatch import fnmatch

    client = ctx.client
    seen: set[str] = set()

    def page(cursor: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": 100}
        if cursor:
            params["startingAfter"] = cursor
        body: dict[str, Any] = client.request("GET", "/events", params=params).json()
        return body

    seen.update(e["id"] for e in page(None)["data"])
    on_ready()
    while True:
        time.sleep(interval)
        fresh: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(10):
            body = page(cursor)
            new = [e for e in body["data"] if e["id"] not in seen]
            fresh.extend(new)
            if len(new) < len(body["data"]) or not body.get("hasMore"):
                break
            cursor = body.get("nextCursor")
        for event in reversed(fresh):
            seen.add(event["id"])
            if not types or any(fnmatch(event["type"], t) for t in types):
                yield event


@webhooks.command(
    "listen",
    epilog="""\b
Examples:
  coinbox webhooks listen --forward-to http://127.0.0.1:8000/hooks
  coinbox webhooks listen --forward-to http://127.0.0.1:8000/hooks --events 'loan.*' \\
      --secret whsec_…
Your receiver verifies each request with the printed secret, e.g. in Python:
  coinbox.webhooks.verify(body, headers, "whsec_…")
""",
)
@click.option("--forward-to", required=True, help="The local URL to POST each event to.")
@click.option("--events", "types", multiple=True, help="Only these types (patterns like loan.*).")
@click.option("--secret", help="The whsec_… secret to sign with (default: a new one).")
@click.option(
    "--interval", type=float, default=1.0, show_default=True, help="Seconds between polls."
)
@click.option("--max-events", type=int, help="Stop after forwarding this many events.")
@json_option
@pass_ctx
@handle_errors
def webhooks_listen(  # noqa: PLR0917
    ctx: Ctx,
    forward_to: str,
    types: tuple[str, ...],
    secret: str | None,
    interval: float,
    max_events: int | None,
    as_json: bool,
) -> None:
    """Forward your account's new events to a local URL, signed like real deliveries.

    Like `stripe listen`: the CLI follows your events (GET /v1/events, from now on) and
    POSTs each one to --forward-to with Standard Webhooks headers (webhook-id,
    webhook-timestamp, webhook-signature), signed with the session secret it prints at start.
    Works against any deployment: nothing has to reach your machine from outside.
    """
    import base64

    import httpx

    from coinbox._version import __version__
    from coinbox.webhooks import sign

    if secret is None:
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    elif not secret.startswith("whsec_"):
        raise click.BadParameter("a webhook secret starts with whsec_", param_hint="--secret")
    ctx.client.me.retrieve()  # fail now on a bad key

    def ready() -> None:  # once the starting point is read: every later event is forwarded
        if as_json:
            out_json({"ready": True, "secret": secret, "forwardTo": forward_to})
        else:
            console().print(
                f"[green]Ready![/green] Forwarding your events to {forward_to}\n"
                f"Your webhook signing secret is [bold]{secret}[/bold] (^C to quit)"
            )
        sys.stdout.flush()

    forwarded = 0
    with httpx.Client(timeout=10.0) as http:
        try:
            for event in follow_events(ctx, interval, types, ready):
                payload = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
                now = int(time.time())
                headers = {
                    "Content-Type": "application/json",
                    "User-Agent": f"coinbox-cli-listen/{__version__}",
                    "webhook-id": event["id"],
                    "webhook-timestamp": str(now),
                    "webhook-signature": sign(secret, event["id"], now, payload),
                    "X-CoinBox-Event-Type": event["type"],
                }
                try:
                    status: int | str = http.post(
                        forward_to, content=payload, headers=headers
                    ).status_code
                except httpx.HTTPError as exc:
                    status = f"error: {type(exc).__name__}"
                forwarded += 1
                if as_json:
                    out_json({"event": event["id"], "type": event["type"], "status": status})
                else:
                    colour = "green" if isinstance(status, int) and status < 300 else "red"
                    console().print(
                        f"{time.strftime('%H:%M:%S')}  --> {event['type']} \\[{event['id']}]  "
                        f"<-- [{colour}]{status}[/{colour}]"
                    )
                sys.stdout.flush()
                if max_events is not None and forwarded >= max_events:
                    return
        except KeyboardInterrupt:
            return


# ---------------------------------------------------------------- events


@cli.group(
    epilog="""\b
Examples:
  coinbox events tail
  coinbox events tail --events 'loan.*' --json
  coinbox events list --type loan.approved
  coinbox events types
"""
)
def events() -> None:
    """Your events: list them or follow new ones."""


@events.command("tail")
@click.option("--events", "types", multiple=True, help="Only these types (patterns like loan.*).")
@click.option("--interval", type=float, default=1.0, show_default=True)
@click.option("--max-events", type=int, help="Stop after this many events.")
@json_option
@pass_ctx
@handle_errors
def events_tail(
    ctx: Ctx, types: tuple[str, ...], interval: float, max_events: int | None, as_json: bool
) -> None:
    """Follow new events as they happen (Ctrl-C stops)."""
    ctx.client.me.retrieve()

    def ready() -> None:
        console(stderr=True).print("following new events (^C to quit)")
        sys.stderr.flush()

    count = 0
    try:
        for event in follow_events(ctx, interval, types, ready):
            if as_json:
                out_json(event)
            else:
                obj = (event.get("data") or {}).get("object") or {}
                console().print(
                    f"{event['createdAt']}  {event['type']:<28} {event['id']}  {obj.get('id', '')}"
                )
            sys.stdout.flush()
            count += 1
            if max_events is not None and count >= max_events:
                return
    except KeyboardInterrupt:
        return


@events.command("list")
@click.option("--type", "type_")
@click.option("--limit", type=int, default=20, show_default=True)
@json_option
@pass_ctx
@handle_errors
def events_list(ctx: Ctx, type_: str | None, limit: int, as_json: bool) -> None:
    """Your latest events."""
    page = ctx.client.events.list(type=type_, limit=limit).first_page()
    rows = [dump(e) for e in page.data]
    if as_json:
        out_json(rows)
    else:
        table(rows, ["createdAt", "type", "id"], title="events")


@events.command("types")
@json_option
@pass_ctx
@handle_errors
def events_types(ctx: Ctx, as_json: bool) -> None:
    """The event catalog."""
    data = ctx.client.event_types.list().data
    if as_json:
        out_json(data)
    else:
        table(
            [{"type": d.get("type"), "description": d.get("description")} for d in data],
            ["type", "description"],
        )


def main() -> None:
    cli(prog_name="coinbox")
