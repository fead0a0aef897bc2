// Wraps every method of the generated Ledger class, so that what the generated glue would throw
// as a plain Error, or the engine as a RuntimeError, is a LedgerError with a code:
//
// * a call on a freed ledger (`free()` was called; the glue passes a null pointer):
//   LEDGER_FREED, without entering the module; `free()` twice is harmless;
// * a call on a ledger from inside another call on it (a getter of a command, a callback of the
//   call): LEDGER_BUSY, without entering the module; the ledger is as it was;
// * a trap of the module during a call (memory exhausted where the core could not refuse it
//   first, or a defect): OUT_OF_MEMORY or INTERNAL for that call, and the ledger stops: its
//   state may be half-changed, so every later call on it is INTERNAL ("rebuild it from its
//   journal"), and its memory is not given back. Other ledgers keep working.
//
// The errors are made by the module (the `error` function it passes), so codes, messages and
// fields are the core's. Installed once, when the module starts (lib.rs). Its one export is an
// `export function` declaration, which build.sh turns into a CommonJS export for Node.

/** Ledgers whose call trapped, and why. */
const stopped = new WeakMap();
/** Ledgers in a call. */
const busy = new WeakSet();

function isLedgerError(err) {
  return err instanceof Error && err.name === "LedgerError" && typeof err.code === "string";
}

function trapped(err) {
  // A trap (unreachable, out of bounds) or the engine's stack overflow inside the module.
  return (
    (typeof WebAssembly !== "undefined" && err instanceof WebAssembly.RuntimeError) ||
    (err instanceof RangeError && /call stack/i.test(String(err.message)))
  );
}

/**
 * Wraps the methods and accessors of `proto` (the Ledger class's prototype) and the static
 * functions `statics` of `ctor`. `error(kind, method, detail)` returns the module's LedgerError
 * for "freed", "busy", "stopped", "unbound", "failed" and "trap"; `arm()` clears the module's record of a
 * failed allocation before a call.
 */
export function guard(proto, ctor, statics, error, arm) {
  const fail = (kind, method, detail) => {
    try {
      return error(kind, method, String(detail ?? ""));
    } catch {
      // The module itself no longer answers: the last resort is an error made here.
      const err = new Error(`the WebAssembly module failed (${detail}); reload it`);
      err.name = "LedgerError";
      err.code = "INTERNAL";
      err.details = { code: "INTERNAL", message: err.message };
      return err;
    }
  };

  const wrap = (name, call, bound) =>
    function (...args) {
      if (bound) {
        if (this === null || typeof this !== "object" || !("__wbg_ptr" in this)) throw fail("unbound", name, "");
        if (name === "free") {
          // Freed already, or stopped (its memory was let go when it stopped): nothing to do.
          if (stopped.delete(this) || this.__wbg_ptr === 0) return undefined;
          if (busy.has(this)) throw fail("busy", name, "");
          return call.apply(this, args);
        }
        const why = stopped.get(this);
        if (why !== undefined) throw fail("stopped", name, why);
        if (this.__wbg_ptr === 0) throw fail("freed", name, "");
        if (busy.has(this)) throw fail("busy", name, "");
        busy.add(this);
      }
      try {
        arm();
        return call.apply(this, args);
      } catch (err) {
        if (isLedgerError(err)) throw err;
        const detail = `${err && err.name}: ${err && err.message}`;
        // Anything else thrown after the module answered (a string longer than the engine
        // allows, say) leaves the ledger as it was: INTERNAL, and the ledger goes on.
        if (!trapped(err)) throw fail("failed", name, detail);
        if (bound) {
          stopped.set(this, detail);
          // Its Rust value stays borrowed by the call the trap cut short: it can never be freed
          // (nor by the garbage collector, which would throw). Let it go; its memory is lost
          // until the module is loaded again.
          this.__destroy_into_raw();
        }
        throw fail("trap", name, detail);
      } finally {
        if (bound) busy.delete(this);
      }
    };

  for (const key of [...Object.getOwnPropertyNames(proto), ...Object.getOwnPropertySymbols(proto)]) {
    if (key === "constructor") continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (typeof key === "string" && key.startsWith("__")) continue; // the glue's own helpers
    // `ledger[Symbol.dispose]()` (a `using` declaration) is `free()`.
    const name = key === Symbol.dispose ? "free" : typeof key === "symbol" ? key.description : key;
    if (typeof d.value === "function") {
      Object.defineProperty(proto, key, { ...d, value: wrap(name, d.value, true) });
    } else if (d.get || d.set) {
      Object.defineProperty(proto, key, {
        ...d,
        get: d.get && wrap(name, d.get, true),
        set: d.set && wrap(name, d.set, true),
      });
    }
  }
  for (const name of statics) {
    const f = ctor[name];
    if (typeof f === "function") ctor[name] = wrap(name, f, false);
  }
}
