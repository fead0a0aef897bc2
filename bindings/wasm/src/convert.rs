//! JavaScript values in: commands to JSON text of the contract, arguments to Rust strings.
//!
//! A command object is walked and written as JSON text, which the core parses with
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
//! * strings with lone surrogates (they cannot be UTF-8 and would be altered);
//! * nesting deeper than [`DEPTH_MAX`] and text longer than [`COMMAND_JSON_BYTES_MAX`].
//!
//! The same walk writes the option objects of method arguments (`exportCsv`'s `args`,
//! `exportIati`'s `options`) as JSON for the core, refusing the same values as
//! `INVALID_ARGUMENT` naming the argument.
//!
//! Every JavaScript operation that can throw (a getter, a `Proxy` trap) is called through an
//! import with `catch`, so a hostile object becomes an `INVALID_COMMAND` (or
//! `INVALID_ARGUMENT`), never an exception unwinding through Rust frames.

use funding_window::limits::{BATCH_COMMANDS_MAX, JOURNAL_LINE_BYTES_MAX};
use funding_window::{LedgerError, DECIMAL_FIELDS, DECIMAL_TABLE_FIELDS};
use js_sys::JsString;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Longest command, as JSON text in bytes: a command must fit in one journal line.
pub const COMMAND_JSON_BYTES_MAX: usize = JOURNAL_LINE_BYTES_MAX;

/// Deepest nesting of arrays and objects in a command (the contract needs 4).
pub const DEPTH_MAX: usize = 16;

/// Largest batch, as JSON text in bytes over all its commands.
pub const BATCH_JSON_BYTES_MAX: usize = 256 << 20;

/// Integers up to this magnitude are exact in a JS number.
const SAFE_INTEGER_MAX: f64 = 9_007_199_254_740_991.0;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn object_keys(value: &JsValue) -> Result<js_sys::Array, JsValue>;

    #[wasm_bindgen(js_namespace = Object, js_name = getPrototypeOf, catch)]
    fn prototype_of(value: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;

    #[wasm_bindgen(js_namespace = Reflect, js_name = get, catch)]
    fn reflect_get(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
}

/// A location in a command, for messages: `purpose.window.earmarked_to[0]`.
#[derive(Default)]
struct Path {
    segments: Vec<Segment>,
}

/// What is being written, which decides the error a refusal is.
enum Subject {
    /// A command: a refusal is `INVALID_COMMAND` naming the field.
    Command,
    /// A method argument (an options object): a refusal is `INVALID_ARGUMENT` named
    /// `argument.field`.
    Argument(&'static str),
}

enum Segment {
    Key(String),
    Index(usize),
}

impl Path {
    fn describe(&self) -> String {
        if self.segments.is_empty() {
            return "the command".to_owned();
        }
        let mut text = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Key(key) => {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    text.push_str(key);
                }
                Segment::Index(i) => text.push_str(&format!("[{i}]")),
            }
        }
        text
    }

    fn last_key(&self) -> Option<&str> {
        match self.segments.last() {
            Some(Segment::Key(key)) => Some(key),
            _ => None,
        }
    }

    /// Whether the value here must be a decimal string: a decimal field, or an entry of a
    /// table of decimals (`shares.2/4`).
    fn holds_decimal(&self) -> bool {
        let n = self.segments.len();
        let key_at = |i: usize| match self.segments.get(i) {
            Some(Segment::Key(key)) => Some(key.as_str()),
            _ => None,
        };
        let is_field = self.last_key().is_some_and(|k| DECIMAL_FIELDS.contains(&k));
        let in_table = n >= 2 && key_at(n - 2).is_some_and(|k| DECIMAL_TABLE_FIELDS.contains(&k));
        is_field || in_table
    }
}

/// Writes one JavaScript value as JSON, strictly.
struct Writer {
    out: String,
    bytes_max: usize,
    path: Path,
    subject: Subject,
}

impl Writer {
    fn new(subject: Subject, bytes_max: usize) -> Writer {
        Writer { out: String::new(), bytes_max, path: Path::default(), subject }
    }

    fn refuse(&self, value: &JsValue, what: &str) -> LedgerError {
        match self.subject {
            Subject::Command => LedgerError::InvalidCommand { message: format!("{} {what}", self.path.describe()) },
            Subject::Argument(name) => {
                let name = if self.path.segments.is_empty() {
                    name.to_owned()
                } else {
                    let sep = if matches!(self.path.segments.first(), Some(Segment::Key(_))) { "." } else { "" };
                    format!("{name}{sep}{}", self.path.describe())
                };
                LedgerError::InvalidArgument { name, value: describe(value), reason: what.into() }
            }
        }
    }

    fn check_size(&self) -> Result<(), LedgerError> {
        if self.out.len() > self.bytes_max {
            return Err(LedgerError::LimitExceeded {
                limit: "COMMAND_JSON_BYTES_MAX".into(),
                max: self.bytes_max as u64,
                actual: self.out.len() as u64,
            });
        }
        Ok(())
    }

    fn value(&mut self, value: &JsValue, depth: usize) -> Result<(), LedgerError> {
        if value.is_undefined() {
            return Err(
                self.refuse(value, "is undefined (leave the field out, or give null where the contract allows it)")
            );
        }
        if value.is_null() {
            self.out.push_str("null");
        } else if let Some(flag) = value.as_bool() {
            self.out.push_str(if flag { "true" } else { "false" });
        } else if let Some(text) = value.dyn_ref::<JsString>() {
            self.string(text)?;
        } else if let Some(number) = value.as_f64() {
            self.number(number)?;
        } else if value.is_bigint() {
            return Err(self.refuse(value, "is a BigInt; amounts are decimal strings such as \"1250000.00\""));
        } else if value.is_symbol() || value.is_function() {
            return Err(self.refuse(value, "is a symbol or a function, not JSON"));
        } else if value.is_object() {
            if depth >= DEPTH_MAX {
                return Err(self.refuse(value, &format!("is nested deeper than {DEPTH_MAX} levels")));
            }
            match is_array(value) {
                Ok(true) => self.array(value, depth + 1)?,
                Ok(false) => self.object(value, depth + 1)?,
                Err(_) => return Err(self.refuse(value, "cannot be read (Array.isArray threw)")),
            }
        } else {
            return Err(self.refuse(value, "is not a JSON value"));
        }
        self.check_size()
    }

    fn string(&mut self, text: &JsString) -> Result<(), LedgerError> {
        // Refuse before copying: a UTF-16 unit is at least one byte of UTF-8.
        if text.length() as usize > self.bytes_max {
            return Err(LedgerError::LimitExceeded {
                limit: "COMMAND_JSON_BYTES_MAX".into(),
                max: self.bytes_max as u64,
                actual: u64::from(text.length()),
            });
        }
        if !text.is_valid_utf16() {
            return Err(self.refuse(text, "is a string with a lone surrogate (not valid Unicode)"));
        }
        match text.as_string() {
            Some(s) => {
                write_json_string(&mut self.out, &s);
                Ok(())
            }
            None => Err(self.refuse(text, "is not a string")),
        }
    }

    fn number(&mut self, number: f64) -> Result<(), LedgerError> {
        if !number.is_finite() {
            let name = if number.is_nan() {
                "NaN"
            } else if number > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            };
            return Err(self.refuse(&JsValue::from_f64(number), &format!("is {name}, which JSON cannot carry")));
        }
        if self.path.holds_decimal() {
            return Err(self.refuse(
                &JsValue::from_f64(number),
                &format!(
                    "is the JS number {}; amounts, rates and weights are decimal strings such as \"1250000.00\" \
                 (a binary floating-point number is never converted to money)",
                    number_text(number)
                ),
            ));
        }
        if number.fract() == 0.0 && number.abs() <= SAFE_INTEGER_MAX {
            // Exact: the integer is within 2^53, so the cast keeps it (and -0 becomes 0).
            self.out.push_str(&(number as i64).to_string());
        } else {
            match serde_json::Number::from_f64(number) {
                Some(n) => self.out.push_str(&n.to_string()),
                None => return Err(self.refuse(&JsValue::from_f64(number), "is a number JSON cannot carry")),
            }
        }
        Ok(())
    }

    fn array(&mut self, value: &JsValue, depth: usize) -> Result<(), LedgerError> {
        let length = reflect_get(value, &JsValue::from_str("length"))
            .ok()
            .and_then(|l| l.as_f64())
            .filter(|l| l.fract() == 0.0 && *l >= 0.0)
            .ok_or_else(|| self.refuse(value, "is an array whose length cannot be read"))?;
        self.out.push('[');
        let mut i = 0usize;
        while (i as f64) < length {
            if i > 0 {
                self.out.push(',');
            }
            let item = reflect_get(value, &JsValue::from_f64(i as f64))
                .map_err(|_| self.refuse(value, &format!("cannot be read at [{i}] (a getter threw)")))?;
            self.path.segments.push(Segment::Index(i));
            let written = self.value(&item, depth);
            self.path.segments.pop();
            written?;
            i += 1;
        }
        self.out.push(']');
        Ok(())
    }

    fn object(&mut self, value: &JsValue, depth: usize) -> Result<(), LedgerError> {
        if !is_plain_object(value) {
            return Err(self.refuse(value, "is not a plain object or array (a Date, Map, class instance, ...)"));
        }
        let keys = object_keys(value).map_err(|_| self.refuse(value, "cannot be read (Object.keys threw)"))?;
        self.out.push('{');
        for (n, key) in keys.iter().enumerate() {
            let Some(name) = key.as_string() else {
                return Err(self.refuse(value, "has a key that is not a string"));
            };
            if n > 0 {
                self.out.push(',');
            }
            write_json_string(&mut self.out, &name);
            self.out.push(':');
            let item = reflect_get(value, &key)
                .map_err(|_| self.refuse(value, &format!("cannot be read at {name:?} (a getter threw)")))?;
            self.path.segments.push(Segment::Key(name));
            let written = self.value(&item, depth);
            self.path.segments.pop();
            written?;
        }
        self.out.push('}');
        Ok(())
    }
}

/// A plain object: its prototype is `null` or an `Object.prototype` (of any realm).
fn is_plain_object(value: &JsValue) -> bool {
    match prototype_of(value) {
        Ok(proto) if proto.is_null() => true,
        Ok(proto) => matches!(prototype_of(&proto), Ok(grand) if grand.is_null()),
        Err(_) => false,
    }
}

/// Appends `text` as a JSON string literal.
fn write_json_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// One command object as JSON text of the contract, refusing what JSON cannot carry exactly.
pub fn command_json(value: &JsValue) -> Result<String, LedgerError> {
    command_json_within(value, COMMAND_JSON_BYTES_MAX)
}

fn command_json_within(value: &JsValue, bytes_max: usize) -> Result<String, LedgerError> {
    if value.dyn_ref::<JsString>().is_some() {
        return Err(LedgerError::InvalidCommand {
            message: "a command is an object, not a string (for JSON text use applyJson)".into(),
        });
    }
    let mut writer = Writer::new(Subject::Command, bytes_max);
    writer.value(value, 0)?;
    Ok(writer.out)
}

/// An options argument of a method (`exportCsv`'s `args`, `exportIati`'s `options`) as a JSON
/// value for the core, which decides what is valid. `undefined` and `null` are `null` (absent);
/// anything else goes through the strict walk of commands, refused as `INVALID_ARGUMENT`.
pub fn options_value(name: &'static str, value: &JsValue) -> Result<serde_json::Value, LedgerError> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::Value::Null);
    }
    let mut writer = Writer::new(Subject::Argument(name), COMMAND_JSON_BYTES_MAX);
    writer.value(value, 0)?;
    // The walk writes valid JSON; a failure here would be a bug of the walk.
    serde_json::from_str(&writer.out)
        .map_err(|e| LedgerError::Internal { message: format!("the JSON written for {name} does not parse: {e}") })
}

/// A batch (an array of command objects) as JSON texts, or the failing position and why.
pub fn batch_json(value: &JsValue) -> Result<Vec<String>, (usize, LedgerError)> {
    let not_array = || LedgerError::InvalidCommand { message: "a batch is an array of commands".into() };
    match is_array(value) {
        Ok(true) => {}
        _ => return Err((0, not_array())),
    }
    let length = reflect_get(value, &JsValue::from_str("length"))
        .ok()
        .and_then(|l| l.as_f64())
        .filter(|l| l.fract() == 0.0 && *l >= 0.0)
        .ok_or_else(|| (0, not_array()))?;
    if length > BATCH_COMMANDS_MAX as f64 {
        return Err((
            0,
            LedgerError::LimitExceeded {
                limit: "BATCH_COMMANDS_MAX".into(),
                max: BATCH_COMMANDS_MAX as u64,
                actual: length as u64,
            },
        ));
    }
    let count = length as usize;
    let mut texts = Vec::with_capacity(count);
    let mut total = 0usize;
    for index in 0..count {
        let item = reflect_get(value, &JsValue::from_f64(index as f64)).map_err(|_| {
            (index, LedgerError::InvalidCommand { message: format!("command {index} cannot be read (a getter threw)") })
        })?;
        let text = command_json(&item).map_err(|e| (index, e))?;
        total += text.len();
        if total > BATCH_JSON_BYTES_MAX {
            return Err((
                index,
                LedgerError::LimitExceeded {
                    limit: "BATCH_JSON_BYTES_MAX".into(),
                    max: BATCH_JSON_BYTES_MAX as u64,
                    actual: total as u64,
                },
            ));
        }
        texts.push(text);
    }
    Ok(texts)
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
        Some(text) if text.is_valid_utf16() => text.as_string().ok_or_else(|| wrong_arg(name, value, expected)),
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
        return Ok(array.to_vec());
    }
    if value.dyn_ref::<JsString>().is_none() {
        return Err(wrong_arg(name, value, "a string or a Uint8Array"));
    }
    match TextEncoder::new().and_then(|encoder| encoder.encode(value)) {
        Ok(array) => Ok(array.to_vec()),
        // No TextEncoder in this engine: let wasm-bindgen copy the string.
        Err(_) => {
            value.as_string().map(String::into_bytes).ok_or_else(|| wrong_arg(name, value, "a string or a Uint8Array"))
        }
    }
}

/// Most strings an array argument may hold (`sumDecimals`): the array is copied into the module
/// before the core sees it.
pub const ARRAY_STRINGS_MAX: usize = 1_000_000;

/// An array-of-strings argument; an element that is not a string is refused naming it
/// (`values[3]`).
pub fn string_array_arg(name: &str, value: &JsValue, expected: &str) -> Result<Vec<String>, LedgerError> {
    let not_array = || wrong_arg(name, value, &format!("an array of {expected}s"));
    if !matches!(is_array(value), Ok(true)) {
        return Err(not_array());
    }
    let length = reflect_get(value, &JsValue::from_str("length"))
        .ok()
        .and_then(|l| l.as_f64())
        .filter(|l| l.fract() == 0.0 && *l >= 0.0)
        .ok_or_else(not_array)?;
    if length > ARRAY_STRINGS_MAX as f64 {
        return Err(LedgerError::LimitExceeded {
            limit: "ARRAY_STRINGS_MAX".into(),
            max: ARRAY_STRINGS_MAX as u64,
            actual: length as u64,
        });
    }
    let mut strings = Vec::with_capacity(length as usize);
    for index in 0..length as usize {
        // A getter that throws reads as `undefined`, which is refused like any other non-string.
        let item = reflect_get(value, &JsValue::from_f64(index as f64)).unwrap_or(JsValue::UNDEFINED);
        match item.dyn_ref::<JsString>().filter(|text| text.is_valid_utf16()).and_then(|text| text.as_string()) {
            Some(text) => strings.push(text),
            None => return Err(element_error(name, index, &item, expected)),
        }
    }
    Ok(strings)
}

/// The error for an element of an array argument that is not a (well-formed) string.
#[cold]
fn element_error(name: &str, index: usize, item: &JsValue, expected: &str) -> LedgerError {
    string_arg(&format!("{name}[{index}]"), item, expected).err().unwrap_or_else(|| wrong_arg(name, item, expected))
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
    fn json_strings_are_escaped() {
        let mut out = String::new();
        write_json_string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u0001é\"");
        assert_eq!(serde_json::from_str::<String>(&out).ok().as_deref(), Some("a\"b\\c\nd\u{1}é"));
    }

    #[test]
    fn decimal_places_are_recognised() {
        let path = |segments: &[&str]| Path { segments: segments.iter().map(|s| Segment::Key((*s).into())).collect() };
        assert!(path(&["amount"]).holds_decimal());
        assert!(path(&["per_usd"]).holds_decimal());
        assert!(path(&["shares", "2/4"]).holds_decimal());
        assert!(path(&["weights", "2/4"]).holds_decimal());
        assert!(!path(&["entry"]).holds_decimal());
        assert!(!path(&["shares"]).holds_decimal());
        assert_eq!(path(&["purpose", "window", "earmarked_to"]).describe(), "purpose.window.earmarked_to");
        assert_eq!(Path::default().describe(), "the command");
    }
}
