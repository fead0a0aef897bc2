//! JavaScript values in: commands to JSON text of the contract, arguments to Rust strings.
//!
//! A command object is written as JSON text by a strict walk and parsed by the core with
//! [`funding_window::Request::from_json`]; the core decides what is valid. The walk only refuses
//! what JSON cannot carry exactly or what a JavaScript caller most likely did not mean:
//!
//! * a JS number where a decimal string belongs (a field of
//!   [`funding_window::DECIMAL_FIELDS`] or a value of a [`funding_window::DECIMAL_TABLE_FIELDS`]
//!   table), named in the message; other numbers (`reverse.entry`) pass to the core as numbers;
//! * `NaN` and `±Infinity` (which `JSON.stringify` would turn into `null`, and `null` means
//!   "the whole balance" in a transfer), `BigInt`, symbols, functions;
//! * `undefined`, also as a property value (which `JSON.stringify` would drop: an `amount`
//!   left `undefined` by mistake must not mean "the whole balance");
//! * objects other than plain objects and arrays (a `Date`, a `Map`, a class instance);
//! * strings and keys with lone surrogates (they cannot be UTF-8 and would be altered);
//! * nesting deeper than [`DEPTH_MAX`] and text longer than [`COMMAND_JSON_BYTES_MAX`].
//!
//! The walk runs in JavaScript (`walk.js`, a snippet of each module that links it): reading an object's
//! properties from WebAssembly costs a call across the boundary for each property, and for each
//! character of a string to check its UTF-16, which made a batch of a million commands take a
//! minute. The walk hands the module one string (a batch: one command per line) or a refusal,
//! which becomes the core's error here. Each property is read once, so what is checked is what
//! is written. The tables of decimal fields are the core's, given to the walk at start
//! ([`configure`], called by the main module when it starts; the exports module walks option
//! objects only, which hold no decimal fields).
//!
//! The same walk writes the option objects of arguments (`reportTable`'s and `exportCsv`'s `args`,
//! `exportIati`'s and `exportXlsx`'s `options`, a `{from, to}` period) as JSON for the core, refusing the same values as
//! `INVALID_ARGUMENT` naming the argument.
//!
//! Every JavaScript operation that can throw (a getter, a `Proxy` trap) is caught by the walk, so
//! a hostile object becomes an `INVALID_COMMAND` (or `INVALID_ARGUMENT`), never an exception
//! unwinding through Rust frames.

use funding_window::limits::{BATCH_COMMANDS_MAX, JOURNAL_LINE_BYTES_MAX};
use funding_window::{CsvReport, LedgerError, Request, DECIMAL_FIELDS, DECIMAL_TABLE_FIELDS};
use js_sys::JsString;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Longest command, as JSON text in bytes: a command must fit in one journal line.
pub const COMMAND_JSON_BYTES_MAX: usize = JOURNAL_LINE_BYTES_MAX;

/// Deepest nesting of arrays and objects in a command (the contract needs 4); `walk.js` holds
/// the same number.
pub const DEPTH_MAX: usize = 16;

/// Largest batch, as JSON text in bytes over all its commands.
pub const BATCH_JSON_BYTES_MAX: usize = 256 << 20;

/// Integers up to this magnitude are exact in a JS number.
const SAFE_INTEGER_MAX: f64 = 9_007_199_254_740_991.0;

#[wasm_bindgen(module = "/src/walk.js")]
extern "C" {
    #[wasm_bindgen(js_name = configure)]
    fn walk_configure(fields: js_sys::Array, tables: js_sys::Array);

    #[wasm_bindgen(js_name = commandJson, catch)]
    fn walk_command(value: &JsValue, bytes_max: u32) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = optionsJson, catch)]
    fn walk_options(value: &JsValue, bytes_max: u32, name: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = batchLength, catch)]
    fn walk_batch_length(value: &JsValue, commands_max: u32) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = batchJson, catch)]
    fn walk_batch(value: &JsValue, start: u32, count: u32, command_bytes_max: u32) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = stringList, catch)]
    fn walk_strings(value: &JsValue, max: u32, name: &str, expected: &str) -> Result<js_sys::Array, JsValue>;

    #[wasm_bindgen(js_name = wellFormed, catch)]
    fn well_formed(text: &JsString) -> Result<bool, JsValue>;
}

/// Gives the walk the core's tables of decimal fields (once, when the module starts).
pub fn configure() {
    let strings = |names: &[&str]| names.iter().map(|n| JsValue::from_str(n)).collect::<js_sys::Array>();
    walk_configure(strings(DECIMAL_FIELDS), strings(DECIMAL_TABLE_FIELDS));
}

/// The core's error for a refusal of `walk.js` (`["command", index, message]`,
/// `["argument", index, name, value, reason]` or `["limit", index, name, max, actual]`), and the
/// index of the command it concerns.
fn refusal(value: &JsValue) -> (usize, LedgerError) {
    let Some(parts) = value.dyn_ref::<js_sys::Array>() else {
        return (0, LedgerError::Internal { message: "the command walk answered something unexpected".into() });
    };
    let text = |i: u32| parts.get(i).as_string().unwrap_or_default();
    let number = |i: u32| parts.get(i).as_f64().filter(|n| n.is_finite() && *n >= 0.0).unwrap_or(0.0);
    let error = match text(0).as_str() {
        "argument" => LedgerError::InvalidArgument { name: text(2), value: text(3), reason: text(4) },
        "limit" => LedgerError::LimitExceeded { limit: text(2), max: number(3) as u64, actual: number(4) as u64 },
        _ => LedgerError::InvalidCommand { message: text(2) },
    };
    (number(1) as usize, error)
}

/// The text the walk wrote, or the core's error for its refusal.
fn walked(outcome: Result<JsValue, JsValue>) -> Result<String, (usize, LedgerError)> {
    let value = outcome.map_err(|_| (0, LedgerError::Internal { message: "the command walk threw".into() }))?;
    if !value.is_string() {
        return Err(refusal(&value));
    }
    text_of(&value).map_err(|e| (0, e))
}

/// A JavaScript string (well-formed: the walk checked) as a Rust `String`, copied into memory
/// reserved first: a batch's text too large for the memory left is `OUT_OF_MEMORY`, not an abort.
fn text_of(value: &JsValue) -> Result<String, LedgerError> {
    let bytes = match TextEncoder::new().and_then(|encoder| encoder.encode(value)) {
        Ok(array) => copied(&array, "the text of the commands")?,
        // No TextEncoder in this engine: let wasm-bindgen copy the string.
        Err(_) => return value.as_string().ok_or_else(|| wrong_arg("commands", value, "a string")),
    };
    String::from_utf8(bytes)
        .map_err(|_| LedgerError::Internal { message: "the commands' text is not UTF-8 after encoding".into() })
}

/// A command's JSON text within [`COMMAND_JSON_BYTES_MAX`] bytes of UTF-8 (the walk counts
/// UTF-16 units, fewer than the bytes of any text that is not ASCII).
fn within_limit(text: &str) -> Result<(), LedgerError> {
    if text.len() > COMMAND_JSON_BYTES_MAX {
        return Err(LedgerError::LimitExceeded {
            limit: "COMMAND_JSON_BYTES_MAX".into(),
            max: COMMAND_JSON_BYTES_MAX as u64,
            actual: text.len() as u64,
        });
    }
    Ok(())
}

/// One command object as JSON text of the contract, refusing what JSON cannot carry exactly.
pub fn command_json(value: &JsValue) -> Result<String, LedgerError> {
    let text = walked(walk_command(value, COMMAND_JSON_BYTES_MAX as u32)).map_err(|(_, e)| e)?;
    within_limit(&text)?;
    Ok(text)
}

/// An options argument of a method (`exportCsv`'s `args`, `exportIati`'s `options`) as a JSON
/// value for the core, which decides what is valid. `undefined` and `null` are `null` (absent);
/// anything else goes through the strict walk of commands, refused as `INVALID_ARGUMENT`.
pub fn options_value(name: &'static str, value: &JsValue) -> Result<serde_json::Value, LedgerError> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::Value::Null);
    }
    let text = walked(walk_options(value, COMMAND_JSON_BYTES_MAX as u32, name)).map_err(|(_, e)| e)?;
    // The walk writes valid JSON; a failure here would be a bug of the walk.
    serde_json::from_str(&text)
        .map_err(|e| LedgerError::Internal { message: format!("the JSON written for {name} does not parse: {e}") })
}

/// A report by name with its arguments, as `reportTable` (main module) and `exportCsv` (exports
/// module) take them: `report` a name such as `"resolution_tracker"`, `args` an options object
/// (`{period}`, `{as_of}`, `{donor}`) or absent. The core decides what is valid.
pub fn report_arg(report: &JsValue, args: &JsValue) -> Result<CsvReport, LedgerError> {
    let name = string_arg("report", report, "a report name such as \"resolution_tracker\"")?;
    CsvReport::from_args(&name, &options_value("args", args)?)
}

/// Commands of a batch the walk writes at a time: its text dies young in JavaScript, and its
/// copy here is freed before the next slice.
const BATCH_SLICE_COMMANDS: usize = 8192;

/// A batch (an array of command objects) as parsed requests, or the failing position and why.
pub fn batch_requests(value: &JsValue) -> Result<Vec<Request>, (usize, LedgerError)> {
    let length = walk_batch_length(value, BATCH_COMMANDS_MAX as u32)
        .map_err(|_| (0, LedgerError::Internal { message: "the command walk threw".into() }))?;
    let Some(length) = length.as_f64() else {
        return Err(refusal(&length));
    };
    let length = length as usize;
    let mut requests = Vec::new();
    requests.try_reserve_exact(length).map_err(|_| {
        let bytes = length.saturating_mul(std::mem::size_of::<Request>()) as u64;
        (0, LedgerError::OutOfMemory { what: "the commands of a batch".into(), bytes })
    })?;
    let mut total = 0;
    let mut start = 0;
    while start < length {
        let count = BATCH_SLICE_COMMANDS.min(length - start);
        let text = walked(walk_batch(value, start as u32, count as u32, COMMAND_JSON_BYTES_MAX as u32))?;
        parse_lines(&text, start, &mut total, &mut requests)?;
        start += count;
    }
    Ok(requests)
}

/// Parses a slice of a batch's text (one command per line, the first being command `start`)
/// into `requests`, with `total` the bytes of the batch's text so far.
fn parse_lines(
    text: &str,
    start: usize,
    total: &mut usize,
    requests: &mut Vec<Request>,
) -> Result<(), (usize, LedgerError)> {
    *total += text.len() + 1;
    if *total > BATCH_JSON_BYTES_MAX {
        let (limit, max, actual) = ("BATCH_JSON_BYTES_MAX".into(), BATCH_JSON_BYTES_MAX as u64, *total as u64);
        return Err((start, LedgerError::LimitExceeded { limit, max, actual }));
    }
    for (offset, line) in text.split('\n').enumerate() {
        let index = start + offset;
        within_limit(line).map_err(|e| (index, e))?;
        requests.push(Request::from_json(line).map_err(|e| (index, e))?);
    }
    Ok(())
}

/// What kind of JavaScript value this is, for messages.
pub fn describe(value: &JsValue) -> String {
    if value.is_undefined() {
        "undefined".into()
    } else if value.is_null() {
        "null".into()
    } else if let Some(n) = value.as_f64() {
        format!("the number {}", number_text(n))
    } else if value.as_bool().is_some() {
        "a boolean".into()
    } else if value.is_bigint() {
        "a BigInt".into()
    } else if value.is_symbol() {
        "a symbol".into()
    } else if value.is_function() {
        "a function".into()
    } else if value.is_string() {
        "a string".into()
    } else if value.is_object() {
        "an object".into()
    } else {
        "a value of another kind".into()
    }
}

/// A JS number as JavaScript writes it (`String(n)`), for messages. The binding never formats a
/// floating-point number itself, which also keeps Rust's float formatting out of the module.
fn number_text(number: f64) -> String {
    js_sys::Number::from(number).to_string_with_radix(10).ok().and_then(|text| text.as_string()).unwrap_or_default()
}

/// A string argument of a method (not a command field): `INVALID_ARGUMENT` for anything else.
pub fn string_arg(name: &str, value: &JsValue, expected: &str) -> Result<String, LedgerError> {
    match value.dyn_ref::<JsString>() {
        Some(text) if well_formed(text).unwrap_or(false) => {
            text.as_string().ok_or_else(|| wrong_arg(name, value, expected))
        }
        Some(_) => Err(LedgerError::InvalidArgument {
            name: name.into(),
            value: "a string with a lone surrogate".into(),
            reason: format!("expected {expected}"),
        }),
        None => Err(wrong_arg(name, value, expected)),
    }
}

/// An optional string argument: `undefined` and `null` mean absent.
pub fn optional_string_arg(name: &str, value: &JsValue, expected: &str) -> Result<Option<String>, LedgerError> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    string_arg(name, value, expected).map(Some)
}

fn wrong_arg(name: &str, value: &JsValue, expected: &str) -> LedgerError {
    LedgerError::InvalidArgument { name: name.into(), value: describe(value), reason: format!("expected {expected}") }
}

#[wasm_bindgen]
extern "C" {
    /// The platform's `TextEncoder` (browsers, Node): UTF-8 in native code, much faster for a large
    /// journal than copying a string character by character.
    type TextEncoder;

    #[wasm_bindgen(constructor, catch)]
    fn new() -> Result<TextEncoder, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn encode(this: &TextEncoder, text: &JsValue) -> Result<js_sys::Uint8Array, JsValue>;
}

/// A journal argument as bytes for [`funding_window::Ledger::from_journal_bytes`]: a string
/// (encoded as UTF-8), or its bytes (a `Uint8Array` such as a Node `Buffer`), copied into the
/// module's memory as they are: bytes that are not UTF-8 are the core's to refuse
/// (`JOURNAL_CORRUPT` at their line, or the torn tail they are in), never decoded with
/// replacement characters here.
pub fn journal_bytes(name: &str, value: &JsValue) -> Result<Vec<u8>, LedgerError> {
    if let Some(array) = value.dyn_ref::<js_sys::Uint8Array>() {
        return copied(array, "a copy of the journal");
    }
    if value.dyn_ref::<JsString>().is_none() {
        return Err(wrong_arg(name, value, "a string or a Uint8Array"));
    }
    match TextEncoder::new().and_then(|encoder| encoder.encode(value)) {
        Ok(array) => copied(&array, "a copy of the journal"),
        // No TextEncoder in this engine: let wasm-bindgen copy the string.
        Err(_) => {
            value.as_string().map(String::into_bytes).ok_or_else(|| wrong_arg(name, value, "a string or a Uint8Array"))
        }
    }
}

/// Most strings an array argument may hold (`sumDecimals`): the array is copied into the module
/// before the core sees it.
pub const ARRAY_STRINGS_MAX: usize = 1_000_000;

/// An array-of-strings argument; an element that is not a (well-formed) string is refused naming
/// it (`values[3]`). The array is read by the walk (`stringList` in `walk.js`), which hands back a
/// fresh array of checked strings: one call across the boundary per element here, none per
/// character.
pub fn string_array_arg(name: &str, value: &JsValue, expected: &str) -> Result<Vec<String>, LedgerError> {
    let array = walk_strings(value, ARRAY_STRINGS_MAX as u32, name, expected).map_err(|r| refusal(&r).1)?;
    let length = array.length() as usize;
    let mut strings = Vec::new();
    strings.try_reserve_exact(length).map_err(|_| LedgerError::OutOfMemory {
        what: format!("the strings of {name}"),
        bytes: length.saturating_mul(std::mem::size_of::<String>()) as u64,
    })?;
    for index in 0..array.length() {
        let text = array.get(index).as_string().ok_or_else(|| LedgerError::Internal {
            message: format!("the walk answered a value that is not a string at {name}[{index}]"),
        })?;
        strings.push(text);
    }
    Ok(strings)
}

/// The bytes of `array` in the module's memory, or `OUT_OF_MEMORY` (not a trap) when they do
/// not fit.
fn copied(array: &js_sys::Uint8Array, what: &str) -> Result<Vec<u8>, LedgerError> {
    let len = array.length() as usize;
    let out_of_memory = || LedgerError::OutOfMemory { what: what.into(), bytes: len as u64 };
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(len).map_err(|_| out_of_memory())?;
    let spare = bytes.spare_capacity_mut().get_mut(..len).ok_or_else(out_of_memory)?;
    let filled = array.copy_to_uninit(spare).len();
    // SAFETY: `copy_to_uninit` initialised the first `filled` bytes (all `len` of them: it
    // copies the whole array into a slice of exactly its length).
    unsafe { bytes.set_len(filled) };
    Ok(bytes)
}

/// A positive integer argument (a journal sequence number).
pub fn sequence_arg(name: &str, value: &JsValue) -> Result<u64, LedgerError> {
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && (1.0..=SAFE_INTEGER_MAX).contains(&n) => Ok(n as u64),
        _ => Err(wrong_arg(name, value, "a positive integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_one_command_per_line_and_each_is_within_the_limit() {
        let parse = |text: &str, start: usize| {
            let (mut total, mut requests) = (0, Vec::new());
            parse_lines(text, start, &mut total, &mut requests).map(|()| requests.len())
        };
        let one = r#"{"type":"set_status","resolution":"2/4","status":"started"}"#;
        assert_eq!(parse(&format!("{one}\n{one}"), 0).ok(), Some(2));
        let bad = parse(&format!("{one}\n{{\"type\":\"nope\"}}"), 8192).err();
        assert!(matches!(bad, Some((8193, LedgerError::InvalidCommand { .. }))), "{bad:?}");
        // 600,000 two-byte characters: within the walk's count of UTF-16 units, not of bytes.
        let long = format!(r#"{{"type":"set_status","resolution":"2/4","status":"{}"}}"#, "é".repeat(600_000));
        let refused = parse(&format!("{one}\n{long}"), 0).err();
        assert!(matches!(refused, Some((1, LedgerError::LimitExceeded { .. }))), "{refused:?}");
    }
}
