//! Strict JSON: a key given twice in one object of a command is refused (`INVALID_COMMAND`
//! naming the key and where it is), at any depth.
//!
//! serde's derived structs already refuse a repeated field, but a map (`shares`, `weights`),
//! a `serde_json::Value` and the request's own fields (`recorded_by`, ...) would keep the last
//! value given: `"recorded_by": "alice", "recorded_by": "mallory"` would record `mallory`.
//! This module holds what closes those gaps while a command is read (no second pass over the
//! text on the way to an accepted command): [`table`] for the tables of a command, [`Value`]
//! for the members read before a command's `"type"`, and [`repeated_key`], which finds the
//! repeated key of a refused text so that every front end names it the same way.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};

use crate::money::DecimalString;

/// The message of a repeated key: the key, and the path of the object holding it
/// (`purpose.window`, `weights`; nothing for the command itself).
pub(crate) fn message(key: &str, at: &str) -> String {
    if at.is_empty() {
        format!("duplicate key {key:?}: a key may be given once")
    } else {
        format!("duplicate key {key:?} in {at}: a key may be given once")
    }
}

/// The path of a member `key` of the object at `at`.
fn member_path(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}

/// Reads a table of a command (`shares`, `weights`: `null`, or names to decimal strings),
/// refusing a name given twice. `field` names the table in the message.
pub(crate) fn table<'de, D: Deserializer<'de>>(
    d: D,
    field: &'static str,
) -> Result<Option<BTreeMap<String, DecimalString>>, D::Error> {
    struct Table(&'static str);
    impl<'de> Visitor<'de> for Table {
        type Value = Option<BTreeMap<String, DecimalString>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "an object of resolution ids to decimal strings, or null")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                let value: DecimalString = map.next_value()?;
                if out.contains_key(&key) {
                    return Err(de::Error::custom(message(&key, self.0)));
                }
                out.insert(key, value);
            }
            Ok(Some(out))
        }
    }
    d.deserialize_option(Table(field))
}

/// `shares` read by [`table`].
pub(crate) fn shares<'de, D: Deserializer<'de>>(d: D) -> Result<Option<BTreeMap<String, DecimalString>>, D::Error> {
    table(d, "shares")
}

/// `weights` read by [`table`].
pub(crate) fn weights<'de, D: Deserializer<'de>>(d: D) -> Result<Option<BTreeMap<String, DecimalString>>, D::Error> {
    table(d, "weights")
}

/// Reads any JSON value as `serde_json::Value` does, refusing a key repeated in any of its
/// objects; `at` is the value's path, for the message.
///
/// A number with a fraction or an exponent is refused here: no field of a command holds one
/// (amounts are decimal strings, entry numbers integers), and it would otherwise pass through
/// a binary float.
pub(crate) struct Value<'a> {
    /// Where the value is in the command (`purpose`, `weights`).
    pub at: &'a str,
}

impl<'de> DeserializeSeed<'de> for Value<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Value<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a JSON value of a command at {} (a string, an integer, true, false, null, a list or an object)",
            self.at
        )
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element_seed(Value { at: &format!("{}[{}]", self.at, out.len()) })? {
            out.push(item);
        }
        Ok(Json::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(message(&key, self.at)));
            }
            let value = map.next_value_seed(Value { at: &member_path(self.at, &key) })?;
            out.insert(key, value);
        }
        Ok(Json::Object(out))
    }
}

/// The message naming the first key repeated in one object of `text`, if `text` is JSON with
/// one (else `None`). Read only when a text is refused, to say why the same way wherever the
/// repetition is (a struct that serde derives says only "duplicate field", without the path).
pub(crate) fn repeated_key(text: &str) -> Option<String> {
    let mut d = serde_json::Deserializer::from_str(text);
    // A repetition stops the reading with its message; any other error is not ours to report.
    let e = (Value { at: "" }).deserialize(&mut d).err()?;
    let m = e.to_string();
    let m = m.strip_suffix(&format!(" at line {} column {}", e.line(), e.column())).unwrap_or(&m);
    m.starts_with("duplicate key ").then(|| m.to_owned())
}

/// Helpers for tests that repeat keys in commands.
#[cfg(test)]
pub(crate) mod testing {
    /// `value` as JSON text with the member at `target` (a path of keys) written twice, the
    /// second time with `again` as its value; `"type"` first (as the journal writes it), or
    /// last when `type_last`.
    pub(crate) fn with_repeat(
        value: &serde_json::Value,
        target: &[String],
        again: &serde_json::Value,
        type_last: bool,
    ) -> String {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_by_key(|(k, _)| (*k == "type") == type_last);
                let mut parts = Vec::new();
                for (key, v) in members {
                    let key_text = serde_json::to_string(key).unwrap();
                    let here = target.first() == Some(key);
                    let inner = if here && target.len() > 1 { &target[1..] } else { &[] };
                    parts.push(format!("{key_text}:{}", with_repeat(v, inner, again, false)));
                    if here && target.len() == 1 {
                        parts.push(format!("{key_text}:{again}"));
                    }
                }
                format!("{{{}}}", parts.join(","))
            }
            other => other.to_string(),
        }
    }

    /// Every member path of `value`'s objects (lists hold no objects in commands but shares').
    pub(crate) fn member_paths(value: &serde_json::Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if let serde_json::Value::Object(map) = value {
            for (key, v) in map {
                at.push(key.clone());
                out.push(at.clone());
                member_paths(v, at, out);
                at.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repeated_key_is_named_with_its_path() {
        assert_eq!(repeated_key(r#"{"a":1,"b":{"c":[{"d":1,"d":2}]}}"#).unwrap(), message("d", "b.c[0]"));
        assert_eq!(repeated_key(r#"{"a":1,"a":1}"#).unwrap(), message("a", ""));
        assert_eq!(repeated_key(r#"{"a":{"a":1},"b":{"a":1}}"#), None);
        assert_eq!(repeated_key(r#"{"a":1.5}"#), None);
        assert_eq!(repeated_key("not json"), None);
    }

    /// The journal's writer never repeats a key (it writes Rust structs and maps), so no
    /// journal it wrote holds one; a line that does was written by something else, and replay
    /// refuses it even with its hash chain recomputed, whichever reader (the direct one or
    /// serde) reads the line.
    #[test]
    fn replay_refuses_a_stored_line_with_a_repeated_key() {
        let text = include_str!("../../../../tests/fixtures/window-year.jsonl");
        assert_eq!(crate::replay::tests::rechain(text), text);
        assert!(crate::Ledger::from_journal(text).is_ok());
        let edits: [(&str, &str); 7] = [
            (
                r#""recorded_by":"Finance Officer, UN-Habitat","#,
                r#""recorded_by":"Finance Officer, UN-Habitat","recorded_by":"mallory","#,
            ),
            (r#""weights":{"2/5":"2","#, r#""weights":{"2/5":"2","2/5":"7","#),
            (r#""shares":{"2/4":"400000.00""#, r#""shares":{"2/4":"400000.00","2/4":"400000.00""#),
            (r#""purpose":{"project":{"id":"P-EU-07""#, r#""purpose":{"project":{"id":"P-EU-07","id":"P-EU-07""#),
            (
                r#""command":{"type":"record_receipt","#,
                r#""command":{"type":"record_receipt","type":"record_receipt","#,
            ),
            (
                r#""command":{"type":"record_receipt","agreement":"#,
                r#""command":{"type":"record_receipt","amount":"1.00","agreement":"#,
            ),
            // Laid out otherwise (serde reads the line): still refused.
            (r#""command":{"type":"set_rate","#, r#""command":{ "type":"set_rate","type":"set_rate","#),
        ];
        for (from, to) in edits {
            let index = text.lines().position(|l| l.contains(from)).unwrap_or_else(|| panic!("{from}"));
            let lines: Vec<String> = text
                .lines()
                .enumerate()
                .map(|(i, l)| if i == index { l.replacen(from, to, 1) } else { l.to_owned() })
                .collect();
            let changed = crate::replay::tests::rechain(&(lines.join("\n") + "\n"));
            match crate::Ledger::from_journal(&changed) {
                Err(crate::LedgerError::JournalCorrupt { line, reason, .. }) => {
                    assert_eq!(line, index as u64 + 1, "{to}");
                    assert!(reason.contains("duplicate"), "{to}: {reason}");
                }
                other => panic!("{to}: {:?}", other.map(|l| l.len())),
            }
        }
    }
}
