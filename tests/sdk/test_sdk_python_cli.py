"""The `coinbox` CLI, run as a real subprocess against the live local stack: a 60-row bulk
loans CSV with one bad row, an xlsx export opened with openpyxl, `webhooks listen` forwarding
a real event to a local receiver (verified with the printed secret), `events tail`, and the
keys and webhooks commands."""

from __future__ import annotations

import csv
import json
import subprocess
import threading
from pathlib import Path
from typing import Any

import coinbox
import pytest

from coinbox_platform.tiers import Role
from tests.api.webhook_receiver import start_receiver
from tests.sdk.sdk_support import CLI, SdkUser, make_sdk_user
from tests.support import api_base, make_api_user, make_profile, wait_for

pytestmark = pytest.mark.stack

BAD_ROW = 37  # 1-based data row with an amount that is not an integer


def run(user: SdkUser, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args], env=user.env(), capture_output=True, text=True, timeout=timeout, check=False
    )


def _loans_csv(path: Path, rows: int, bad_row: int | None) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["amount", "interestRate", "termDays", "purpose"])
        for i in range(1, rows + 1):
            amount = "12.50" if i == bad_row else str(20000 + i)
            writer.writerow([amount, 15 + i % 10, 7 + i, f"cli bulk {i}"])


def test_bulk_60_rows_one_bad_then_xlsx_export(sdk_user: SdkUser, tmp_path: Path) -> None:
    import openpyxl

    source = tmp_path / "loans.csv"
    _loans_csv(source, 60, BAD_ROW)

    dry = run(sdk_user, "bulk", "loans", str(source), "--dry-run")
    assert dry.returncode == 1, dry.stderr
    assert f"row {BAD_ROW} (line {BAD_ROW + 1}), column amount" in dry.stderr
    assert "60 rows checked: 59 valid, 1 invalid" in dry.stderr
    assert not list(sdk_user.client.loans.list())  # nothing sent

    atomic = run(sdk_user, "bulk", "loans", str(source), "--atomic", "--json")
    assert atomic.returncode == 1 and json.loads(atomic.stdout)["sent"] is False

    result = run(sdk_user, "bulk", "loans", str(source), "--json")
    assert result.returncode == 1, result.stderr  # one row failed
    report = json.loads(result.stdout)
    assert (report["total"], report["succeeded"], report["failed"]) == (60, 59, 1)
    assert len(report["batches"]) == 3  # 59 valid rows: 20 + 20 + 19
    bad = report["rows"][BAD_ROW - 1]
    assert bad["status"] == "invalid" and bad["errors"][0]["column"] == "amount"
    made = {r["id"] for r in report["rows"] if r["status"] == "succeeded"}
    listed = {loan.id: loan for loan in sdk_user.client.loans.list(limit=100)}
    assert made == set(listed) and len(made) == 59
    assert {listed[r["id"]].purpose for r in report["rows"] if r["id"]} == {
        f"cli bulk {i}" for i in range(1, 61) if i != BAD_ROW
    }
    for batch_id in report["batches"]:
        assert sdk_user.client.bulk.retrieve(batch_id).status == "completed"

    results = list(csv.DictReader((tmp_path / "loans.results.csv").open()))
    assert len(results) == 60
    assert results[BAD_ROW - 1]["status"] == "invalid"
    assert results[BAD_ROW - 1]["errorColumn"] == "amount"
    assert all(
        r["status"] == "succeeded" and r["id"].startswith("loan_")
        for i, r in enumerate(results)
        if i != BAD_ROW - 1
    )

    # the human form prints the table and the per-row status (a second file, all valid)
    small = tmp_path / "few.csv"
    _loans_csv(small, 3, None)
    human = run(sdk_user, "bulk", "loans", str(small))
    assert human.returncode == 0, human.stderr
    assert "3 succeeded, 0 failed" in human.stdout and "uploading" in human.stderr

    out = tmp_path / "loans.xlsx"
    exported = run(
        sdk_user,
        "export",
        "loans",
        "--format",
        "xlsx",
        "--status",
        "approved",
        "-o",
        str(out),
        "--json",
    )
    assert exported.returncode == 0, exported.stderr
    record = json.loads(exported.stdout)
    assert record["status"] == "completed" and record["sha256Verified"] is True
    sheet = openpyxl.load_workbook(out, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert "id" in header and len(data) == record["recordCount"] == 62
    ids = {row[header.index("id")] for row in data}
    assert made <= ids


def _read_lines(proc: subprocess.Popen[str], lines: list[dict[str, Any]]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip():
            lines.append(json.loads(line))


def test_webhooks_listen_forwards_signed_events(sdk_user: SdkUser) -> None:
    receiver = start_receiver()
    proc = subprocess.Popen(
        [
            CLI,
            "webhooks",
            "listen",
            "--forward-to",
            f"{receiver.base}/ok/listen",
            "--events",
            "loan.*",
            "--interval",
            "0.5",
            "--max-events",
            "3",
            "--json",
        ],
        env=sdk_user.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[dict[str, Any]] = []
    reader = threading.Thread(target=_read_lines, args=(proc, lines), daemon=True)
    reader.start()
    try:
        ready = wait_for(lambda: lines and lines[0], timeout=30)
        secret = ready["secret"]
        assert ready["ready"] is True and secret.startswith("whsec_")
        loan = sdk_user.client.loans.create(
            amount=40000, interest_rate=19, term_days=20, purpose="listen"
        )
        sdk_user.client.loans.cancel(loan.id)
        assert proc.wait(timeout=90) == 0, proc.stderr.read() if proc.stderr else ""
        reader.join(timeout=5)
        hits = receiver.on("/ok/listen")
        assert len(hits) == 3
        events = [coinbox.webhooks.verify(h.body, h.headers, secret) for h in hits]
        # a loan request emits loan.created and loan.approved (unordered), then loan.cancelled
        assert sorted(e.type for e in events) == ["loan.approved", "loan.cancelled", "loan.created"]
        assert all(e.data["object"]["id"] == loan.id for e in events)
        assert [h.headers["webhook-id"] for h in hits] == [e.id for e in events]
        with pytest.raises(coinbox.WebhookSignatureError):
            coinbox.webhooks.verify(hits[0].body, hits[0].headers, "whsec_" + "B" * 32)
        assert [(line["event"], line["type"], line["status"]) for line in lines[1:]] == [
            (e.id, e.type, 200) for e in events
        ]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        receiver.stop()


def test_events_tail_keys_and_webhook_commands(sdk_user: SdkUser) -> None:
    proc = subprocess.Popen(
        [CLI, "events", "tail", "--interval", "0.5", "--max-events", "1", "--json"],
        env=sdk_user.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # the tail follows from now on: it says so once it has read its starting point
        assert proc.stderr is not None
        assert "following new events" in proc.stderr.readline()
        loan = sdk_user.client.loans.create(
            amount=40000, interest_rate=19, term_days=20, purpose="tail"
        )
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        event = json.loads(out.strip().splitlines()[-1])
        assert event["type"] in ("loan.created", "loan.approved")
        assert event["data"]["object"]["id"] == loan.id
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    created = run(sdk_user, "keys", "create", "--name", "cli key", "--tier", "basic", "--json")
    key = json.loads(created.stdout)
    assert (
        created.returncode == 0 and key["secret"].startswith("cb_live_") and key["tier"] == "basic"
    )
    listed = json.loads(run(sdk_user, "keys", "list", "--json").stdout)
    assert key["id"] in [k["id"] for k in listed]
    assert (
        json.loads(run(sdk_user, "keys", "revoke", key["id"], "--json").stdout)["status"]
        == "revoked"
    )
    human = run(sdk_user, "keys", "list")
    assert human.returncode == 0 and "cli key" in human.stdout

    receiver = start_receiver()
    try:
        made = run(
            sdk_user,
            "webhooks",
            "create",
            "--url",
            f"{receiver.base}/ok/cli",
            "--event",
            "loan.*",
            "--json",
        )
        hook = json.loads(made.stdout)
        assert made.returncode == 0 and hook["secret"].startswith("whsec_")
        tested = json.loads(
            run(
                sdk_user, "webhooks", "test", hook["id"], "--type", "loan.approved", "--json"
            ).stdout
        )
        hit = wait_for(lambda: receiver.on("/ok/cli"), timeout=60)[0]
        assert (
            coinbox.webhooks.verify(hit.body, hit.headers, hook["secret"]).type == "loan.approved"
        )
        deliveries = json.loads(
            run(sdk_user, "webhooks", "deliveries", hook["id"], "--json").stdout
        )
        assert tested["id"] in [d["id"] for d in deliveries]
        wait_for(
            lambda: (
                sdk_user.client.webhooks.deliveries.retrieve(hook["id"], tested["id"]).status
                == "succeeded"
            ),
            timeout=60,
        )
        retried = run(sdk_user, "webhooks", "retry", hook["id"], tested["id"], "--json")
        assert retried.returncode == 0, retried.stdout + retried.stderr
        rotated = json.loads(
            run(sdk_user, "webhooks", "rotate-secret", hook["id"], "--json").stdout
        )
        assert rotated["secret"] != hook["secret"]
        assert hook["id"] in [
            w["id"] for w in json.loads(run(sdk_user, "webhooks", "list", "--json").stdout)
        ]
    finally:
        receiver.stop()

    refused = run(sdk_user, "keys", "get", "key_doesNotExist0000000000", "--json")
    assert refused.returncode == 1 and json.loads(refused.stdout)["error"]["code"] == "not_found"


def test_bulk_messages_from_staff_in_batches_of_50(tmp_path: Path) -> None:
    staff = make_sdk_user(name="staff", role=Role.SUPPORT)
    reader = make_api_user()
    others = [make_profile() for _ in range(53)]
    recipients = [reader.email, *[p.id for p in others], reader.email.upper()]  # 55 rows
    source = tmp_path / "notice.csv"
    with source.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["recipient", "title", "body", "priority"])
        for i, recipient in enumerate(recipients):
            priority = "critical" if i == 10 else ("high" if i % 2 else "normal")
            writer.writerow([recipient, f"Notice {i}", "Maintenance at 22:00", priority])
    result = run(staff, "bulk", "messages", str(source), "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 1, result.stderr
    # 53 valid rows: one batch of 50 and one of 3
    assert (report["succeeded"], report["failed"], len(report["batches"])) == (53, 2, 2)
    assert report["rows"][10]["errors"][0]["column"] == "priority"
    assert report["rows"][54]["errors"][0]["code"] == "duplicate_recipient"
    with coinbox.Coinbox(api_key=reader.token, base_url=api_base()) as client:
        assert [m.title for m in client.messages.list()] == ["Notice 0"]


def test_bulk_with_a_key_lacking_the_scope_reports_every_row(
    sdk_user: SdkUser, tmp_path: Path
) -> None:
    basic = sdk_user.client.api_keys.create(name="read only", tier="basic").secret
    reader = SdkUser(sdk_user.user, basic, sdk_user.client)
    source = tmp_path / "loans.csv"
    _loans_csv(source, 25, None)
    result = run(reader, "bulk", "loans", str(source), "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert (report["succeeded"], report["failed"], report["batches"]) == (0, 25, [])
    assert {r["errors"][0]["code"] for r in report["rows"]} == {"insufficient_scope"}
    written = list(csv.DictReader((tmp_path / "loans.results.csv").open()))
    assert [r["status"] for r in written] == ["failed"] * 25
    assert not list(sdk_user.client.loans.list())
