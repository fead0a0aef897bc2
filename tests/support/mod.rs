//! Helpers shared by the export tests: external tools (hledger, xmllint), a CSV
//! reader, the ledgers of the conformance scenarios, and seeded random ledgers; and the
//! invariant checker of the property tests ([`invariants`]).
//!
//! Each test crate includes this module with `mod support;` and uses what it needs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use funding_window::{Ledger, Request};
use serde_json::{json, Value};

pub mod invariants;

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the repository")
}

/// A directory for this test's files, emptied first.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// The path of a tool the tests need, or a failure saying how to install it. Nothing is skipped.
pub fn require(tool: &str, package: &str) -> PathBuf {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(tool))
        .find(|path| path.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "`{tool}` is not installed; these tests need it. Install it with `tests/install-tools.sh` \
             (as root: `apt-get install -y {package}`), or run `make test-rust`, which does."
        )
    })
}

/// Runs a command; its standard output, or a failure with its standard error.
pub fn run(command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Reads RFC 4180 CSV: CRLF line ends required, quoted fields with doubled quotes.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    assert!(text.is_empty() || text.ends_with("\r\n"), "CSV must end in CRLF: {text:?}");
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "a bare CR outside quotes in {text:?}");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            '\n' => panic!("a bare LF outside quotes in {text:?}"),
            '"' => panic!("a quote inside an unquoted field in {text:?}"),
            _ => field.push(c),
        }
    }
    assert!(!quoted && field.is_empty() && row.is_empty(), "CSV ends inside a row: {text:?}");
    rows
}

/// The trial balance as (account, currency, balance) text triples.
pub fn trial_balance_rows(ledger: &Ledger, as_of: Option<chrono::NaiveDate>) -> Vec<(String, String, String)> {
    ledger
        .trial_balance(as_of)
        .accounts
        .iter()
        .map(|l| (l.account.clone(), l.currency.code().to_owned(), l.balance.to_string()))
        .collect()
}

/// `hledger bal` of a journal file as (account, commodity, balance) triples sorted like our
/// trial balance, and the total line's balances.
pub fn hledger_balances(
    hledger: &Path,
    file: &Path,
    end: Option<&str>,
) -> (Vec<(String, String, String)>, Vec<String>) {
    let mut command = Command::new(hledger);
    command.arg("-f").arg(file).args(["bal", "--flat", "--layout=bare", "-O", "csv"]);
    if let Some(end) = end {
        command.args(["-e", end]);
    }
    let csv = run(&mut command).replace("\r\n", "\n");
    let mut rows = Vec::new();
    let mut totals = Vec::new();
    for (i, line) in csv.lines().enumerate() {
        let fields: Vec<String> = line.split(',').map(|f| f.trim_matches('"').to_owned()).collect();
        let [account, commodity, balance] = fields.as_slice() else { panic!("unexpected hledger line {line:?}") };
        if i == 0 {
            assert_eq!(line, "\"account\",\"commodity\",\"balance\"");
        } else if account == "total" {
            totals.push(balance.clone());
        } else {
            rows.push((account.clone(), commodity.clone(), balance.clone()));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    (rows, totals)
}

/// Whether a decimal text is zero (`0`, `0.00`, `-0.000`).
pub fn is_zero(text: &str) -> bool {
    text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') && text.chars().any(|c| c == '0')
}

/// Every conformance scenario file.
pub fn scenario_files() -> Vec<PathBuf> {
    let dir = root().join("tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// The ledger a scenario builds: every `apply` and `batch` step, successful or not
/// (failures change nothing), with the scenario's `recorded_at`.
pub fn scenario_ledger(path: &Path) -> Ledger {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let scenario: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let recorded_at = scenario.get("recorded_at").cloned().unwrap_or(Value::Null);
    let request = |cmd: &Value| {
        let mut cmd = cmd.clone();
        if let (Value::Object(map), Value::String(_)) = (&mut cmd, &recorded_at) {
            map.entry("recorded_at").or_insert_with(|| recorded_at.clone());
        }
        Request::from_value(cmd)
    };
    let mut ledger = Ledger::new();
    for step in scenario["steps"].as_array().expect("steps") {
        if let Some(cmd) = step.get("apply") {
            if let Ok(r) = request(cmd) {
                let _ = ledger.apply(r);
            }
        } else if let Some(cmds) = step.get("batch").and_then(Value::as_array) {
            if let Ok(requests) = cmds.iter().map(request).collect::<Result<Vec<_>, _>>() {
                let _ = ledger.apply_batch(requests);
            }
        }
    }
    ledger
}

/// The journal fixture of the main job (`tests/fixtures/window-year.jsonl`).
pub fn fixture_ledger() -> Ledger {
    Ledger::open_read_only(root().join("tests/fixtures/window-year.jsonl")).expect("the fixture journal opens")
}

/// The texts of `tests/fixtures/hostile-texts.json`: what a spreadsheet would run as a formula.
pub fn hostile_texts() -> Vec<String> {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/fixtures/hostile-texts.json")).unwrap())
            .unwrap();
    doc["texts"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect()
}

/// The ledger of `tests/fixtures/hostile-texts.json`: those texts in every free-text field.
pub fn hostile_ledger() -> Ledger {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/fixtures/hostile-texts.json")).unwrap())
            .unwrap();
    let mut ledger = Ledger::new();
    for command in doc["commands"].as_array().unwrap() {
        let request = funding_window::Request::from_value(command.clone()).unwrap();
        ledger.apply(request).unwrap_or_else(|e| panic!("{command}: {e}"));
    }
    ledger
}

// ----- seeded random ledgers ------------------------------------------------------------------

/// SplitMix64: a small, well-mixed deterministic generator.
pub struct Rng(u64);

impl Rng {
    /// A generator for a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    /// `true` with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const CURRENCIES: [&str; 5] = ["USD", "EUR", "JPY", "KWD", "SEK"];
const RESOLUTIONS: [&str; 7] = ["1/1", "2/2", "2/4", "2/6", "2/9", "2/10", "3/1"];

/// An amount of `units` minor units in a currency.
fn amount(currency: &str, units: u64) -> String {
    match currency {
        "JPY" => format!("{units}"),
        "KWD" => format!("{}.{:03}", units / 1000, units % 1000),
        _ => format!("{}.{:02}", units / 100, units % 100),
    }
}

/// What the generator knows of the ledger, to aim commands at things that exist.
struct Model {
    rng: Rng,
    day: i64,
    /// (agreement id, currency, amount in minor units)
    agreements: Vec<(String, &'static str, u64)>,
    /// (project id, currency, amount in minor units)
    projects: Vec<(String, &'static str, u64)>,
    /// Projects whose closure was accepted.
    closed: Vec<(String, &'static str, u64)>,
    entries: u64,
    next_id: u32,
    closed_half: i64,
    sent: Vec<Value>,
}

impl Model {
    fn date(&self) -> String {
        let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
        (start + chrono::Duration::days(self.day)).format("%Y-%m-%d").to_string()
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{}", self.next_id)
    }

    fn resolution(&mut self) -> &'static str {
        RESOLUTIONS[self.rng.below(RESOLUTIONS.len() as u64) as usize]
    }

    fn resolutions(&mut self, max: u64) -> Vec<&'static str> {
        let n = self.rng.below(max + 1);
        let mut list: Vec<&'static str> = (0..n).map(|_| self.resolution()).collect();
        list.sort_unstable();
        list.dedup();
        list
    }

    /// A random command, or `None` when it has nothing to aim at.
    fn command(&mut self) -> Option<Value> {
        self.day += self.rng.below(4) as i64;
        let on = self.date();
        let r = &mut self.rng;
        let kind = r.below(100);
        let units = |r: &mut Rng, c: &str| match c {
            "JPY" => 1 + r.below(200_000_000),
            "KWD" => 1 + r.below(500_000_000),
            _ => 1 + r.below(300_000_000),
        };
        Some(match kind {
            0..=5 => {
                let c = CURRENCIES[r.below(5) as usize];
                let u = units(r, c);
                let donor = format!("D{}", r.below(4));
                let id = self.id("W");
                let earmarks = self.resolutions(2);
                json!({"type": "sign_agreement", "id": id, "donor": donor, "currency": c, "amount": amount(c, u),
                       "signed_on": on, "psc_rate": "0.07", "elective_transfer": false,
                       "purpose": {"window": {"earmarked_to": earmarks}}})
            }
            6..=13 => {
                let c = CURRENCIES[r.below(5) as usize];
                let u = units(r, c);
                let donor = format!("D{}", r.below(4));
                let clause = r.chance(70);
                let psc = ["0.07", "0.13", "0.08", "0"][r.below(4) as usize];
                let id = self.id("PA");
                let project = format!("P{}", self.next_id);
                let resolution = self.resolution();
                json!({"type": "sign_agreement", "id": id, "donor": donor, "currency": c, "amount": amount(c, u),
                       "signed_on": on, "psc_rate": psc, "elective_transfer": clause,
                       "purpose": {"project": {"id": project, "resolution": resolution}}})
            }
            14..=33 => {
                let (id, c, u) = self.agreements.get(r.below(self.agreements.len() as u64) as usize)?.clone();
                let part = (u * (1 + r.below(60)) / 100).max(1);
                json!({"type": "record_receipt", "agreement": id, "amount": amount(c, part), "received_on": on})
            }
            34..=47 => {
                let (id, c, u) = self.projects.get(r.below(self.projects.len() as u64) as usize)?.clone();
                let part = (u * (1 + r.below(100)) / 250).max(1);
                json!({"type": "record_expenditure", "project": id, "amount": amount(c, part), "spent_on": on})
            }
            48..=51 => {
                let cost = 1 + self.rng.below(500_000);
                let resolution = self.resolution();
                json!({"type": "record_expenditure", "resolution": resolution, "amount": amount("USD", cost), "spent_on": on})
            }
            52..=57 => {
                let (id, _, _) = self.projects.get(r.below(self.projects.len() as u64) as usize)?.clone();
                json!({"type": "close_project", "project": id, "closed_on": on})
            }
            58..=69 => {
                let pool = if self.closed.is_empty() || r.chance(20) { &self.projects } else { &self.closed };
                let (id, c, u) = pool.get(r.below(pool.len() as u64) as usize)?.clone();
                let part = r.chance(50).then(|| amount(c, (u * (1 + r.below(100)) / 1000).max(1)));
                if r.chance(65) {
                    json!({"type": "transfer_balance", "project": id, "amount": part, "elected_on": on,
                           "election_ref": "donor letter", "transferred_on": on})
                } else {
                    json!({"type": "refund_balance", "project": id, "amount": part, "refunded_on": on})
                }
            }
            70..=83 => self.allocation(on),
            84..=87 => {
                let u = self.rng.below(400_000_000);
                let resolution = self.resolution();
                json!({"type": "set_requirement", "resolution": resolution, "amount": amount("USD", u)})
            }
            88..=93 => {
                let back = 1 + r.below(10);
                json!({"type": "reverse", "entry": self.entries.saturating_sub(back).max(1), "on": on, "reason": "correction"})
            }
            94..=95 => {
                let half = self.day / 182 - 1;
                if half < self.closed_half {
                    return None;
                }
                self.closed_half = half + 1;
                json!({"type": "close_period", "period": format!("{}-H{}", 2024 + half / 2, half % 2 + 1)})
            }
            96 => {
                let rule = ["half_even", "half_up", "half_down", "down", "up"][r.below(5) as usize];
                let psc = ["0.07", "0.1", "0.125", "0"][r.below(4) as usize];
                json!({"type": "configure", "rounding": rule, "window_psc_rate": psc})
            }
            _ => {
                let i = self.sent.len().checked_sub(1 + r.below(6) as usize)?;
                self.sent[i].clone()
            }
        })
    }

    fn allocation(&mut self, on: String) -> Value {
        let id = self.id("EB");
        let r = &mut self.rng;
        let small = r.chance(30);
        let cents = 1 + r.below(if small { 300 } else { 50_000_000 });
        let policy = ["explicit", "equal", "gap_pro_rata", "weights"][r.below(4) as usize];
        let earmark = r.chance(25).then(|| RESOLUTIONS[r.below(RESOLUTIONS.len() as u64) as usize]);
        let mut candidates = match earmark {
            Some(e) => vec![e],
            None => self.resolutions(4),
        };
        if candidates.is_empty() {
            candidates.push("2/2");
        }
        let mut cmd = json!({"type": "allocate", "id": id, "decided_on": on, "amount": amount("USD", cents),
                             "policy": policy, "resolutions": candidates, "approved_by": "Executive Director"});
        if let Some(e) = earmark {
            cmd["source"] = json!({"earmarked": e});
        }
        match policy {
            "explicit" => {
                let mut shares = serde_json::Map::new();
                let mut left = cents;
                for (i, c) in candidates.iter().enumerate() {
                    let share = if i + 1 == candidates.len() { left } else { self.rng.below(left + 1) };
                    left -= share;
                    shares.insert((*c).to_owned(), json!(amount("USD", share)));
                }
                cmd["shares"] = Value::Object(shares);
            }
            "weights" => {
                let weights: serde_json::Map<String, Value> = candidates
                    .iter()
                    .map(|c| ((*c).to_owned(), json!(format!("{}.{}", 1 + self.rng.below(9), self.rng.below(10)))))
                    .collect();
                cmd["weights"] = Value::Object(weights);
            }
            _ => {}
        }
        cmd
    }

    /// Learns what an accepted command created.
    fn record(&mut self, cmd: &Value) {
        if cmd["type"] == "sign_agreement" {
            let currency = CURRENCIES.iter().copied().find(|c| cmd["currency"] == *c).unwrap_or("USD");
            let units: u64 = cmd["amount"].as_str().unwrap_or("0").replace('.', "").parse().unwrap_or(0);
            let id = cmd["id"].as_str().unwrap_or_default().to_owned();
            self.agreements.push((id, currency, units));
            if let Some(p) = cmd["purpose"]["project"]["id"].as_str() {
                self.projects.push((p.to_owned(), currency, units));
            }
        }
        if cmd["type"] == "close_project" {
            if let Some(p) = self.projects.iter().find(|p| cmd["project"] == p.0.as_str()) {
                self.closed.push(p.clone());
            }
        }
        self.sent.push(cmd.clone());
    }
}

/// The commands every random ledger starts with: donors, a resolution beyond the 15, and monthly rates.
fn setup() -> Vec<Value> {
    let mut batch = Vec::new();
    for (d, kind) in ["member_state", "multilateral", "private", "other"].iter().enumerate() {
        batch.push(json!({"type": "register_donor", "id": format!("D{d}"), "name": format!("Donor {d} <{kind}> & \"partners\", ltd"), "kind": kind}));
    }
    batch.push(json!({"type": "register_resolution", "id": "3/1", "title": "A resolution of the third session"}));
    for year in 2024..=2028 {
        for month in 1..=12 {
            let m = format!("{year}-{month:02}");
            let w = (year * 12 + month) % 9;
            batch.push(json!({"type": "set_rate", "currency": "EUR", "month": m, "per_usd": format!("0.9{w}13")}));
            batch.push(json!({"type": "set_rate", "currency": "JPY", "month": m, "per_usd": format!("14{w}.357")}));
            batch.push(json!({"type": "set_rate", "currency": "KWD", "month": m, "per_usd": format!("0.30{w}71")}));
            batch.push(json!({"type": "set_rate", "currency": "SEK", "month": m, "per_usd": format!("10.{w}512")}));
        }
    }
    batch
}

fn stamped(mut cmd: Value) -> Option<Request> {
    cmd["recorded_at"] = json!("2025-01-01T00:00:00Z");
    Request::from_value(cmd).ok()
}

/// A random ledger from a seed: `steps` commands (some in batches, some under
/// idempotency keys, some repeated), refused ones left out as the ledger refuses them.
pub fn random_ledger(seed: u64, steps: usize) -> Ledger {
    let mut ledger = Ledger::new();
    ledger.apply_batch(setup().into_iter().filter_map(stamped)).expect("the setup applies");
    let mut model = Model {
        rng: Rng::new(seed),
        day: 0,
        agreements: Vec::new(),
        projects: Vec::new(),
        closed: Vec::new(),
        entries: ledger.len() as u64,
        next_id: 0,
        closed_half: 0,
        sent: Vec::new(),
    };
    let mut done = 0;
    while done < steps {
        let size = if model.rng.chance(10) { 2 + model.rng.below(3) as usize } else { 1 };
        let mut commands: Vec<Value> = (0..size).filter_map(|_| model.command()).collect();
        done += size;
        for cmd in &mut commands {
            if model.rng.chance(30) && cmd.get("idempotency_key").is_none() {
                cmd["idempotency_key"] = json!(format!("k{}", model.rng.below(1_000_000)));
            }
        }
        let requests: Vec<Request> = commands.iter().cloned().filter_map(stamped).collect();
        let accepted = match requests.len() {
            0 => false,
            1 => requests.into_iter().next().is_some_and(|r| ledger.apply(r).is_ok()),
            _ => ledger.apply_batch(requests).is_ok(),
        };
        if accepted {
            commands.iter().for_each(|c| model.record(c));
        }
        model.entries = ledger.len() as u64;
    }
    ledger
}
