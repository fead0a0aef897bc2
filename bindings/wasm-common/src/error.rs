//! The core's errors as JavaScript `Error`s named `"LedgerError"`.
//!
//! Every [`LedgerError`] becomes the same thing, whatever its variant: `name` is
//! `"LedgerError"`, `message` the core's message, `code` the core's code, `details` the core's
//! [`LedgerError::to_json_value`] (code, message and every field), and each field also as a
//! property of the error (`err.available`, `err.requested`, ...). A field whose name an `Error`
//! already uses (`RESERVED`) stays in `details` only. Going through the core's JSON rather than
//! matching variants here means a variant added to the core reaches JavaScript unchanged.

use funding_window::{BatchError, LedgerError};
use wasm_bindgen::prelude::*;

/// Properties of the thrown `Error` that error fields must not overwrite.
const RESERVED: &[&str] = &["name", "message", "stack", "cause", "code", "details", "index"];

/// The JavaScript error for a core error (`index`: position in a failed batch).
pub fn to_js(error: &LedgerError, index: Option<usize>) -> JsValue {
    // For a batch, the core's message naming the command's 0-based index (`details.message`
    // stays the error's own).
    let message = index.map_or_else(|| error.to_string(), |i| error.batch_message(i));
    let js = js_sys::Error::new(&message);
    js.set_name("LedgerError");
    set(&js, "code", &JsValue::from_str(error.code()));
    let details_json = error.to_json_value();
    let details = serde_json::to_string(&details_json)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .filter(JsValue::is_object);
    match details {
        Some(details) => {
            if let serde_json::Value::Object(fields) = &details_json {
                for key in fields.keys().filter(|k| !RESERVED.contains(&k.as_str())) {
                    if let Ok(value) = js_sys::Reflect::get(&details, &JsValue::from_str(key)) {
                        set(&js, key, &value);
                    }
                }
            }
            set(&js, "details", &details);
        }
        None => {
            let fallback = js_sys::Object::new();
            set(&fallback, "code", &JsValue::from_str(error.code()));
            set(&fallback, "message", &JsValue::from_str(&error.to_string()));
            set(&js, "details", &fallback);
        }
    }
    if let Some(index) = index {
        set(&js, "index", &JsValue::from(u32::try_from(index).unwrap_or(u32::MAX)));
    }
    js.into()
}

/// The JavaScript error for a failed batch: the core's error plus `index`.
pub fn batch_to_js(error: &BatchError) -> JsValue {
    to_js(&error.error, Some(error.index))
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on an object this module created cannot fail; ignore the impossible.
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}
