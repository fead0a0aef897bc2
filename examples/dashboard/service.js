// The dashboard's service mode: the ledger of the funding-window service (examples/service), read
// and written over HTTP with a bearer token. The page's origin is the service (it serves the page),
// so no request leaves it and no CORS is needed. The token lives in this object only: it is sent
// in the Authorization header, never put in a URL or in browser storage.
//
// `RemoteLedger` answers the report methods the page calls on the WebAssembly `Ledger`
// (windowStatement, resolutionTracker, donorStatement, ...) from reports fetched beforehand by
// `load()` (what does not depend on the period) and `prepare(period, donor)`, so the page
// renders both the same way. The reports are the core's JSON as the service serves them.

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
    const names = ["date_range", "donors", "resolutions", "transfer_register", "allocation_log", "window_balance"];
    const [page, ...reports] = await Promise.all([
      this.json("/journal?from=1&limit=1"),
      ...names.map((name) => this.json(`/reports/${name}`)),
    ]);
    this.length = page.head.seq;
    this.chainHead = page.head.hash;
    this.reports = new Map(names.map((name, i) => [name, reports[i]]));
  }

  /** The reports of one period and one donor. */
  async prepare(period, donor) {
    const wanted = [];
    if (period) {
      wanted.push([`window_statement:${period}`, `/reports/window_statement${query({ period })}`]);
      wanted.push([`resolution_tracker:${period}`, `/reports/resolution_tracker${query({ period })}`]);
    }
    if (donor) wanted.push([`donor_statement:${donor}`, `/reports/donor_statement${query({ donor })}`]);
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
  transferRegister() {
    return this.report("transfer_register");
  }
  allocationLog() {
    return this.report("allocation_log");
  }
  windowBalance() {
    return this.report("window_balance");
  }
  windowStatement(period) {
    return this.report(`window_statement:${period}`);
  }
  resolutionTracker(period) {
    return this.report(`resolution_tracker:${period}`);
  }
  donorStatement(donor) {
    return this.report(`donor_statement:${donor}`);
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
