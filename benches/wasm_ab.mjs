// Two or more builds of the WebAssembly package side by side, in one Node process, on the same work:
// a build changed for size (a profile, a module moved out) against the build before it, so that the
// machine's load, which varies from minute to minute on a shared machine, falls on both alike.
//
//   node benches/wasm_ab.mjs [--journal FILE] [--entries 100000] [--runs 7] NAME=DIR NAME=DIR ...
//
// Each DIR is a --target nodejs package (bindings/wasm/pkg/node, or a copy of an earlier one). Work,
// per run and per build, the builds taking turns (in reverse order every other run):
//   * replay: Ledger.fromJournal(the journal's bytes) and its trial balance;
//   * applyBatch: every command of the same journal (with its recorded_at, recorded_by and
//     idempotency key) in one applyBatch on a new ledger, which must give the journal's entries and
//     balances (applied rather than replayed; the entries record the batch, so the hashes differ).
// Without --journal, the journal is `fw-bench generate ENTRIES target/bench/journal-ENTRIES.jsonl`
// (written once, as benches/wasm_replay.mjs does). Printed: the medians and minimums of the wall
// time and the medians of the process's CPU time (less disturbed by other work than wall time),
// each build's relative to the first, and the load average. Nothing here asserts a speed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const [, value] = argv.splice(i, 2);
  return value;
};
const entries = Number.parseInt(option("--entries", "100000"), 10);
const runs = Number.parseInt(option("--runs", "7"), 10);
let journal = option("--journal", null);
const builds = argv.map((arg) => {
  const at = arg.indexOf("=");
  if (at < 1) throw new Error(`expected NAME=DIR, got ${arg}`);
  const dir = resolve(arg.slice(at + 1));
  return { name: arg.slice(0, at), fw: createRequire(import.meta.url)(join(dir, "funding_window.js")) };
});
if (builds.length === 0) {
  console.error("usage: node benches/wasm_ab.mjs [--journal FILE] [--entries N] [--runs N] NAME=DIR NAME=DIR ...");
  process.exit(2);
}

if (journal === null) {
  journal = join(root, "target", "bench", `journal-${entries}.jsonl`);
  if (!existsSync(journal)) {
    execFileSync("cargo", ["build", "--release", "-q", "-p", "funding-window-benches", "--bin", "fw-bench"], { cwd: root, stdio: "inherit" });
    mkdirSync(dirname(journal), { recursive: true });
    execFileSync(join(root, "target", "release", "fw-bench"), ["generate", String(entries), journal], { stdio: "inherit" });
  }
}
const bytes = readFileSync(journal);

/** The journal's commands as requests: each entry's command with the particulars it was recorded with. */
const commands = bytes.toString("utf8").split("\n").slice(1).filter(Boolean).map((line) => {
  const entry = JSON.parse(line);
  const request = { ...entry.command, recorded_at: entry.recorded_at };
  if (entry.recorded_by !== undefined) request.recorded_by = entry.recorded_by;
  if (entry.idempotency_key !== undefined) request.idempotency_key = entry.idempotency_key;
  return request;
});

/** A trial balance's accounts and totals (its chain head names the entries' hashes). */
const balances = (ledger) => JSON.stringify({ ...ledger.trialBalance(), chain_head: undefined });

// Each build agrees with the first on the work before anything is timed.
let expected = null;
for (const build of builds) {
  const replayed = build.fw.Ledger.fromJournal(bytes);
  const applied = new build.fw.Ledger();
  applied.applyBatch(commands);
  const seen = { head: replayed.chainHead, length: replayed.length, balance: balances(replayed) };
  if (applied.length !== seen.length || balances(applied) !== seen.balance) {
    throw new Error(`${build.name}: applyBatch of the journal's commands gave other entries or balances`);
  }
  expected ??= seen;
  if (seen.head !== expected.head || seen.balance !== expected.balance) throw new Error(`${build.name} disagrees with ${builds[0].name}`);
  replayed.free();
  applied.free();
  Object.assign(build, { replay: [], replayCpu: [], apply: [], applyCpu: [] });
}

/** Wall and CPU milliseconds of `work`. */
function timed(work) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  work();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return [wall, (used.user + used.system) / 1000];
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const loadBefore = load();
for (let run = 0; run < runs; run++) {
  for (const build of run % 2 === 0 ? builds : [...builds].reverse()) {
    let ledger;
    const [replay, replayCpu] = timed(() => {
      ledger = build.fw.Ledger.fromJournal(bytes);
      ledger.trialBalance();
    });
    ledger.free();
    const [apply, applyCpu] = timed(() => {
      ledger = new build.fw.Ledger();
      ledger.applyBatch(commands);
    });
    ledger.free();
    build.replay.push(replay);
    build.replayCpu.push(replayCpu);
    build.apply.push(apply);
    build.applyCpu.push(applyCpu);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${value.toFixed(0)} ms`;
const relative = (value, base) => `${value >= base ? "+" : ""}${((value / base - 1) * 100).toFixed(1)}%`;
const first = builds[0];
console.log(`journal: ${journal} (${commands.length} entries); ${runs} runs per build, alternating`);
console.log(`load average (1, 5, 15 min): before ${loadBefore}, after ${load()} on ${availableParallelism()} CPUs`);
for (const [label, wall, cpu] of [["replay (fromJournal + trialBalance)", "replay", "replayCpu"], [`applyBatch of the ${commands.length} commands`, "apply", "applyCpu"]]) {
  console.log(label);
  for (const build of builds) {
    const against = build === first ? "" :
      `  (wall ${relative(median(build[wall]), median(first[wall]))}, CPU ${relative(median(build[cpu]), median(first[cpu]))} against ${first.name})`;
    console.log(`  ${build.name.padEnd(16)} median ${ms(median(build[wall]))}, min ${ms(Math.min(...build[wall]))}, CPU median ${ms(median(build[cpu]))}${against}`);
  }
}
console.log(JSON.stringify(Object.fromEntries(builds.map((b) => [b.name, {
  replay_ms: median(b.replay), replay_cpu_ms: median(b.replayCpu), apply_ms: median(b.apply), apply_cpu_ms: median(b.applyCpu),
}]))));
