// The dashboard's service mode in Chromium against a real service (examples/service) on a real
// PostgreSQL: the page shows the service's reports, submits an allocation with the user's token
// (applied at once, or a proposal under four-eyes control that a second person approves in the
// page), and shows the service's typed errors. The token stays out of the URL and the storage.
//
// Needs FW_PG_URL (tests/postgres/with-server.sh) and FW_SERVICE_BIN (the built service);
// `make test-postgres` runs it. Without them it skips, unless FW_PG_REQUIRED=1.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { money } from "../format.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const out = join(here, "..", "out");
const exportsDir = join(root, "bindings", "wasm-exports", "pkg", "web");
const dsn = process.env.FW_PG_URL;
const bin = process.env.FW_SERVICE_BIN ? resolve(root, process.env.FW_SERVICE_BIN) : "";
const skip = !dsn || !bin;
if (skip && process.env.FW_PG_REQUIRED === "1") throw new Error("FW_PG_REQUIRED=1 but FW_PG_URL or FW_SERVICE_BIN is unset");

const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];

let service;
let url;
let dir;
let context;
let page;
const tokens = {};
const problems = [];

/** Mints a token with the service's own subcommand: the file's lines on stdout, the token on stderr. */
function mint(name, role) {
  const run = spawnSync(bin, ["mint-token", name, role], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  tokens[name] = run.stderr.trim().split(": ").pop();
  return run.stdout;
}

async function api(method, path, token, body) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json() };
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), "svc-dashboard-"));
  const file = join(dir, "tokens.toml");
  writeFileSync(file, mint("ana", "admin") + mint("rui", "recorder") + mint("eva", "approver"));
  service = spawn(bin, [], {
    env: {
      ...process.env, FW_PG_URL: dsn, FW_LEDGER: `svc-dashboard-${process.pid}-${Date.now()}`,
      FW_LISTEN: "127.0.0.1:0", FW_TOKENS_FILE: file, FW_DASHBOARD_DIR: join(root, "examples", "dashboard"),
      FW_DASHBOARD_PKG: join(root, "bindings", "wasm", "pkg", "web"),
      FW_DASHBOARD_EXPORTS_PKG: exportsDir,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const first = await new Promise((ok, fail) => {
    createInterface({ input: service.stdout }).once("line", ok);
    service.once("exit", (code) => fail(new Error(`the service exited (${code})`)));
  });
  url = first.replace("listening on ", "").trim();
  const seeded = await api("POST", "/commands", tokens.rui, [
    { type: "register_donor", id: "NO", name: "Norway", kind: "member_state" },
    { type: "sign_agreement", id: "CA-NO-1", donor: "NO", currency: "USD", amount: "1000.00", signed_on: "2024-02-01",
      psc_rate: "0.07", elective_transfer: false, purpose: { window: { earmarked_to: [] } } },
    { type: "record_receipt", agreement: "CA-NO-1", amount: "1000.00", received_on: "2024-03-01" },
  ]);
  assert.equal(seeded.status, 200, JSON.stringify(seeded.body));

  const { chromium } = await import("playwright-core");
  context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (message) => {
    // A refused request is logged by Chromium as a failed resource; the test provokes some.
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) problems.push(`console error: ${message.text()}`);
  });
  mkdirSync(out, { recursive: true });
});

after(async () => {
  await context?.close();
  service?.kill("SIGTERM");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function connectAs(name) {
  await page.fill("#service-token", tokens[name]);
  await page.click("#service-connect");
  // Ready once this connection's reports are on the page (the status leaves "ready" while connecting).
  await page.waitForFunction((who) => document.querySelector("#service-who").textContent.includes(`connected as ${who}`)
    && document.querySelector("#status").dataset.state === "ready", name);
}

async function allocate(id, amount) {
  await page.fill("#alloc-id", id);
  await page.fill("#alloc-date", "2024-04-01");
  await page.fill("#alloc-amount", amount);
  await page.selectOption("#alloc-policy", "equal");
  for (const box of await page.$$("#candidate-list input[type=checkbox]")) {
    await box.setChecked(["2/1", "2/2"].includes(await box.getAttribute("value")));
  }
  await page.evaluate(() => { document.querySelector("#alloc-notice").hidden = true; document.querySelector("#alloc-error").hidden = true; });
  await page.click("#apply-button");
  await page.waitForSelector("#alloc-notice:not([hidden]), #alloc-error:not([hidden])");
}

test("served by the service, the page asks for a token and shows the service's reports", { skip }, async () => {
  await page.goto(`${url}/dashboard/`);
  await page.waitForSelector("#service-form:not([hidden])");
  // A wrong token: the service's UNAUTHENTICATED, and nothing shown.
  await page.fill("#service-token", "fwt_not-a-token");
  await page.click("#service-connect");
  await page.waitForFunction(() => /UNAUTHENTICATED/.test(document.querySelector("#error").textContent));

  await connectAs("rui");
  assert.equal(await page.inputValue("#service-token"), "", "the token field is cleared");
  assert.equal(await page.inputValue("#period"), "2024-H1");
  const tracker = (await api("GET", "/reports/resolution_tracker?period=2024-H1", tokens.rui)).body;
  const shown = await page.$$eval("#tracker-table tbody tr", (rows) => rows.map((tr) => tr.dataset.resolution));
  assert.deepEqual(shown, tracker.rows.map((r) => r.resolution));
  const statement = (await api("GET", "/reports/window_statement?period=2024-H1", tokens.rui)).body;
  assert.equal(await page.textContent('[data-balance="unallocated"] .amount'), `USD ${money(statement.closing.unallocated)}`);
  assert.equal(statement.closing.unallocated, "1000.00");
  assert.match(await page.textContent("#journal-info"), /3 entries/);
  // The token is in no URL and no storage.
  assert.ok(!page.url().includes(tokens.rui));
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  assert.ok(!stored.includes(tokens.rui), stored);
});

test("an allocation submitted in the page is applied by the service, recorded by the token's holder", { skip }, async () => {
  await allocate("EB-1", "100.00");
  assert.match(await page.textContent("#alloc-notice"), /Applied EB-1: entry 4/);
  const entry = (await api("GET", "/journal?from=4", tokens.rui)).body.entries[0];
  assert.equal(entry.recorded_by, "rui");
  assert.equal(entry.command.id, "EB-1");
  assert.equal(entry.command.approved_by, undefined, "the page sends no approver of its own");
  const log = await page.$$eval("#log-table tbody tr", (rows) => rows.map((tr) => tr.dataset.decision));
  assert.deepEqual(log, ["EB-1", "EB-1"]);
  assert.equal(await page.textContent('[data-balance="unallocated"] .amount'), "USD 900.00");
});

test("a refused command shows the service's code and changes nothing", { skip }, async () => {
  await allocate("EB-X", "12.345");
  assert.match(await page.textContent("#alloc-error"), /PRECISION_EXCEEDED/);
  await allocate("EB-X", "5000.00");
  assert.match(await page.textContent("#alloc-error"), /INSUFFICIENT_FUNDS/);
  assert.equal((await api("GET", "/journal?from=1&limit=1", tokens.rui)).body.head.seq, 4);
});

test("under four-eyes control the page's allocation is a proposal that another person approves in the page", { skip }, async () => {
  assert.equal((await api("POST", "/commands", tokens.ana, { type: "configure", four_eyes: true })).status, 200);
  await allocate("EB-2", "50.00");
  assert.match(await page.textContent("#alloc-notice"), /Proposed EB-2: proposal p-[0-9a-f]{32} waits/);
  assert.equal((await api("GET", "/journal?from=1&limit=1", tokens.rui)).body.head.seq, 5, "nothing applied yet");
  const rows = await page.$$eval("#proposal-table tbody tr", (trs) => trs.map((tr) => tr.dataset.proposal));
  assert.equal(rows.length, 1);

  // The recorder cannot approve their own proposal: the service refuses it (a recorder's role).
  await page.click(`#proposal-table button[data-action=approve]`);
  await page.waitForFunction(() => /FORBIDDEN/.test(document.querySelector("#error").textContent));

  await connectAs("eva");
  await page.click(`#proposal-table tr[data-proposal="${rows[0]}"] button[data-action=approve]`);
  await page.waitForFunction(() => /Approved p-/.test(document.querySelector("#notice").textContent));
  const entry = (await api("GET", "/journal?from=6", tokens.eva)).body.entries[0];
  assert.equal(entry.recorded_by, "rui");
  assert.equal(entry.command.approved_by, "eva");
  assert.equal(await page.isVisible("#proposal-empty"), true);
  const approvers = await page.$$eval('#log-table tbody tr[data-decision="EB-2"] td:nth-child(3)', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(approvers, ["eva", "eva"]);
  await page.screenshot({ path: join(out, "dashboard-service.png"), fullPage: true });
});

test("the Excel button downloads the core's pack of the service's journal, the exports module served by the service", { skip }, async () => {
  const exportsFetched = [];
  const listen = (request) => { if (request.url().includes("/dashboard/pkg-exports/")) exportsFetched.push(request.url()); };
  page.on("request", listen);
  const period = await page.inputValue("#period");
  const from = Math.floor(Date.now() / 1000) - 1;
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-xlsx")]);
  assert.equal(await download.failure(), null);
  const to = Math.ceil(Date.now() / 1000) + 1;
  page.off("request", listen);
  const bytes = readFileSync(await download.path());
  assert.equal(download.suggestedFilename(), `funding-window-${period}.xlsx`);
  assert.ok(exportsFetched.some((u) => u.endsWith(".wasm")), "the page loaded the exports module from the service");
  assert.ok(await page.isHidden("#error"), await page.textContent("#error"));
  // The pack is the core's for the service's journal, generated at the click (to the second).
  const response = await fetch(`${url}/exports/journal`, { headers: { authorization: `Bearer ${tokens.rui}` } });
  assert.equal(response.status, 200);
  const journal = Buffer.from(await response.arrayBuffer());
  const fx = await import(join(exportsDir, "funding_window_exports.js"));
  fx.initSync({ module: readFileSync(join(exportsDir, "funding_window_exports_bg.wasm")) });
  const seconds = [];
  for (let s = from; s <= to; s++) seconds.push(new Date(s * 1000).toISOString().replace(/\.\d+Z$/, "Z"));
  assert.ok(seconds.some((generated_at) => Buffer.from(fx.exportXlsx(journal, { generated_at, period })).equals(bytes)),
    "the downloaded pack is exportXlsx(the service's journal, { generated_at: the click, period })");
});

test("the page raised no error of its own", { skip }, () => {
  assert.deepEqual(problems, []);
});
