// The strict walk that writes JavaScript command objects as JSON text of the contract, run in
// JavaScript itself: reading an object's properties from WebAssembly costs a call across the
// boundary per property (and per character, to check a string's UTF-16), which made a batch of
// a million commands take a minute. Here the engine's JIT does the walk and the module receives
// one string. What is refused, and the message, is documented in convert.rs; the tables of
// decimal fields come from the core through `configure` (never copied here).
//
// The walk reads each property once and copies what it accepts into fresh plain objects and
// arrays, which JSON.stringify then writes: what is checked is exactly what is written (a getter
// is not asked twice), and the engine's own JSON writer is quicker than building the text here.
//
// Every function returns the JSON text, or a refusal as an array that convert.rs turns into the
// core's error:
//   ["command", index, message]             INVALID_COMMAND with this message
//   ["argument", index, name, value, reason] INVALID_ARGUMENT (an options object's value)
//   ["limit", index, name, max, actual]     a named limit is exceeded
// A getter or Proxy trap that throws is caught here: nothing thrown by the caller's objects ever
// unwinds through the module.
//
// The exports are `export function` declarations only: build.sh turns them into CommonJS exports
// for the Node package (a `require`d snippet), as it does for guard.js.

let decimalFields = new Set();
let decimalTables = new Set();

/** The core's DECIMAL_FIELDS and DECIMAL_TABLE_FIELDS, given once by the module. */
export function configure(fields, tables) {
  decimalFields = new Set(fields);
  decimalTables = new Set(tables);
}

const DEPTH_MAX = 16;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class Refused {
  constructor(refusal) {
    this.refusal = refusal;
  }
}

function describe(value) {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  switch (typeof value) {
    case "number":
      return `the number ${String(value)}`;
    case "boolean":
      return "a boolean";
    case "bigint":
      return "a BigInt";
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    case "string":
      return "a string";
    case "object":
      return "an object";
    default:
      return "a value of another kind";
  }
}

/** Whether a string is valid Unicode (no lone surrogate): UTF-8 can carry it unchanged. */
export function wellFormed(text) {
  return typeof text.isWellFormed === "function" ? text.isWellFormed() : !LONE_SURROGATE.test(text);
}

/** A place as messages name it: `purpose.window.earmarked_to[0]`; `the command` for the whole. */
function describePath(path) {
  if (path.length === 0) return "the command";
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text;
}

/**
 * Writes one value (a command, or the options object named `argument`) within `bytesMax` UTF-16
 * units.
 */
class Writer {
  constructor(bytesMax, argument) {
    this.bytesMax = bytesMax;
    /** `null` for a command; the argument's name (`args`) for an options object. */
    this.argument = argument;
    this.path = [];
    this.index = 0;
    /** UTF-16 units taken so far by the value being written, about (bounds a runaway value). */
    this.size = 0;
  }

  refuse(value, what) {
    if (this.argument === null) throw new Refused(["command", this.index, `${describePath(this.path)} ${what}`]);
    // The option's name: `args`, `args.as_of`, `options[2]`.
    const place = this.path.length === 0 ? "" : typeof this.path[0] === "number" ? describePath(this.path) : `.${describePath(this.path)}`;
    throw new Refused(["argument", this.index, `${this.argument}${place}`, describe(value), what]);
  }

  limit(actual) {
    throw new Refused(["limit", this.index, "COMMAND_JSON_BYTES_MAX", this.bytesMax, actual]);
  }

  holdsDecimal() {
    const n = this.path.length;
    const last = this.path[n - 1];
    if (typeof last === "string" && decimalFields.has(last)) return true;
    const parent = this.path[n - 2];
    return n >= 2 && typeof parent === "string" && decimalTables.has(parent);
  }

  value(value, depth) {
    if (value === undefined) {
      this.refuse(value, "is undefined (leave the field out, or give null where the contract allows it)");
    }
    if (value === null) return null;
    switch (typeof value) {
      case "boolean":
        return value;
      case "string":
        return this.string(value);
      case "number":
        return this.number(value);
      case "bigint":
        return this.refuse(value, 'is a BigInt; amounts are decimal strings such as "1250000.00"');
      case "symbol":
      case "function":
        return this.refuse(value, "is a symbol or a function, not JSON");
      case "object": {
        if (depth >= DEPTH_MAX) this.refuse(value, `is nested deeper than ${DEPTH_MAX} levels`);
        let array;
        try {
          array = Array.isArray(value);
        } catch {
          this.refuse(value, "cannot be read (Array.isArray threw)");
        }
        return array ? this.array(value, depth + 1) : this.object(value, depth + 1);
      }
      default:
        return this.refuse(value, "is not a JSON value");
    }
  }

  string(text) {
    // Refused before copying: a UTF-16 unit is at least one byte of UTF-8.
    if (text.length > this.bytesMax) this.limit(text.length);
    if (!wellFormed(text)) this.refuse(text, "is a string with a lone surrogate (not valid Unicode)");
    this.grow(text.length + 2);
    return text;
  }

  grow(units) {
    this.size += units;
    if (this.size > this.bytesMax) this.limit(this.size);
  }

  number(number) {
    if (!Number.isFinite(number)) {
      const name = Number.isNaN(number) ? "NaN" : number > 0 ? "Infinity" : "-Infinity";
      this.refuse(number, `is ${name}, which JSON cannot carry`);
    }
    if (this.holdsDecimal()) {
      this.refuse(
        number,
        `is the JS number ${String(number)}; amounts, rates and weights are decimal strings such as ` +
          '"1250000.00" (a binary floating-point number is never converted to money)',
      );
    }
    this.grow(24);
    // JSON.stringify writes -0 as 0, integers within 2^53 exactly, others as "1e+21".
    return number;
  }

  array(value, depth) {
    let length;
    try {
      length = value.length;
    } catch {
      length = undefined;
    }
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
      this.refuse(value, "is an array whose length cannot be read");
    }
    const out = [];
    for (let i = 0; i < length; i++) {
      let item;
      try {
        item = value[i];
      } catch {
        this.refuse(value, `cannot be read at [${i}] (a getter threw)`);
      }
      this.path.push(i);
      out.push(this.value(item, depth));
      this.path.pop();
      this.grow(1);
    }
    return out;
  }

  object(value, depth) {
    if (!plain(value)) this.refuse(value, "is not a plain object or array (a Date, Map, class instance, ...)");
    let keys;
    try {
      keys = Object.keys(value);
    } catch {
      this.refuse(value, "cannot be read (Object.keys threw)");
    }
    const out = {};
    for (let n = 0; n < keys.length; n++) {
      const key = keys[n];
      if (!wellFormed(key)) this.refuse(value, "has a key with a lone surrogate (not valid Unicode)");
      this.grow(key.length + 4);
      let item;
      try {
        item = value[key];
      } catch {
        this.refuse(value, `cannot be read at ${JSON.stringify(key)} (a getter threw)`);
      }
      this.path.push(key);
      const copy = this.value(item, depth);
      this.path.pop();
      if (key === "__proto__") {
        // An own property of that name, not the copy's prototype.
        Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = copy;
      }
    }
    return out;
  }
}

/** A plain object: its prototype is `null` or an `Object.prototype` (of any realm). */
function plain(value) {
  let proto;
  try {
    proto = Object.getPrototypeOf(value);
    return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
  } catch {
    return false;
  }
}

function command(writer, value) {
  if (typeof value === "string") {
    throw new Refused([
      "command",
      writer.index,
      "a command is an object, not a string (for JSON text use applyJson)",
    ]);
  }
  writer.size = 0;
  return JSON.stringify(writer.value(value, 0));
}

function attempt(work) {
  try {
    return work();
  } catch (err) {
    if (err instanceof Refused) return err.refusal;
    // Only the engine itself can throw here (out of memory for a string, a stack overflow).
    return ["command", 0, `the command could not be read: ${err && err.name}: ${err && err.message}`];
  }
}

/** One command object as JSON text. */
export function commandJson(value, bytesMax) {
  return attempt(() => command(new Writer(bytesMax, null), value));
}

/** An options object of a method, the argument `name` (`exportCsv`'s args), as JSON text. */
export function optionsJson(value, bytesMax, name) {
  return attempt(() => JSON.stringify(new Writer(bytesMax, name).value(value, 0)));
}

/** The number of commands of a batch (an array), or the refusal of anything else. */
export function batchLength(commands, commandsMax) {
  return attempt(() => {
    let length;
    try {
      length = Array.isArray(commands) ? commands.length : undefined;
    } catch {
      length = undefined;
    }
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
      return ["command", 0, "a batch is an array of commands"];
    }
    if (length > commandsMax) return ["limit", 0, "BATCH_COMMANDS_MAX", commandsMax, length];
    return length;
  });
}

/**
 * Commands `start` to `start + count` of a batch as JSON text, one per line (JSON text holds no
 * raw newline), or the refusal of the first that cannot be written. The module asks for a batch
 * a slice at a time, so that what is written here dies young rather than all at once.
 */
export function batchJson(commands, start, count, commandBytesMax) {
  return attempt(() => {
    const writer = new Writer(commandBytesMax, null);
    const lines = new Array(count);
    for (let n = 0; n < count; n++) {
      const index = start + n;
      writer.index = index;
      let item;
      try {
        item = commands[index];
      } catch {
        return ["command", index, `command ${index} cannot be read (a getter threw)`];
      }
      lines[n] = command(writer, item);
    }
    return lines.join("\n");
  });
}

/**
 * An array argument of strings (`sumDecimals`' `values`) copied into a fresh array of
 * well-formed strings, each element read once. Anything else is thrown as a refusal: the array
 * itself refused as `INVALID_ARGUMENT` naming `name`, an element naming it (`values[3]`), more
 * than `max` elements as the limit `ARRAY_STRINGS_MAX`. (Thrown, not returned, because the
 * answer is itself an array.)
 */
export function stringList(values, max, name, expected) {
  let length;
  try {
    length = Array.isArray(values) ? values.length : undefined;
  } catch {
    length = undefined;
  }
  if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
    throw ["argument", 0, name, describe(values), `expected an array of ${expected}s`];
  }
  if (length > max) throw ["limit", 0, "ARRAY_STRINGS_MAX", max, length];
  const out = new Array(length);
  for (let i = 0; i < length; i++) {
    let item;
    try {
      item = values[i];
    } catch {
      // A getter that throws reads as `undefined`, refused like any other non-string.
      item = undefined;
    }
    if (typeof item !== "string") throw ["argument", i, `${name}[${i}]`, describe(item), `expected ${expected}`];
    if (!wellFormed(item)) throw ["argument", i, `${name}[${i}]`, "a string with a lone surrogate", `expected ${expected}`];
    out[i] = item;
  }
  return out;
}
