// Runs every conformance scenario of tests/scenarios/ (format: tests/scenarios/README.md) against
// the WebAssembly package, with the same expectations as the Rust runner (tests/scenarios.rs):
// reports byte for byte (the ...Json() text against the expectation written compactly), previews
// and balances as JSON values.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { fingerprint, fw, root } from "./helpers.mjs";

const dir = join(root, "tests", "scenarios");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

/** The command with the scenario's recorded_at when it has none of its own. */
function withRecordedAt(command, recordedAt) {
  if (typeof recordedAt !== "string" || command === null || typeof command !== "object" || Array.isArray(command)) {
    return command;
  }
  return "recorded_at" in command ? command : { ...command, recorded_at: recordedAt };
}

/** Runs one report step: the report as an object. A period is text or a `{from, to}` range, as given. */
function report(ledger, step) {
  const args = step.args ?? {};
  const str = (name) => (typeof args[name] === "string" ? args[name] : undefined);
  switch (step.report) {
    case "trial_balance":
      return ledger.trialBalance(str("as_of"));
    case "resolution_tracker":
      return ledger.resolutionTracker(args.period ?? "");
    case "window_statement":
      return ledger.windowStatement(args.period ?? "");
    case "donor_statement":
      return ledger.donorStatement(str("donor") ?? "");
    case "transfer_register":
      return ledger.transferRegister();
    case "allocation_log":
      return ledger.allocationLog();
    default:
      throw new Error(`unknown report ${step.report}`);
  }
}

/** The same report as the core's JSON text (the ...Json() variant). */
function reportJson(ledger, step) {
  const args = step.args ?? {};
  const str = (name) => (typeof args[name] === "string" ? args[name] : undefined);
  switch (step.report) {
    case "trial_balance":
      return ledger.trialBalanceJson(str("as_of"));
    case "resolution_tracker":
      return ledger.resolutionTrackerJson(args.period ?? "");
    case "window_statement":
      return ledger.windowStatementJson(args.period ?? "");
    case "donor_statement":
      return ledger.donorStatementJson(str("donor") ?? "");
    case "transfer_register":
      return ledger.transferRegisterJson();
    case "allocation_log":
      return ledger.allocationLogJson();
    default:
      throw new Error(`unknown report ${step.report}`);
  }
}

function balance(ledger, spec) {
  const str = (v) => (typeof v === "string" ? v : undefined);
  return ledger.balance(str(spec.account) ?? "", str(spec.currency), str(spec.as_of));
}

/** Calls fn; {value} or {error} (a LedgerError; anything else is rethrown). */
function attempt(fn) {
  try {
    return { value: fn() };
  } catch (error) {
    if (!fw.isLedgerError(error)) throw error;
    return { error };
  }
}

/** Checks an outcome against the step's "error" (or its absence). Returns a failure message. */
function checkError(step, outcome, what) {
  const want = step.error;
  if (want === undefined && !outcome.error) return null;
  if (want !== undefined && outcome.error?.code === want) {
    // The step's error_fields, if any: each named field must have that value.
    const fields = { code: outcome.error.code, ...(outcome.error.details ?? {}) };
    const differ = Object.entries(step.error_fields ?? {})
      .filter(([key, value]) => JSON.stringify(fields[key]) !== JSON.stringify(value))
      .map(([key, value]) => `${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(fields[key])}`);
    return differ.length ? `${what}: error fields differ: ${differ.join("; ")}` : null;
  }
  if (want !== undefined && !outcome.error) return `${what}: expected error ${want}, it succeeded`;
  return `${what}: expected ${want ?? "success"}, got ${outcome.error.code} (${outcome.error.message})`;
}

/**
 * The expectation as compact JSON text, keys in the order the file lists them. JSON.parse keeps
 * that order for every key except integer-like ones ("7"), which JavaScript moves first: an
 * expectation with such a key cannot be compared byte for byte here, so it fails loudly.
 */
function compact(expect) {
  const walk = (value, path) => {
    if (value === null || typeof value !== "object") return;
    for (const [key, item] of Object.entries(value)) {
      if (!Array.isArray(value) && /^(0|[1-9]\d*)$/.test(key)) {
        throw new Error(`expectation key ${path}.${key} is integer-like: JavaScript does not keep its order`);
      }
      walk(item, `${path}.${key}`);
    }
  };
  walk(expect, "expect");
  return JSON.stringify(expect ?? null);
}

/** Where two texts first differ, for failure messages. */
function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `first difference at character ${i}: expected ${JSON.stringify(a.slice(i, i + 40))}, got ${JSON.stringify(b.slice(i, i + 40))}`;
}

function checkValue(step, actual, what) {
  try {
    assert.deepStrictEqual(actual, step.expect ?? null);
    return null;
  } catch {
    return `${what}: expected\n${JSON.stringify(step.expect, null, 2)}\ngot\n${JSON.stringify(actual, null, 2)}`;
  }
}

function runStep(ledger, step, recordedAt, what) {
  const expectsError = step.error !== undefined;
  if ("apply" in step) {
    const outcome = attempt(() => ledger.apply(withRecordedAt(step.apply, recordedAt)));
    let failure = checkError(step, outcome, what);
    if (!failure && !outcome.error) {
      const applied = outcome.value;
      if (step.postings !== undefined) {
        try {
          assert.deepStrictEqual(applied.postings, step.postings);
        } catch {
          failure = `${what} postings: expected\n${JSON.stringify(step.postings)}\ngot\n${JSON.stringify(applied.postings)}`;
        }
      }
      const duplicate = step.duplicate === true;
      if (applied.duplicate !== duplicate) {
        failure = `${what}: duplicate flag ${applied.duplicate} where ${duplicate} was expected`;
      }
    }
    return failure;
  }
  if ("batch" in step) {
    const outcome = attempt(() => ledger.applyBatch(step.batch.map((c) => withRecordedAt(c, recordedAt))));
    const failure = checkError(step, outcome, what);
    if (failure || !outcome.error) return failure;
    if ("index" in step && outcome.error.index !== step.index) {
      return `${what}: failed at ${outcome.error.index} not ${step.index}`;
    }
    return null;
  }
  if ("preview" in step) {
    const outcome = attempt(() => ledger.previewAllocation(withRecordedAt(step.preview, recordedAt)));
    if (outcome.error || expectsError) return checkError(step, outcome, what);
    return checkValue(step, outcome.value, what);
  }
  if ("report" in step) {
    const outcome = attempt(() => reportJson(ledger, step));
    if (outcome.error || expectsError) return checkError(step, outcome, what);
    // Byte for byte (tests/scenarios/README.md): the expectation written compactly, keys in
    // the file's order, is exactly the core's JSON text.
    const text = outcome.value;
    const expected = compact(step.expect);
    if (text !== expected) {
      const same = checkValue(step, JSON.parse(text), what) === null;
      return `${what}: ${step.report}Json() is not the expectation byte for byte` +
        `${same ? " (same values, other bytes)" : ""}:\nexpected ${expected}\ngot      ${text}\n${firstDifference(expected, text)}`;
    }
    // The object variant is JSON.parse of that exact text.
    const object = attempt(() => report(ledger, step));
    if (object.error) return `${what}: ${step.report}() failed where ${step.report}Json() did not: ${object.error.message}`;
    try {
      assert.deepStrictEqual(object.value, JSON.parse(text));
    } catch {
      return `${what}: ${step.report}Json() and ${step.report}() disagree`;
    }
    return null;
  }
  if ("balance" in step) {
    const outcome = attempt(() => balance(ledger, step.balance));
    if (outcome.error || expectsError) return checkError(step, outcome, what);
    return checkValue(step, outcome.value, what);
  }
  return `${what}: unknown step ${JSON.stringify(step)}`;
}

function runScenario(scenario) {
  const recordedAt = scenario.recorded_at ?? null;
  const ledger = new fw.Ledger();
  const failures = [];
  scenario.steps.forEach((step, i) => {
    const what = `step ${i}`;
    const before = fingerprint(ledger);
    const failure = runStep(ledger, step, recordedAt, what);
    if (failure) failures.push(failure);
    if (step.error !== undefined && fingerprint(ledger) !== before) {
      failures.push(`${what}: a failed step changed the ledger`);
    }
  });
  // Replay: the journal text rebuilds a ledger whose every report is the same.
  const replay = attempt(() => fw.Ledger.fromJournal(ledger.toJournal()));
  if (replay.error) {
    failures.push(`replay failed: ${replay.error.message}`);
  } else {
    const replayed = replay.value;
    if (replayed.toJournal() !== ledger.toJournal()) failures.push("replay changes the journal text");
    for (const step of scenario.steps.filter((s) => "report" in s)) {
      const live = attempt(() => reportJson(ledger, step));
      const again = attempt(() => reportJson(replayed, step));
      if (live.value !== again.value || live.error?.code !== again.error?.code) {
        failures.push(`replay changes report ${step.report}`);
      }
    }
    replayed.free();
  }
  ledger.free();
  return failures;
}

test("the scenarios exercise every command type of the contract", () => {
  // Counting files proves little; every command type applied (or previewed) by some scenario
  // step means the suite run below covers the whole contract.
  const types = new Set();
  for (const file of files) {
    for (const step of JSON.parse(readFileSync(join(dir, file), "utf8")).steps) {
      for (const command of [step.apply, step.preview, ...(step.batch ?? [])]) {
        if (command && typeof command === "object" && typeof command.type === "string") types.add(command.type);
      }
    }
  }
  const missing = fw.commandTypes().filter((type) => !types.has(type));
  assert.deepEqual(missing, [], `command types no scenario applies: ${missing.join(", ")}`);
});

for (const file of files) {
  test(`scenario ${file}`, () => {
    const scenario = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const failures = runScenario(scenario);
    assert.equal(failures.length, 0, `${failures.length} failures:\n${failures.join("\n\n")}`);
  });
}
