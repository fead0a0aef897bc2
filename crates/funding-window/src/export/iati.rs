//! The window and its projects as IATI 2.03 activities.
//!
//! The XML is written here (no XML crate): a handful of elements, escaped by
//! [`escape`], indented two spaces, validated in the tests against the official
//! 2.03 schema with `xmllint`.
//!
//! Every transaction comes from a journal entry dated on or before `as_of`,
//! its value taken from the entry's postings (so a transaction says exactly
//! what the books say). A reversal yields the negated transactions of the entry
//! it reverses, dated on the reversal.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use super::format::{date, decimal, resolution_of_account_part};
use crate::command::{Command, DonorKind, Purpose};
use crate::error::{LedgerError, Result};
use crate::journal::JournalEntry;
use crate::ledger::Ledger;
use crate::money::Currency;

/// UN-Habitat's IATI organisation identifier: the OECD DAC channel code 41120
/// (United Nations Human Settlement Programme) in the `XM-DAC` registry, the
/// identifier UN-Habitat publishes under.
pub const UN_HABITAT_ORG_REF: &str = "XM-DAC-41120";

/// UN-Habitat's name as reporting organisation.
pub const UN_HABITAT_ORG_NAME: &str = "United Nations Human Settlements Programme (UN-Habitat)";

/// IATI organisation type of UN-Habitat: 40, Multilateral.
pub const UN_HABITAT_ORG_TYPE: &str = "40";

/// Suffix of the window's activity identifier: `XM-DAC-41120-UAFW`.
pub const WINDOW_ACTIVITY_SUFFIX: &str = "UAFW";

const DEFAULT_WINDOW_TITLE: &str = "UN-Habitat urban action funding window";

const DEFAULT_WINDOW_DESCRIPTION: &str = "Pooled fund set up by UN-Habitat Assembly resolution 2/10 (terms of \
reference endorsed by Executive Board decision 2023/6) that receives donor contributions and project balances \
transferred by the donors' election, and allocates them to underfunded Assembly resolutions.";

/// What the IATI export needs besides the books.
///
/// Only `generated_at` has no default: the export never reads a clock, so the
/// same ledger and options always give the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IatiOptions {
    /// When the file is generated (`iati-activities/@generated-datetime`).
    #[serde(deserialize_with = "timestamp")]
    pub generated_at: DateTime<Utc>,
    /// Last value date included (by default the date of `generated_at`; never after it).
    #[serde(default, with = "crate::calendar::iso_date_opt")]
    pub as_of: Option<NaiveDate>,
    /// The reporting organisation's IATI identifier (default [`UN_HABITAT_ORG_REF`]).
    #[serde(default = "default_org_ref")]
    pub reporting_org_ref: String,
    /// Its name (default [`UN_HABITAT_ORG_NAME`]).
    #[serde(default = "default_org_name")]
    pub reporting_org_name: String,
    /// Its IATI organisation type code (default [`UN_HABITAT_ORG_TYPE`]).
    #[serde(default = "default_org_type")]
    pub reporting_org_type: String,
    /// Suffix of the window's activity identifier (default [`WINDOW_ACTIVITY_SUFFIX`]).
    #[serde(default = "default_suffix")]
    pub window_suffix: String,
    /// Title of the window activity.
    #[serde(default = "default_title")]
    pub window_title: String,
    /// Description of the window activity.
    #[serde(default = "default_description")]
    pub window_description: String,
    /// Whether each project is an activity of its own (default `true`).
    #[serde(default = "yes")]
    pub include_projects: bool,
    /// Language of the narratives (`xml:lang`, default `en`).
    #[serde(default = "default_language")]
    pub language: String,
}

fn timestamp<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(d)?;
    crate::text::parse_timestamp(&text)
        .ok_or_else(|| serde::de::Error::custom(format!("generated_at {text:?} is not an RFC 3339 timestamp")))
}

fn default_org_ref() -> String {
    UN_HABITAT_ORG_REF.into()
}
fn default_org_name() -> String {
    UN_HABITAT_ORG_NAME.into()
}
fn default_org_type() -> String {
    UN_HABITAT_ORG_TYPE.into()
}
fn default_suffix() -> String {
    WINDOW_ACTIVITY_SUFFIX.into()
}
fn default_title() -> String {
    DEFAULT_WINDOW_TITLE.into()
}
fn default_description() -> String {
    DEFAULT_WINDOW_DESCRIPTION.into()
}
fn default_language() -> String {
    "en".into()
}
fn yes() -> bool {
    true
}

impl IatiOptions {
    /// The defaults (UN-Habitat, window and projects, English), generated at `generated_at`.
    pub fn new(generated_at: DateTime<Utc>) -> IatiOptions {
        IatiOptions {
            generated_at,
            as_of: None,
            reporting_org_ref: default_org_ref(),
            reporting_org_name: default_org_name(),
            reporting_org_type: default_org_type(),
            window_suffix: default_suffix(),
            window_title: default_title(),
            window_description: default_description(),
            include_projects: true,
            language: default_language(),
        }
    }

    /// Options from a JSON object: `generated_at` (RFC 3339) is required, every
    /// other field optional. Unknown or malformed fields are `INVALID_ARGUMENT`.
    ///
    /// ```
    /// use funding_window::export::IatiOptions;
    ///
    /// let options = IatiOptions::from_value(&serde_json::json!({
    ///     "generated_at": "2025-01-15T09:00:00Z", "as_of": "2024-12-31", "include_projects": false
    /// })).unwrap();
    /// assert_eq!(options.reporting_org_ref, "XM-DAC-41120");
    /// assert!(!options.include_projects);
    /// ```
    pub fn from_value(value: &Value) -> Result<IatiOptions> {
        IatiOptions::deserialize(value).map_err(|e| LedgerError::InvalidArgument {
            name: "options".into(),
            value: value.to_string(),
            reason: e.to_string(),
        })
    }

    /// Options from JSON text (see [`IatiOptions::from_value`]).
    pub fn from_json(text: &str) -> Result<IatiOptions> {
        let value: Value = serde_json::from_str(text).map_err(|e| LedgerError::InvalidArgument {
            name: "options".into(),
            value: text.into(),
            reason: e.to_string(),
        })?;
        IatiOptions::from_value(&value)
    }

    /// The last value date included, checked against the generation date.
    fn cutoff(&self) -> Result<NaiveDate> {
        let generated_on = self.generated_at.date_naive();
        match self.as_of {
            Some(as_of) if as_of > generated_on => Err(LedgerError::InvalidArgument {
                name: "as_of".into(),
                value: date(as_of),
                reason: format!(
                    "after the generation date {}: IATI dates must not be in the future",
                    date(generated_on)
                ),
            }),
            Some(as_of) => Ok(as_of),
            None => Ok(generated_on),
        }
    }

    fn check(&self) -> Result<()> {
        let refuse = |name: &str, value: &str, reason: &str| {
            Err(LedgerError::InvalidArgument { name: name.into(), value: value.into(), reason: reason.into() })
        };
        for (name, value) in [
            ("reporting_org_ref", &self.reporting_org_ref),
            ("reporting_org_type", &self.reporting_org_type),
            ("window_suffix", &self.window_suffix),
            ("language", &self.language),
        ] {
            if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return refuse(name, value, "must be non-empty, without spaces or control characters");
            }
        }
        for (name, value) in [
            ("reporting_org_name", &self.reporting_org_name),
            ("window_title", &self.window_title),
            ("window_description", &self.window_description),
        ] {
            if value.trim().is_empty() {
                return refuse(name, value, "must not be empty");
            }
        }
        Ok(())
    }
}

/// An organisation named in a transaction or as participant.
#[derive(Debug, Clone)]
struct Org {
    reference: Option<String>,
    kind: Option<String>,
    activity: Option<String>,
    name: String,
}

// IATI transaction type codes (TransactionType codelist).
const INCOMING_FUNDS: u8 = 1;
const OUTGOING_COMMITMENT: u8 = 2;
const DISBURSEMENT: u8 = 3;
const EXPENDITURE: u8 = 4;
const INCOMING_COMMITMENT: u8 = 11;

#[derive(Debug, Clone)]
struct Transaction {
    code: u8,
    on: NaiveDate,
    seq: u64,
    value: Decimal,
    currency: Currency,
    description: String,
    provider: Option<Org>,
    receiver: Option<Org>,
}

/// Which activity a transaction belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Window,
    Project(usize),
}

/// What a reversal of an entry does to a project's status.
#[derive(Debug, Clone, Copy)]
enum StatusChange {
    /// The entry signed the project's agreement: reversing it cancels the project.
    Signed(usize),
    /// The entry closed the project: reversing it reopens the project.
    Closed(usize),
}

#[derive(Debug)]
struct Agreement {
    donor: String,
    project: Option<usize>,
}

#[derive(Debug)]
struct Project {
    id: String,
    agreement: String,
    donor: String,
    resolution: String,
    currency: Currency,
    amount: Decimal,
    signed_on: NaiveDate,
    closed_on: Option<NaiveDate>,
    cancelled: bool,
    transactions: Vec<Transaction>,
}

/// What the journal says, up to the cut-off date.
struct Books<'o> {
    options: &'o IatiOptions,
    window_id: String,
    donors: HashMap<String, (String, DonorKind)>,
    titles: HashMap<String, String>,
    agreements: HashMap<String, Agreement>,
    projects: Vec<Project>,
    project_index: HashMap<String, usize>,
    /// Donors of window money (contributions and transferred balances), in the order they first gave.
    window_donors: Vec<String>,
    window: Vec<Transaction>,
    /// The transactions each entry produced, for its reversal.
    produced: HashMap<u64, Vec<(Target, Transaction)>>,
    status_changes: HashMap<u64, StatusChange>,
}

#[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
pub(super) fn export(ledger: &Ledger, options: &IatiOptions) -> Result<String> {
    options.check()?;
    let cutoff = options.cutoff()?;
    let mut books = Books {
        options,
        window_id: format!("{}-{}", options.reporting_org_ref, options.window_suffix),
        donors: ledger.donors().into_iter().map(|d| (d.id, (d.name, d.kind))).collect(),
        titles: ledger.resolutions().into_iter().map(|r| (r.id, r.title)).collect(),
        agreements: HashMap::new(),
        projects: Vec::new(),
        project_index: HashMap::new(),
        window_donors: Vec::new(),
        window: Vec::new(),
        produced: HashMap::new(),
        status_changes: HashMap::new(),
    };
    super::format::for_each_entry(ledger, |entry| match entry.date.filter(|d| *d <= cutoff) {
        Some(on) => books.read(&entry, on),
        None => Ok(()),
    })?;
    books.write(cutoff)
}

/// The sum of an entry's postings to `account` (to every account under it, when it
/// ends in `:`); `None` when there is none (or, impossibly for amounts within the
/// ledger's limits, when the sum overflows).
fn posted(entry: &JournalEntry, account: &str) -> Option<(Decimal, Currency)> {
    let matches = |name: &str| if account.ends_with(':') { name.starts_with(account) } else { name == account };
    let mut found: Option<(Decimal, Currency)> = None;
    for p in entry.postings.iter().filter(|p| matches(&p.account)) {
        let sum = found.map_or(Some(p.amount), |f| f.0.checked_add(p.amount))?;
        found = Some((sum, p.currency));
    }
    found
}

fn missing(entry: &JournalEntry, what: &str) -> LedgerError {
    LedgerError::Internal { message: format!("IATI export: entry {} has no {what}", entry.seq) }
}

impl Books<'_> {
    /// The reporting organisation, for the activity `activity`.
    fn me(&self, activity: Option<&str>) -> Org {
        Org {
            reference: Some(self.options.reporting_org_ref.clone()),
            kind: Some(self.options.reporting_org_type.clone()),
            activity: activity.map(str::to_owned),
            name: self.options.reporting_org_name.clone(),
        }
    }

    /// A donor: its name and, where the kind says it, its IATI organisation type.
    fn donor(&self, id: &str) -> Org {
        let (name, kind) = self.donors.get(id).cloned().unwrap_or_else(|| (id.to_owned(), DonorKind::Other));
        let kind = match kind {
            DonorKind::MemberState => Some("10"),  // Government
            DonorKind::Multilateral => Some("40"), // Multilateral
            DonorKind::Other => Some("90"),        // Other
            DonorKind::Private => None,            // a foundation, a company or a person: not known which
        };
        Org { reference: None, kind: kind.map(str::to_owned), activity: None, name }
    }

    fn project_activity(&self, project: &str) -> String {
        format!("{}-{project}", self.options.reporting_org_ref)
    }

    fn resolution_name(&self, resolution: &str) -> String {
        match self.titles.get(resolution) {
            Some(title) => format!("Resolution {resolution}: {title}"),
            None => format!("Resolution {resolution}"),
        }
    }

    fn push(&mut self, target: Target, tx: Transaction) {
        match target {
            Target::Window => self.window.push(tx.clone()),
            Target::Project(p) => {
                if let Some(project) = self.projects.get_mut(p) {
                    project.transactions.push(tx.clone());
                }
            }
        }
        self.produced.entry(tx.seq).or_default().push((target, tx));
    }

    fn note_window_donor(&mut self, donor: &str) {
        if !self.window_donors.iter().any(|d| d == donor) {
            self.window_donors.push(donor.to_owned());
        }
    }

    fn project(&self, entry: &JournalEntry, id: &str) -> Result<(usize, String)> {
        let p = *self.project_index.get(id).ok_or_else(|| missing(entry, "signed project"))?;
        let donor = self.projects.get(p).map(|x| x.donor.clone()).unwrap_or_default();
        Ok((p, donor))
    }

    /// Turns one entry into transactions.
    fn read(&mut self, entry: &JournalEntry, on: NaiveDate) -> Result<()> {
        let tx = |code: u8, (value, currency): (Decimal, Currency), description: String| Transaction {
            code,
            on,
            seq: entry.seq,
            value,
            currency,
            description,
            provider: None,
            receiver: None,
        };
        let fund =
            |account: String| posted(entry, &account).ok_or_else(|| missing(entry, &format!("{account} posting")));
        match &entry.command {
            Command::SignAgreement(c) => {
                let amount = fund(format!("assets:receivable:{}", c.id))?;
                let mut t = tx(INCOMING_COMMITMENT, amount, format!("Contribution agreement {} signed", c.id));
                t.provider = Some(self.donor(&c.donor));
                match &c.purpose {
                    Purpose::Window(_) => {
                        t.receiver = Some(self.me(Some(&self.window_id)));
                        self.note_window_donor(&c.donor);
                        self.agreements.insert(c.id.clone(), Agreement { donor: c.donor.clone(), project: None });
                        self.push(Target::Window, t);
                    }
                    Purpose::Project(p) => {
                        let index = self.projects.len();
                        t.receiver = Some(self.me(Some(&self.project_activity(&p.id))));
                        self.projects.push(Project {
                            id: p.id.clone(),
                            agreement: c.id.clone(),
                            donor: c.donor.clone(),
                            resolution: p.resolution.clone(),
                            currency: amount.1,
                            amount: amount.0,
                            signed_on: on,
                            closed_on: None,
                            cancelled: false,
                            transactions: Vec::new(),
                        });
                        self.project_index.insert(p.id.clone(), index);
                        let agreement = Agreement { donor: c.donor.clone(), project: Some(index) };
                        self.agreements.insert(c.id.clone(), agreement);
                        self.status_changes.insert(entry.seq, StatusChange::Signed(index));
                        self.push(Target::Project(index), t);
                    }
                }
            }
            Command::RecordReceipt(c) => {
                let amount = fund("assets:cash:".into())?;
                let agreement = self.agreements.get(&c.agreement).ok_or_else(|| missing(entry, "signed agreement"))?;
                let (donor, project) = (agreement.donor.clone(), agreement.project);
                let mut t = tx(INCOMING_FUNDS, amount, format!("Receipt under contribution agreement {}", c.agreement));
                t.provider = Some(self.donor(&donor));
                let target = match project {
                    Some(p) => {
                        let id = self.projects.get(p).map(|x| x.id.clone()).unwrap_or_default();
                        t.receiver = Some(self.me(Some(&self.project_activity(&id))));
                        Target::Project(p)
                    }
                    None => {
                        t.receiver = Some(self.me(Some(&self.window_id)));
                        Target::Window
                    }
                };
                self.push(target, t);
            }
            Command::RecordExpenditure(c) => {
                let cost = posted(entry, "assets:cash:").map_or(Decimal::ZERO, |a| -a.0);
                let psc = posted(entry, "income:psc").map_or(Decimal::ZERO, |a| -a.0);
                let (target, amount, what) = match (&c.project, &c.resolution) {
                    (Some(project), _) => {
                        let (p, _) = self.project(entry, project)?;
                        (
                            Target::Project(p),
                            fund(format!("funds:project:{project}"))?,
                            "Project expenditure".to_owned(),
                        )
                    }
                    (None, Some(resolution)) => (
                        Target::Window,
                        fund("funds:resolution:".into())?,
                        format!("Expenditure of window funds allocated to resolution {resolution}"),
                    ),
                    (None, None) => return Err(missing(entry, "project or resolution")),
                };
                let description =
                    format!("{what}, cost {} + programme support cost {} {}", decimal(cost), decimal(psc), amount.1);
                self.push(target, tx(EXPENDITURE, amount, description));
            }
            Command::CloseProject(c) => {
                let (p, donor) = self.project(entry, &c.project)?;
                if let Some(project) = self.projects.get_mut(p) {
                    project.closed_on = Some(on);
                }
                self.status_changes.insert(entry.seq, StatusChange::Closed(p));
                // What was still receivable is cancelled: the incoming commitment shrinks by as much.
                if let Some(cancelled) = posted(entry, "assets:receivable:").filter(|a| !a.0.is_zero()) {
                    let mut t = tx(INCOMING_COMMITMENT, cancelled, "Receivable cancelled at project closure".into());
                    t.provider = Some(self.donor(&donor));
                    t.receiver = Some(self.me(Some(&self.project_activity(&c.project))));
                    self.push(Target::Project(p), t);
                }
            }
            Command::TransferBalance(c) => {
                let (p, donor) = self.project(entry, &c.project)?;
                let out = fund(format!("funds:project:{}", c.project))?;
                let into = fund("funds:window:unallocated".into())?;
                let election = c.election_ref.as_deref().unwrap_or_default();
                let project_activity = self.project_activity(&c.project);
                let mut sent = tx(
                    DISBURSEMENT,
                    out,
                    format!("Balance transferred to the funding window by the donor's election ({election})"),
                );
                sent.provider = Some(self.me(Some(&project_activity)));
                sent.receiver = Some(Org { name: self.options.window_title.clone(), ..self.me(Some(&self.window_id)) });
                self.push(Target::Project(p), sent);
                let mut received = tx(
                    INCOMING_FUNDS,
                    (-into.0, into.1),
                    format!("Balance of project {} transferred in by the donor's election ({election})", c.project),
                );
                received.provider = Some(self.me(Some(&project_activity)));
                received.receiver = Some(self.me(Some(&self.window_id)));
                self.push(Target::Window, received);
                self.note_window_donor(&donor);
            }
            Command::RefundBalance(c) => {
                let (p, donor) = self.project(entry, &c.project)?;
                let amount = fund(format!("funds:project:{}", c.project))?;
                // A refund is a negative disbursement: the donor's disbursement, partly undone.
                let mut t = tx(DISBURSEMENT, (-amount.0, amount.1), "Project balance refunded to the donor".into());
                t.provider = Some(self.donor(&donor));
                t.receiver = Some(self.me(Some(&self.project_activity(&c.project))));
                self.push(Target::Project(p), t);
            }
            Command::Allocate(c) => {
                for posting in entry.postings.iter() {
                    let Some(part) = posting.account.strip_prefix("funds:resolution:") else { continue };
                    let resolution = resolution_of_account_part(part);
                    let description = format!("Allocation {} ({}) to resolution {resolution}", c.id, c.policy.name());
                    let mut t = tx(OUTGOING_COMMITMENT, (-posting.amount, posting.currency), description);
                    t.provider = Some(self.me(Some(&self.window_id)));
                    t.receiver = Some(Org { name: self.resolution_name(&resolution), ..self.me(None) });
                    self.push(Target::Window, t);
                }
            }
            Command::Reverse(c) => {
                for (target, mut t) in self.produced.get(&c.entry).cloned().unwrap_or_default() {
                    t.value = -t.value;
                    t.on = on;
                    t.seq = entry.seq;
                    t.description = format!("Reversal of entry {} ({}): {}", c.entry, c.reason, t.description);
                    self.push(target, t);
                }
                match self.status_changes.get(&c.entry).copied() {
                    Some(StatusChange::Signed(p)) => {
                        if let Some(project) = self.projects.get_mut(p) {
                            project.cancelled = true;
                        }
                    }
                    Some(StatusChange::Closed(p)) => {
                        if let Some(project) = self.projects.get_mut(p) {
                            project.closed_on = None;
                        }
                    }
                    None => {}
                }
            }
            // A conversion of cash is treasury's own business: no flow between organisations,
            // so no IATI transaction (nor for its reversal, which finds nothing produced).
            Command::ConvertCash(_) => {}
            _ => {}
        }
        Ok(())
    }

    /// Writes the file.
    fn write(&self, cutoff: NaiveDate) -> Result<String> {
        let options = self.options;
        if options.include_projects {
            if let Some(clash) = self.projects.iter().find(|p| p.id == options.window_suffix) {
                return Err(LedgerError::InvalidArgument {
                    name: "window_suffix".into(),
                    value: options.window_suffix.clone(),
                    reason: format!("project {} would have the window's activity identifier", clash.id),
                });
            }
        }
        let mut xml = Xml::default();
        xml.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let generated = crate::text::timestamp(&options.generated_at);
        xml.open("iati-activities", &[("version", "2.03"), ("generated-datetime", &generated)]);
        self.write_window(&mut xml, cutoff);
        if options.include_projects {
            for project in &self.projects {
                self.write_project(&mut xml, project);
            }
        }
        xml.close("iati-activities");
        Ok(xml.out)
    }

    /// The elements every activity starts with, up to its participating organisations.
    fn activity_head(&self, xml: &mut Xml, identifier: &str, title: &str, description: &str) {
        let options = self.options;
        xml.open("iati-activity", &[("xml:lang", &options.language), ("default-currency", "USD"), ("hierarchy", "1")]);
        xml.text("iati-identifier", &[], identifier);
        xml.open("reporting-org", &[("ref", &options.reporting_org_ref), ("type", &options.reporting_org_type)]);
        xml.text("narrative", &[], &options.reporting_org_name);
        xml.close("reporting-org");
        xml.narratives("title", &[], title);
        xml.narratives("description", &[("type", "1")], description);
    }

    fn participant(&self, xml: &mut Xml, org: &Org, role: &str) {
        let mut attrs: Vec<(&str, &str)> = Vec::new();
        if let Some(r) = &org.reference {
            attrs.push(("ref", r));
        }
        if let Some(k) = &org.kind {
            attrs.push(("type", k));
        }
        attrs.push(("role", role));
        if let Some(a) = &org.activity {
            attrs.push(("activity-id", a));
        }
        xml.narratives("participating-org", &attrs, &org.name);
    }

    fn write_window(&self, xml: &mut Xml, cutoff: NaiveDate) {
        let options = self.options;
        self.activity_head(xml, &self.window_id, &options.window_title, &options.window_description);
        for donor in &self.window_donors {
            self.participant(xml, &self.donor(donor), "1"); // Funding
        }
        self.participant(xml, &self.me(None), "2"); // Accountable
        self.participant(xml, &self.me(None), "4"); // Implementing
        xml.empty("activity-status", &[("code", "2")]); // Implementation
        match self.window.iter().map(|t| t.on).min() {
            Some(start) => xml.empty("activity-date", &[("type", "2"), ("iso-date", &date(start))]), // actual start
            None => xml.empty("activity-date", &[("type", "1"), ("iso-date", &date(cutoff))]),       // planned start
        }
        write_transactions(xml, &self.window);
        xml.close("iati-activity");
    }

    fn write_project(&self, xml: &mut Xml, project: &Project) {
        let donor = self.donor(&project.donor);
        let title = format!("Project {} ({})", project.id, self.resolution_name(&project.resolution));
        let description = format!(
            "Project {} implementing UN-Habitat Assembly resolution {}, funded by {} under contribution agreement {} \
             for {} {}.",
            project.id,
            project.resolution,
            donor.name,
            project.agreement,
            decimal(project.amount),
            project.currency
        );
        self.activity_head(xml, &self.project_activity(&project.id), &title, &description);
        self.participant(xml, &donor, "1");
        self.participant(xml, &self.me(None), "2");
        self.participant(xml, &self.me(None), "4");
        let status = if project.cancelled {
            "5" // Cancelled
        } else if project.closed_on.is_some() {
            "4" // Closed
        } else {
            "2" // Implementation
        };
        xml.empty("activity-status", &[("code", status)]);
        xml.empty("activity-date", &[("type", "2"), ("iso-date", &date(project.signed_on))]);
        if let (Some(closed_on), false) = (project.closed_on, project.cancelled) {
            xml.empty("activity-date", &[("type", "4"), ("iso-date", &date(closed_on))]);
            // actual end
        }
        write_transactions(xml, &project.transactions);
        xml.close("iati-activity");
    }
}

/// Transactions by value date, then journal order.
fn write_transactions(xml: &mut Xml, transactions: &[Transaction]) {
    let mut sorted: Vec<&Transaction> = transactions.iter().collect();
    sorted.sort_by_key(|t| (t.on, t.seq));
    for t in sorted {
        let on = date(t.on);
        let reference = format!("entry-{}", t.seq);
        xml.open("transaction", &[("ref", &reference)]);
        xml.empty("transaction-type", &[("code", &t.code.to_string())]);
        xml.empty("transaction-date", &[("iso-date", &on)]);
        xml.text("value", &[("currency", t.currency.code()), ("value-date", &on)], &decimal(t.value));
        xml.narratives("description", &[], &t.description);
        for (element, org, activity_attr) in [
            ("provider-org", &t.provider, "provider-activity-id"),
            ("receiver-org", &t.receiver, "receiver-activity-id"),
        ] {
            let Some(org) = org else { continue };
            let mut attrs: Vec<(&str, &str)> = Vec::new();
            if let Some(r) = &org.reference {
                attrs.push(("ref", r));
            }
            if let Some(a) = &org.activity {
                attrs.push((activity_attr, a));
            }
            if let Some(k) = &org.kind {
                attrs.push(("type", k));
            }
            xml.narratives(element, &attrs, &org.name);
        }
        xml.close("transaction");
    }
}

/// A small XML writer: elements indented two spaces, text and attributes escaped.
#[derive(Default)]
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn start_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape(&mut self.out, value, true);
            self.out.push('"');
        }
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str("/>\n");
    }

    /// `<name attrs>text</name>` on one line.
    fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start_tag(name, attrs);
        self.out.push('>');
        escape(&mut self.out, text, false);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name attrs><narrative>text</narrative></name>`.
    fn narratives(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(name, attrs);
        self.text("narrative", &[], text);
        self.close(name);
    }
}

/// Escapes text for XML 1.0 content (or, with `attribute`, a double-quoted
/// attribute value, where whitespace other than a space is written as a
/// character reference so that it survives attribute normalisation).
/// Characters XML 1.0 cannot hold at all are replaced by U+FFFD.
fn escape(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// The `Char` production of XML 1.0.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str, attribute: bool) -> String {
        let mut out = String::new();
        escape(&mut out, text, attribute);
        out
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(escaped("a < b & c > \"d\" 'e'", false), "a &lt; b &amp; c &gt; \"d\" 'e'");
        assert_eq!(escaped("a \"q\"\tb\nc\r", true), "a &quot;q&quot;&#9;b&#10;c&#13;");
        assert_eq!(escaped("bell\u{7} \u{FFFF}", false), "bell\u{FFFD} \u{FFFD}");
        assert_eq!(escaped("Genève – 2/10 ✓", false), "Genève – 2/10 ✓");
    }

    #[test]
    fn options_default_to_un_habitat_and_refuse_the_future() {
        let options = IatiOptions::from_json(r#"{"generated_at": "2025-01-15T09:00:00+03:00"}"#).unwrap();
        assert_eq!(options.reporting_org_ref, UN_HABITAT_ORG_REF);
        assert_eq!(options.cutoff().unwrap(), NaiveDate::from_ymd_opt(2025, 1, 15).unwrap());
        let future = IatiOptions { as_of: NaiveDate::from_ymd_opt(2025, 1, 16), ..options.clone() };
        assert_eq!(future.cutoff().unwrap_err().code(), "INVALID_ARGUMENT");
        for bad in [
            r#"{}"#,
            r#"{"generated_at": "yesterday"}"#,
            r#"{"generated_at": "2025-01-15T09:00:00Z", "colour": "blue"}"#,
            r#"{"generated_at": "2025-01-15T09:00:00Z", "as_of": "2025-1-1"}"#,
            "[",
        ] {
            assert_eq!(IatiOptions::from_json(bad).unwrap_err().code(), "INVALID_ARGUMENT", "{bad}");
        }
        let blank = IatiOptions { reporting_org_ref: "XM DAC".into(), ..options };
        assert_eq!(blank.check().unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
