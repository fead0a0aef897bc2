// End-to-end test of the dashboard: Debian's Chromium (headless) driven by playwright-core.
//
// The expected numbers come from the same WebAssembly core loaded in Node (bindings/wasm/pkg/node,
// and the exports module the page loads for files, bindings/wasm-exports/pkg/web) on the same
// example journal: the page must show exactly the core's reports, then the same
// split and tracker after a previewed and applied allocation, and the core's error for a bad
// amount; a journal in deficit shows the core's deficit in a tile and a statement line, the example
// journal neither. axe-core, injected into the page, finds no WCAG 2.1 A/AA violation in any state the tests
// visit; the file picker and the allocation form are operated with real key presses; on a 390x844
// screen the tracker's gap and gap % are on screen without sideways scrolling. Screenshots in
// examples/dashboard/out/: dashboard-1280x900.png, dashboard-390x844.png, dashboard-error.png,
// dashboard-deficit.png.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { money, percent } from "../format.js";
import { start } from "../serve.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const out = join(here, "..", "out");
const fw = createRequire(import.meta.url)(join(root, "bindings", "wasm", "pkg", "node", "funding_window.js"));
const exportsDir = join(root, "bindings", "wasm-exports", "pkg", "web");
const fixture = readFileSync(join(root, "tests", "fixtures", "window-year.jsonl"), "utf8");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

// Headless Chromium on a build machine: without the networking flags Chromium keeps trying to reach
// update and sync services, which a closed network answers with a flood of failures.
const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];

let server;
let url;
let context;
let page;
let profile;
const problems = [];
/** Every URL the page requested, in order. */
const requested = [];
/** The page's requests for the exports module (fetched on the first click on a file only). */
const exportsRequests = () => requested.filter((u) => u.includes("/pkg-exports/"));

/** The exports module (bindings/wasm-exports), loaded in Node as the page loads it. */
let fx;
async function exportsModule() {
  if (!fx) {
    fx = await import(join(exportsDir, "funding_window_exports.js"));
    fx.initSync({ module: readFileSync(join(exportsDir, "funding_window_exports_bg.wasm")) });
  }
  return fx;
}

before(async () => {
  ({ server, url } = await start({ port: 0 }));
  profile = mkdtempSync(join(tmpdir(), "fw-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: DESKTOP,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
  page.on("request", (request) => requested.push(request.url()));
  mkdirSync(out, { recursive: true });
});

after(async () => {
  await context?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** The states axe-core checked, for the last test. */
const checkedStates = [];

/** Runs axe-core in the page as it is now; fails on any WCAG 2.1 A or AA violation. */
async function assertAccessible(state) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async (tags) => {
    const run = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return {
      passes: run.passes.length,
      violations: run.violations.map((v) =>
        `${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 5).map((n) => n.target.join(" ")).join(", ")}`),
    };
  }, WCAG_21_AA);
  assert.ok(result.passes > 10, `${state}: axe-core ran only ${result.passes} passing rules`);
  assert.deepEqual(result.violations, [], `${state}: WCAG 2.1 AA violations`);
  checkedStates.push(state);
}

/** The tracker as the page shows it: one object of cell texts per resolution. */
function pageTracker() {
  return page.$$eval("#tracker-table tbody tr", (rows) => rows.map((tr) => ({
    resolution: tr.dataset.resolution,
    bar: tr.querySelector(".fill")?.getAttribute("style") ?? null,
    ...Object.fromEntries([...tr.querySelectorAll("td[data-col]")].map((td) => [td.dataset.col, td.textContent])),
  })));
}

/** The tracker the page should show, from the core's report. */
function expectedTracker(report) {
  return report.rows.map((r) => ({
    resolution: r.resolution,
    bar: r.gap_pct === null ? null : `width: ${r.gap_pct}%`,
    status: r.status ?? "—",
    requirement: money(r.requirement),
    mobilized: money(r.mobilized),
    gap: money(r.gap),
    gap_pct: percent(r.gap_pct),
    allocated_in_period: money(r.allocated_in_period),
    allocated_to_date: money(r.allocated_to_date),
  }));
}

/** The allocation the test types into the form, as the page builds it. */
const allocation = {
  type: "allocate",
  id: "EB-E2E-01",
  decided_on: "2024-12-15",
  amount: "250000.00",
  policy: "gap_pro_rata",
  source: "unallocated",
  approved_by: "Executive Director",
  recorded_by: "dashboard",
  resolutions: ["2/1", "2/2", "2/9"],
};

async function fillAllocation(amount) {
  await page.fill("#alloc-id", allocation.id);
  await page.fill("#alloc-date", allocation.decided_on);
  await page.fill("#alloc-amount", amount);
  await page.selectOption("#alloc-policy", allocation.policy);
  await page.selectOption("#alloc-source", "unallocated");
  for (const box of await page.$$("#candidate-list input[type=checkbox]")) {
    const id = await box.getAttribute("value");
    await box.setChecked(allocation.resolutions.includes(id));
  }
}

/** Clicks a download button; resolves to { name, bytes } of the file the page offered. */
async function downloadOf(selector) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  const failure = await download.failure();
  assert.equal(failure, null, `${selector}: download failed: ${failure}`);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}

async function entries() {
  const info = await page.textContent("#journal-info");
  return Number(/(\d+) entries/.exec(info)?.[1]);
}

test("the page loads the example journal and shows the core's tracker", async () => {
  await page.goto(url);
  await page.waitForSelector("#status[data-state=ready]", { timeout: 30_000 });
  const expected = fw.Ledger.fromJournal(fixture);
  assert.equal(await entries(), expected.length);
  assert.equal(await page.inputValue("#period"), "2024-H2");
  assert.deepStrictEqual(await pageTracker(), expectedTracker(expected.resolutionTracker("2024-H2")));
  // An anchor from the example itself: 2/4 (biodiverse cities) needs USD 1.5 million.
  const row = (await pageTracker()).find((r) => r.resolution === "2/4");
  assert.equal(row.requirement, "1,500,000.00");
  await assertAccessible("the example journal loaded");
  // The window balance and the allocation log are the core's.
  const closing = expected.windowStatement("2024-H2").closing;
  assert.equal(await page.textContent('[data-balance="unallocated"] .amount'), `USD ${money(closing.unallocated)}`);
  for (const earmark of closing.earmarked) {
    assert.equal(await page.textContent(`[data-balance="earmarked:${earmark.resolution}"] .amount`), `USD ${money(earmark.amount)}`);
  }
  const log = await page.$$eval("#log-table tbody tr td[data-col=amount]", (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(log, expected.allocationLog().rows.map((r) => money(r.amount)));
  // Donor statements: every agreement of the selected donor.
  const donor = await page.inputValue("#donor");
  const agreements = await page.$$eval("#donor-table tbody tr", (trs) => trs.map((tr) => tr.dataset.agreement));
  assert.deepEqual(agreements, expected.donorStatement(donor).agreements.map((a) => a.agreement));
  // Exports are written by a module of their own, not loaded with the page.
  assert.deepEqual(exportsRequests(), [], "the exports module is not loaded with the page");
  await page.selectOption("#period", "2024-H1");
  assert.deepStrictEqual(await pageTracker(), expectedTracker(expected.resolutionTracker("2024-H1")));
  await assertAccessible("another period chosen");
  // The period list runs from the first to the last value date of the journal (dateRange()).
  const [first, last] = expected.dateRange();
  const dates = expected.entries().map((e) => e.date).filter(Boolean).sort();
  assert.deepEqual([first, last], [dates[0], dates.at(-1)]);
  // Every half-year that holds a day from the first to the last value date (counted here by hand),
  // which is what the core's periodsBetween gives the page.
  const halves = [];
  for (let year = Number(first.slice(0, 4)); year <= Number(last.slice(0, 4)); year++) {
    for (const [half, start, end] of [["H1", "01-01", "06-30"], ["H2", "07-01", "12-31"]]) {
      if (`${year}-${end}` >= first && `${year}-${start}` <= last) halves.push(`${year}-${half}`);
    }
  }
  assert.deepEqual(fw.periodsBetween(first, last, "half"), halves);
  assert.deepEqual(await page.$$eval("#period option", (os) => os.map((o) => o.value)), halves);
  // The tracker CSV of the chosen period is the exports module's, which is the golden file of the
  // core; the module is fetched on this first click on a file.
  const { exportCsv } = await exportsModule();
  const csv = await downloadOf("#export-tracker-csv");
  assert.equal(csv.name, "resolution-tracker-2024-H1.csv");
  assert.ok(exportsRequests().some((u) => u.endsWith("funding_window_exports_bg.wasm")), "loaded on the click");
  assert.ok(csv.bytes.equals(Buffer.from(exportCsv(expected, "resolution_tracker", { period: "2024-H1" }))));
  assert.ok(csv.bytes.equals(readFileSync(join(root, "tests", "fixtures", "exports", "resolution_tracker-2024-H1.csv"))));
  await page.selectOption("#period", "2024-H2");
});

test("a previewed and applied allocation shows its split and updates the tracker", async () => {
  const expected = fw.Ledger.fromJournal(fixture);
  await fillAllocation(allocation.amount);
  await page.click("#preview-button");
  await page.waitForSelector("#preview:not([hidden])");
  const preview = expected.previewAllocation(allocation);
  const shown = await page.$$eval("#preview-table tbody tr", (trs) => trs.map((tr) => ({
    resolution: tr.dataset.resolution,
    ...Object.fromEntries([...tr.querySelectorAll("td[data-col]")].map((td) => [td.dataset.col, td.textContent])),
  })));
  assert.deepStrictEqual(shown, preview.lines.map((l) => ({
    resolution: l.resolution,
    gap_before: money(l.gap_before),
    weight: money(l.weight),
    quota: money(l.quota),
    floor: money(l.floor),
    remainder: l.remainder,
    rank: String(l.rank),
    extra_unit: l.extra_unit ? "+0.01" : "",
    share: money(l.share),
  })));
  const explanation = await page.textContent("#preview-explanation");
  assert.match(explanation, /USD 250,000\.00 of unallocated window money/);
  assert.match(explanation, /funding gap/);
  assert.match(explanation, /rounded down to the cent/);
  await assertAccessible("an allocation previewed");
  // Previewing changed nothing.
  assert.equal(await entries(), expected.length);
  assert.deepStrictEqual(await pageTracker(), expectedTracker(expected.resolutionTracker("2024-H2")));

  await page.click("#apply-button");
  await page.waitForSelector("#alloc-notice:not([hidden])");
  assert.match(await page.textContent("#alloc-notice"), /Applied EB-E2E-01/);
  expected.apply(allocation);
  assert.equal(await entries(), expected.length);
  const after = await pageTracker();
  assert.deepStrictEqual(after, expectedTracker(expected.resolutionTracker("2024-H2")));
  const before = fw.Ledger.fromJournal(fixture).resolutionTracker("2024-H2").rows.find((r) => r.resolution === "2/2");
  assert.notEqual(after.find((r) => r.resolution === "2/2").allocated_in_period, money(before.allocated_in_period));
  const log = await page.$$eval('#log-table tbody tr[data-decision="EB-E2E-01"] td[data-col=amount]', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(log, preview.lines.map((l) => money(l.share)));
  assert.equal(
    await page.textContent('[data-balance="unallocated"] .amount'),
    `USD ${money(expected.windowStatement("2024-H2").closing.unallocated)}`,
  );
  await assertAccessible("an allocation applied");
  await page.screenshot({ path: join(out, "dashboard-1280x900.png"), fullPage: true });
});

test("the export buttons download the package's exports of the ledger on screen", async () => {
  // The ledger on screen has the allocation recorded in the browser (with the browser's clock):
  // its journal, downloaded, is the ledger the exports are checked against.
  const journal = await downloadOf("#download-journal");
  assert.equal(journal.name, "funding-window.jsonl");
  const onScreen = fw.Ledger.fromJournal(journal.bytes);
  assert.equal(onScreen.length, await entries());
  assert.equal(onScreen.allocationLog().rows.at(-1).decision, "EB-E2E-01");

  const period = await page.inputValue("#period");
  const csv = await downloadOf("#export-tracker-csv");
  assert.equal(csv.name, `resolution-tracker-${period}.csv`);
  const { exportCsv, exportHledger, exportIati } = await exportsModule();
  const expectedCsv = exportCsv(onScreen, "resolution_tracker", { period });
  assert.equal(csv.bytes.toString("utf8"), expectedCsv);
  assert.ok(csv.bytes.equals(Buffer.from(expectedCsv)), "the CSV bytes are the package's");
  assert.ok(csv.bytes.includes("\r\n"), "RFC 4180 line ends survive the download");

  const xml = await downloadOf("#export-iati");
  assert.equal(xml.name, "funding-window-iati.xml");
  const generated = /generated-datetime="([^"]+)"/.exec(xml.bytes.toString("utf8"))?.[1];
  assert.match(generated ?? "", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.ok(Math.abs(Date.parse(generated) - Date.now()) < 10 * 60_000, `generated at ${generated}`);
  assert.ok(xml.bytes.equals(Buffer.from(exportIati(onScreen, { generated_at: generated }))), "the IATI XML is the package's");

  const hledger = await downloadOf("#export-hledger");
  assert.equal(hledger.name, "funding-window.journal");
  assert.ok(hledger.bytes.equals(Buffer.from(exportHledger(onScreen))), "the hledger journal is the package's");
  assert.ok(await page.isHidden("#error"));
  onScreen.free();
});

test("the exports module gives the golden report pack, the same bytes as Python's export_xlsx", async () => {
  const { exportXlsx } = await exportsModule();
  const golden = readFileSync(join(root, "tests", "fixtures", "xlsx", "report-pack-2024-H2.xlsx"));
  const bytes = exportXlsx(fixture, { generated_at: "2025-01-15T09:00:00Z", period: "2024-H2" });
  assert.ok(Buffer.from(bytes).equals(golden), "tests/fixtures/xlsx/report-pack-2024-H2.xlsx");
  assert.throws(() => exportXlsx("not a journal", { generated_at: "2025-01-15T09:00:00Z", period: "2024-H2" }),
    (err) => err.name === "LedgerError" && err.code === "JOURNAL_CORRUPT");
  assert.throws(() => exportXlsx(fixture, { period: "2024-H2" }),
    (err) => err.name === "LedgerError" && err.code === "INVALID_ARGUMENT" && /generated_at/.test(err.message));
});

test("the Excel button downloads the core's pack, from the exports module loaded once", async () => {
  const journal = (await downloadOf("#download-journal")).bytes;
  const period = await page.inputValue("#period");
  const from = Math.floor(Date.now() / 1000) - 1;
  const pack = await downloadOf("#export-xlsx");
  const to = Math.ceil(Date.now() / 1000) + 1;
  assert.equal(pack.name, `funding-window-${period}.xlsx`);
  assert.equal(pack.bytes.subarray(0, 2).toString("latin1"), "PK");
  // The pack is the core's for the journal on screen, generated at the click (to the second).
  const { exportXlsx } = await exportsModule();
  const seconds = [];
  for (let s = from; s <= to; s++) seconds.push(new Date(s * 1000).toISOString().replace(/\.\d+Z$/, "Z"));
  const match = seconds.find((generated_at) => Buffer.from(exportXlsx(journal, { generated_at, period })).equals(pack.bytes));
  assert.ok(match, "the downloaded pack is exportXlsx(journal on screen, { generated_at: the click, period })");
  const again = await downloadOf("#export-xlsx");
  assert.equal(again.bytes.subarray(0, 2).toString("latin1"), "PK");
  assert.equal(exportsRequests().filter((u) => u.endsWith(".wasm")).length, 1, "the module is fetched once");
  assert.ok(await page.isHidden("#error"));
  await assertAccessible("after the Excel download");
});

test("a bad amount shows the core's error in the page and changes nothing", async () => {
  const length = await entries();
  const tracker = await pageTracker();
  const cases = [
    ["12.345", "PRECISION_EXCEEDED"],
    ["abc", "INVALID_AMOUNT"],
    ["1e5", "INVALID_AMOUNT"],
    ["-5.00", "INVALID_AMOUNT"],
    ["99999999.00", "INSUFFICIENT_FUNDS"],
  ];
  for (const [amount, code] of cases) {
    await fillAllocation(amount);
    await page.fill("#alloc-id", "EB-E2E-02");
    await page.click("#preview-button");
    await page.waitForSelector("#alloc-error:not([hidden])");
    const error = await page.textContent("#alloc-error");
    assert.match(error, new RegExp(code), `${amount}: ${error}`);
    assert.ok(await page.isHidden("#preview"));
    await page.click("#apply-button");
    assert.match(await page.textContent("#alloc-error"), new RegExp(code));
    assert.equal(await entries(), length);
    assert.deepStrictEqual(await pageTracker(), tracker);
  }
  await fillAllocation("12.345");
  await page.fill("#alloc-id", "EB-E2E-02");
  await page.click("#preview-button");
  await page.waitForSelector("#alloc-error:not([hidden])");
  assert.match(await page.textContent("#alloc-error"), /amount 12\.345 has more decimals than USD allows/);
  await assertAccessible("an allocation refused");
  await page.locator("#allocate").screenshot({ path: join(out, "dashboard-error.png") });
});

test("a torn journal picked by the user is refused; a good one replaces the ledger", async () => {
  const length = await entries();
  await page.setInputFiles("#journal-file", {
    name: "torn.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(fixture.slice(0, -30)),
  });
  await page.waitForFunction(() => /JOURNAL_TORN_TAIL/.test(document.querySelector("#error").textContent));
  assert.equal(await entries(), length, "the ledger on screen is kept");
  // The file's bytes go to the core as they are: a byte that is not UTF-8 is corruption at its line.
  const bytes = Buffer.from(fixture);
  bytes[bytes.indexOf("\n", bytes.indexOf("\n") + 1) + 20] = 0xff; // inside line 3
  await page.setInputFiles("#journal-file", { name: "damaged.jsonl", mimeType: "application/x-ndjson", buffer: bytes });
  await page.waitForFunction(() => /JOURNAL_CORRUPT/.test(document.querySelector("#error").textContent));
  assert.match(await page.textContent("#error"), /line 3/);
  await assertAccessible("a damaged journal refused");
  assert.equal(await entries(), length, "the ledger on screen is kept");
  await page.setInputFiles("#journal-file", {
    name: "window-year.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(fixture),
  });
  await page.waitForSelector("#notice:not([hidden])");
  assert.equal(await entries(), fw.Ledger.fromJournal(fixture).length);
  assert.deepStrictEqual(await pageTracker(), expectedTracker(fw.Ledger.fromJournal(fixture).resolutionTracker("2024-H2")));
});

/** Presses Tab until the element `id` has the focus, at most `presses` times. */
async function tabTo(id, presses) {
  const focused = () => page.evaluate(() => document.activeElement?.id);
  for (let n = 0; n < presses && (await focused()) !== id; n++) await page.keyboard.press("Tab");
  assert.equal(await focused(), id, `Tab reaches #${id}`);
}

test("the file picker and the allocation form work with the keyboard alone", async () => {
  const length = await entries();
  // Tab from the button before it reaches the file input, hidden from sight but not from the keyboard.
  await page.focus("#load-example");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "journal-file");
  const outline = await page.$eval('label[for="journal-file"]', (label) => getComputedStyle(label).outlineStyle);
  assert.notEqual(outline, "none", "the label shows that its input has the focus");
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press("Space")]);
  await chooser.setFiles({ name: "picked.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(fixture) });
  await page.waitForFunction(() => /Loaded picked\.jsonl/.test(document.querySelector("#notice").textContent));
  assert.equal(await entries(), length);

  // The allocation form: type into the fields, Enter previews, Tab to Apply and Enter applies.
  await page.focus("#alloc-id");
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type("EB-KEYS-01");
  // Past "decided on" (the last value date, already filled in; Tab visits its day, month and year).
  await tabTo("alloc-amount", 6);
  await page.keyboard.type("1000.00");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#preview:not([hidden])");
  assert.match(await page.textContent("#preview-explanation"), /^EB-KEYS-01 on .*USD 1,000\.00 of unallocated window money/);
  await tabTo("apply-button", 40);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#alloc-notice:not([hidden])");
  assert.match(await page.textContent("#alloc-notice"), /Applied EB-KEYS-01/);
  assert.equal(await entries(), length + 1);
  await assertAccessible("operated with the keyboard");
});

test("on a 390x844 screen the tracker shows gap and gap % without sideways scrolling", async () => {
  await page.setViewportSize(PHONE);
  await page.waitForFunction((width) => document.documentElement.clientWidth === width, PHONE.width);
  const layout = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    cells: [...document.querySelectorAll("#tracker-table tbody tr")].flatMap((tr) =>
      ["gap", "gap_pct"].map((col) => {
        const box = tr.querySelector(`td[data-col="${col}"]`).getBoundingClientRect();
        return { resolution: tr.dataset.resolution, col, left: box.left, right: box.right, width: box.width };
      })),
  }));
  assert.ok(layout.page <= PHONE.width, `the page is ${layout.page} px wide on a ${PHONE.width} px screen`);
  assert.equal(layout.cells.length, 30, "gap and gap % of the 15 resolutions");
  for (const cell of layout.cells) {
    assert.ok(cell.width > 0 && cell.left >= 0 && cell.right <= PHONE.width,
      `${cell.resolution} ${cell.col} spans ${cell.left}..${cell.right} on a ${PHONE.width} px screen`);
  }
  // The figures are the core's, as on a wide screen.
  const expected = fw.Ledger.fromJournal((await downloadOf("#download-journal")).bytes);
  assert.deepStrictEqual(await pageTracker(), expectedTracker(expected.resolutionTracker(await page.inputValue("#period"))));
  await assertAccessible("a 390x844 screen");
  await page.screenshot({ path: join(out, "dashboard-390x844.png"), fullPage: true });
  await page.setViewportSize(DESKTOP);
});

test("axe-core reports a violation when there is one", async () => {
  // The check above is not vacuous: an unlabelled control added to the page is reported.
  await page.evaluate(() => document.querySelector("main").append(Object.assign(document.createElement("input"), { id: "unlabelled" })));
  await assert.rejects(assertAccessible("with an unlabelled input"), /label/);
  await page.evaluate(() => document.querySelector("#unlabelled").remove());
  await assertAccessible("after removing it");
});

test("names a spreadsheet would run are shown as text and downloaded with an apostrophe", async () => {
  // tests/fixtures/hostile-texts.json: formulas in every free-text field (titles, statuses, names...).
  const hostile = JSON.parse(readFileSync(join(root, "tests", "fixtures", "hostile-texts.json"), "utf8"));
  const ledger = new fw.Ledger();
  ledger.applyBatch(hostile.commands);
  await page.setInputFiles("#journal-file", {
    name: "hostile.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(ledger.toJournal()),
  });
  await page.waitForFunction((n) => new RegExp(`\\b${n} entries`).test(document.querySelector("#journal-info").textContent), ledger.length);
  const period = await page.inputValue("#period");
  // On screen the texts are themselves (text, not markup, not formulas).
  const row = (await pageTracker()).find((r) => r.resolution === "3/1");
  assert.equal(row.status, hostile.commands.find((c) => c.type === "register_resolution").status);
  // The download is the package's CSV, whose text cells that start a formula carry an apostrophe.
  const csv = await downloadOf("#export-tracker-csv");
  const { exportCsv } = await exportsModule();
  const expected = exportCsv(ledger, "resolution_tracker", { period });
  assert.ok(csv.bytes.equals(Buffer.from(expected)), "the CSV bytes are the package's");
  const lines = csv.bytes.toString("utf8").split("\r\n");
  const header = lines[0].split(",");
  const line = lines.find((l) => l.includes(",3/1,"));
  const resolution = hostile.commands.find((c) => c.type === "register_resolution");
  assert.ok(line.includes(`,${csvField(`'${resolution.title}`)},${csvField(`'${resolution.status}`)},`), line);
  const status = lines.find((l) => l.includes(",2/4,"));
  const set = hostile.commands.find((c) => c.type === "set_status");
  assert.ok(status.includes(`,${csvField(`'${set.status}`)},`), status);
  assert.equal(header[3], "title");
  ledger.free();
});

/** A CSV field as RFC 4180 writes it. */
function csvField(text) {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Scenario 50's ledger up to its deficit: its commands that succeed, applied in order until an
 * exchange loss its earmark could not cover takes the unallocated money below zero.
 */
function deficitLedger() {
  const scenario = JSON.parse(readFileSync(join(root, "tests", "scenarios", "50_receipts_are_never_refused.json"), "utf8"));
  const ledger = new fw.Ledger();
  for (const step of scenario.steps) {
    if (!step.apply || step.error) continue;
    ledger.apply(step.apply);
    if (ledger.windowBalance().deficit !== undefined) return { ledger, scenario };
  }
  throw new Error("scenario 50 has no deficit");
}

/** The amounts of the statement's deficit line `line` ("opening:deficit" or "closing:deficit") on the page. */
async function statementLines(line) {
  return page.$$eval(`#window-statement tr[data-line="${line}"] td.num`, (tds) => tds.map((td) => td.textContent));
}

test("a window in deficit shows the core's deficit in a warning tile and the statement", async () => {
  const { ledger, scenario } = deficitLedger();
  await page.setInputFiles("#journal-file", {
    name: "deficit.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(ledger.toJournal()),
  });
  await page.waitForFunction((n) => new RegExp(`\\b${n} entries`).test(document.querySelector("#journal-info").textContent), ledger.length);
  // The periods the page offers are the core's; the last is the half-year of the loss.
  const [first, last] = ledger.dateRange();
  const periods = fw.periodsBetween(first, last, "half");
  assert.deepEqual(await page.$$eval("#period option", (os) => os.map((o) => o.value)), periods);
  const period = fw.periodOf(last, "half");
  assert.ok(periods.includes(period));
  await page.selectOption("#period", period);

  const statement = ledger.windowStatement(period);
  const deficit = statement.closing.deficit;
  assert.ok(deficit, `the core reports a deficit at the end of ${period}`);
  // The core's rows carry the same amount, and it is the deficit scenario 50 expects after the loss
  // (its May statement: nothing happens after 10 May in this ledger).
  const table = ledger.reportTable("window_statement", { period });
  const column = (name) => table.columns.findIndex((c) => c.name === name);
  const rows = table.rows.filter((r) => r[column("item")] === "deficit");
  assert.deepEqual(rows.map((r) => [r[column("section")], r[column("amount")]]),
    [...(statement.opening.deficit ? [["opening", statement.opening.deficit]] : []), ["closing", deficit]]);
  const may = scenario.steps.find((s) => s.report === "window_statement" && s.args.period === "2024-05");
  assert.equal(deficit, may.expect.closing.deficit);

  // The tile shows exactly the core's amount, and says what it means.
  assert.equal(await page.textContent('[data-balance="deficit"] .amount'), `USD ${money(deficit)}`);
  assert.equal(await page.textContent('[data-balance="deficit"] .label'), "Deficit");
  assert.equal(await page.textContent('[data-balance="unallocated"] .amount'), `USD ${money(statement.closing.unallocated)}`);
  assert.equal(await page.textContent('[data-balance="total"] .amount'), `USD ${money(statement.closing.total)}`);
  const description = await page.$eval('[data-balance="deficit"]', (tile) =>
    tile.getAttribute("aria-describedby").split(" ").map((id) => document.getElementById(id).textContent).join(" "));
  assert.match(description, /allocations from unallocated money stop until the deficit is made good/);
  // The statement's deficit lines: the closing one, and an opening one only where the core has it.
  assert.deepEqual(await statementLines("closing:deficit"), [money(deficit)]);
  assert.deepEqual(await statementLines("opening:deficit"), statement.opening.deficit ? [money(statement.opening.deficit)] : []);
  await assertAccessible("a window in deficit");
  await page.locator("#window").screenshot({ path: join(out, "dashboard-deficit.png") });

  // Back to the example journal, which has no deficit: neither the tile nor the line is there.
  await page.click("#load-example");
  const example = fw.Ledger.fromJournal(fixture);
  await page.waitForFunction((n) => new RegExp(`\\b${n} entries`).test(document.querySelector("#journal-info").textContent), example.length);
  const shown = await page.inputValue("#period");
  assert.equal(example.windowStatement(shown).closing.deficit, undefined);
  assert.equal(await page.locator('[data-balance="deficit"]').count(), 0);
  assert.equal(await page.locator("#window-statement tr.deficit").count(), 0);
  assert.equal(await page.textContent('[data-balance="unallocated"] .amount'), `USD ${money(example.windowStatement(shown).closing.unallocated)}`);
  ledger.free();
  example.free();
});

test("the page raised no error of its own", () => {
  assert.deepEqual(problems, []);
  assert.ok(checkedStates.length >= 9, `axe-core checked ${checkedStates.length} states`);
});
