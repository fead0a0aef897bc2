// The exact decimal helpers: compareDecimals, addDecimals, subtractDecimals and sumDecimals are
// the core's arithmetic on decimal strings, checked here against exact BigInt arithmetic.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fw, ledgerError } from "./helpers.mjs";

/** A plain decimal string as [BigInt of its digits, scale]. */
function parse(text) {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  assert.ok(match, `not a decimal: ${text}`);
  const fraction = match[3] ?? "";
  const digits = BigInt(match[2] + fraction);
  return [match[1] ? -digits : digits, fraction.length];
}

/** [BigInt, scale] as a decimal string at that scale, never "-0". */
function format([units, scale]) {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

/** The exact sum of decimal strings with BigInt: the oracle. */
function exactSum(texts) {
  const parsed = texts.map(parse);
  const scale = Math.max(0, ...parsed.map((p) => p[1]));
  const total = parsed.reduce((sum, [units, s]) => sum + units * 10n ** BigInt(scale - s), 0n);
  return format([total, scale]);
}

test("sums and differences are exact where floating point is not", () => {
  assert.equal(fw.addDecimals("0.1", "0.2"), "0.3");
  assert.notEqual(String(0.1 + 0.2), "0.3");
  assert.equal(fw.addDecimals("0.1", "0.20"), "0.30");
  assert.equal(fw.subtractDecimals("100.00", "100.01"), "-0.01");
  assert.equal(fw.subtractDecimals("5", "5.000"), "0.000");
  assert.equal(fw.addDecimals("-1250000.00", "1250000.00"), "0.00");
  assert.equal(fw.sumDecimals(["1.5", "2.25", "-0.75"]), "3.00");
  assert.equal(fw.sumDecimals(["0.10", "0.20", "-0.05"]), "0.25");
});

test("the sum of an empty list is 0", () => {
  assert.equal(fw.sumDecimals([]), "0");
});

test("large values and many decimals keep every digit", () => {
  // Past 2^53, where a JS number stops counting cents.
  assert.equal(fw.addDecimals("999999999999999.99", "0.01"), "1000000000000000.00");
  assert.equal(fw.addDecimals("90071992547409.93", "0.01"), "90071992547409.94");
  assert.equal(fw.sumDecimals(Array(1000).fill("999999999999999.99")), "999999999999999990.00");
  // 28 significant digits, the most the ledger reads.
  assert.equal(fw.addDecimals("5000000000000000000000000000", "4999999999999999999999999999"), "9999999999999999999999999999");
  assert.equal(
    fw.addDecimals("0.0000000000000000000000000001", "0.0000000000000000000000000002"),
    "0.0000000000000000000000000003",
  );
  assert.equal(fw.subtractDecimals("1.000000000000000000000000000", "0.000000000000000000000000001"), "0.999999999999999999999999999");
  assert.equal(fw.compareDecimals("0.0000000000000000000000000001", "0"), 1);
  assert.equal(fw.compareDecimals("9999999999999999999999999999", "999999999999999999999999999.9"), 1);
  assert.equal(fw.compareDecimals("-9999999999999999999999999999", "0.0000000000000000000000000001"), -1);
  // An exact result of 29 digits is refused, not rounded.
  const tooLong = ledgerError(() => fw.addDecimals("9999999999999999999999999999", "1"));
  assert.equal(tooLong.code, "LIMIT_EXCEEDED");
  assert.equal(tooLong.limit, "DECIMAL_DIGITS_MAX");
  assert.equal(tooLong.max, 28);
  assert.equal(tooLong.actual, 29);
  assert.equal(ledgerError(() => fw.addDecimals("1", "0.0000000000000000000000000001")).code, "LIMIT_EXCEEDED");
});

test("compareDecimals orders decimal strings exactly and sorts them", () => {
  assert.equal(fw.compareDecimals("1.0", "1.00"), 0);
  assert.equal(fw.compareDecimals("-0.00", "0"), 0);
  assert.equal(fw.compareDecimals("2", "10"), -1);
  assert.equal(fw.compareDecimals("-2", "-10"), 1);
  assert.equal(fw.compareDecimals("1250000.00", "999999.99"), 1);
  const gaps = ["600000.00", "-0.01", "1850000.00", "0.00", "99.999", "100"];
  assert.deepEqual([...gaps].sort(fw.compareDecimals), ["-0.01", "0.00", "99.999", "100", "600000.00", "1850000.00"]);
  // As strings they would sort "1850000.00" before "600000.00".
  assert.deepEqual([...gaps].sort(), ["-0.01", "0.00", "100", "1850000.00", "600000.00", "99.999"]);
});

test("random sums, differences and comparisons equal exact BigInt arithmetic", () => {
  // A small seeded generator (xorshift), so a failure can be replayed.
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const randomDecimal = () => {
    const integer = Math.floor(next() * 10 ** Math.floor(next() * 13)).toString();
    const scale = Math.floor(next() * 13);
    const fraction = Array.from({ length: scale }, () => Math.floor(next() * 10)).join("");
    const sign = next() < 0.3 ? "-" : "";
    return `${sign}${integer}${scale ? `.${fraction}` : ""}`;
  };
  for (let round = 0; round < 500; round++) {
    const values = Array.from({ length: Math.floor(next() * 12) }, randomDecimal);
    assert.equal(fw.sumDecimals(values), exactSum(values), `sum of ${values}`);
    const [a, b] = [randomDecimal(), randomDecimal()];
    assert.equal(fw.addDecimals(a, b), exactSum([a, b]), `${a} + ${b}`);
    const negated = b.startsWith("-") ? b.slice(1) : `-${b}`;
    assert.equal(fw.subtractDecimals(a, b), exactSum([a, negated]).replace(/^-(0\.?0*)$/, "$1"), `${a} - ${b}`);
    const [x, sx] = parse(a);
    const [y, sy] = parse(b);
    const scale = BigInt(Math.max(sx, sy));
    const left = x * 10n ** (scale - BigInt(sx));
    const right = y * 10n ** (scale - BigInt(sy));
    assert.equal(fw.compareDecimals(a, b), left < right ? -1 : left > right ? 1 : 0, `${a} <=> ${b}`);
  }
});

test("JS numbers and malformed strings are refused with a code", () => {
  for (const [call, name] of [
    [() => fw.addDecimals(1, "2"), "a"],
    [() => fw.addDecimals("1", 0.1), "b"],
    [() => fw.subtractDecimals(null, "1"), "a"],
    [() => fw.compareDecimals("1", undefined), "b"],
    [() => fw.compareDecimals(10n, "1"), "a"],
    [() => fw.sumDecimals(["1.00", 2.5]), "values[1]"],
    [() => fw.sumDecimals("1.00"), "values"],
    [() => fw.sumDecimals([new String("1")]), "values[0]"],
  ]) {
    const err = ledgerError(call);
    assert.equal(err.code, "INVALID_ARGUMENT", String(call));
    assert.equal(err.details.name, name, String(call));
  }
  for (const [call, field] of [
    [() => fw.addDecimals("1e5", "1"), "a"],
    [() => fw.addDecimals("1", "NaN"), "b"],
    [() => fw.subtractDecimals("1,000.00", "1"), "a"],
    [() => fw.compareDecimals("1", " 1"), "b"],
    [() => fw.compareDecimals("+1", "1"), "a"],
    [() => fw.sumDecimals(["1.00", "2.", "3"]), "values[1]"],
    [() => fw.sumDecimals(["", "1"]), "values[0]"],
    [() => fw.addDecimals("Infinity", "1"), "a"],
  ]) {
    const err = ledgerError(call);
    assert.equal(err.code, "INVALID_AMOUNT", String(call));
    assert.equal(err.field, field, String(call));
  }
});

test("the helpers agree with the ledger's own totals", () => {
  const ledger = new fw.Ledger();
  ledger.applyBatch([
    { type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" },
    { type: "set_rate", currency: "SEK", month: "2024-03", per_usd: "10.4512" },
    {
      type: "sign_agreement", id: "CA-SE-2024-01", donor: "SE", currency: "SEK", amount: "10000000.00",
      signed_on: "2024-03-12", psc_rate: "0.07", elective_transfer: false,
      purpose: { window: { earmarked_to: ["2/4", "2/5", "2/9"] } },
    },
  ]);
  const tb = ledger.trialBalance();
  for (const [currency, total] of Object.entries(tb.totals)) {
    const balances = tb.accounts.filter((a) => a.currency === currency).map((a) => a.balance);
    assert.equal(fw.compareDecimals(fw.sumDecimals(balances), total), 0, currency);
  }
  const window = ledger.windowBalance();
  assert.equal(fw.sumDecimals(window.earmarked.map((e) => e.amount)), window.total);
  assert.equal(window.total, "956827.92");
});
