//! Dates, months (for UNORE rates), half-years (what `close_period` locks) and
//! reporting periods.
//!
//! Dates are `YYYY-MM-DD`, months `YYYY-MM`, half-years `YYYY-H1` / `YYYY-H2`, parsed
//! strictly (fixed width, zero padded, a real calendar day). Reports take any
//! [`ReportingPeriod`]: a year `2024`, a half `2024-H2`, a quarter `2024-Q3`, a month
//! `2024-07` or an inclusive date range `{"from": "2024-07-01", "to": "2024-09-30"}`.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{LedgerError, Result};

use crate::text::digits;
pub use crate::text::parse_date;

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(date: NaiveDate) -> String {
    crate::text::date(date, &mut [0; 10]).to_owned()
}

/// Parses a date argument of a library call, as `INVALID_ARGUMENT` on failure.
pub fn date_argument(name: &str, text: &str) -> Result<NaiveDate> {
    parse_date(text).ok_or_else(|| LedgerError::InvalidArgument {
        name: name.into(),
        value: text.into(),
        reason: "expected a date YYYY-MM-DD".into(),
    })
}

/// Serde for `NaiveDate` as a strict `YYYY-MM-DD` string.
pub(crate) mod iso_date {
    use super::*;

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(crate::text::date(*date, &mut [0; 10]))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<NaiveDate, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse_date(&text).ok_or_else(|| serde::de::Error::custom(format!("invalid date {text:?}, expected YYYY-MM-DD")))
    }
}

/// Serde for `Option<NaiveDate>` as a strict `YYYY-MM-DD` string or null.
pub(crate) mod iso_date_opt {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, s: S) -> std::result::Result<S::Ok, S::Error> {
        match date {
            Some(date) => iso_date::serialize(date, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<NaiveDate>, D::Error> {
        let text = <Option<std::borrow::Cow<'de, str>>>::deserialize(d)?;
        text.map(|t| {
            parse_date(&t).ok_or_else(|| serde::de::Error::custom(format!("invalid date {t:?}, expected YYYY-MM-DD")))
        })
        .transpose()
    }
}

/// A calendar month, the validity of one UNORE rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month `year-month`, if `month` is 1 to 12 and `year` has four digits.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1000..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> Month {
        Month { year: date.year(), month: date.month() }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month number, 1 to 12.
    pub fn month(self) -> u32 {
        self.month
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = LedgerError;
    fn from_str(text: &str) -> Result<Month> {
        let b = text.as_bytes();
        let parsed = (b.len() == 7 && b[4] == b'-')
            .then(|| Some((digits(&b[0..4])?, digits(&b[5..7])?)))
            .flatten()
            .and_then(|(y, m)| Month::new(y as i32, m));
        parsed.ok_or_else(|| LedgerError::InvalidArgument {
            name: "month".into(),
            value: text.into(),
            reason: "expected YYYY-MM".into(),
        })
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let first = NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN);
        let mut buf = [0u8; 10];
        s.serialize_str(&crate::text::date(first, &mut buf)[..7])
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(|_| serde::de::Error::custom(format!("invalid month {text:?}, expected YYYY-MM")))
    }
}

/// Which half of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Half {
    /// 1 January to 30 June.
    H1,
    /// 1 July to 31 December.
    H2,
}

/// A semi-annual reporting period (`2024-H1`, `2024-H2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    year: i32,
    half: Half,
}

impl Period {
    /// The period `year`-`half` (four-digit years).
    pub fn new(year: i32, half: Half) -> Option<Period> {
        (1000..=9999).contains(&year).then_some(Period { year, half })
    }

    /// The period a date falls in.
    pub fn containing(date: NaiveDate) -> Period {
        let half = if date.month() <= 6 { Half::H1 } else { Half::H2 };
        Period { year: date.year(), half }
    }

    /// First day of the period.
    pub fn start(self) -> NaiveDate {
        let month = match self.half {
            Half::H1 => 1,
            Half::H2 => 7,
        };
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Last day of the period.
    pub fn end(self) -> NaiveDate {
        let (month, day) = match self.half {
            Half::H1 => (6, 30),
            Half::H2 => (12, 31),
        };
        NaiveDate::from_ymd_opt(self.year, month, day).unwrap_or(NaiveDate::MAX)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The half.
    pub fn half(self) -> Half {
        self.half
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:?}", self.year, self.half)
    }
}

impl FromStr for Period {
    type Err = LedgerError;
    fn from_str(text: &str) -> Result<Period> {
        let b = text.as_bytes();
        let half = match b {
            [_, _, _, _, b'-', b'H', b'1'] => Some(Half::H1),
            [_, _, _, _, b'-', b'H', b'2'] => Some(Half::H2),
            _ => None,
        };
        half.and_then(|h| Period::new(digits(&b[0..4])? as i32, h)).ok_or_else(|| LedgerError::InvalidArgument {
            name: "period".into(),
            value: text.into(),
            reason: "expected YYYY-H1 or YYYY-H2".into(),
        })
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom(format!("invalid period {text:?}, expected YYYY-H1 or YYYY-H2")))
    }
}

/// A reporting period: a year, a half-year, a quarter, a month or an inclusive range of
/// dates (DOMAIN.md, "Period"). Reports give their amounts over the period and at its
/// last day.
///
/// Written as text (`"2024"`, `"2024-H2"`, `"2024-Q3"`, `"2024-07"`) or, for a range, as
/// `{"from": "2024-07-01", "to": "2024-09-30"}`; reports write it back the same way.
///
/// ```
/// use funding_window::ReportingPeriod;
///
/// let q3: ReportingPeriod = "2024-Q3".parse().unwrap();
/// assert_eq!((q3.start().to_string(), q3.end().to_string()), ("2024-07-01".into(), "2024-09-30".into()));
/// let range = ReportingPeriod::from_value(&serde_json::json!({"from": "2024-07-01", "to": "2024-09-30"})).unwrap();
/// assert_eq!((range.start(), range.end()), (q3.start(), q3.end()));
/// assert_eq!(serde_json::to_string(&range).unwrap(), r#"{"from":"2024-07-01","to":"2024-09-30"}"#);
/// assert_eq!("2024-Q5".parse::<ReportingPeriod>().unwrap_err().code(), "INVALID_ARGUMENT");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportingPeriod {
    /// A calendar year.
    Year(i32),
    /// A half-year.
    Half(Period),
    /// A quarter (1 to 4) of a year.
    Quarter(i32, u32),
    /// A calendar month.
    Month(Month),
    /// Every day from `from` to `to`, both included.
    Range {
        /// First day.
        from: NaiveDate,
        /// Last day (not before `from`).
        to: NaiveDate,
    },
}

/// Which kind of named period ([`ReportingPeriod::containing`], [`ReportingPeriod::between`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    /// Calendar years.
    Year,
    /// Half-years.
    Half,
    /// Quarters.
    Quarter,
    /// Months.
    Month,
}

impl PeriodKind {
    /// `"year"`, `"half"`, `"quarter"` or `"month"`.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn parse(text: &str) -> Result<PeriodKind> {
        Ok(match text {
            "year" => PeriodKind::Year,
            "half" => PeriodKind::Half,
            "quarter" => PeriodKind::Quarter,
            "month" => PeriodKind::Month,
            _ => {
                return Err(LedgerError::InvalidArgument {
                    name: "kind".into(),
                    value: text.into(),
                    reason: "expected year, half, quarter or month".into(),
                })
            }
        })
    }
}

/// What a period argument may be, for messages.
const PERIOD_EXPECTED: &str =
    "expected a year YYYY, a half YYYY-H1 or YYYY-H2, a quarter YYYY-Q1 to YYYY-Q4, a month YYYY-MM \
     or a date range {\"from\": \"YYYY-MM-DD\", \"to\": \"YYYY-MM-DD\"}";

/// Most periods [`ReportingPeriod::between`] lists (a century of months).
pub const PERIODS_LISTED_MAX: usize = 1200;

impl ReportingPeriod {
    /// The inclusive range `from` to `to`; `INVALID_ARGUMENT` when `to` is before `from`.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn range(from: NaiveDate, to: NaiveDate) -> Result<ReportingPeriod> {
        if to < from {
            return Err(LedgerError::InvalidArgument {
                name: "period".into(),
                // The range as the reports write it as text: `2024-09-30/2024-07-01`.
                value: ReportingPeriod::Range { from, to }.to_string(),
                reason: "the range ends before it starts".into(),
            });
        }
        Ok(ReportingPeriod::Range { from, to })
    }

    /// A period argument as JSON: one of the texts, or a `{"from", "to"}` object of dates.
    ///
    /// Anything else is `INVALID_ARGUMENT` naming the period.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn from_value(value: &serde_json::Value) -> Result<ReportingPeriod> {
        use serde_json::Value;
        let invalid = |reason: &str| LedgerError::InvalidArgument {
            name: "period".into(),
            value: value.to_string(),
            reason: reason.into(),
        };
        match value {
            Value::String(text) => text.parse(),
            Value::Object(map) => {
                // (Static reasons: the value itself is in the error.)
                if map.keys().any(|k| k != "from" && k != "to") {
                    return Err(invalid("a date range has two fields, from and to"));
                }
                let date = |key: &str| match map.get(key) {
                    Some(Value::String(text)) => parse_date(text),
                    _ => None,
                };
                match (date("from"), date("to")) {
                    (Some(from), Some(to)) => ReportingPeriod::range(from, to),
                    _ => Err(invalid("a date range needs from and to, each a date YYYY-MM-DD")),
                }
            }
            _ => Err(invalid(PERIOD_EXPECTED)),
        }
    }

    /// First day of the period.
    pub fn start(self) -> NaiveDate {
        match self {
            ReportingPeriod::Year(year) => ymd(year, 1, 1),
            ReportingPeriod::Half(half) => half.start(),
            ReportingPeriod::Quarter(year, q) => ymd(year, 3 * q - 2, 1),
            ReportingPeriod::Month(m) => ymd(m.year(), m.month(), 1),
            ReportingPeriod::Range { from, .. } => from,
        }
    }

    /// Last day of the period.
    pub fn end(self) -> NaiveDate {
        match self {
            ReportingPeriod::Year(year) => ymd(year, 12, 31),
            ReportingPeriod::Half(half) => half.end(),
            ReportingPeriod::Quarter(year, q) => month_end(year, 3 * q),
            ReportingPeriod::Month(m) => month_end(m.year(), m.month()),
            ReportingPeriod::Range { to, .. } => to,
        }
    }

    /// The period of `kind` that `date` falls in.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn containing(date: NaiveDate, kind: PeriodKind) -> ReportingPeriod {
        match kind {
            PeriodKind::Year => ReportingPeriod::Year(date.year()),
            PeriodKind::Half => ReportingPeriod::Half(Period::containing(date)),
            PeriodKind::Quarter => ReportingPeriod::Quarter(date.year(), date.month().div_ceil(3)),
            PeriodKind::Month => ReportingPeriod::Month(Month::of(date)),
        }
    }

    /// Every period of `kind` from the one holding `first` to the one holding `last`, in
    /// order (none when `last` is before `first`); `LIMIT_EXCEEDED` beyond
    /// [`PERIODS_LISTED_MAX`].
    ///
    /// ```
    /// use funding_window::calendar::{PeriodKind, ReportingPeriod};
    /// use chrono::NaiveDate;
    ///
    /// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// let halves = ReportingPeriod::between(d(2023, 11, 2), d(2024, 7, 1), PeriodKind::Half).unwrap();
    /// let names: Vec<String> = halves.iter().map(|p| p.to_string()).collect();
    /// assert_eq!(names, ["2023-H2", "2024-H1", "2024-H2"]);
    /// ```
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn between(first: NaiveDate, last: NaiveDate, kind: PeriodKind) -> Result<Vec<ReportingPeriod>> {
        let mut out = Vec::new();
        let mut period = ReportingPeriod::containing(first, kind);
        while period.start() <= last {
            if out.len() == PERIODS_LISTED_MAX {
                return Err(LedgerError::limit("periods listed", PERIODS_LISTED_MAX, out.len() + 1));
            }
            out.push(period);
            match period.end().succ_opt() {
                Some(next) => period = ReportingPeriod::containing(next, kind),
                None => break,
            }
        }
        Ok(out)
    }
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

/// The last day of a month.
fn month_end(year: i32, month: u32) -> NaiveDate {
    let next =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
    next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
}

impl From<Period> for ReportingPeriod {
    fn from(half: Period) -> Self {
        ReportingPeriod::Half(half)
    }
}

impl From<Month> for ReportingPeriod {
    fn from(month: Month) -> Self {
        ReportingPeriod::Month(month)
    }
}

impl fmt::Display for ReportingPeriod {
    /// The text form; a range is written as an ISO 8601 interval, `2024-07-01/2024-09-30`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportingPeriod::Year(year) => write!(f, "{year:04}"),
            ReportingPeriod::Half(half) => half.fmt(f),
            ReportingPeriod::Quarter(year, q) => write!(f, "{year:04}-Q{q}"),
            ReportingPeriod::Month(month) => month.fmt(f),
            ReportingPeriod::Range { from, to } => write!(f, "{}/{}", format_date(*from), format_date(*to)),
        }
    }
}

impl FromStr for ReportingPeriod {
    type Err = LedgerError;

    /// `YYYY`, `YYYY-H1`/`YYYY-H2`, `YYYY-Q1` to `YYYY-Q4` or `YYYY-MM`.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    fn from_str(text: &str) -> Result<ReportingPeriod> {
        let b = text.as_bytes();
        let year = b.get(0..4).and_then(digits).map(|y| y as i32).filter(|y| (1000..=9999).contains(y));
        let parsed = match (year, b.len(), b.get(4..6)) {
            (Some(year), 4, _) => Some(ReportingPeriod::Year(year)),
            (Some(_), 7, Some([b'-', b'H'])) => text.parse::<Period>().ok().map(ReportingPeriod::Half),
            (Some(year), 7, Some([b'-', b'Q'])) => b
                .get(6)
                .and_then(|q| (b'1'..=b'4').contains(q).then(|| ReportingPeriod::Quarter(year, u32::from(q - b'0')))),
            (Some(_), 7, Some([b'-', _])) => text.parse::<Month>().ok().map(ReportingPeriod::Month),
            _ => None,
        };
        parsed.ok_or_else(|| LedgerError::InvalidArgument {
            name: "period".into(),
            value: text.into(),
            reason: PERIOD_EXPECTED.into(),
        })
    }
}

impl Serialize for ReportingPeriod {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match self {
            ReportingPeriod::Range { from, to } => {
                let mut range = s.serialize_struct("ReportingPeriod", 2)?;
                range.serialize_field("from", &format_date(*from))?;
                range.serialize_field("to", &format_date(*to))?;
                range.end()
            }
            other => s.collect_str(other),
        }
    }
}

impl<'de> Deserialize<'de> for ReportingPeriod {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        ReportingPeriod::from_value(&value).map_err(serde::de::Error::custom)
    }
}

crate::contract::describe::described! {
    Month => crate::contract::describe::Shape::Month,
    Period => crate::contract::describe::Shape::HalfYear,
    ReportingPeriod => crate::contract::describe::Shape::Period,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert_eq!(parse_date("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        for bad in
            ["2023-02-29", "2024-2-01", "2024-02-1", "24-02-01", "2024/02/01", "2024-02-01T00:00", "２０２４-02-01"]
        {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn months_and_periods_round_trip() {
        let m: Month = "2024-03".parse().unwrap();
        assert_eq!(m.to_string(), "2024-03");
        assert!("2024-13".parse::<Month>().is_err());
        assert!("2024-3".parse::<Month>().is_err());
        let p: Period = "2024-H2".parse().unwrap();
        assert_eq!(p.to_string(), "2024-H2");
        assert_eq!(format_date(p.start()), "2024-07-01");
        assert_eq!(format_date(p.end()), "2024-12-31");
        assert_eq!(Period::containing(NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()).to_string(), "2024-H1");
        assert!("2024-H3".parse::<Period>().is_err());
        assert!("2024-h1".parse::<Period>().is_err());
    }

    fn days(p: ReportingPeriod) -> (String, String) {
        (format_date(p.start()), format_date(p.end()))
    }

    #[test]
    fn every_form_of_reporting_period_has_its_days() {
        for (text, start, end) in [
            ("2024", "2024-01-01", "2024-12-31"),
            ("2024-H1", "2024-01-01", "2024-06-30"),
            ("2024-H2", "2024-07-01", "2024-12-31"),
            ("2024-Q1", "2024-01-01", "2024-03-31"),
            ("2024-Q4", "2024-10-01", "2024-12-31"),
            ("2024-02", "2024-02-01", "2024-02-29"),
            ("2023-02", "2023-02-01", "2023-02-28"),
            ("2024-12", "2024-12-01", "2024-12-31"),
        ] {
            let p: ReportingPeriod = text.parse().unwrap();
            assert_eq!(days(p), (start.to_owned(), end.to_owned()), "{text}");
            assert_eq!(p.to_string(), text);
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<ReportingPeriod>(&format!("\"{text}\"")).unwrap(), p);
        }
        let range =
            ReportingPeriod::from_value(&serde_json::json!({"from": "2024-02-10", "to": "2024-02-10"})).unwrap();
        assert_eq!(days(range), ("2024-02-10".to_owned(), "2024-02-10".to_owned()));
        assert_eq!(range.to_string(), "2024-02-10/2024-02-10");
    }

    #[test]
    fn malformed_periods_are_invalid_arguments_naming_the_period() {
        for bad in
            ["2024-Q0", "2024-Q5", "2024-H3", "2024-13", "2024-00", "24", "0999", "2024-q1", "2024-7", " 2024", ""]
        {
            let err = bad.parse::<ReportingPeriod>().unwrap_err();
            assert_eq!(err.code(), "INVALID_ARGUMENT", "{bad}");
            assert!(
                matches!(&err, LedgerError::InvalidArgument { name, value, .. } if name == "period" && value == bad)
            );
        }
        for bad in [
            serde_json::json!({"from": "2024-09-30", "to": "2024-07-01"}),
            serde_json::json!({"from": "2024-07-01"}),
            serde_json::json!({"from": "2024-07-01", "to": "2024-09-31"}),
            serde_json::json!({"from": "2024-07-01", "to": "2024-09-30", "by": "month"}),
            serde_json::json!({"from": 20240701, "to": "2024-09-30"}),
            serde_json::json!(2024),
            serde_json::json!(null),
        ] {
            let err = ReportingPeriod::from_value(&bad).unwrap_err();
            assert!(matches!(&err, LedgerError::InvalidArgument { name, .. } if name == "period"), "{bad}: {err}");
        }
    }

    #[test]
    fn periods_between_two_dates_cover_them_in_order() {
        let d = |s: &str| parse_date(s).unwrap();
        let names = |kind| -> Vec<String> {
            ReportingPeriod::between(d("2023-11-15"), d("2024-02-01"), kind)
                .unwrap()
                .iter()
                .map(|p| p.to_string())
                .collect()
        };
        assert_eq!(names(PeriodKind::Year), ["2023", "2024"]);
        assert_eq!(names(PeriodKind::Half), ["2023-H2", "2024-H1"]);
        assert_eq!(names(PeriodKind::Quarter), ["2023-Q4", "2024-Q1"]);
        assert_eq!(names(PeriodKind::Month), ["2023-11", "2023-12", "2024-01", "2024-02"]);
        assert!(ReportingPeriod::between(d("2024-02-01"), d("2023-11-15"), PeriodKind::Month).unwrap().is_empty());
        let err = ReportingPeriod::between(d("1000-01-01"), d("9999-12-31"), PeriodKind::Month).unwrap_err();
        assert_eq!(err.code(), "LIMIT_EXCEEDED");
    }
}
