//! A command's JSON refused in the user's words: the field at fault, never a position in text
//! the user may never have written (the bindings write the JSON of a Python dict or a
//! JavaScript object, and a spreadsheet row is read into one).
//!
//! serde_json reports where it stopped as a line and column of the text. Only when a command
//! is refused, the text is read again up to that point (a small scan of its nesting, not a
//! second parse) to name the field it stopped in: `purpose.project.resolution`,
//! `resolutions[1]`, with the same notation as the JavaScript binding's own refusals.

use crate::error::LedgerError;

/// How [`describe`]'s messages start (and serde_json's own never do).
const NAMED: [&str; 2] = ["field ", "not valid JSON: "];

/// The `INVALID_COMMAND` error for the command JSON `text` that serde_json refused with `error`.
pub(crate) fn command_error(text: &str, error: &serde_json::Error) -> LedgerError {
    LedgerError::invalid_command(describe(text, error))
}

/// serde_json's message for `error` in `text`, naming the field at fault instead of a position.
/// The reader of commands whose `type` comes late re-reads them from a text of its own; its
/// refusal reaches the outer reader as this message, which [`describe`] then passes on as it is.
pub(crate) fn named_message(text: &str, error: &serde_json::Error) -> String {
    describe(text, error)
}

/// The parser's message without its position, naming the field at fault: `field amount: ...`.
fn describe(text: &str, error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = strip_position(&message, error);
    if NAMED.iter().any(|start| message.starts_with(start)) {
        return message.to_owned(); // named by an inner reader (see named_message)
    }
    let stopped = offset(text, error.line(), error.column());
    let at = stopped.map(|offset| place(text, offset)).unwrap_or_default();
    if error.is_syntax() || error.is_eof() {
        let after = if at.path.is_empty() { String::new() } else { format!(" (in field {})", at.path) };
        return format!("not valid JSON: {message}{after}");
    }
    // The key itself is at fault (unknown, or given twice): its object's path and the key.
    let about_key = ["unknown field", "unknown variant", "duplicate field"].iter().any(|s| message.starts_with(s));
    let path = if message.starts_with("missing field `") {
        let field = message.strip_prefix("missing field `").unwrap_or(message).trim_end_matches('`');
        return format!("field {} is missing", join(&at.container, field));
    } else if about_key && at.closed.is_some() && at.container.is_empty() && at.key.is_none() {
        // The command's type is read with the whole command: the scan has left it.
        "type".to_owned()
    } else if about_key && !at.after_colon {
        at.key.as_deref().map_or_else(|| at.container.clone(), |key| join(&at.container, key))
    } else if let Some(closed) = at.closed {
        // A value checked once read (a date, a decimal) is refused where its object ends.
        closed
    } else {
        at.path
    };
    if path.is_empty() {
        message.to_owned()
    } else {
        format!("field {path}: {message}")
    }
}

fn strip_position<'a>(message: &'a str, error: &serde_json::Error) -> &'a str {
    let position = format!(" at line {} column {}", error.line(), error.column());
    message.strip_suffix(position.as_str()).unwrap_or(message)
}

fn join(container: &str, key: &str) -> String {
    if container.is_empty() {
        key.to_owned()
    } else {
        format!("{container}.{key}")
    }
}

/// The byte offset of serde_json's 1-based `line` and its `column` (bytes read on that line).
fn offset(text: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for _ in 1..line {
        start += text.get(start..)?.find('\n')? + 1;
    }
    Some((start + column).min(text.len()))
}

/// Where a scan of JSON text stopped.
#[derive(Debug, Default, PartialEq)]
struct Place {
    /// The innermost object or array's path (`purpose.project`; empty for the command itself).
    container: String,
    /// The last key read in that object, if the scan is in an object.
    key: Option<String>,
    /// Whether that key's colon was read: the scan is in (or just after) its value.
    after_colon: bool,
    /// The path of the value the scan is in: the container, and the key or index.
    path: String,
    /// When the scan stopped just after an object or array closed (whitespace aside): the path
    /// of that object's last member (or that array's last item).
    closed: Option<String>,
}

enum Frame {
    Object { key: Option<String>, after_colon: bool },
    Array { index: usize },
}

/// The nesting of `text` after its first `offset` bytes.
fn place(text: &str, offset: usize) -> Place {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut frames: Vec<Frame> = Vec::new();
    let mut closed: Option<String> = None;
    let mut i = 0;
    while i < end {
        let byte = bytes.get(i).copied().unwrap_or(b' ');
        if !byte.is_ascii_whitespace() {
            closed = None;
        }
        match bytes.get(i) {
            Some(b'"') => {
                let start = i;
                i += 1;
                while i < end && bytes.get(i) != Some(&b'"') {
                    i += if bytes.get(i) == Some(&b'\\') { 2 } else { 1 };
                }
                if let Some(Frame::Object { key, after_colon: false }) = frames.last_mut() {
                    // As written (escapes and all): the contract's keys have none to undo.
                    *key = Some(text.get(start + 1..i.min(text.len())).unwrap_or_default().to_owned());
                }
            }
            Some(b'{') => frames.push(Frame::Object { key: None, after_colon: false }),
            Some(b'[') => frames.push(Frame::Array { index: 0 }),
            Some(b'}' | b']') => {
                let mut path = String::new();
                for frame in &frames {
                    push(&mut path, frame);
                }
                frames.pop();
                closed = Some(path);
            }
            Some(b':') => {
                if let Some(Frame::Object { after_colon, .. }) = frames.last_mut() {
                    *after_colon = true;
                }
            }
            Some(b',') => match frames.last_mut() {
                Some(Frame::Object { key, after_colon }) => {
                    *key = None;
                    *after_colon = false;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut container = String::new();
    let last = frames.pop();
    for frame in &frames {
        push(&mut container, frame);
    }
    let mut path = container.clone();
    let (key, after_colon) = match &last {
        Some(frame @ Frame::Object { key, after_colon }) => {
            if *after_colon {
                push(&mut path, frame);
            }
            (key.clone(), *after_colon)
        }
        Some(frame @ Frame::Array { .. }) => {
            push(&mut path, frame);
            (None, false)
        }
        None => (None, false),
    };
    // The container of the value at fault is the innermost frame; its path is `container`
    // extended by that frame's place in its parent, already in `container`.
    Place { container, key, after_colon, path, closed }
}

fn push(path: &mut String, frame: &Frame) {
    match frame {
        Frame::Object { key: Some(key), .. } => {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
        }
        Frame::Object { key: None, .. } => {}
        Frame::Array { index } => {
            path.push('[');
            path.push_str(&index.to_string());
            path.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy;

    use super::*;
    use crate::command::Request;

    fn message(text: &str) -> String {
        Request::from_json(text).unwrap_err().to_string()
    }

    #[test]
    fn a_refused_field_is_named_by_its_path_never_by_a_position() {
        let agreement = r#"{"type": "sign_agreement", "id": "CA-1", "donor": "NO", "currency": "USD",
            "amount": "10.00", "signed_on": "2024-01-01", "psc_rate": "0.07", "elective_transfer": false,
            "purpose": {"project": {"id": "P-1", "resolution": 7}}}"#;
        assert_eq!(
            message(agreement),
            "invalid command: field purpose.project.resolution: invalid type: integer `7`, expected a string"
        );
        let donor = r#"{"type":"register_donor","id":"SE","name":"Sweden","kind":"member_stat"}"#;
        assert!(
            message(donor).starts_with("invalid command: field kind: unknown variant `member_stat`"),
            "{}",
            message(donor)
        );
        let donor = r#"{"type":"register_donor","id":"SE","name":"Sweden"}"#;
        assert_eq!(message(donor), "invalid command: field kind is missing");
        let donor = r#"{"type":"register_donor","id":"SE","name":"Sweden","kind":"member_state","extra":1}"#;
        assert!(
            message(donor).starts_with("invalid command: field extra: unknown field `extra`"),
            "{}",
            message(donor)
        );
        let allocation = r#"{"type":"allocate","id":"EB-1","decided_on":"2024-03-01","amount":"10.00",
            "policy":"equal","resolutions":["2/2", 9]}"#;
        assert!(message(allocation).starts_with("invalid command: field resolutions[1]: "), "{}", message(allocation));
        assert!(message(r#"{"type":"make_money"}"#)
            .starts_with("invalid command: field type: unknown variant `make_money`"));
        for text in [agreement, donor, allocation, "{\"type\":\"register_donor\",\"id\":"] {
            assert!(!message(text).contains(" line "), "{}", message(text));
            assert!(!message(text).contains(" column "), "{}", message(text));
        }
    }

    #[test]
    fn a_command_whose_type_comes_last_is_named_alike() {
        let donor = r#"{"id":"SE","name":"Sweden","kind":"member_stat","type":"register_donor"}"#;
        assert!(
            message(donor).starts_with("invalid command: field kind: unknown variant `member_stat`"),
            "{}",
            message(donor)
        );
        let donor = r#"{"name":"Sweden","kind":"member_state","type":"register_donor"}"#;
        assert_eq!(message(donor), "invalid command: field id is missing");
    }

    #[test]
    fn malformed_json_says_so_and_where_by_field() {
        let text = r#"{"type":"register_donor","id":"SE","name":"#;
        assert_eq!(message(text), "invalid command: not valid JSON: EOF while parsing a value (in field name)");
    }

    /// A command's fields, each a path and its valid JSON value.
    const AGREEMENT: &[(&str, &str)] = &[
        ("id", r#""CA-1""#),
        ("donor", r#""NO""#),
        ("currency", r#""USD""#),
        ("amount", r#""10.00""#),
        ("signed_on", r#""2024-01-01""#),
        ("psc_rate", r#""0.07""#),
        ("elective_transfer", "false"),
        ("purpose.project.id", r#""P-1""#),
        ("purpose.project.resolution", r#""2/2""#),
    ];

    /// The command's JSON with the field `wrong` given `value`, its keys in `order` (a
    /// permutation of the top level: `type` last makes the reader buffer the command).
    fn agreement(wrong: usize, value: &str, order: &[usize]) -> String {
        let field = |i: usize| if i == wrong { value } else { AGREEMENT[i].1 };
        let mut members: Vec<String> = (0..7).map(|i| format!("\"{}\": {}", AGREEMENT[i].0, field(i))).collect();
        members.push(format!(r#""purpose": {{"project": {{"id": {}, "resolution": {}}}}}"#, field(7), field(8)));
        members.push(r#""type": "sign_agreement""#.to_owned());
        let members: Vec<&String> = order.iter().filter_map(|&i| members.get(i)).collect();
        format!("{{{}}}", members.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(",\n  "))
    }

    fn orders() -> impl Strategy<Value = Vec<usize>> {
        proptest::strategy::Just((0..9).collect::<Vec<usize>>()).prop_shuffle()
    }

    proptest::proptest! {
        #[test]
        fn any_wrong_value_of_any_field_is_named_by_its_path_in_any_key_order(
            wrong in 0..AGREEMENT.len(),
            value in proptest::sample::select(vec!["7", "-1.5", "[1]", "{\"a\": 1}", "null", "true", "\"x y\""]),
            order in orders(),
        ) {
            let text = agreement(wrong, value, &order);
            if let Err(error) = Request::from_json(&text) {
                let message = error.to_string();
                proptest::prop_assert!(!message.contains(" line ") && !message.contains(" column "), "{}", message);
                if error.code() == "INVALID_COMMAND" {
                    let named = format!("field {}", AGREEMENT[wrong].0);
                    proptest::prop_assert!(message.contains(&named), "{} not in {} for {}", named, message, text);
                }
            }
        }
    }

    #[test]
    fn the_scan_follows_nesting() {
        let text = r#"{"a": {"b": [1, {"c": "x"#;
        let at = place(text, text.len());
        assert_eq!(at.path, "a.b[1].c");
        assert_eq!(at.container, "a.b[1]");
        let text = r#"{"a": {"b\"q": 1"#;
        assert_eq!(place(text, text.len()).path, r#"a.b\"q"#);
    }
}
