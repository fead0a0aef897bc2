//! Dates, months (for UNORE rates) and half-year reporting periods.
//!
//! Dates are `YYYY-MM-DD`, months `YYYY-MM`, periods `YYYY-H1` / `YYYY-H2`, parsed
//! strictly (fixed width, zero padded, a real calendar day).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{LedgerError, Result};

/// Parses `YYYY-MM-DD`, exactly ten characters, a real calendar day.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
}

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
}
