// applyBatch of a large batch: the WebAssembly package in Node against the Python package, on the
// same commands. The promise (issue 14): Node takes at most 3x Python's time. Also printed: the
// memory of the in-memory ledger per entry in WebAssembly, and the peak of the batch.
//
//   node benches/wasm_apply.mjs [--commands 1000000] [--runs 3]
//
// The workload is benches/python_bench.py's: 100 USD project agreements, then half receipts,
// half expenditures (with PSC) spread over them and over 2024, written the same way here. Each
// side builds its commands (not timed), applies the setup, then times one `applyBatch` /
// `apply_batch` of all of them on a fresh ledger. The two alternate, `--runs` times each, and the
// medians are compared, of the wall time and of the CPU time of the process (which a loaded
// machine disturbs less: it includes the engine's garbage-collector threads, and Python's
// parsing thread); the Python side runs `benches/python_bench.py --apply-batch N` in the
// package's virtual environment (bindings/python/.venv, made by `bindings/python/test.sh build`
// when missing). The load average is printed with the numbers (the machine may be shared).
// Nothing here asserts: the numbers are for the reader (and one JSON line at the end).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const commandCount = Number.parseInt(arg("--commands", "1000000"), 10);
const runs = Number.parseInt(arg("--runs", "3"), 10);
const RATIO_MAX = 3;

const pkg = join(root, "bindings", "wasm", "pkg", "node", "funding_window.js");
if (!existsSync(pkg)) execFileSync(join(root, "bindings", "wasm", "build.sh"), { stdio: "inherit" });
const python = join(root, "bindings", "python", ".venv", "bin", "python");
if (!existsSync(python)) execFileSync(join(root, "bindings", "python", "test.sh"), ["build"], { stdio: "inherit" });
const fw = createRequire(import.meta.url)(pkg);

// ----- the workload of benches/python_bench.py -----
const AT = "2025-01-15T09:00:00Z";
const PROJECTS = 100;
const pad = (p) => String(p).padStart(3, "0");
/** Cents as a decimal string ("1234.56"): integer arithmetic only. */
const money = (cents) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;

function setupCommands() {
  const commands = [{ type: "register_donor", id: "D1", name: "Donor one", kind: "member_state", recorded_at: AT }];
  for (let p = 0; p < PROJECTS; p++) {
    commands.push({
      type: "sign_agreement", id: `CA-${pad(p)}`, donor: "D1", currency: "USD", amount: "900000000.00",
      signed_on: "2024-01-02", psc_rate: "0.07", elective_transfer: true,
      purpose: { project: { id: `P-${pad(p)}`, resolution: "2/6" } }, recorded_at: AT,
    });
  }
  return commands;
}

function batchCommands(n) {
  const start = Date.UTC(2024, 0, 3);
  const commands = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = Math.floor(i / 2) % PROJECTS; // a project's receipt comes just before its expenditure
    const day = new Date(start + Math.floor((i * 360) / n) * 86_400_000).toISOString().slice(0, 10);
    const cents = 100_000 + ((i * 7919) % 900_000);
    commands[i] = i % 2 === 0
      ? { type: "record_receipt", agreement: `CA-${pad(p)}`, amount: money(cents), received_on: day, recorded_at: AT }
      : { type: "record_expenditure", project: `P-${pad(p)}`, amount: money(Math.floor(cents / 4)), spent_on: day,
        recorded_at: AT };
  }
  return commands;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const load = () => loadavg().map((l) => l.toFixed(2));

const commands = batchCommands(commandCount);
const setup = setupCommands();

/** One Node run: seconds for the batch, and the module's heap per entry after it. */
function nodeRun() {
  const ledger = new fw.Ledger();
  ledger.applyBatch(setup);
  const before = fw.memoryUsage(true).allocated;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const applied = ledger.applyBatch(commands);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const after = fw.memoryUsage();
  if (applied.length !== commandCount || ledger.length !== commandCount + setup.length) {
    throw new Error(`applied ${applied.length} of ${commandCount}`);
  }
  ledger.free();
  const idle = fw.memoryUsage().allocated;
  return {
    seconds,
    cpu: (cpu.user + cpu.system) / 1e6,
    bytesPerEntry: (after.allocated - idle) / (commandCount + setup.length),
    peakPerCommand: (after.peak - before) / commandCount,
    memory: after.memory,
  };
}

/** One Python run, in its own process. */
function pythonRun() {
  const out = execFileSync(python, [join(root, "benches", "python_bench.py"), "--apply-batch", String(commandCount)], {
    encoding: "utf8", stdio: ["ignore", "pipe", "inherit"],
  });
  const line = JSON.parse(out.trim().split("\n").pop());
  return { seconds: line.seconds, cpu: line.cpu_seconds };
}

const loadBefore = load();
const node = [];
const py = [];
for (let i = 0; i < runs; i++) {
  node.push(nodeRun());
  py.push(pythonRun());
}
const nodeSeconds = median(node.map((r) => r.seconds));
const pySeconds = median(py.map((r) => r.seconds));
const ratio = nodeSeconds / pySeconds;
const nodeCpu = median(node.map((r) => r.cpu));
const pyCpu = median(py.map((r) => r.cpu));
const last = node[node.length - 1];
const fmt = (s) => `${s.toFixed(2)} s`;
console.log(`applyBatch of ${commandCount.toLocaleString("en")} commands (receipts and expenditures, 100 projects)`);
console.log(`load average (1, 5, 15 min): before ${loadBefore.join(" ")}, after ${load().join(" ")} on ${availableParallelism()} CPUs`);
console.log(`WebAssembly in Node ${process.version}: median ${fmt(nodeSeconds)} (CPU ${fmt(nodeCpu)})  ` +
  `runs ${node.map((r) => fmt(r.seconds)).join(", ")}`);
console.log(`Python apply_batch (native):   median ${fmt(pySeconds)} (CPU ${fmt(pyCpu)})  ` +
  `runs ${py.map((r) => fmt(r.seconds)).join(", ")}`);
console.log(`ratio ${ratio.toFixed(2)}x (promise: at most ${RATIO_MAX}x) ${ratio <= RATIO_MAX ? "OK" : "OVER"}; ` +
  `CPU time ratio ${(nodeCpu / pyCpu).toFixed(2)}x`);
console.log(`WebAssembly heap: ${last.bytesPerEntry.toFixed(0)} bytes per entry after the batch; ` +
  `the batch's peak ${last.peakPerCommand.toFixed(0)} bytes per command; memory ${(last.memory / 2 ** 20).toFixed(0)} MiB`);
console.log(JSON.stringify({
  commands: commandCount, node_s: nodeSeconds, python_s: pySeconds, ratio: Number(ratio.toFixed(3)),
  node_cpu_s: nodeCpu, python_cpu_s: pyCpu, cpu_ratio: Number((nodeCpu / pyCpu).toFixed(3)),
  wasm_bytes_per_entry: Math.round(last.bytesPerEntry), wasm_batch_peak_bytes_per_command: Math.round(last.peakPerCommand),
  wasm_memory_bytes: last.memory, load_before: loadBefore.map(Number), load_after: load().map(Number),
}));
