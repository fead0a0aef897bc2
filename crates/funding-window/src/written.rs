//! Reading a command laid out exactly as the journal writes it, without serde.
//!
//! The journal writes every command the same way: `"type"` first, then the command's
//! fields in declaration order, no whitespace, absent options left out. Replay reads
//! commands so laid out directly, which is several times quicker than serde's general
//! reading; anything else (another order, whitespace, escapes in a string, an unknown
//! or repeated field, numbers where strings belong) gets `None`, and the caller hands the
//! text to serde, which accepts or refuses it as for any other input.
//!
//! The rule this module keeps: whatever it reads, serde reads to the same command
//! (tested on random commands and on random changes to them).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::calendar::{parse_date, Month, Period};
use crate::money::DecimalString;

/// A value read directly from the journal's layout; `None` when the text is laid out
/// otherwise (serde then decides). Implemented for the field types of commands, and for
/// every command struct by the `command_struct!` macro, which reads the fields in
/// declaration order.
pub(crate) trait Written: Sized {
    /// Reads the value at the cursor.
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self>;
}

/// Dates as read from the journal: the entries of a day repeat the same date, so the
/// last one read is kept.
#[derive(Default)]
pub(crate) struct Dates {
    last: Option<([u8; 10], NaiveDate)>,
}

impl Dates {
    /// A strict `YYYY-MM-DD` date, as [`parse_date`] reads it.
    pub fn parse(&mut self, text: &str) -> Option<NaiveDate> {
        match self.last {
            Some((last, date)) if last.as_slice() == text.as_bytes() => Some(date),
            _ => {
                let date = parse_date(text)?;
                self.last = Some((text.as_bytes().try_into().ok()?, date));
                Some(date)
            }
        }
    }
}

/// A position in JSON text laid out as the journal writes it.
pub(crate) struct Cursor<'a, 'd> {
    text: &'a str,
    at: usize,
    dates: &'d mut Dates,
}

impl<'a, 'd> Cursor<'a, 'd> {
    pub fn new(text: &'a str, dates: &'d mut Dates) -> Cursor<'a, 'd> {
        Cursor { text, at: 0, dates }
    }

    fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.at..).unwrap_or_default()
    }

    /// Consumes `expected` if the text continues with it.
    pub(crate) fn eat(&mut self, expected: &str) -> bool {
        let found = self.rest().starts_with(expected.as_bytes());
        if found {
            self.at += expected.len();
        }
        found
    }

    /// Consumes `,"name":` if the next member is `name`.
    fn member(&mut self, name: &str) -> bool {
        let rest = self.rest();
        let found = rest.len() > name.len() + 4
            && rest.starts_with(b",\"")
            && rest[2..].starts_with(name.as_bytes())
            && rest[2 + name.len()..].starts_with(b"\":");
        if found {
            self.at += name.len() + 4;
        }
        found
    }

    /// A string without escapes or control characters.
    pub(crate) fn str(&mut self) -> Option<&'a str> {
        let rest = self.rest();
        if rest.first() != Some(&b'"') {
            return None;
        }
        let len = rest[1..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest[1 + len] != b'"' {
            return None;
        }
        let s = self.text.get(self.at + 1..self.at + 1 + len)?;
        self.at += len + 2;
        Some(s)
    }

    fn date(&mut self) -> Option<NaiveDate> {
        let text = self.str()?;
        self.dates.parse(text)
    }

    /// A JSON number without sign, fraction, exponent or leading zero.
    fn unsigned(&mut self) -> Option<u64> {
        let rest = self.rest();
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || (digits > 1 && rest[0] == b'0') {
            return None;
        }
        let n = rest[..digits].iter().try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))?;
        self.at += digits;
        Some(n)
    }

    /// One of `names`, as a string: its index (one function for every choice of the contract).
    pub(crate) fn one_of(&mut self, names: &[&str]) -> Option<usize> {
        let text = self.str()?;
        names.iter().position(|n| *n == text)
    }

    /// A member that must be there: `,"name":value`.
    pub(crate) fn required<T: Written>(&mut self, name: &str) -> Option<T> {
        if self.member(name) {
            T::read(self)
        } else {
            None
        }
    }

    /// A member that may be left out (serde `default`): its default when absent.
    pub(crate) fn defaulted<T: Written + Default>(&mut self, name: &str) -> Option<T> {
        if self.member(name) {
            T::read(self)
        } else {
            Some(T::default())
        }
    }

    /// Whether the whole text has been read.
    pub(crate) fn at_end(&self) -> bool {
        self.at == self.text.len()
    }
}

impl Written for String {
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self> {
        c.str().map(str::to_owned)
    }
}

impl Written for DecimalString {
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self> {
        c.str().map(DecimalString::from)
    }
}

impl Written for NaiveDate {
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self> {
        c.date()
    }
}

impl Written for bool {
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self> {
        if c.eat("true") {
            Some(true)
        } else if c.eat("false") {
            Some(false)
        } else {
            None
        }
    }
}

impl Written for u64 {
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self> {
        c.unsigned()
    }
}

impl Written for Month {
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self> {
        c.str()?.parse().ok()
    }
}

impl Written for Period {
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self> {
        c.str()?.parse().ok()
    }
}

/// `null` or a value.
impl<T: Written> Written for Option<T> {
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self> {
        if c.eat("null") {
            Some(None)
        } else {
            T::read(c).map(Some)
        }
    }
}

/// `[]` or `["a","b"]`.
impl Written for Vec<String> {
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self> {
        if !c.eat("[") {
            return None;
        }
        let mut out = Vec::new();
        if c.eat("]") {
            return Some(out);
        }
        loop {
            out.push(String::read(c)?);
            if c.eat("]") {
                return Some(out);
            }
            if !c.eat(",") {
                return None;
            }
        }
    }
}

/// `{}` or `{"2/2":"0.5"}`; a repeated key is left to serde.
impl Written for BTreeMap<String, DecimalString> {
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self> {
        if !c.eat("{") {
            return None;
        }
        let mut out = BTreeMap::new();
        if c.eat("}") {
            return Some(out);
        }
        loop {
            let key = String::read(c)?;
            if !c.eat(":") {
                return None;
            }
            if out.insert(key, DecimalString::read(c)?).is_some() {
                return None;
            }
            if c.eat("}") {
                return Some(out);
            }
            if !c.eat(",") {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{read_journal_command as command, Command};
    use crate::contract::{Object, Shape};
    use proptest::collection;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use serde_json::Value;

    /// Reads `text` both ways: whatever the direct reading accepts, serde reads the same.
    fn agrees(text: &str) -> std::result::Result<Option<Command>, TestCaseError> {
        let ours = command(text, &mut Dates::default());
        if let Some(ours) = &ours {
            let serde = serde_json::from_str::<Command>(text);
            prop_assert!(serde.is_ok(), "serde refuses what the direct reading accepts: {}", text);
            prop_assert_eq!(ours, &serde.unwrap(), "{}", text);
        }
        Ok(ours)
    }

    #[test]
    fn every_command_of_the_example_year_is_read_directly() {
        let fixture = include_str!("../../../tests/fixtures/window-year.jsonl");
        let mut types = std::collections::BTreeSet::new();
        for line in fixture.lines().skip(1) {
            // The command object as written: from its member to the postings.
            let start = line.find(",\"command\":").unwrap() + ",\"command\":".len();
            let text = &line[start..line.find(",\"postings\":").unwrap()];
            let ours = agrees(text).unwrap();
            assert!(ours.is_some(), "declined: {text}");
            types.insert(ours.unwrap().type_name());
        }
        assert!(types.len() >= 14, "{types:?}");
    }

    #[test]
    fn other_layouts_are_left_to_serde() {
        let written = r#"{"type":"record_receipt","agreement":"A","amount":"1.00","received_on":"2024-01-02"}"#;
        assert!(command(written, &mut Dates::default()).is_some());
        for other in [
            r#"{"agreement":"A","type":"record_receipt","amount":"1.00","received_on":"2024-01-02"}"#,
            r#"{"type":"record_receipt","amount":"1.00","agreement":"A","received_on":"2024-01-02"}"#,
            r#"{"type":"record_receipt", "agreement":"A","amount":"1.00","received_on":"2024-01-02"}"#,
            r#"{"type":"record_receipt","agreement":"A","amount":"1.00","received_on":"2024-01-02"} "#,
            r#"{"type":"record_receipt","agreement":"\u0041","amount":"1.00","received_on":"2024-01-02"}"#,
            "{\"type\":\"record_receipt\",\"agreement\":\"A\tB\",\"amount\":\"1.00\",\"received_on\":\"2024-01-02\"}",
            r#"{"type":"record_receipt","agreement":"A","amount":1.00,"received_on":"2024-01-02"}"#,
            r#"{"type":"record_receipt","agreement":"A","amount":"1.00","received_on":"2024-1-2"}"#,
            r#"{"type":"record_receipt","agreement":"A","amount":"1.00","received_on":"2024-01-02","x":1}"#,
            r#"{"type":"record_receipt","agreement":"A","amount":"1.00","received_on":"2024-01-02","reference":"r","reference":"s"}"#,
            r#"{"type":"allocate","id":"E","decided_on":"2024-01-02","amount":"1.00","policy":"weights","weights":{"2/2":"1","2/2":"2"}}"#,
            r#"{"type":"allocate","id":"E","decided_on":"2024-01-02","amount":"1.00","policy":"equal","source":null}"#,
            r#"{"type":"reverse","entry":01,"on":"2024-01-02","reason":"r"}"#,
            r#"{"type":"reverse","entry":18446744073709551616,"on":"2024-01-02","reason":"r"}"#,
            r#"{"type":"reverse","entry":1.0,"on":"2024-01-02","reason":"r"}"#,
            r#"{"type":"register_donor","id":"SE","name":"Sweden","kind":"state"}"#,
            r#"{"type":"transfer","project":"P"}"#,
            r#"{"type":"close_project","project":"P","closed_on":"2024-01-02""#,
            r#"{"type":"sign_agreement","id":"A","donor":"SE","currency":"SEK","amount":"1.00","signed_on":"2024-01-02","psc_rate":"0.07","elective_transfer":false,"purpose":{"window":{"earmarked_to":[],"earmarked_to":[]}}}"#,
            r#"{"type":"sign_agreement","id":"A","donor":"SE","currency":"SEK","amount":"1.00","signed_on":"2024-01-02","psc_rate":"0.07","elective_transfer":false,"purpose":{"project":{"id":"P","resolution":"2/2","resolution":"2/2"}}}"#,
            r#"{"type":"allocate","id":"E","decided_on":"2024-01-02","amount":"1.00","policy":"explicit","source":{"earmarked":"2/2","earmarked":"2/2"},"shares":{"2/2":"1.00"}}"#,
        ] {
            assert!(command(other, &mut Dates::default()).is_none(), "{other}");
        }
    }

    /// Where each member of each object of `text` (JSON as serde writes it, no whitespace)
    /// starts (its key) and ends (after its value).
    fn members(text: &str) -> Vec<(usize, usize)> {
        let bytes = text.as_bytes();
        // Per open object or list: whether it is an object, and the start of its current member.
        let mut open: Vec<(bool, Option<usize>)> = Vec::new();
        let mut out = Vec::new();
        let mut i = 0;
        let close = |open: &mut Vec<(bool, Option<usize>)>, out: &mut Vec<(usize, usize)>, at: usize| {
            if let Some((true, Some(start))) = open.last_mut().map(|o| *o) {
                out.push((start, at));
            }
        };
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    let at_key = matches!(open.last(), Some((true, None)));
                    let start = i;
                    i += 1;
                    while bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    if at_key {
                        if let Some(o) = open.last_mut() {
                            o.1 = Some(start);
                        }
                    }
                }
                b'{' => open.push((true, None)),
                b'[' => open.push((false, None)),
                b'}' | b']' => {
                    close(&mut open, &mut out, i);
                    open.pop();
                }
                b',' => {
                    close(&mut open, &mut out, i);
                    if let Some(o) = open.last_mut() {
                        o.1 = None;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        out
    }

    #[test]
    fn members_are_found() {
        let text = r#"{"type":"x","a":{"b":["c",{"d":"\"}"}]},"e":null}"#;
        let found: Vec<&str> = members(text).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(
            found,
            [
                r#""type":"x""#,
                r#""d":"\"}""#,
                r#""b":["c",{"d":"\"}"}]"#,
                r#""a":{"b":["c",{"d":"\"}"}]}"#,
                r#""e":null"#
            ]
        );
    }

    #[test]
    fn a_repeated_date_is_the_same_date() {
        let mut dates = Dates::default();
        assert_eq!(dates.parse("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(dates.parse("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(dates.parse("2023-02-29"), None);
        assert_eq!(dates.parse("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(dates.parse("2024-3-1"), None);
    }

    // Free text: any characters, so some need escapes and take serde's path.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![4 => "[A-Za-z0-9/ .-]{0,8}", 1 => ".{0,6}"]
    }

    fn decimal() -> impl Strategy<Value = DecimalString> {
        prop_oneof![4 => "-?[0-9]{1,6}(\\.[0-9]{1,3})?", 1 => ".{0,4}"].prop_map(DecimalString::from)
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        (1000i32..9999, 1u32..13, 1u32..29).prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    /// A JSON value of a shape of the contract.
    fn value_of(shape: &'static Shape) -> BoxedStrategy<Value> {
        match shape {
            Shape::Text => text().prop_map(Value::from).boxed(),
            Shape::Bool => any::<bool>().prop_map(Value::from).boxed(),
            Shape::Integer => any::<u64>().prop_map(Value::from).boxed(),
            Shape::Decimal => decimal().prop_map(|d| Value::from(d.as_str())).boxed(),
            Shape::Date => date().prop_map(|d| Value::from(crate::calendar::format_date(d))).boxed(),
            Shape::Month => (1000i32..9999, 1u32..13).prop_map(|(y, m)| Value::from(format!("{y:04}-{m:02}"))).boxed(),
            Shape::HalfYear => (1000i32..9999, any::<bool>())
                .prop_map(|(y, h)| Value::from(format!("{y}-H{}", 1 + u8::from(h))))
                .boxed(),
            Shape::Choice(choice) => proptest::sample::select(choice.values.iter().map(|v| v.0).collect::<Vec<_>>())
                .prop_map(Value::from)
                .boxed(),
            Shape::List(inner) => collection::vec(value_of(inner), 0..4).prop_map(Value::Array).boxed(),
            Shape::Table(inner) => collection::btree_map(text(), value_of(inner), 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
                .boxed(),
            Shape::Nullable(inner) => prop_oneof![1 => Just(Value::Null), 3 => value_of(inner)].boxed(),
            Shape::Object(object) => object_of(object).prop_map(Value::Object).boxed(),
            Shape::Union(union) => {
                let variants: Vec<BoxedStrategy<Value>> = union
                    .variants
                    .iter()
                    .map(|v| match &v.payload {
                        None => Just(Value::from(v.name)).boxed(),
                        Some(payload) => value_of(payload)
                            .prop_map(move |value| Value::Object([(v.name.to_owned(), value)].into_iter().collect()))
                            .boxed(),
                    })
                    .collect();
                proptest::strategy::Union::new(variants).boxed()
            }
            other => unreachable!("commands hold no {other:?}"),
        }
    }

    /// An object of the contract: every field, those that may be left out sometimes left out.
    fn object_of(object: &'static Object) -> BoxedStrategy<serde_json::Map<String, Value>> {
        let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = object
            .fields
            .iter()
            .map(|f| {
                let member = value_of(&f.shape).prop_map(move |v| Some((f.name.to_owned(), v)));
                if f.default {
                    prop_oneof![1 => Just(None), 3 => member].boxed()
                } else {
                    member.boxed()
                }
            })
            .collect();
        fields.prop_map(|members| members.into_iter().flatten().collect()).boxed()
    }

    /// Any command of the contract, made from its description (a field added to a command is
    /// covered without a change here): every field of the right shape, as serde reads it.
    fn any_command() -> impl Strategy<Value = Command> {
        let commands: Vec<BoxedStrategy<Value>> = crate::contract::commands()
            .iter()
            .map(|c| {
                object_of(c.object)
                    .prop_map(move |mut fields| {
                        fields.insert("type".into(), Value::from(c.name));
                        Value::Object(fields)
                    })
                    .boxed()
            })
            .collect();
        proptest::strategy::Union::new(commands).prop_filter_map("serde reads it", |v| serde_json::from_value(v).ok())
    }

    #[test]
    fn the_described_commands_are_commands_serde_reads() {
        // Every shape of the contract's commands gives values serde accepts: the strategy filters
        // almost nothing out.
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = crate::contract::commands()
            .iter()
            .map(|c| {
                object_of(c.object).prop_map(move |mut f| {
                    f.insert("type".into(), Value::from(c.name));
                    Value::Object(f)
                })
            })
            .collect::<Vec<_>>();
        for s in strategy {
            for _ in 0..50 {
                let value = s.new_tree(&mut runner).unwrap().current();
                assert!(serde_json::from_value::<Command>(value.clone()).is_ok(), "{value}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Commands as the journal writes them read back to the same command, directly
        /// unless some text needed an escape.
        #[test]
        fn written_commands_read_back_directly(c in any_command()) {
            let text = serde_json::to_string(&c).unwrap();
            match agrees(&text)? {
                Some(ours) => prop_assert_eq!(ours, c),
                None => prop_assert!(text.contains('\\'), "declined without an escape: {}", text),
            }
        }

        /// Strict JSON: a command as the journal writes it, with any member at any depth
        /// written twice, is refused by both readings (so replay refuses such a line whichever
        /// reads it).
        #[test]
        fn a_repeated_member_is_refused_both_ways(c in any_command(), pick in any::<proptest::sample::Index>()) {
            let text = serde_json::to_string(&c).unwrap();
            let spans = members(&text);
            let (start, end) = spans[pick.index(spans.len())];
            let mut repeated = text.clone();
            repeated.insert_str(end, &format!(",{}", &text[start..end]));
            prop_assert!(command(&repeated, &mut Dates::default()).is_none(), "{}", repeated);
            prop_assert!(serde_json::from_str::<Command>(&repeated).is_err(), "{}", repeated);
            let err = crate::Request::from_json(&repeated).unwrap_err();
            prop_assert!(err.to_string().contains("duplicate key"), "{}: {}", repeated, err);
        }

        /// Changed commands: whatever the direct reading still accepts, serde reads the same.
        #[test]
        fn changed_commands_read_as_serde_reads_them(
            c in any_command(),
            edits in collection::vec((any::<proptest::sample::Index>(), 0u8..3, proptest::sample::select(
                b"\"{}[],:0129.-aeflnrstu \\\t\n".to_vec()
            )), 1..4),
        ) {
            let mut bytes = serde_json::to_vec(&c).unwrap();
            for (at, kind, b) in edits {
                let i = at.index(bytes.len() + 1);
                match kind {
                    0 => bytes.insert(i, b),
                    1 if i < bytes.len() => { bytes.remove(i); }
                    _ if i < bytes.len() => bytes[i] = b,
                    _ => {}
                }
            }
            if let Ok(text) = std::str::from_utf8(&bytes) {
                agrees(text)?;
            }
        }
    }
}
