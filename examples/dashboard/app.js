// The funding-window dashboard: loads a journal into the WebAssembly ledger and shows its reports,
// or, served by the funding-window service, shows the service's reports and submits commands to it
// with the user's token. Every number on the page is a decimal string from the core; the page only
// groups digits.
import init, { Ledger, isLedgerError, periodOf, periodRange, periodsBetween } from "./pkg/funding_window.js";
import { money, percent } from "./format.js";
import { RemoteLedger, ServiceError } from "./service.js";

const EXAMPLE_JOURNAL = "journal/window-year.jsonl";

const state = {
  ledger: null,
  /** The service's ledger when connected (then `ledger` is it too), else null. */
  remote: null,
  source: "",
  period: "",
  decisions: 0,
};

const $ = (selector) => document.querySelector(selector);

/** A DOM element with attributes and children (text is always set as text, never as HTML). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "style") element.setAttribute("style", value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const num = (text, col) => h("td", { class: "num", "data-col": col }, money(text));

// ----- messages -----

/** Shows an error (a LedgerError: its code and the core's message) in the page-wide box or a section's. */
function showError(err, where = "") {
  const box = $(`#${where}error`);
  box.replaceChildren();
  if (isLedgerError(err) || err instanceof ServiceError) {
    // The core's message names the field, and for a batch the command (by its 0-based index).
    box.append(h("strong", { class: "code" }, err.code), " ", err.message);
  } else {
    box.append(h("strong", { class: "code" }, "ERROR"), " ", String(err && err.message ? err.message : err));
  }
  box.hidden = false;
  $(`#${where}notice`).hidden = true;
}

function showNotice(text, where = "") {
  $(`#${where}notice`).textContent = text;
  $(`#${where}notice`).hidden = false;
  $(`#${where}error`).hidden = true;
}

function clearMessages() {
  for (const id of ["#error", "#notice", "#alloc-error", "#alloc-notice"]) $(id).hidden = true;
}

function setStatus(stateName, text) {
  const status = $("#status");
  status.dataset.state = stateName;
  status.textContent = text;
}

// ----- loading journals -----

async function useLedger(ledger, source) {
  const previous = state.ledger;
  state.ledger = ledger;
  state.source = source;
  if (previous && previous !== ledger) previous.free();
  // The half-years from the first to the last value date of the journal (null: nothing dated yet),
  // as the core counts them.
  const range = ledger.dateRange();
  const periods = range ? periodsBetween(range[0], range[1], "half") : [];
  const select = $("#period");
  select.replaceChildren(...periods.map((p) => h("option", { value: p }, p)));
  state.period = periods.length ? periods[periods.length - 1] : "";
  select.value = state.period;
  $("#alloc-date").value = range ? range[1] : new Date().toISOString().slice(0, 10);
  renderDonorChoices();
  await prepare();
  renderAll();
}

/** Fetches what the next render shows (the service's reports for the chosen period and donor). */
async function prepare() {
  if (state.remote) await state.remote.prepare(state.period, $("#donor").value);
}

async function loadExample() {
  clearMessages();
  try {
    const response = await fetch(EXAMPLE_JOURNAL, { cache: "no-store" });
    if (!response.ok) throw new Error(`${EXAMPLE_JOURNAL}: HTTP ${response.status}`);
    // The bytes go to the core as they are: it checks the UTF-8 along with the hash chain.
    await useLedger(Ledger.fromJournal(new Uint8Array(await response.arrayBuffer())), "example journal (window-year.jsonl)");
    setStatus("ready", "Ready");
  } catch (err) {
    showError(err);
    setStatus("error", "Could not load the example journal");
  }
}

async function loadFile(file) {
  clearMessages();
  try {
    const ledger = Ledger.fromJournal(new Uint8Array(await file.arrayBuffer()));
    disconnect();
    await useLedger(ledger, file.name);
    showNotice(`Loaded ${file.name}: ${ledger.length} entries.`);
  } catch (err) {
    showError(err);
  }
}

/** Offers text or bytes as a file to download (a Blob behind an object URL): the package's, unchanged. */
function download(text, filename, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  // Released once the browser has surely started reading it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Runs an export of the ledger on screen (the service's, when connected) and downloads it; an error shows in the page. */
async function exportFile(make, filename, type) {
  if (!state.ledger) return;
  clearMessages();
  try {
    download(await make(state.ledger), filename, type);
  } catch (err) {
    showError(err);
  }
}

function downloadJournal() {
  exportFile((ledger) => ledger.toJournal(), "funding-window.jsonl", "application/x-ndjson");
}

/** The exports module (bindings/wasm-exports: CSV, IATI XML, hledger, Excel), loaded on the first request for a file only. */
let exportsModule = null;

async function loadExports() {
  if (!exportsModule) {
    exportsModule = import("./pkg-exports/funding_window_exports.js").then(async (module) => {
      await module.default();
      return module;
    });
    // A failed load may be retried by the next click.
    exportsModule.catch(() => { exportsModule = null; });
  }
  return exportsModule;
}

/**
 * The exports of the ledger on screen: the service's, when connected; else the exports module's,
 * which writes them from the ledger's journal.
 */
async function exportsOf(ledger) {
  if (ledger instanceof RemoteLedger) return ledger;
  const module = await loadExports();
  return {
    exportCsv: (report, args) => module.exportCsv(ledger, report, args),
    exportIati: (options) => module.exportIati(ledger, options),
    exportHledger: () => module.exportHledger(ledger),
  };
}

function exportTrackerCsv() {
  if (!state.period) return;
  const period = state.period;
  exportFile(async (ledger) => (await exportsOf(ledger)).exportCsv("resolution_tracker", { period }),
    `resolution-tracker-${period}.csv`, "text/csv");
}

function exportIati() {
  // Generated now (to the second); the core leaves out anything dated after today.
  const generated_at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  exportFile(async (ledger) => (await exportsOf(ledger)).exportIati({ generated_at }), "funding-window-iati.xml", "application/xml");
}

function exportHledger() {
  exportFile(async (ledger) => (await exportsOf(ledger)).exportHledger(), "funding-window.journal", "text/plain");
}

/** The report pack of the chosen period as an .xlsx workbook, written by the core in the exports module. */
async function exportXlsx() {
  if (!state.ledger || !state.period) return;
  clearMessages();
  const button = $("#export-xlsx");
  button.disabled = true;
  const period = state.period;
  try {
    const module = await loadExports();
    // The pack replays the journal on screen (every check again) and writes every report; the
    // journal is the service's when connected.
    const generated_at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const bytes = module.exportXlsx(await state.ledger.toJournal(), { generated_at, period });
    download(bytes, `funding-window-${period}.xlsx`, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

// ----- reports -----

/**
 * A report's rows as the core lays them out (`reportTable`: the rows of its CSV and of the Python
 * DataFrames), each an object keyed by column name; cells are the core's strings, numbers, booleans
 * or null.
 */
function tableRows(report, args) {
  const table = state.ledger.reportTable(report, args);
  const names = table.columns.map((c) => c.name);
  return table.rows.map((cells) => Object.fromEntries(names.map((name, i) => [name, cells[i]])));
}

function renderAll() {
  const ledger = state.ledger;
  if (!ledger) return;
  $("#journal-info").replaceChildren(
    h("strong", {}, state.source), ` · ${ledger.length} entries · chain head `,
    h("code", { title: ledger.chainHead }, `${ledger.chainHead.slice(0, 12)}…`),
  );
  renderWindow();
  renderTransfers();
  renderTracker();
  renderSources();
  renderCandidates();
  renderLog();
  renderDonor();
}

function renderWindow() {
  const period = state.period;
  $("#window-period").textContent = period ? `at the end of ${period}` : "";
  if (!period) return;
  // The statement's line items, in the core's order: section, item, name, amount.
  const lines = tableRows("window_statement", { period });
  const total = (section) => lines.find((l) => l.section === section && l.item === "total").amount;
  const items = (section) => lines.filter((l) => l.section === section && l.item !== "total");
  const tile = (label, amount, attrs) => h("div", { class: "tile", ...attrs }, h("span", { class: "label" }, label), h("span", { class: "amount" }, `USD ${money(amount)}`));
  const earmarked = items("closing").filter((l) => l.item.startsWith("earmarked:"));
  // The core's "deficit" item (how far unallocated money is below zero after an exchange loss its
  // earmark could not cover) is there only while there is one.
  const deficit = (section) => lines.find((l) => l.section === section && l.item === "deficit");
  // A warning first, with its consequence in words (read with the tile's name by screen readers).
  const deficitTile = (line) => h("div",
    { class: "tile deficit", "data-balance": "deficit", role: "group", "aria-labelledby": "deficit-label", "aria-describedby": "deficit-note" },
    h("span", { class: "label", id: "deficit-label" }, "Deficit"),
    h("span", { class: "amount" }, `USD ${money(line.amount)}`),
    h("span", { class: "note", id: "deficit-note" },
      "Unallocated money is below zero after an exchange loss: allocations from unallocated money stop until the deficit is made good."),
  );
  const closingDeficit = deficit("closing");
  $("#window-balance").replaceChildren(...[
    closingDeficit ? deficitTile(closingDeficit) : null,
    tile("Unallocated", items("closing").find((l) => l.item === "unallocated").amount, { "data-balance": "unallocated" }),
    ...earmarked.map((l) => {
      const resolution = l.item.slice("earmarked:".length);
      return tile(`Earmarked to ${resolution}`, l.amount, { "data-balance": `earmarked:${resolution}`, title: l.name });
    }),
    tile("Total", total("closing"), { "data-balance": "total", class: "tile total" }),
  ].filter(Boolean));
  const row = (label, amount, attrs = {}) => h("tr", attrs, h("td", {}, label), num(amount));
  // A deficit line is a note on the balance above it (part of its unallocated money), not a term of the sum.
  const deficitRow = (section, label) => {
    const line = deficit(section);
    return line ? row(label, line.amount, { class: "deficit", "data-line": `${section}:deficit` }) : null;
  };
  $("#window-statement").replaceChildren(...[
    h("caption", {}, `Window statement ${period}`),
    row("Opening balance", total("opening")),
    deficitRow("opening", "of which deficit (unallocated money below zero)"),
    ...items("contributions").map((c) => row(`Contribution: ${c.name}`, c.amount)),
    row("Balance transfers in", total("transfers_in")),
    row("Other income (exchange differences)", total("other_income")),
    ...items("allocations").map((a) => row(`Allocated to ${a.item}`, a.amount.startsWith("-") ? a.amount.slice(1) : `-${a.amount}`)),
    row("Refunds", total("refunds")),
    row("Closing balance", total("closing"), { class: "total" }),
    deficitRow("closing", "of which deficit (unallocated money below zero)"),
  ].filter(Boolean));
}

function renderTransfers() {
  const rows = tableRows("transfer_register");
  $("#transfer-table tbody").replaceChildren(...rows.map((t) => h("tr", { "data-project": t.project, class: t.reversed_by ? "reversal" : null },
    h("td", {}, t.project), h("td", {}, t.donor), h("td", {}, t.closed_on ?? "—"),
    h("td", { class: "num" }, `${t.currency} ${money(t.balance)}`),
    h("td", { class: "num", title: t.rate_month ? `UNORE ${t.rate_month}` : null }, t.rate ?? "—"),
    num(t.usd, "usd"),
    h("td", {}, `${t.election_ref} (${t.elected_on})`), h("td", {}, t.transferred_on),
  )));
  $("#transfer-empty").hidden = rows.length > 0;
}

function renderTracker() {
  const period = state.period;
  $("#tracker-period").textContent = period ? `${period} (USD, at ${periodRange(period).to})` : "";
  const body = $("#tracker-table tbody");
  if (!period) {
    body.replaceChildren();
    return;
  }
  body.replaceChildren(...tableRows("resolution_tracker", { period }).map((r) => {
    const fill = r.gap_pct === null ? null : h("div", { class: "fill", style: `width: ${r.gap_pct}%` });
    return h("tr", { "data-resolution": r.resolution },
      h("td", { class: "resolution", title: r.title }, h("strong", {}, r.resolution), " ", h("span", { class: "title" }, r.title)),
      h("td", { "data-col": "status" }, r.status ?? "—"),
      num(r.requirement, "requirement"),
      num(r.mobilized, "mobilized"),
      num(r.gap, "gap"),
      h("td", { class: "num", "data-col": "gap_pct" }, percent(r.gap_pct)),
      h("td", { class: "bar", title: r.gap_pct === null ? "no requirement" : `funding gap ${r.gap_pct}%` }, h("div", { class: "track" }, fill)),
      num(r.allocated_in_period, "allocated_in_period"),
      num(r.allocated_to_date, "allocated_to_date"),
    );
  }));
}

function renderLog() {
  const rows = tableRows("allocation_log");
  // The core's source column: "unallocated" or "earmarked:2/4".
  const source = (s) => s.replace(":", " ");
  $("#log-table tbody").replaceChildren(...rows.map((r) => h("tr", { "data-decision": r.decision, class: r.reversal ? "reversal" : null },
    h("td", {}, r.decision), h("td", {}, r.date), h("td", {}, r.approver ?? "—"), h("td", {}, r.policy),
    h("td", {}, source(r.source)), h("td", { title: r.title }, r.resolution), num(r.gap_before, "gap_before"), num(r.amount, "amount"),
  )));
}

function renderDonorChoices() {
  const select = $("#donor");
  const donors = state.ledger.donors();
  const keep = select.value;
  select.replaceChildren(...donors.map((d) => h("option", { value: d.id }, `${d.name} (${d.id})`)));
  if (donors.some((d) => d.id === keep)) select.value = keep;
}

function renderDonor() {
  const donor = $("#donor").value;
  const body = $("#donor-table tbody");
  if (!donor) {
    body.replaceChildren();
    return;
  }
  // One row per agreement; the core's resolutions column lists them separated by ";".
  body.replaceChildren(...tableRows("donor_statement", { donor }).map((a) => {
    const resolutions = a.resolutions ? a.resolutions.split(";") : [];
    return h("tr", { "data-agreement": a.agreement },
    h("td", {}, a.agreement),
    h("td", {}, a.purpose === "project" ? `project ${a.project} (${resolutions.join(", ")})`
      : `window${resolutions.length ? ` (earmarked ${resolutions.join(", ")})` : ""}`),
    h("td", {}, a.status), h("td", {}, a.currency),
    num(a.amount), num(a.usd_value), num(a.received), num(a.outstanding), num(a.spent), num(a.psc),
    num(a.transferred_to_window), num(a.refunded), num(a.balance), num(a.fx_gain_loss_usd),
    );
  }));
}

// ----- allocations -----

function renderSources() {
  const select = $("#alloc-source");
  const keep = select.value;
  const balance = state.ledger.windowBalance();
  select.replaceChildren(
    h("option", { value: "unallocated" }, `Unallocated (USD ${money(balance.unallocated)})`),
    ...balance.earmarked.map((e) => h("option", { value: e.resolution }, `Earmarked to ${e.resolution} (USD ${money(e.amount)})`)),
  );
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
}

function renderCandidates() {
  const list = $("#candidate-list");
  const ticked = new Map([...list.querySelectorAll("input[type=checkbox]")].map((box) => [box.value, box.checked]));
  const values = new Map([...list.querySelectorAll("input.share")].map((input) => [input.dataset.resolution, input.value]));
  const policy = $("#alloc-policy").value;
  const needsValue = policy === "weights" || policy === "explicit";
  list.replaceChildren(...state.ledger.resolutions().map((r) => h("label", { class: "candidate", title: r.title },
    h("input", { type: "checkbox", value: r.id, checked: ticked.get(r.id) ?? false, "data-resolution": r.id }),
    ` ${r.id}`,
    needsValue ? h("input", {
      class: "share", "data-resolution": r.id, value: values.get(r.id) ?? "", inputmode: "decimal",
      placeholder: policy === "weights" ? "weight" : "USD", "aria-label": `${policy === "weights" ? "weight" : "share"} for ${r.id}`,
    }) : null,
  )));
}

function allocationCommand() {
  const picked = [...document.querySelectorAll("#candidate-list input[type=checkbox]:checked")].map((box) => box.value);
  const source = $("#alloc-source").value;
  const policy = $("#alloc-policy").value;
  // Values are passed exactly as typed: the core validates them and explains what is wrong.
  const command = {
    type: "allocate",
    id: $("#alloc-id").value,
    decided_on: $("#alloc-date").value,
    amount: $("#alloc-amount").value,
    policy,
    source: source === "unallocated" ? "unallocated" : { earmarked: source },
    approved_by: $("#alloc-approver").value || null,
    recorded_by: "dashboard",
  };
  if (picked.length) command.resolutions = picked;
  if (policy === "weights" || policy === "explicit") {
    const table = {};
    for (const id of picked) table[id] = document.querySelector(`#candidate-list input.share[data-resolution="${CSS.escape(id)}"]`).value;
    command[policy === "weights" ? "weights" : "shares"] = table;
  }
  return command;
}

const POLICY_TEXT = {
  gap_pro_rata: "pro rata to each candidate's funding gap on the decision date (the most underfunded get most)",
  equal: "in equal shares",
  weights: "pro rata to the weights given",
  explicit: "by the amounts given",
};

function renderPreview(preview) {
  const extra = preview.lines.filter((l) => l.extra_unit).length;
  const source = preview.source === "unallocated" ? "unallocated window money" : `money earmarked to ${preview.source.earmarked}`;
  $("#preview-explanation").textContent =
    `${preview.decision} on ${preview.decided_on}: USD ${money(preview.amount)} of ${source} (USD ${money(preview.available)} available), ` +
    `split ${POLICY_TEXT[preview.policy]}. Each share is its exact quota rounded down to the cent; ` +
    (extra === 0 ? "no cent was left over." :
      `the ${extra} cent${extra === 1 ? "" : "s"} left over go${extra === 1 ? "es" : ""} to the largest remainders (ties to the lower resolution id).`);
  $("#preview-table tbody").replaceChildren(...preview.lines.map((l) => h("tr", { "data-resolution": l.resolution },
    h("td", { title: l.title }, l.resolution), num(l.gap_before, "gap_before"),
    num(l.weight, "weight"),
    num(l.quota, "quota"),
    num(l.floor, "floor"), h("td", { class: "num", "data-col": "remainder" }, l.remainder),
    h("td", { class: "num", "data-col": "rank" }, String(l.rank)),
    h("td", { "data-col": "extra_unit" }, l.extra_unit ? "+0.01" : ""),
    num(l.share, "share"),
  )));
  $("#preview").hidden = false;
}

function previewAllocation(event) {
  event?.preventDefault();
  clearMessages();
  try {
    renderPreview(state.ledger.previewAllocation(allocationCommand()));
  } catch (err) {
    $("#preview").hidden = true;
    showError(err, "alloc-");
  }
}

async function applyAllocation() {
  clearMessages();
  if (state.remote) {
    await submitToService();
    return;
  }
  try {
    const command = allocationCommand();
    const preview = state.ledger.previewAllocation(command);
    const applied = state.ledger.apply(command);
    renderPreview(preview);
    const period = periodOf(command.decided_on, "half");
    if (![...$("#period").options].some((o) => o.value === period)) {
      $("#period").append(h("option", { value: period }, period));
    }
    state.period = period;
    $("#period").value = period;
    renderAll();
    state.decisions += 1;
    $("#alloc-id").value = `EB-DASHBOARD-${String(state.decisions + 1).padStart(2, "0")}`;
    showNotice(`Applied ${command.id}: entry ${applied.seq}, USD ${money(preview.amount)} to ${preview.lines.filter((l) => l.share !== "0.00").length} resolutions.`, "alloc-");
  } catch (err) {
    showError(err, "alloc-");
  }
}

// ----- wiring -----

function wire() {
  $("#load-example").addEventListener("click", loadExample);
  $("#journal-file").addEventListener("change", (event) => {
    const file = event.target.files?.[0];
    if (file) loadFile(file);
    event.target.value = "";
  });
  $("#download-journal").addEventListener("click", downloadJournal);
  $("#export-tracker-csv").addEventListener("click", exportTrackerCsv);
  $("#export-iati").addEventListener("click", exportIati);
  $("#export-hledger").addEventListener("click", exportHledger);
  $("#export-xlsx").addEventListener("click", exportXlsx);
  $("#period").addEventListener("change", async (event) => {
    state.period = event.target.value;
    await refreshFromService();
    renderWindow();
    renderTracker();
  });
  $("#donor").addEventListener("change", async () => {
    await refreshFromService();
    renderDonor();
  });
  $("#service-form").addEventListener("submit", connect);
  $("#alloc-policy").addEventListener("change", renderCandidates);
  $("#allocation-form").addEventListener("submit", previewAllocation);
  $("#apply-button").addEventListener("click", applyAllocation);
  $("#alloc-id").value = "EB-DASHBOARD-01";
}

/** Whether the page is served by the funding-window service (which serves it at /dashboard/). */
function servedByService() {
  return window.location.pathname.startsWith("/dashboard/");
}

async function main() {
  try {
    await init();
  } catch (err) {
    setStatus("error", "The WebAssembly module did not load");
    showError(err);
    return;
  }
  wire();
  if (servedByService()) {
    $("#service-form").hidden = false;
    setStatus("ready", "Enter a token to connect to the service");
    return;
  }
  await loadExample();
}

main();

// ----- the service -----

/** Connects with the token typed in (kept in this page's memory only: never in the URL or storage). */
async function connect(event) {
  event?.preventDefault();
  clearMessages();
  setStatus("loading", "Connecting to the service…");
  const input = $("#service-token");
  const remote = new RemoteLedger(input.value.trim());
  try {
    const who = await remote.whoami();
    input.value = "";
    state.remote = remote;
    $("#service-who").textContent = `connected as ${who.name} (${who.role})`;
    // Previews run on the WebAssembly ledger; the service applies or proposes.
    $("#preview-button").hidden = true;
    $("#alloc-approver").closest("label").hidden = true;
    $("#download-journal").textContent = "Download journal";
    $("#load-example").hidden = true;
    $("#proposals").hidden = false;
    await remote.load();
    await useLedger(remote, `the service (${who.name}, ${who.role})`);
    await renderProposals();
    setStatus("ready", "Connected to the service");
  } catch (err) {
    showError(err);
    setStatus("error", "Not connected");
  }
}

function disconnect() {
  state.remote = null;
  $("#service-who").textContent = "";
  $("#preview-button").hidden = false;
  $("#alloc-approver").closest("label").hidden = false;
  $("#load-example").hidden = false;
  $("#proposals").hidden = true;
}

/** Reads the service's state again (every replica answers after catching up). */
async function refreshFromService() {
  if (!state.remote) return;
  try {
    await state.remote.load();
    await prepare();
  } catch (err) {
    showError(err);
  }
}

/** Submits the allocation to the service: applied at once, or a proposal under four-eyes control. */
async function submitToService() {
  try {
    const command = allocationCommand();
    // The service records who submits and who approves from the tokens.
    delete command.recorded_by;
    delete command.approved_by;
    const { status, body } = await state.remote.submit(command);
    await refreshAfterChange();
    if (status === 201) {
      showNotice(`Proposed ${command.id}: proposal ${body.id} waits for a second person's approval.`, "alloc-");
    } else {
      showNotice(`Applied ${command.id}: entry ${body.seq}.`, "alloc-");
    }
  } catch (err) {
    showError(err, "alloc-");
  }
}

async function refreshAfterChange() {
  await state.remote.load();
  await useLedger(state.remote, state.source);
  await renderProposals();
}

async function renderProposals() {
  const remote = state.remote;
  if (!remote) return;
  const pending = await remote.proposals("pending");
  const decide = (proposal, verb) => h("button", { type: "button", "data-action": verb, "data-proposal": proposal.id }, verb === "approve" ? "Approve" : "Reject");
  $("#proposal-table tbody").replaceChildren(...pending.map((p) => h("tr", { "data-proposal": p.id },
    h("td", {}, h("code", {}, p.id)),
    h("td", {}, `${p.command_type} ${p.command.id ?? p.command.project ?? ""} ${p.command.amount ? `USD ${money(p.command.amount)}` : ""}`),
    h("td", {}, p.recorded_by), h("td", {}, p.proposed_at.slice(0, 16).replace("T", " ")),
    h("td", {}, decide(p, "approve"), " ", decide(p, "reject")),
  )));
  $("#proposal-empty").hidden = pending.length > 0;
  for (const button of document.querySelectorAll("#proposal-table button")) {
    button.addEventListener("click", async () => {
      clearMessages();
      try {
        const answer = await remote.decide(button.dataset.proposal, button.dataset.action);
        await refreshAfterChange();
        showNotice(button.dataset.action === "approve"
          ? `Approved ${button.dataset.proposal}: entry ${answer.applied.seq}.`
          : `Rejected ${button.dataset.proposal}.`);
      } catch (err) {
        showError(err);
      }
    });
  }
}
