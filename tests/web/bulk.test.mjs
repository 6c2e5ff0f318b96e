// The bulk dashboard in Chromium, each flow checked against what the API then holds: a loans
// CSV with a bad row marked before submit, fixed and sent; an atomic investments batch with a
// bad row that changes nothing; an xlsx export downloaded and opened; a staff group message
// watched to 100 %.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ROOT, SCREENSHOTS, launch, makeUser, newPage, screenshot, signIn, unique, waitFor } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

const csvFile = (name, lines) => ({ name, mimeType: "text/csv", buffer: Buffer.from(`${lines.join("\r\n")}\r\n`) });

let borrower; // shared with the export test: the loans it made

test("bulk loans: a bad row is marked before submit; fixed, every row succeeds", async () => {
  borrower = await makeUser({ tier: "business" });
  const tag = unique("b");
  const page = await newPage(browser);
  await signIn(page, "/bulk/loans", borrower.email);
  // the template first: what the API serves
  const [template] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download the CSV template" }).click()]);
  const templateText = Buffer.concat(await (await template.createReadStream()).toArray()).toString("utf8");
  assert.equal(templateText, await borrower.client.bulk.template("loans"));
  assert.match(templateText, /^amount,interestRate,termDays,purpose\r?\n/);
  await page.getByLabel("CSV file").setInputFiles(csvFile("loans.csv", [
    "amount,interestRate,termDays,purpose",
    `50000,18,30,Stock ${tag}`,
    `60000,99,30,Sewing machine ${tag}`,
    `70000,20,60,"Delivery bicycle, ${tag}"`,
  ]));
  const summary = page.getByTestId("validation-summary");
  await summary.waitFor();
  assert.equal(await summary.getAttribute("data-invalid"), "1");
  const bad = page.getByLabel("interestRate, row 2");
  assert.equal(await bad.getAttribute("aria-invalid"), "true");
  assert.match(await page.locator("td.bad .cell-error").textContent(), /At most 25/);
  assert.equal(await page.locator("td.bad").count(), 1);
  assert.ok(await page.getByRole("button", { name: "Submit" }).isDisabled());
  await screenshot(page, "flow-bulk-loans-invalid");
  assert.equal((await borrower.client.loans.list()).data.length, 0); // nothing was sent

  await bad.fill("22");
  assert.equal(await summary.getAttribute("data-invalid"), "0");
  assert.equal(await page.locator("td.bad").count(), 0);
  await page.getByRole("button", { name: "Submit" }).click();
  const result = page.getByTestId("result-summary");
  await result.waitFor();
  assert.equal(await result.textContent(), "3 succeeded, 0 failed, 0 skipped.");
  assert.equal(await page.locator('[data-testid="results"] tr[data-status="succeeded"]').count(), 3);
  await page.getByTestId("history").getByText("completed").first().waitFor();
  await screenshot(page, "flow-bulk-loans-submitted");

  const loans = (await borrower.client.loans.list({ limit: 10 })).data;
  assert.deepEqual(loans.map((l) => [l.amount, l.interestRate, l.termDays]).sort(), [[50000, 18, 30], [60000, 22, 30], [70000, 20, 60]]);
  assert.ok(loans.every((l) => l.purpose.includes(tag)));
  const [batch] = (await borrower.client.bulk.list({ operation: "loans" })).data;
  assert.deepEqual([batch.status, batch.succeeded, batch.failed, batch.mode], ["completed", 3, 0, "independent"]);

  // the results CSV
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download results CSV" }).click()]);
  const text = await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString("utf8"));
  assert.match(text.split("\r\n")[0], /^amount,interestRate,termDays,purpose,status,id,errorCode,reason$/);
  assert.equal(text.trim().split("\r\n").filter((l) => l.includes(",succeeded,loan_")).length, 3);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("atomic investments with a bad row: nothing changes", async () => {
  const owner = await makeUser({ tier: "business" });
  const a = await owner.client.loans.create({ amount: 40_000, interestRate: 18, termDays: 30, purpose: "Atomic A" });
  const b = await owner.client.loans.create({ amount: 45_000, interestRate: 18, termDays: 30, purpose: "Atomic B" });
  assert.equal(a.status, "approved");
  const investor = await makeUser({ tier: "business", balance: 500_000 });
  const before = await investor.client.wallet.retrieve();

  const page = await newPage(browser);
  await signIn(page, "/bulk/investments", investor.email);
  await page.getByLabel("CSV file").setInputFiles(csvFile("investments.csv", [
    "loanId,amount",
    `${a.id},40000`,
    `${b.id},44000`, // valid in form, but not the loan's amount: the API refuses it
  ]));
  assert.equal(await page.getByTestId("validation-summary").getAttribute("data-invalid"), "0");
  await page.getByLabel("Atomic: all rows or none").check();
  await page.getByRole("button", { name: "Submit" }).click();
  await page.getByTestId("result-summary").waitFor();
  assert.equal(await page.getByTestId("result-summary").textContent(), "0 succeeded, 1 failed, 1 skipped.");
  const alert = page.getByRole("alert");
  assert.match(await alert.textContent(), /batch_failed/);
  assert.match(await alert.getByTestId("request-id").textContent(), /^req_/);
  await page.getByTestId("history").getByText("failed", { exact: true }).waitFor();
  await screenshot(page, "flow-bulk-investments-atomic");

  const afterWallet = await investor.client.wallet.retrieve();
  assert.deepEqual(afterWallet, before);
  assert.equal((await investor.client.investments.list()).data.length, 0);
  for (const loan of [a, b]) assert.equal((await owner.client.loans.retrieve(loan.id)).status, "approved");
  const [batch] = (await investor.client.bulk.list({ operation: "investments" })).data;
  assert.equal(batch.status, "failed");
  assert.equal(batch.succeeded, 0);
  await page.context().close();
});

test("an xlsx export: start, watch it complete, download a workbook", async () => {
  assert.ok(borrower, "runs after the bulk loans test (its loans are exported)");
  const page = await newPage(browser);
  await signIn(page, "/bulk/exports", borrower.email);
  await page.getByLabel("Type").selectOption("loans");
  await page.getByLabel("Format").selectOption("xlsx");
  for (const col of ["id", "amount", "purpose"]) await page.getByRole("checkbox", { name: col, exact: true }).check();
  await page.getByRole("button", { name: "Start export" }).click();
  await page.getByTestId("export-status").filter({ hasText: /^completed/ }).waitFor({ timeout: 120_000 });
  await screenshot(page, "flow-export-completed");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /^Download coinbox-/ }).click()]);
  mkdirSync(join(SCREENSHOTS, "downloads"), { recursive: true });
  const path = join(SCREENSHOTS, "downloads", download.suggestedFilename());
  await download.saveAs(path);
  assert.match(download.suggestedFilename(), /\.xlsx$/);
  // It opens as a workbook (openpyxl, as the API's own tests read exports).
  const read = spawnSync(join(ROOT, "functions/venv/bin/python"), ["-c",
    "import json, sys, openpyxl; ws = openpyxl.load_workbook(sys.argv[1], read_only=True).active; print(json.dumps([list(r) for r in ws.iter_rows(values_only=True)]))", path],
  { encoding: "utf8" });
  assert.equal(read.status, 0, read.stderr);
  const rows = JSON.parse(read.stdout);
  assert.deepEqual(rows[0], ["id", "amount", "purpose"]);
  const loans = (await borrower.client.loans.list({ limit: 50 })).data;
  assert.deepEqual(rows.slice(1).map((r) => r[0]).sort(), loans.map((l) => l.id).sort());
  const [exp] = (await borrower.client.exports.list()).data;
  assert.deepEqual([exp.status, exp.format, exp.recordCount], ["completed", "xlsx", loans.length]);
  await page.getByTestId("export-history").getByText(exp.id).waitFor();
  await page.context().close();
});

test("as staff, a group message's fan-out is watched to 100 %", async () => {
  const recipient = await makeUser({ tier: "vip" });
  const staff = await makeUser({ tier: "business", role: "support" });
  const page = await newPage(browser);
  await signIn(page, "/bulk/messages", staff.email);
  const title = `Maintenance ${unique()}`;
  await page.getByLabel("Group", { exact: true }).selectOption("tier:vip");
  await page.getByLabel("Priority", { exact: true }).selectOption("high");
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Message", { exact: true }).fill("The platform is down on Sunday 02:00–03:00.");
  await page.getByRole("button", { name: "Send to the group" }).click();
  const progress = page.getByTestId("fanout-progress");
  await progress.filter({ hasText: "(100 %)" }).waitFor({ timeout: 120_000 });
  await page.getByText("completed", { exact: true }).first().waitFor();
  await page.getByTestId("history").getByText(/^bat_/).first().waitFor(); // the batch in the history
  await screenshot(page, "flow-group-message");
  const [batch] = (await staff.client.bulk.list({ operation: "messages" })).data;
  assert.equal(batch.status, "completed");
  assert.equal(batch.progress.delivered, batch.progress.recipientsTotal);
  assert.match(await progress.textContent(), new RegExp(`^${batch.progress.delivered} of ${batch.progress.recipientsTotal} `));
  const inbox = await waitFor(async () => (await recipient.client.messages.list()).data.find((m) => m.title === title), { what: "the message in the inbox" });
  assert.equal(inbox.priority, "high");
  // a member does not see the staff-only tab
  const member = await newPage(browser);
  await signIn(member, "/bulk", recipient.email);
  assert.equal(await member.getByRole("link", { name: "Messages" }).count(), 0);
  await member.context().close();
  await page.context().close();
});
