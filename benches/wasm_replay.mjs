// Replay of a large journal: the WebAssembly package in Node against the native Rust core, on the
// same file. The promise (issue 4): Node takes at most 3x the native time.
//
//   node benches/wasm_replay.mjs [--entries 100000] [--journal FILE] [--runs 5]
//
// Without --journal, the journal is written once by the core's workload tool
// (`fw-bench generate ENTRIES target/bench/journal-ENTRIES.jsonl`) and reused afterwards.
// Native: `replay_file FILE` (read the file, Ledger::from_journal in memory, trial balance) and
// `fw-bench replay FILE` (Ledger::open: the same verification and replay on the file, reading on a
// second thread). Node: read the file, Ledger.fromJournal(Buffer) (the bytes go straight to the
// core's Ledger::from_journal_bytes: the same verification and replay), trial balance; the journal
// as a JS string is timed too, for reference. Each side runs --runs times, alternating, and the
// medians are compared. The load average is printed with the numbers (the machine may be shared).
// No assertion fails the run: the numbers are printed for the reader (and as one JSON line at the
// end).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const entries = Number.parseInt(arg("--entries", "100000"), 10);
const runs = Number.parseInt(arg("--runs", "5"), 10);
const journal = arg("--journal", join(root, "target", "bench", `journal-${entries}.jsonl`));
const RATIO_MAX = 3;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function cargo(args) {
  return execFileSync("cargo", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

// The native tools, built once in release mode (the host's target directory, not target/wasm).
cargo(["build", "--release", "-q", "-p", "funding-window-benches", "--bins"]);
const targetDir = JSON.parse(cargo(["metadata", "--format-version", "1", "--no-deps"])).target_directory;
const fwBench = join(targetDir, "release", "fw-bench");
const replayFile = join(targetDir, "release", "replay_file");

if (!existsSync(journal)) {
  mkdirSync(dirname(journal), { recursive: true });
  console.log(execFileSync(fwBench, ["generate", String(entries), journal], { encoding: "utf8" }).trim());
}
const bytes = statSync(journal).size;

const pkg = join(root, "bindings", "wasm", "pkg", "node", "funding_window.js");
if (!existsSync(pkg)) {
  execFileSync(join(root, "bindings", "wasm", "build.sh"), { stdio: "inherit" });
}
const fw = createRequire(import.meta.url)(pkg);
const load = () => loadavg().map((l) => l.toFixed(2));
const loadBefore = load();

/** One native run of a tool printing "replayed N entries ... in X ms". */
let nativeEntries = 0;
function nativeRun(tool, args) {
  const line = execFileSync(tool, args, { encoding: "utf8" });
  const match = /replayed (\d+) entries .* in ([\d.]+) ms/.exec(line);
  if (!match) throw new Error(`unexpected output of ${tool}: ${line}`);
  nativeEntries = Number(match[1]);
  return Number(match[2]);
}

/** One Node run: the same work. */
let wasmEntries = 0;
function nodeRun(read) {
  const start = performance.now();
  const ledger = fw.Ledger.fromJournal(read());
  const balances = ledger.trialBalance();
  const ms = performance.now() - start;
  wasmEntries = ledger.length;
  if (balances.accounts.length === 0) throw new Error("empty trial balance");
  ledger.free();
  return ms;
}

// The four measurements alternate, so that a change in the machine's load falls on all of them.
// The journal goes into Node as the file's bytes (a Buffer), the fast path; as a JS string
// (readFileSync(..., "utf8")) it is timed too, for reference.
const native = [];
const nativeOpen = [];
const wasm = [];
const wasmText = [];
for (let i = 0; i < runs; i++) {
  native.push(nativeRun(replayFile, [journal]));
  nativeOpen.push(nativeRun(fwBench, ["replay", journal]));
  wasm.push(nodeRun(() => readFileSync(journal)));
  wasmText.push(nodeRun(() => readFileSync(journal, "utf8")));
}
if (wasmEntries !== nativeEntries) throw new Error(`entries differ: native ${nativeEntries}, wasm ${wasmEntries}`);

const nativeMs = median(native);
const nativeOpenMs = median(nativeOpen);
const wasmMs = median(wasm);
const wasmTextMs = median(wasmText);
const ratio = wasmMs / nativeMs;
const ratioOpen = wasmMs / nativeOpenMs;
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const loadAfter = load();
console.log(`journal: ${journal} (${wasmEntries} entries, ${(bytes / 1048576).toFixed(1)} MiB)`);
console.log(`load average (1, 5, 15 min): before ${loadBefore.join(" ")}, after ${loadAfter.join(" ")} on ${availableParallelism()} CPUs`);
console.log(`native Rust, Ledger::from_journal (replay_file): median ${fmt(nativeMs)}  runs ${native.map(fmt).join(", ")}`);
console.log(`native Rust, Ledger::open (fw-bench replay):      median ${fmt(nativeOpenMs)}  runs ${nativeOpen.map(fmt).join(", ")}`);
console.log(`WebAssembly in Node ${process.version}, fromJournal(Buffer): median ${fmt(wasmMs)}  runs ${wasm.map(fmt).join(", ")}`);
console.log(`WebAssembly in Node ${process.version}, fromJournal(string): median ${fmt(wasmTextMs)}  runs ${wasmText.map(fmt).join(", ")}`);
console.log(`ratio to from_journal ${ratio.toFixed(2)}x (promise: at most ${RATIO_MAX}x) ${ratio <= RATIO_MAX ? "OK" : "OVER"}`);
console.log(`ratio to open         ${ratioOpen.toFixed(2)}x ${ratioOpen <= RATIO_MAX ? "OK" : "OVER"}`);
console.log(JSON.stringify({
  entries: wasmEntries, bytes, native_from_journal_ms: nativeMs, native_open_ms: nativeOpenMs, wasm_ms: wasmMs,
  wasm_string_ms: wasmTextMs, ratio: Number(ratio.toFixed(3)), ratio_open: Number(ratioOpen.toFixed(3)),
  load_before: loadBefore.map(Number), load_after: loadAfter.map(Number),
}));
