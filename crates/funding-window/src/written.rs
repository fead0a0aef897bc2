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
use crate::command::{
    Allocate, AllocationSource, ClosePeriod, CloseProject, Command, Configure, DecimalString, DonorKind, Policy,
    ProjectPurpose, Purpose, RecordExpenditure, RecordReceipt, RefundBalance, RegisterDonor, RegisterResolution,
    Reverse, SetRate, SetRequirement, SetStatus, SignAgreement, TransferBalance, WindowPurpose,
};
use crate::money::RoundingRule;

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
    fn eat(&mut self, expected: &str) -> bool {
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
    fn str(&mut self) -> Option<&'a str> {
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

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }

    fn decimal(&mut self) -> Option<DecimalString> {
        self.str().map(DecimalString::from)
    }

    fn date(&mut self) -> Option<NaiveDate> {
        let text = self.str()?;
        self.dates.parse(text)
    }

    fn boolean(&mut self) -> Option<bool> {
        if self.eat("true") {
            Some(true)
        } else if self.eat("false") {
            Some(false)
        } else {
            None
        }
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

    /// `[]` or `["a","b"]`.
    fn strings(&mut self) -> Option<Vec<String>> {
        if !self.eat("[") {
            return None;
        }
        let mut out = Vec::new();
        if self.eat("]") {
            return Some(out);
        }
        loop {
            out.push(self.string()?);
            if self.eat("]") {
                return Some(out);
            }
            if !self.eat(",") {
                return None;
            }
        }
    }

    /// `{}` or `{"2/2":"0.5"}`; a repeated key is left to serde.
    fn table(&mut self) -> Option<BTreeMap<String, DecimalString>> {
        if !self.eat("{") {
            return None;
        }
        let mut out = BTreeMap::new();
        if self.eat("}") {
            return Some(out);
        }
        loop {
            let key = self.string()?;
            if !self.eat(":") {
                return None;
            }
            if out.insert(key, self.decimal()?).is_some() {
                return None;
            }
            if self.eat("}") {
                return Some(out);
            }
            if !self.eat(",") {
                return None;
            }
        }
    }

    /// `null` or a value.
    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.eat("null") {
            Some(None)
        } else {
            read(self).map(Some)
        }
    }

    /// A member that may be left out (or be `null`).
    fn optional<T>(&mut self, name: &str, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.member(name) {
            self.nullable(read)
        } else {
            Some(None)
        }
    }

    /// A member that must be there.
    fn required<T>(&mut self, name: &str, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if self.member(name) {
            read(self)
        } else {
            None
        }
    }

    /// One of `names`, as a string; its index.
    fn one_of(&mut self, names: &[&str]) -> Option<usize> {
        let s = self.str()?;
        names.iter().position(|n| *n == s)
    }

    fn purpose(&mut self) -> Option<Purpose> {
        let purpose = if self.eat("{\"window\":{\"earmarked_to\":") {
            Purpose::Window(WindowPurpose { earmarked_to: self.strings()? })
        } else if self.eat("{\"project\":{\"id\":") {
            let id = self.string()?;
            let resolution = self.required("resolution", Self::string)?;
            Purpose::Project(ProjectPurpose { id, resolution })
        } else {
            return None;
        };
        self.eat("}}").then_some(purpose)
    }

    fn source(&mut self) -> Option<AllocationSource> {
        if self.eat("\"unallocated\"") {
            Some(AllocationSource::Unallocated)
        } else if self.eat("{\"earmarked\":") {
            let resolution = self.string()?;
            self.eat("}").then_some(AllocationSource::Earmarked(resolution))
        } else {
            None
        }
    }

    /// The command object starting here, to the end of the text.
    fn command(&mut self) -> Option<Command> {
        if !self.eat("{\"type\":") {
            return None;
        }
        let command = match self.str()? {
            "register_donor" => Command::RegisterDonor(RegisterDonor {
                id: self.required("id", Self::string)?,
                name: self.required("name", Self::string)?,
                kind: [DonorKind::MemberState, DonorKind::Multilateral, DonorKind::Private, DonorKind::Other]
                    [self.required("kind", |c| c.one_of(&["member_state", "multilateral", "private", "other"]))?],
            }),
            "register_resolution" => Command::RegisterResolution(RegisterResolution {
                id: self.required("id", Self::string)?,
                title: self.required("title", Self::string)?,
                status: self.optional("status", Self::string)?,
            }),
            "set_status" => Command::SetStatus(SetStatus {
                resolution: self.required("resolution", Self::string)?,
                status: self.required("status", Self::string)?,
            }),
            "set_rate" => Command::SetRate(SetRate {
                currency: self.required("currency", Self::string)?,
                month: self.required("month", |c| c.str()?.parse::<Month>().ok())?,
                per_usd: self.required("per_usd", Self::decimal)?,
                source: self.optional("source", Self::string)?,
            }),
            "set_requirement" => Command::SetRequirement(SetRequirement {
                resolution: self.required("resolution", Self::string)?,
                amount: self.required("amount", Self::decimal)?,
                effective_on: self.optional("effective_on", Self::date)?,
            }),
            "configure" => Command::Configure(Configure {
                window_psc_rate: self.optional("window_psc_rate", Self::decimal)?,
                rounding: self.optional("rounding", |c| {
                    let rules = [
                        RoundingRule::HalfEven,
                        RoundingRule::HalfUp,
                        RoundingRule::HalfDown,
                        RoundingRule::Down,
                        RoundingRule::Up,
                    ];
                    Some(rules[c.one_of(&["half_even", "half_up", "half_down", "down", "up"])?])
                })?,
                four_eyes: self.optional("four_eyes", Self::boolean)?,
            }),
            "sign_agreement" => Command::SignAgreement(SignAgreement {
                id: self.required("id", Self::string)?,
                donor: self.required("donor", Self::string)?,
                currency: self.required("currency", Self::string)?,
                amount: self.required("amount", Self::decimal)?,
                signed_on: self.required("signed_on", Self::date)?,
                ends_on: self.optional("ends_on", Self::date)?,
                psc_rate: self.required("psc_rate", Self::decimal)?,
                elective_transfer: self.required("elective_transfer", Self::boolean)?,
                purpose: self.required("purpose", Self::purpose)?,
            }),
            "record_receipt" => Command::RecordReceipt(RecordReceipt {
                agreement: self.required("agreement", Self::string)?,
                amount: self.required("amount", Self::decimal)?,
                received_on: self.required("received_on", Self::date)?,
                reference: self.optional("reference", Self::string)?,
                currency: self.optional("currency", Self::string)?,
            }),
            "record_expenditure" => Command::RecordExpenditure(RecordExpenditure {
                project: self.optional("project", Self::string)?,
                resolution: self.optional("resolution", Self::string)?,
                amount: self.required("amount", Self::decimal)?,
                spent_on: self.required("spent_on", Self::date)?,
                description: self.optional("description", Self::string)?,
                currency: self.optional("currency", Self::string)?,
            }),
            "close_project" => Command::CloseProject(CloseProject {
                project: self.required("project", Self::string)?,
                closed_on: self.required("closed_on", Self::date)?,
            }),
            "transfer_balance" => Command::TransferBalance(TransferBalance {
                project: self.required("project", Self::string)?,
                amount: self.optional("amount", Self::decimal)?,
                elected_on: self.optional("elected_on", Self::date)?,
                election_ref: self.optional("election_ref", Self::string)?,
                transferred_on: self.required("transferred_on", Self::date)?,
                approved_by: self.optional("approved_by", Self::string)?,
            }),
            "refund_balance" => Command::RefundBalance(RefundBalance {
                project: self.required("project", Self::string)?,
                amount: self.optional("amount", Self::decimal)?,
                refunded_on: self.required("refunded_on", Self::date)?,
            }),
            "allocate" => Command::Allocate(Allocate {
                id: self.required("id", Self::string)?,
                decided_on: self.required("decided_on", Self::date)?,
                amount: self.required("amount", Self::decimal)?,
                policy: [Policy::Explicit, Policy::Equal, Policy::GapProRata, Policy::Weights]
                    [self.required("policy", |c| c.one_of(&["explicit", "equal", "gap_pro_rata", "weights"]))?],
                resolutions: self.optional("resolutions", Self::strings)?,
                // Not an option: `null` is refused by serde, so it is left to serde here.
                source: if self.member("source") { self.source()? } else { AllocationSource::Unallocated },
                approved_by: self.optional("approved_by", Self::string)?,
                shares: self.optional("shares", Self::table)?,
                weights: self.optional("weights", Self::table)?,
            }),
            "reverse" => Command::Reverse(Reverse {
                entry: self.required("entry", Self::unsigned)?,
                on: self.required("on", Self::date)?,
                reason: self.required("reason", Self::string)?,
            }),
            "close_period" => Command::ClosePeriod(ClosePeriod {
                period: self.required("period", |c| c.str()?.parse::<Period>().ok())?,
            }),
            _ => return None,
        };
        (self.eat("}") && self.at == self.text.len()).then_some(command)
    }
}

/// The command in `text` (a whole object), if it is laid out as the journal writes it.
pub(crate) fn command(text: &str, dates: &mut Dates) -> Option<Command> {
    Cursor::new(text, dates).command()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::{collection, option};

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
        ] {
            assert!(command(other, &mut Dates::default()).is_none(), "{other}");
        }
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

    fn table() -> impl Strategy<Value = BTreeMap<String, DecimalString>> {
        collection::btree_map(text(), decimal(), 0..4)
    }

    fn any_command() -> impl Strategy<Value = Command> {
        prop_oneof![
            (text(), text(), 0usize..4).prop_map(|(id, name, k)| Command::RegisterDonor(RegisterDonor {
                id,
                name,
                kind: [DonorKind::MemberState, DonorKind::Multilateral, DonorKind::Private, DonorKind::Other][k],
            })),
            (text(), text(), option::of(text()))
                .prop_map(|(id, title, status)| Command::RegisterResolution(RegisterResolution { id, title, status })),
            (text(), text()).prop_map(|(resolution, status)| Command::SetStatus(SetStatus { resolution, status })),
            (text(), 1000i32..9999, 1u32..13, decimal(), option::of(text())).prop_map(
                |(currency, y, m, per_usd, source)| {
                    Command::SetRate(SetRate { currency, month: Month::new(y, m).unwrap(), per_usd, source })
                }
            ),
            (text(), decimal(), option::of(date())).prop_map(|(resolution, amount, effective_on)| {
                Command::SetRequirement(SetRequirement { resolution, amount, effective_on })
            }),
            (option::of(decimal()), option::of(0usize..5), option::of(any::<bool>())).prop_map(
                |(window_psc_rate, r, four_eyes)| {
                    let rules = [
                        RoundingRule::HalfEven,
                        RoundingRule::HalfUp,
                        RoundingRule::HalfDown,
                        RoundingRule::Down,
                        RoundingRule::Up,
                    ];
                    Command::Configure(Configure { window_psc_rate, rounding: r.map(|r| rules[r]), four_eyes })
                }
            ),
            (
                (text(), text(), text(), decimal(), date(), option::of(date()), decimal(), any::<bool>()),
                prop_oneof![
                    collection::vec(text(), 0..3)
                        .prop_map(|earmarked_to| Purpose::Window(WindowPurpose { earmarked_to })),
                    (text(), text()).prop_map(|(id, resolution)| Purpose::Project(ProjectPurpose { id, resolution })),
                ]
            )
                .prop_map(
                    |((id, donor, currency, amount, signed_on, ends_on, psc_rate, elective_transfer), purpose)| {
                        Command::SignAgreement(SignAgreement {
                            id,
                            donor,
                            currency,
                            amount,
                            signed_on,
                            ends_on,
                            psc_rate,
                            elective_transfer,
                            purpose,
                        })
                    }
                ),
            (text(), decimal(), date(), option::of(text()), option::of(text())).prop_map(
                |(agreement, amount, received_on, reference, currency)| Command::RecordReceipt(RecordReceipt {
                    agreement,
                    amount,
                    received_on,
                    reference,
                    currency
                })
            ),
            (option::of(text()), option::of(text()), decimal(), date(), option::of(text()), option::of(text()))
                .prop_map(|(project, resolution, amount, spent_on, description, currency)| {
                    Command::RecordExpenditure(RecordExpenditure {
                        project,
                        resolution,
                        amount,
                        spent_on,
                        description,
                        currency,
                    })
                }),
            (text(), date())
                .prop_map(|(project, closed_on)| Command::CloseProject(CloseProject { project, closed_on })),
            (text(), option::of(decimal()), option::of(date()), option::of(text()), date(), option::of(text()))
                .prop_map(|(project, amount, elected_on, election_ref, transferred_on, approved_by)| {
                    Command::TransferBalance(TransferBalance {
                        project,
                        amount,
                        elected_on,
                        election_ref,
                        transferred_on,
                        approved_by,
                    })
                }),
            (text(), option::of(decimal()), date()).prop_map(|(project, amount, refunded_on)| Command::RefundBalance(
                RefundBalance { project, amount, refunded_on }
            )),
            (
                (text(), date(), decimal(), 0usize..4, option::of(collection::vec(text(), 0..4))),
                (option::of(text()), option::of(text()), option::of(table()), option::of(table()))
            )
                .prop_map(
                    |((id, decided_on, amount, p, resolutions), (earmark, approved_by, shares, weights))| {
                        Command::Allocate(Allocate {
                            id,
                            decided_on,
                            amount,
                            policy: [Policy::Explicit, Policy::Equal, Policy::GapProRata, Policy::Weights][p],
                            resolutions,
                            source: earmark.map_or(AllocationSource::Unallocated, AllocationSource::Earmarked),
                            approved_by,
                            shares,
                            weights,
                        })
                    }
                ),
            (any::<u64>(), date(), text()).prop_map(|(entry, on, reason)| Command::Reverse(Reverse {
                entry,
                on,
                reason
            })),
            (1000i32..9999, any::<bool>()).prop_map(|(y, h)| Command::ClosePeriod(ClosePeriod {
                period: format!("{y}-{}", if h { "H2" } else { "H1" }).parse().unwrap()
            })),
        ]
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
