//! Properties of two rules of DOMAIN.md's "Precisions (December 2026)" (proptest):
//!
//! * a window receipt at the signing month's rate books no FX difference, however the amount is
//!   split into receipts; at any rates, the FX of all the receipts of an agreement is what they
//!   were worth less what the signing credited, to the cent; a receipt is never refused for
//!   lack of funds, and the unallocated fund goes below zero by no more than the losses;
//! * under four-eyes control a command is refused when its approver is its recorder written
//!   another way (case, letter width, spaces, invisible characters), and accepted when the
//!   approver is another person.

use funding_window::{Ledger, LedgerError, Request};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn request(value: Value) -> Request {
    Request::from_value(value).unwrap()
}

fn apply(ledger: &mut Ledger, value: Value) -> Result<funding_window::Applied, LedgerError> {
    ledger.apply(request(value))
}

fn amount(cents: u64) -> String {
    Decimal::new(cents as i64, 2).to_string()
}

/// A window agreement of SEK `total_cents`, earmarked to 2/4 when `earmarked`, signed in
/// March 2024 at `sign_rate`, with `allocated_cents` of its USD value allocated at once.
fn signed(total_cents: u64, sign_rate: &str, earmarked: bool) -> Ledger {
    let mut ledger = Ledger::new();
    let earmarks: Vec<&str> = if earmarked { vec!["2/4"] } else { vec![] };
    for command in [
        json!({"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "member_state"}),
        json!({"type": "set_rate", "currency": "SEK", "month": "2024-03", "per_usd": sign_rate}),
        json!({"type": "sign_agreement", "id": "CA-SE", "donor": "SE", "currency": "SEK", "amount": amount(total_cents),
               "signed_on": "2024-03-01", "psc_rate": "0.07", "elective_transfer": false,
               "purpose": {"window": {"earmarked_to": earmarks}}}),
    ] {
        apply(&mut ledger, command).unwrap();
    }
    ledger
}

/// Splits `total` into `parts.len()` positive pieces in proportion to `parts` (the last takes the rest).
fn pieces(total: u64, parts: &[u64]) -> Vec<u64> {
    let weight: u64 = parts.iter().sum();
    let mut out: Vec<u64> = parts.iter().map(|p| (total * p / weight).max(1)).collect();
    let head: u64 = out[..out.len() - 1].iter().sum();
    if head >= total {
        return vec![total];
    }
    *out.last_mut().unwrap() = total - head;
    out
}

fn balance(ledger: &Ledger, account: &str) -> Decimal {
    let tb = ledger.trial_balance(None);
    tb.accounts.iter().filter(|l| l.account == account).map(|l| l.balance).sum()
}

fn fx_of(applied: &funding_window::Applied) -> Decimal {
    applied.postings.iter().filter(|p| p.account == "equity:fx").map(|p| p.amount).sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn receipts_at_the_signing_rate_book_no_fx(
        total in 1u64..100_000_000,
        parts in prop::collection::vec(1u64..1000, 1..8),
        rate in prop::sample::select(vec!["3.0000", "10.4512", "0.9100", "7.3", "145.00"]),
        earmarked in any::<bool>(),
    ) {
        let mut ledger = signed(total, rate, earmarked);
        for (i, cents) in pieces(total, &parts).into_iter().enumerate() {
            let applied = apply(&mut ledger, json!({"type": "record_receipt", "agreement": "CA-SE",
                "amount": amount(cents), "received_on": format!("2024-03-{:02}", 2 + i)})).unwrap();
            prop_assert_eq!(fx_of(&applied), Decimal::ZERO, "receipt {} of {} SEK", i, amount(cents));
        }
        prop_assert_eq!(balance(&ledger, "equity:fx"), Decimal::ZERO);
    }

    #[test]
    fn receipts_are_never_refused_and_their_fx_adds_up_exactly(
        total in 1u64..100_000_000,
        parts in prop::collection::vec((1u64..1000, 0usize..4), 1..6),
        allocated_percent in 0u64..=100,
        earmarked in any::<bool>(),
    ) {
        let rates = ["10.0000", "11.0000", "9.5000", "10.0001"];
        let mut ledger = signed(total, rates[0], earmarked);
        for (m, rate) in rates.iter().enumerate().skip(1) {
            apply(&mut ledger, json!({"type": "set_rate", "currency": "SEK", "month": format!("2024-{:02}", 3 + m),
                "per_usd": rate})).unwrap();
        }
        let credited = -balance(&ledger, if earmarked { "funds:window:earmarked:2-4" } else { "funds:window:unallocated" });
        let allocated = (credited * Decimal::from(allocated_percent) / Decimal::from(100)).round_dp(2);
        if allocated > Decimal::ZERO {
            let source = if earmarked { json!({"earmarked": "2/4"}) } else { json!("unallocated") };
            apply(&mut ledger, json!({"type": "allocate", "id": "EB-1", "decided_on": "2024-03-02",
                "amount": allocated.to_string(), "policy": "explicit", "source": source,
                "shares": {"2/4": allocated.to_string()}})).unwrap();
        }
        let weights: Vec<u64> = parts.iter().map(|p| p.0).collect();
        let mut worth = Decimal::ZERO;
        let mut fx = Decimal::ZERO;
        let mut losses = Decimal::ZERO;
        for (cents, (_, month)) in pieces(total, &weights).into_iter().zip(&parts) {
            // Never refused, whatever the rate and whatever has been allocated.
            let applied = apply(&mut ledger, json!({"type": "record_receipt", "agreement": "CA-SE",
                "amount": amount(cents), "received_on": format!("2024-{:02}-15", 3 + month)})).unwrap();
            let entry = ledger.entry(applied.seq).unwrap();
            worth += entry.conversions.iter().map(|c| c.usd.as_str().parse::<Decimal>().unwrap()).sum::<Decimal>();
            fx += fx_of(&applied);
            losses -= fx_of(&applied).min(Decimal::ZERO);
        }
        // The window's fund is credited with a gain and equity:fx debited: fx is gains less losses.
        prop_assert_eq!(fx, worth - credited, "FX over the receipts is their worth less the credit");
        prop_assert_eq!(balance(&ledger, "equity:fx"), fx);
        let unallocated = balance(&ledger, "funds:window:unallocated");
        if unallocated > Decimal::ZERO {
            prop_assert!(unallocated <= losses, "a deficit of {} beyond the FX losses {}", unallocated, losses);
            let refused = apply(&mut ledger, json!({"type": "allocate", "id": "EB-2", "decided_on": "2024-12-01",
                "amount": "0.01", "policy": "explicit", "shares": {"2/2": "0.01"}}));
            prop_assert_eq!(refused.unwrap_err().code(), "INSUFFICIENT_FUNDS");
        }
    }

    #[test]
    fn an_approver_who_is_the_recorder_written_otherwise_is_refused(
        name in prop::sample::select(vec!["Ann", "José Ramírez", "Strauß", "李明", "Irmak"]),
        upper in any::<bool>(),
        wide in any::<bool>(),
        invisible in prop::sample::select(vec!["", "\u{200b}", "\u{200e}", "\u{feff}", " ", "\u{3000}", "\u{00ad}"]),
        at in 0usize..3,
        command in 0usize..3,
    ) {
        let mut ledger = Ledger::new();
        for c in [
            json!({"type": "register_donor", "id": "EU", "name": "European Union", "kind": "multilateral"}),
            json!({"type": "sign_agreement", "id": "CA-1", "donor": "EU", "currency": "USD", "amount": "100.00",
                   "signed_on": "2024-01-10", "psc_rate": "0.07", "elective_transfer": false,
                   "purpose": {"project": {"id": "P-1", "resolution": "2/6"}}}),
            json!({"type": "sign_agreement", "id": "CA-2", "donor": "EU", "currency": "USD", "amount": "100.00",
                   "signed_on": "2024-01-10", "psc_rate": "0.07", "elective_transfer": false,
                   "purpose": {"window": {"earmarked_to": []}}}),
            json!({"type": "configure", "four_eyes": true}),
        ] {
            apply(&mut ledger, c).unwrap();
        }
        let mut disguised: String = if upper { name.to_uppercase() } else { name.to_owned() };
        if wide {
            // Full-width forms of ASCII letters (U+FF21..): the same letters under NFKC.
            disguised = disguised
                .chars()
                .map(|c| if c.is_ascii_alphabetic() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c })
                .collect();
        }
        let cut = disguised.char_indices().nth(at.min(disguised.chars().count() - 1)).map_or(0, |(i, _)| i);
        disguised.insert_str(cut, invisible);
        let base = [
            json!({"type": "close_project", "project": "P-1", "closed_on": "2024-02-01"}),
            json!({"type": "configure", "window_psc_rate": "0.05"}),
            json!({"type": "allocate", "id": "EB-1", "decided_on": "2024-02-01", "amount": "10.00",
                   "policy": "explicit", "shares": {"2/4": "10.00"}}),
        ][command].clone();
        let with = |approver: &str| {
            let mut c = base.clone();
            c["recorded_by"] = json!(name);
            c["approved_by"] = json!(approver);
            c
        };
        let before = ledger.trial_balance(None);
        let refused = apply(&mut ledger, with(&disguised)).unwrap_err();
        prop_assert_eq!(refused.code(), "APPROVAL_REQUIRED", "{:?} approving {:?}", disguised, name);
        prop_assert_eq!(ledger.trial_balance(None), before);
        prop_assert!(apply(&mut ledger, with("Another Person")).is_ok());
    }
}
