// The dashboard's service mode: the ledger of the funding-window service (examples/service), read
// and written over HTTP with a bearer token. The page's origin is the service (it serves the page),
// so no request leaves it and no CORS is needed. The token lives in this object only: it is sent
// in the Authorization header, never put in a URL or in browser storage.
//
// `RemoteLedger` answers the report methods the page calls on the WebAssembly `Ledger`
// (reportTable, donors, windowBalance, ...) from reports fetched beforehand by `load()` (what does
// not depend on the period) and `prepare(period, donor)`, so the page renders both the same way.
// The reports and tables are the core's JSON as the service serves them.

/** An error answered by the service: its JSON `code`, `message` and the core's fields. */
export class ServiceError extends Error {
  constructor(body, status) {
    super(body && typeof body.message === "string" ? body.message : `HTTP ${status}`);
    this.name = "ServiceError";
    this.code = body && typeof body.code === "string" ? body.code : `HTTP_${status}`;
    this.status = status;
    this.fields = body ?? {};
    if (body && Number.isInteger(body.index)) this.index = body.index;
  }
}

const query = (args) => {
  const pairs = Object.entries(args ?? {}).filter(([, v]) => v !== undefined && v !== null);
  return pairs.length ? `?${new URLSearchParams(pairs)}` : "";
};

/** The key of a fetched table: the report and its argument. */
const tableKey = (report, args = {}) => `table:${report}:${args.period ?? args.donor ?? ""}`;

export class RemoteLedger {
  #token;

  constructor(token, base = "") {
    this.#token = token;
    this.base = base;
    this.length = 0;
    this.chainHead = "";
    this.reports = new Map();
  }

  /** One request with the token; the JSON error of a refusal becomes a ServiceError. */
  async request(path, init = {}) {
    const headers = { ...(init.headers ?? {}), authorization: `Bearer ${this.#token}` };
    const response = await fetch(`${this.base}${path}`, { ...init, headers, cache: "no-store" });
    const text = await response.text();
    if (!response.ok) {
      let body = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      throw new ServiceError(body, response.status);
    }
    return { status: response.status, text };
  }

  async json(path, init) {
    return JSON.parse((await this.request(path, init)).text);
  }

  whoami() {
    return this.json("/whoami");
  }

  /** What the page shows whatever the period: the head, date range, registers and lists. */
  async load() {
    const wanted = [
      ["date_range", "/reports/date_range"],
      ["donors", "/reports/donors"],
      ["resolutions", "/reports/resolutions"],
      ["window_balance", "/reports/window_balance"],
      [tableKey("transfer_register"), "/tables/transfer_register"],
      [tableKey("allocation_log"), "/tables/allocation_log"],
    ];
    const [page, ...answers] = await Promise.all([
      this.json("/journal?from=1&limit=1"),
      ...wanted.map(([, path]) => this.json(path)),
    ]);
    this.length = page.head.seq;
    this.chainHead = page.head.hash;
    this.reports = new Map(wanted.map(([key], i) => [key, answers[i]]));
  }

  /** The tables of one period and one donor. */
  async prepare(period, donor) {
    const wanted = [];
    for (const report of period ? ["window_statement", "resolution_tracker"] : []) {
      wanted.push([tableKey(report, { period }), `/tables/${report}${query({ period })}`]);
    }
    if (donor) wanted.push([tableKey("donor_statement", { donor }), `/tables/donor_statement${query({ donor })}`]);
    const answers = await Promise.all(wanted.map(([, path]) => this.json(path)));
    wanted.forEach(([key], i) => this.reports.set(key, answers[i]));
  }

  report(key) {
    if (!this.reports.has(key)) throw new Error(`report ${key} was not fetched`);
    return this.reports.get(key);
  }

  dateRange() {
    return this.report("date_range");
  }
  donors() {
    return this.report("donors");
  }
  resolutions() {
    return this.report("resolutions");
  }
  windowBalance() {
    return this.report("window_balance");
  }
  /** A report as the core's table, as the WebAssembly `reportTable(report, args)` gives it. */
  reportTable(report, args) {
    return this.report(tableKey(report, args));
  }

  /** Submits a command: `{status: 200, body: applied}` or, under four-eyes, `{status: 201, body: proposal}`. */
  async submit(command) {
    const { status, text } = await this.request("/commands", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(command),
    });
    return { status, body: JSON.parse(text) };
  }

  proposals(status) {
    return this.json(`/proposals${query({ status })}`);
  }

  /** Approves or rejects a proposal (`verb`: "approve" or "reject"). */
  decide(id, verb) {
    return this.json(`/proposals/${encodeURIComponent(id)}/${verb}`, { method: "POST" });
  }

  async exportCsv(name, args) {
    return (await this.request(`/exports/csv/${encodeURIComponent(name)}${query(args)}`)).text;
  }
  async exportIati(options) {
    return (await this.request(`/exports/iati${query(options)}`)).text;
  }
  async exportHledger() {
    return (await this.request("/exports/hledger")).text;
  }
  async toJournal() {
    return (await this.request("/exports/journal")).text;
  }

  /** Nothing to release (the WebAssembly ledger's counterpart frees its memory). */
  free() {}
}
