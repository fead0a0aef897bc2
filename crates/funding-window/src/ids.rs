//! Ids of donors, agreements, projects and decisions, and resolution ids.
//!
//! Ids become parts of account names (`assets:receivable:CA-SE-2024-01`), so
//! they are limited to characters that read well there and in plain-text
//! journals: ASCII letters, digits, `.`, `_` and `-`, starting with a letter or
//! digit, at most [`ID_LENGTH_MAX`] bytes.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::error::{LedgerError, Result};
use crate::limits::{ID_LENGTH_MAX, TEXT_LENGTH_MAX};

/// Checks an id of the given kind (donor, agreement, project, allocation).
pub(crate) fn check_id(kind: &str, id: &str) -> Result<()> {
    let invalid = |reason: &str| LedgerError::InvalidId { kind: kind.into(), id: id.into(), reason: reason.into() };
    if id.is_empty() {
        return Err(invalid("empty"));
    }
    if id.len() > ID_LENGTH_MAX {
        return Err(invalid("longer than 64 bytes"));
    }
    let first_ok = id.as_bytes()[0].is_ascii_alphanumeric();
    let rest_ok = id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !first_ok || !rest_ok {
        return Err(invalid("use letters, digits, '.', '_' and '-', starting with a letter or digit"));
    }
    Ok(())
}

/// Checks free text (a name, title, reference, reason): at most
/// [`TEXT_LENGTH_MAX`] bytes, no control characters; `required` text must not be blank.
pub(crate) fn check_text(field: &str, text: &str, required: bool) -> Result<()> {
    if required && text.trim().is_empty() {
        return Err(LedgerError::invalid_command(format!("{field} must not be empty")));
    }
    if text.len() > TEXT_LENGTH_MAX {
        return Err(LedgerError::limit(&format!("TEXT_LENGTH_MAX ({field})"), TEXT_LENGTH_MAX, text.len()));
    }
    if text.chars().any(char::is_control) {
        return Err(LedgerError::invalid_command(format!("{field} must not contain control characters")));
    }
    Ok(())
}

/// A resolution id, `session/number` (`2/4`), ordered numerically
/// (1/1 < 1/2 < ... < 2/9 < 2/10 < 3/1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResolutionId {
    session: u16,
    number: u16,
}

impl ResolutionId {
    /// The Assembly session.
    pub fn session(self) -> u16 {
        self.session
    }

    /// The resolution's number within its session.
    pub fn number(self) -> u16 {
        self.number
    }

    /// The form used in account names: `2/4` becomes `2-4`.
    pub fn account_part(self) -> String {
        format!("{}-{}", self.session, self.number)
    }
}

impl Ord for ResolutionId {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.session, self.number).cmp(&(other.session, other.number))
    }
}

impl PartialOrd for ResolutionId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ResolutionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.session, self.number)
    }
}

impl FromStr for ResolutionId {
    type Err = LedgerError;

    /// Parses `session/number`, each 1 to 999 without leading zeros.
    fn from_str(text: &str) -> Result<ResolutionId> {
        let part = |p: &str| -> Option<u16> {
            let ok = !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) && !p.starts_with('0');
            ok.then(|| p.parse().ok()).flatten()
        };
        text.split_once('/').and_then(|(s, n)| Some(ResolutionId { session: part(s)?, number: part(n)? })).ok_or_else(
            || LedgerError::InvalidId {
                kind: "resolution".into(),
                id: text.into(),
                reason: "expected session/number such as 2/4".into(),
            },
        )
    }
}

/// The 15 resolutions of the first two sessions of the UN-Habitat Assembly, which
/// every new ledger knows.
pub const ASSEMBLY_RESOLUTIONS: [(&str, &str); 15] = [
    ("1/1", "UN-Habitat strategic plan for the period 2020–2023"),
    ("1/2", "United Nations System-Wide Guidelines on Safer Cities and Human Settlements"),
    (
        "1/3",
        "Enhancing capacity-building for the implementation of the New Urban Agenda and the urban dimension of the 2030 Agenda",
    ),
    ("1/4", "Achieving gender equality through the work of UN-Habitat"),
    ("1/5", "Enhancing urban-rural linkages for sustainable urbanization and human settlement"),
    ("2/1", "International guidelines on people-centred smart cities"),
    ("2/2", "Accelerating the transformation of informal settlements and slums by 2030"),
    ("2/3", "World Cleanup Day"),
    ("2/4", "Biodiverse and resilient cities"),
    ("2/5", "Enhancing the interlinkage between urbanization and climate change resilience"),
    ("2/6", "Localization of the Sustainable Development Goals"),
    ("2/7", "Adequate housing for all"),
    ("2/8", "Urban planning and sustainable infrastructure"),
    ("2/9", "Human settlements resilience framework (early warning, risk reduction, crisis response, recovery)"),
    ("2/10", "Equitable financing and effective monitoring of the implementation of resolutions"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_fit_account_names() {
        assert!(check_id("agreement", "CA-SE-2024-01").is_ok());
        assert!(check_id("project", "P.EU_07").is_ok());
        for bad in ["", "-x", "a b", "a:b", "a/b", "é", &"x".repeat(65)] {
            assert_eq!(check_id("donor", bad).unwrap_err().code(), "INVALID_ID", "{bad:?}");
        }
    }

    #[test]
    fn resolution_ids_sort_numerically() {
        let mut ids: Vec<ResolutionId> = ASSEMBLY_RESOLUTIONS.iter().map(|(id, _)| id.parse().unwrap()).collect();
        let listed = ids.clone();
        ids.sort();
        assert_eq!(ids, listed, "the table is in resolution order");
        assert!("2/9".parse::<ResolutionId>().unwrap() < "2/10".parse().unwrap());
        assert_eq!("2/4".parse::<ResolutionId>().unwrap().account_part(), "2-4");
        for bad in ["2-4", "2/", "/4", "02/4", "2/4/1", "a/b", "2/1000"] {
            assert!(bad.parse::<ResolutionId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn text_is_bounded() {
        assert!(check_text("name", "Sweden", true).is_ok());
        assert_eq!(check_text("name", "  ", true).unwrap_err().code(), "INVALID_COMMAND");
        assert_eq!(check_text("name", "a\nb", false).unwrap_err().code(), "INVALID_COMMAND");
        assert_eq!(check_text("name", &"x".repeat(513), false).unwrap_err().code(), "LIMIT_EXCEEDED");
    }
}
