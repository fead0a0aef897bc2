//! Adversarial tests of DOMAIN.md's "Precisions (December 2026)", through the public API as an
//! independent reviewer would try them: back-dated commands, reversals in unusual orders, batches
//! that mix the rules, currencies of 0 and 3 decimals, a deficit made good by later gains,
//! four-eyes with names written in tricky Unicode, a withdrawn project under every command, and
//! replay of every journal written. Every expected amount is computed by hand in the comments.

use funding_window::identity::same_person;
use funding_window::{Applied, Ledger, LedgerError, Request};
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn request(value: Value) -> Request {
    Request::from_value(value.clone()).unwrap_or_else(|e| panic!("{value}: {e}"))
}

/// Applies a command that must succeed.
fn ok(ledger: &mut Ledger, value: Value) -> Applied {
    ledger.apply(request(value.clone())).unwrap_or_else(|e| panic!("{value}: {e}"))
}

/// Applies a command that must be refused with `code`, leaving the books and the journal as they were;
/// returns the error as JSON for its fields.
fn refused(ledger: &mut Ledger, value: Value, code: &str) -> Value {
    let journal = ledger.to_journal().unwrap().into_owned();
    let head = ledger.chain_head();
    let before = ledger.trial_balance(None);
    let err: LedgerError = match ledger.apply(request(value.clone())) {
        Ok(applied) => panic!("{value} was applied ({:?}), expected {code}", applied.postings),
        Err(e) => e,
    };
    assert_eq!(err.code(), code, "{value}: {err}");
    assert_eq!(ledger.chain_head(), head, "{value}: the chain moved");
    assert_eq!(ledger.to_journal().unwrap(), journal, "{value}: the journal changed");
    assert_eq!(ledger.trial_balance(None), before, "{value}: the books changed");
    err.to_json_value()
}

/// A batch that must be refused at `index` with `code`, nothing changed.
fn batch_refused(ledger: &mut Ledger, values: Vec<Value>, index: usize, code: &str) {
    let journal = ledger.to_journal().unwrap().into_owned();
    let before = ledger.trial_balance(None);
    let err = ledger.apply_batch(values.into_iter().map(request)).expect_err("the batch must be refused");
    assert_eq!((err.index, err.code()), (index, code), "{}", err.error);
    assert_eq!(ledger.to_journal().unwrap(), journal);
    assert_eq!(ledger.trial_balance(None), before);
}

fn bal(ledger: &Ledger, account: &str) -> String {
    ledger.balance(account, None, None).unwrap().to_string()
}

fn bal_on(ledger: &Ledger, account: &str, on: &str) -> String {
    ledger.balance(account, None, Some(on.parse().unwrap())).unwrap().to_string()
}

/// The journal the ledger writes reopens to identical books and writes itself again byte for byte.
fn replays(ledger: &Ledger) {
    let journal = ledger.to_journal().unwrap();
    let reopened = Ledger::from_journal(&journal).unwrap_or_else(|e| panic!("the journal does not reopen: {e}"));
    assert_eq!(reopened.chain_head(), ledger.chain_head());
    assert_eq!(reopened.to_journal().unwrap(), journal);
    assert_eq!(reopened.trial_balance(None), ledger.trial_balance(None));
    assert_eq!(reopened.entries().unwrap(), ledger.entries().unwrap());
}

fn postings(applied: &Applied) -> Vec<(String, String, String)> {
    applied.postings.iter().map(|p| (p.account.clone(), p.currency.code().to_owned(), p.amount.to_string())).collect()
}

fn donor(id: &str) -> Value {
    json!({"type": "register_donor", "id": id, "name": format!("Donor {id}"), "kind": "member_state"})
}

fn window(id: &str, donor: &str, ccy: &str, amount: &str, on: &str, earmarks: &[&str]) -> Value {
    json!({"type": "sign_agreement", "id": id, "donor": donor, "currency": ccy, "amount": amount, "signed_on": on,
           "psc_rate": "0.07", "elective_transfer": false, "purpose": {"window": {"earmarked_to": earmarks}}})
}

fn project(id: &str, p: &str, ccy: &str, amount: &str, on: &str) -> Value {
    json!({"type": "sign_agreement", "id": id, "donor": "EU", "currency": ccy, "amount": amount, "signed_on": on,
           "psc_rate": "0.07", "elective_transfer": true, "purpose": {"project": {"id": p, "resolution": "2/6"}}})
}

fn receipt(agreement: &str, amount: &str, on: &str) -> Value {
    json!({"type": "record_receipt", "agreement": agreement, "amount": amount, "received_on": on})
}

fn rate(ccy: &str, month: &str, per_usd: &str) -> Value {
    json!({"type": "set_rate", "currency": ccy, "month": month, "per_usd": per_usd})
}

fn allocate(id: &str, on: &str, shares: Value) -> Value {
    let total: Decimal =
        shares.as_object().unwrap().values().map(|v| v.as_str().unwrap().parse::<Decimal>().unwrap()).sum();
    json!({"type": "allocate", "id": id, "decided_on": on, "amount": total.to_string(), "policy": "explicit", "shares": shares})
}

fn spend_resolution(resolution: &str, amount: &str, on: &str) -> Value {
    json!({"type": "record_expenditure", "resolution": resolution, "amount": amount, "spent_on": on})
}

fn spend_project(p: &str, amount: &str, on: &str) -> Value {
    json!({"type": "record_expenditure", "project": p, "amount": amount, "spent_on": on})
}

fn convert(from: &str, to: &str, amount: &str, received: &str, on: &str) -> Value {
    json!({"type": "convert_cash", "from": from, "to": to, "amount": amount, "received": received, "converted_on": on})
}

fn reverse(entry: u64, on: &str) -> Value {
    json!({"type": "reverse", "entry": entry, "on": on, "reason": "adversarial test"})
}

/// EUR 92,000.00 of window money signed and received on 1 September 2024 at 0.9200 per USD:
/// USD 100,000.00 unallocated, EUR 92,000.00 in cash.
fn eur_window() -> Ledger {
    let mut l = Ledger::new();
    ok(&mut l, donor("EU"));
    ok(&mut l, rate("EUR", "2024-09", "0.9200"));
    ok(&mut l, window("CA-EU-W", "EU", "EUR", "92000.00", "2024-09-01", &[]));
    ok(&mut l, receipt("CA-EU-W", "92000.00", "2024-09-01"));
    assert_eq!(bal(&l, "funds:window:unallocated"), "-100000.00");
    l
}

#[test]
fn a_conversion_whose_proceeds_were_spent_is_not_reversed() {
    let mut l = eur_window();
    let conversion = ok(&mut l, convert("EUR", "USD", "92000.00", "100000.00", "2024-09-02")).seq;
    ok(&mut l, allocate("EB-1", "2024-09-03", json!({"2/4": "50000.00"})));
    // 40,000.00 + 7% PSC = 42,800.00 from 2/4's 50,000.00; cash USD 100,000.00 - 40,000.00 = 60,000.00.
    let spending = ok(&mut l, spend_resolution("2/4", "40000.00", "2024-09-04")).seq;
    assert_eq!(bal(&l, "assets:cash:USD"), "60000.00");
    let err = refused(&mut l, reverse(conversion, "2024-09-05"), "INSUFFICIENT_FUNDS");
    assert_eq!(err["account"], "assets:cash:USD");
    assert_eq!(err["available"], "60000.00");
    assert_eq!(err["requested"], "100000.00");
    // Reversal dated before the spending is no better: the spending stands from 4 September.
    ok(&mut l, reverse(spending, "2024-09-05"));
    let undone = ok(&mut l, reverse(conversion, "2024-09-06"));
    assert_eq!(
        postings(&undone),
        vec![
            ("assets:cash:EUR".into(), "EUR".into(), "92000.00".into()),
            ("equity:conversion".into(), "EUR".into(), "-92000.00".into()),
            ("equity:conversion".into(), "USD".into(), "100000.00".into()),
            ("assets:cash:USD".into(), "USD".into(), "-100000.00".into()),
        ]
    );
    assert_eq!(bal(&l, "assets:cash:USD"), "0.00");
    assert_eq!(bal(&l, "assets:cash:EUR"), "92000.00");
    replays(&l);
}

#[test]
fn a_receipt_whose_cash_was_converted_is_not_reversed() {
    let mut l = eur_window();
    ok(&mut l, convert("EUR", "USD", "50000.00", "54000.00", "2024-09-10"));
    // EUR cash: 92,000.00 from 1 September, 42,000.00 from 10 September.
    let err = refused(&mut l, reverse(4, "2024-09-11"), "INSUFFICIENT_FUNDS");
    assert_eq!(err["account"], "assets:cash:EUR");
    assert_eq!(err["requested"], "92000.00");
    assert_eq!(err["available"], "42000.00");
    replays(&l);
}

#[test]
fn back_dated_conversions_find_the_cash_on_their_date_and_after() {
    let mut l = eur_window();
    // Before the money arrived.
    let err = refused(&mut l, convert("EUR", "USD", "1.00", "1.08", "2024-08-31"), "INSUFFICIENT_FUNDS");
    assert_eq!((err["account"].as_str(), err["available"].as_str()), (Some("assets:cash:EUR"), Some("0.00")));
    ok(&mut l, convert("EUR", "USD", "80000.00", "86956.52", "2024-09-10"));
    // A back-dated conversion of 15,000.00 on 5 September would leave 92,000 - 15,000 - 80,000 = -3,000 from 10 September:
    // the least EUR cash holds from 5 September on is 12,000.00.
    let err = refused(&mut l, convert("EUR", "USD", "15000.00", "16304.35", "2024-09-05"), "INSUFFICIENT_FUNDS");
    assert_eq!(err["available"], "12000.00");
    ok(&mut l, convert("EUR", "USD", "12000.00", "13043.48", "2024-09-05"));
    assert_eq!(bal(&l, "assets:cash:EUR"), "0.00");
    // USD cash: 13,043.48 from 5 September, 100,000.00 from 10 September. Spending dated 6 September
    // may use only the 13,043.48.
    ok(&mut l, allocate("EB-1", "2024-09-02", json!({"2/4": "50000.00"})));
    let err = refused(&mut l, spend_resolution("2/4", "13043.49", "2024-09-06"), "INSUFFICIENT_FUNDS");
    assert_eq!((err["account"].as_str(), err["available"].as_str()), (Some("assets:cash:USD"), Some("13043.48")));
    ok(&mut l, spend_resolution("2/4", "13043.48", "2024-09-06"));
    replays(&l);
}

#[test]
fn a_batch_converts_cash_then_spends_it_all_or_nothing() {
    let mut l = eur_window();
    ok(&mut l, allocate("EB-1", "2024-09-02", json!({"2/4": "20000.00"})));
    // Spending first, converting after, in one batch: the spending does not find the cash.
    batch_refused(
        &mut l,
        vec![
            spend_resolution("2/4", "100.00", "2024-09-05"),
            convert("EUR", "USD", "9200.00", "10000.00", "2024-09-03"),
        ],
        0,
        "INSUFFICIENT_FUNDS",
    );
    // Converting 9,200.00 into 10,000.00 then spending 10,000.01 (+PSC within 2/4's 20,000): cash falls short.
    batch_refused(
        &mut l,
        vec![
            convert("EUR", "USD", "9200.00", "10000.00", "2024-09-03"),
            spend_resolution("2/4", "10000.01", "2024-09-05"),
        ],
        1,
        "INSUFFICIENT_FUNDS",
    );
    assert_eq!(bal(&l, "assets:cash:EUR"), "92000.00");
    let applied = l
        .apply_batch(
            [
                convert("EUR", "USD", "9200.00", "10000.00", "2024-09-03"),
                spend_resolution("2/4", "10000.00", "2024-09-05"),
            ]
            .map(request),
        )
        .unwrap();
    assert_eq!(applied.len(), 2);
    // 2/4: 20,000.00 - 10,700.00 = 9,300.00 left; USD cash 0.00; EUR cash 82,800.00.
    assert_eq!(bal(&l, "funds:resolution:2-4"), "-9300.00");
    assert_eq!(bal(&l, "assets:cash:USD"), "0.00");
    assert_eq!(bal(&l, "assets:cash:EUR"), "82800.00");
    assert_eq!(bal(&l, "income:psc"), "-700.00");
    replays(&l);
}

#[test]
fn odd_currencies_keep_their_minor_units_in_conversions() {
    let mut l = Ledger::new();
    ok(&mut l, donor("KW"));
    ok(&mut l, donor("JP"));
    ok(&mut l, rate("KWD", "2024-03", "0.3070"));
    ok(&mut l, rate("JPY", "2024-03", "150"));
    // KWD 307.000 / 0.3070 = USD 1,000.00.
    ok(&mut l, window("CA-KW", "KW", "KWD", "307.000", "2024-03-01", &[]));
    ok(&mut l, receipt("CA-KW", "307.000", "2024-03-01"));
    let err = refused(&mut l, convert("KWD", "JPY", "1.2345", "490", "2024-03-02"), "PRECISION_EXCEEDED");
    assert_eq!((err["field"].as_str(), err["minor_unit"].as_u64()), (Some("amount"), Some(3)));
    let err = refused(&mut l, convert("KWD", "JPY", "1.234", "490.5", "2024-03-02"), "PRECISION_EXCEEDED");
    assert_eq!(
        (err["field"].as_str(), err["currency"].as_str(), err["minor_unit"].as_u64()),
        (Some("received"), Some("JPY"), Some(0))
    );
    refused(&mut l, convert("KWD", "JPY", "307.001", "150000", "2024-03-02"), "INSUFFICIENT_FUNDS");
    let applied = ok(&mut l, convert("KWD", "JPY", "307.000", "150001", "2024-03-02"));
    assert_eq!(
        postings(&applied),
        vec![
            ("assets:cash:KWD".into(), "KWD".into(), "-307.000".into()),
            ("equity:conversion".into(), "KWD".into(), "307.000".into()),
            ("equity:conversion".into(), "JPY".into(), "-150001".into()),
            ("assets:cash:JPY".into(), "JPY".into(), "150001".into()),
        ]
    );
    // No fund moved.
    assert_eq!(bal(&l, "funds:window:unallocated"), "-1000.00");
    ok(&mut l, convert("JPY", "KWD", "1", "0.002", "2024-03-03"));
    assert_eq!(bal(&l, "assets:cash:JPY"), "150000");
    assert_eq!(bal(&l, "assets:cash:KWD"), "0.002");
    replays(&l);
}

#[test]
fn a_jpy_loss_goes_to_its_earmarks_as_far_as_they_cover_it_the_rest_to_unallocated() {
    let mut l = Ledger::new();
    ok(&mut l, donor("JP"));
    ok(&mut l, rate("JPY", "2024-03", "150"));
    ok(&mut l, rate("JPY", "2024-04", "160"));
    // JPY 10,000,000 / 150 = USD 66,666.666... = 66,666.67, split equally over 2/4 and 2/9:
    // 33,333.34 to 2/4 (the odd cent to the lower id) and 33,333.33 to 2/9.
    ok(&mut l, window("CA-JP", "JP", "JPY", "10000000", "2024-03-01", &["2/9", "2/4"]));
    assert_eq!(bal(&l, "funds:window:earmarked:2-4"), "-33333.34");
    assert_eq!(bal(&l, "funds:window:earmarked:2-9"), "-33333.33");
    let mut alloc = allocate("EB-1", "2024-03-02", json!({"2/4": "33000.00"}));
    alloc["source"] = json!({"earmarked": "2/4"});
    ok(&mut l, alloc);
    // Received in April at 160: worth 62,500.00; loss 66,666.67 - 62,500.00 = 4,166.67, split
    // 2,083.34 (2/4) and 2,083.33 (2/9). 2/4 holds only 333.34: it takes that, and the other
    // 1,750.00 goes to unallocated, which had nothing: a deficit of 1,750.00.
    let applied = ok(&mut l, receipt("CA-JP", "10000000", "2024-04-10"));
    let funds: Vec<_> =
        postings(&applied).into_iter().filter(|p| p.0.starts_with("funds:") || p.0 == "equity:fx").collect();
    assert_eq!(
        funds,
        vec![
            ("funds:window:earmarked:2-4".into(), "USD".into(), "333.34".into()),
            ("funds:window:earmarked:2-9".into(), "USD".into(), "2083.33".into()),
            ("funds:window:unallocated".into(), "USD".into(), "1750.00".into()),
            ("equity:fx".into(), "USD".into(), "-4166.67".into()),
        ]
    );
    assert_eq!(bal(&l, "funds:window:earmarked:2-4"), "0.00");
    assert_eq!(bal(&l, "funds:window:earmarked:2-9"), "-31250.00");
    assert_eq!(bal(&l, "funds:window:unallocated"), "1750.00");
    let statement = l.window_statement("2024-04".parse().unwrap());
    assert_eq!(statement.closing.deficit, Some("1750.00".parse().unwrap()));
    // While unallocated money is in deficit, no policy allocates from it...
    let equal = json!({"type": "allocate", "id": "EB-2", "decided_on": "2024-04-11", "amount": "0.02",
                       "policy": "equal", "resolutions": ["2/2", "2/9"]});
    refused(&mut l, equal, "INSUFFICIENT_FUNDS");
    // ...but the earmark of 2/9, which covered its share, still allocates what it holds.
    let mut from_2_9 = allocate("EB-2", "2024-04-11", json!({"2/9": "31250.00"}));
    from_2_9["source"] = json!({"earmarked": "2/9"});
    let eb2 = ok(&mut l, from_2_9).seq;
    // Reversing the receipt gives each fund its share of the loss back; the deficit is gone.
    ok(&mut l, reverse(eb2, "2024-04-12"));
    ok(&mut l, reverse(applied.seq, "2024-04-12"));
    assert_eq!(bal(&l, "funds:window:earmarked:2-4"), "-333.34");
    assert_eq!(bal(&l, "funds:window:earmarked:2-9"), "-33333.33");
    assert_eq!(bal(&l, "funds:window:unallocated"), "0.00");
    assert_eq!(bal(&l, "assets:cash:JPY"), "0");
    assert_eq!(l.window_statement("2024-04".parse().unwrap()).closing.deficit, None);
    replays(&l);
}

#[test]
fn a_deficit_made_good_by_a_later_gain_then_its_receipts_reversed() {
    let mut l = Ledger::new();
    ok(&mut l, donor("SE"));
    ok(&mut l, rate("SEK", "2024-03", "10.0000"));
    ok(&mut l, rate("SEK", "2024-04", "12.5000"));
    ok(&mut l, rate("SEK", "2024-05", "4.0000"));
    // SEK 1,000,000.00 and 200,000.00 at 10: USD 100,000.00 and 20,000.00, all allocated.
    ok(&mut l, window("CA-SE-1", "SE", "SEK", "1000000.00", "2024-03-01", &[]));
    ok(&mut l, window("CA-SE-2", "SE", "SEK", "200000.00", "2024-03-01", &[]));
    ok(&mut l, allocate("EB-1", "2024-03-02", json!({"2/4": "100000.00", "2/9": "20000.00"})));
    // Received in April at 12.5: worth 80,000.00, a loss of 20,000.00: unallocated 20,000.00 in deficit.
    let loss = ok(&mut l, receipt("CA-SE-1", "1000000.00", "2024-04-10")).seq;
    assert_eq!(bal(&l, "funds:window:unallocated"), "20000.00");
    let err = refused(&mut l, allocate("EB-2", "2024-04-20", json!({"2/2": "0.01"})), "INSUFFICIENT_FUNDS");
    assert_eq!((err["available"].as_str(), err["requested"].as_str()), (Some("0.00"), Some("0.01")));
    // Received in May at 4: worth 50,000.00, a gain of 30,000.00: 10,000.00 unallocated from 10 May.
    let gain = ok(&mut l, receipt("CA-SE-2", "200000.00", "2024-05-10")).seq;
    assert_eq!(bal(&l, "funds:window:unallocated"), "-10000.00");
    assert_eq!(bal_on(&l, "funds:window:unallocated", "2024-05-09"), "20000.00");
    let err = refused(&mut l, allocate("EB-2", "2024-05-09", json!({"2/2": "0.01"})), "INSUFFICIENT_FUNDS");
    assert_eq!(err["available"], "0.00");
    let err = refused(&mut l, allocate("EB-2", "2024-05-10", json!({"2/2": "10000.01"})), "INSUFFICIENT_FUNDS");
    assert_eq!(err["available"], "10000.00");
    let eb2 = ok(&mut l, allocate("EB-2", "2024-05-10", json!({"2/2": "10000.00"}))).seq;
    assert_eq!(bal(&l, "funds:window:unallocated"), "0.00");
    // Reversing the gain's receipt would take the 30,000.00 gain back from a fund holding nothing:
    // only a receipt's FX loss may take unallocated money below zero.
    let err = refused(&mut l, reverse(gain, "2024-06-01"), "INSUFFICIENT_FUNDS");
    assert_eq!(err["account"], "funds:window:unallocated");
    // Reversing the loss's receipt gives the 20,000.00 back: unallocated 20,000.00 from 1 June.
    ok(&mut l, reverse(loss, "2024-06-01"));
    assert_eq!(bal(&l, "funds:window:unallocated"), "-20000.00");
    assert_eq!(bal(&l, "assets:cash:SEK"), "200000.00");
    assert_eq!(bal(&l, "assets:receivable:CA-SE-1"), "1000000.00");
    // Still 10,000.00 short for the gain's reversal.
    let err = refused(&mut l, reverse(gain, "2024-06-02"), "INSUFFICIENT_FUNDS");
    assert_eq!((err["available"].as_str(), err["requested"].as_str()), (Some("20000.00"), Some("30000.00")));
    ok(&mut l, reverse(eb2, "2024-06-02"));
    ok(&mut l, reverse(gain, "2024-06-03"));
    assert_eq!(bal(&l, "funds:window:unallocated"), "0.00");
    assert_eq!(bal(&l, "equity:fx"), "0.00");
    replays(&l);
}

#[test]
fn a_batch_that_turns_four_eyes_on_governs_what_follows_it() {
    let mut l = eur_window();
    let on = json!({"type": "configure", "four_eyes": true, "recorded_by": "Ann"});
    let unapproved = allocate("EB-1", "2024-09-02", json!({"2/4": "10.00"}));
    batch_refused(&mut l, vec![on.clone(), unapproved.clone()], 1, "APPROVAL_REQUIRED");
    // The whole batch was rolled back: four-eyes is still off.
    ok(&mut l, unapproved);
    let mut approved = allocate("EB-2", "2024-09-02", json!({"2/4": "10.00"}));
    approved["recorded_by"] = json!("Ann");
    approved["approved_by"] = json!("A\u{200f}NN");
    batch_refused(&mut l, vec![on.clone(), approved.clone()], 1, "APPROVAL_REQUIRED");
    approved["approved_by"] = json!("Bob");
    // Turning it off again inside the batch needs an approver too.
    let off = json!({"type": "configure", "four_eyes": false, "recorded_by": "Ann"});
    batch_refused(&mut l, vec![on.clone(), approved.clone(), off.clone()], 2, "APPROVAL_REQUIRED");
    let mut off_approved = off.clone();
    off_approved["approved_by"] = json!("Bob");
    l.apply_batch([on.clone(), approved, off_approved].map(request)).unwrap();
    assert_eq!(bal(&l, "funds:resolution:2-4"), "-20.00");
    // Off again: an unapproved allocation passes.
    ok(&mut l, allocate("EB-3", "2024-09-02", json!({"2/4": "10.00"})));
    replays(&l);
}

#[test]
fn a_covered_reversal_under_four_eyes_needs_another_person() {
    let mut l = eur_window();
    let eb = ok(&mut l, allocate("EB-1", "2024-09-02", json!({"2/4": "10.00"}))).seq;
    let conversion = ok(&mut l, convert("EUR", "USD", "92.00", "100.00", "2024-09-02")).seq;
    ok(&mut l, json!({"type": "configure", "four_eyes": true}));
    for entry in [eb, conversion] {
        let mut r = reverse(entry, "2024-09-03");
        r["recorded_by"] = json!("Zoë");
        r["approved_by"] = json!("ZOE\u{308}");
        refused(&mut l, r.clone(), "APPROVAL_REQUIRED");
        r["approved_by"] = json!("\u{200b}\u{2060}\u{202e}");
        refused(&mut l, r.clone(), "APPROVAL_REQUIRED");
        r["approved_by"] = json!("Zoe");
        ok(&mut l, r);
    }
    replays(&l);
}

/// Pairs of names that are one person under NFKC and case folding with invisible characters removed.
const SAME: &[(&str, &str)] = &[
    ("ﬁona", "Fiona"),        // ligature fi
    ("ΟΔΥΣΣΕΑΣ", "οδυσσεας"), // capital sigma, final sigma
    ("Οδυσσέας", "ΟΔΥΣΣΈΑΣ"),
    ("IRMAK", "ırmak"),                         // Turkish dotless i (the key's own reading)
    ("İlker", "ilker"),                         // Turkish dotted capital I
    ("e\u{301}\u{323}va", "e\u{323}\u{301}va"), // combining marks in either order
    ("\u{1ecb}\u{301}", "i\u{301}\u{323}"),     // precomposed i with dot below, then acute
    ("José", "Jose\u{301}"),
    ("Ann", "\u{202e}Ann\u{202c}"),                 // right-to-left override and pop
    ("Ann", "\u{2067}Ann\u{2069}"),                 // isolates
    ("Ann", "A\u{61c}nn"),                          // Arabic letter mark
    ("Ann", "A\u{200e}n\u{200f}n"),                 // LRM, RLM
    ("Ann", "An\u{34f}n"),                          // combining grapheme joiner
    ("Ann", "Ann\u{fe0f}"),                         // variation selector
    ("Ann", "\u{ff21}\u{ff4e}\u{ff4e}"),            // full-width
    ("e\u{301}\u{200b}\u{323}", "e\u{323}\u{301}"), // an invisible character between two marks
    ("e\u{301}\u{200e}\u{323}x", "e\u{323}\u{301}x"),
    ("Ǆ", "dž"),
    ("ǅ", "DŽ"),
    ("Å", "Å"), // angstrom sign, A with ring
    ("ﬀ", "FF"),
    ("㎏", "kg"),
];

/// Pairs of names of different people.
const DIFFERENT: &[(&str, &str)] = &[
    ("Ann", "Anne"),
    ("José", "Jose"),
    ("Ann", "\u{410}nn"), // Cyrillic A
    ("Ana", "Aña"),
    ("σ", "ο"),
];

#[test]
fn names_written_another_way_are_one_person() {
    for (a, b) in SAME {
        assert!(same_person(a, b), "{a:?} and {b:?} name one person");
        assert!(same_person(b, a), "{b:?} and {a:?} name one person");
    }
    for (a, b) in DIFFERENT {
        assert!(!same_person(a, b), "{a:?} and {b:?} name different people");
    }
}

#[test]
fn four_eyes_refuses_every_disguise_of_the_recorder_on_every_covered_command() {
    let mut l = eur_window();
    ok(&mut l, project("CA-P", "P-1", "USD", "1000.00", "2024-09-01"));
    ok(&mut l, receipt("CA-P", "1000.00", "2024-09-01"));
    ok(&mut l, json!({"type": "configure", "four_eyes": true}));
    let commands = [
        allocate("EB-1", "2024-09-02", json!({"2/4": "10.00"})),
        convert("EUR", "USD", "92.00", "100.00", "2024-09-02"),
        json!({"type": "configure", "window_psc_rate": "0.05"}),
        json!({"type": "configure", "four_eyes": false}),
        json!({"type": "close_project", "project": "P-1", "closed_on": "2024-09-02"}),
    ];
    for command in &commands {
        for (recorder, approver) in SAME {
            let mut c = command.clone();
            c["recorded_by"] = json!(recorder);
            c["approved_by"] = json!(approver);
            refused(&mut l, c, "APPROVAL_REQUIRED");
        }
    }
    let mut close = commands[4].clone();
    close["recorded_by"] = json!("ﬁona");
    close["approved_by"] = json!("Fiona Smith");
    ok(&mut l, close);
    // After the closure, both balance commands are covered too.
    for c in [
        json!({"type": "refund_balance", "project": "P-1", "amount": null, "refunded_on": "2024-09-03"}),
        json!({"type": "transfer_balance", "project": "P-1", "amount": null, "elected_on": "2024-09-03",
               "election_ref": "letter", "transferred_on": "2024-09-03"}),
    ] {
        for (recorder, approver) in SAME {
            let mut c = c.clone();
            c["recorded_by"] = json!(recorder);
            c["approved_by"] = json!(approver);
            refused(&mut l, c, "APPROVAL_REQUIRED");
        }
    }
    replays(&l);
}

#[test]
fn a_transfer_reversed_then_the_closure_and_every_date_still_holds() {
    let mut l = Ledger::new();
    ok(&mut l, donor("EU"));
    ok(&mut l, project("CA-P", "P-1", "USD", "1000.00", "2024-01-10"));
    ok(&mut l, receipt("CA-P", "1000.00", "2024-02-01"));
    // 100.00 + 7.00 PSC: the project holds 893.00.
    ok(&mut l, spend_project("P-1", "100.00", "2024-02-05"));
    let closure = ok(&mut l, json!({"type": "close_project", "project": "P-1", "closed_on": "2024-03-01"})).seq;
    let transfer = ok(
        &mut l,
        json!({"type": "transfer_balance", "project": "P-1", "amount": null, "elected_on": "2024-03-02",
               "election_ref": "EU letter", "transferred_on": "2024-03-05"}),
    )
    .seq;
    assert_eq!(bal(&l, "funds:window:unallocated"), "-893.00");
    let eb = ok(&mut l, allocate("EB-1", "2024-03-06", json!({"2/4": "893.00"}))).seq;
    // The transferred money was allocated: the transfer cannot be taken back.
    let err = refused(&mut l, reverse(transfer, "2024-03-10"), "INSUFFICIENT_FUNDS");
    assert_eq!(
        (err["account"].as_str(), err["requested"].as_str()),
        (Some("funds:window:unallocated"), Some("893.00"))
    );
    // Nor the closure while the transfer stands.
    refused(&mut l, reverse(closure, "2024-03-10"), "NOT_REVERSIBLE");
    ok(&mut l, reverse(eb, "2024-03-10"));
    ok(&mut l, reverse(transfer, "2024-03-11"));
    ok(&mut l, reverse(closure, "2024-03-12"));
    assert_eq!(bal(&l, "funds:project:P-1"), "-893.00");
    assert_eq!(bal(&l, "funds:window:unallocated"), "0.00");
    // Between 5 and 11 March the project's money was in the window: nothing could be spent then.
    assert_eq!(bal_on(&l, "funds:project:P-1", "2024-03-06"), "0.00");
    let err = refused(&mut l, spend_project("P-1", "50.00", "2024-03-06"), "INSUFFICIENT_FUNDS");
    assert_eq!(err["account"], "funds:project:P-1");
    // From 12 March the project spends again: 800.00 + 56.00 = 856.00 of its 893.00.
    ok(&mut l, spend_project("P-1", "800.00", "2024-03-13"));
    assert_eq!(bal(&l, "funds:project:P-1"), "-37.00");
    assert_eq!(bal(&l, "assets:cash:USD"), "100.00");
    refused(&mut l, spend_project("P-1", "34.59", "2024-03-14"), "INSUFFICIENT_FUNDS"); // 34.59 * 1.07 = 37.01
    replays(&l);
}

#[test]
fn a_project_receipt_whose_money_a_later_dated_spending_needs_is_not_reversed() {
    let mut l = Ledger::new();
    ok(&mut l, donor("EU"));
    ok(&mut l, donor("NO"));
    // Window cash in USD, so that the cash account never runs short: only the project's limit speaks.
    ok(&mut l, window("CA-NO", "NO", "USD", "5000.00", "2024-01-01", &[]));
    ok(&mut l, receipt("CA-NO", "5000.00", "2024-01-01"));
    ok(&mut l, project("CA-P", "P-1", "USD", "2000.00", "2024-01-10"));
    let first = ok(&mut l, receipt("CA-P", "1000.00", "2024-02-01")).seq;
    // 900.00 + 63.00 PSC = 963.00 on 1 July, paid from the first 1,000.00.
    ok(&mut l, spend_project("P-1", "900.00", "2024-07-01"));
    ok(&mut l, receipt("CA-P", "1000.00", "2024-08-01"));
    // Reversing the first receipt on 1 June: received 1,000.00 in all against 963.00 spent, but
    // from 1 July to 1 August the project would have spent 963.00 of nothing. The least the
    // project holds from 1 June on is 1,000.00 - 963.00 = 37.00 (1 July to 1 August).
    let err = refused(&mut l, reverse(first, "2024-06-01"), "INSUFFICIENT_FUNDS");
    assert_eq!(err["account"], "funds:project:P-1");
    assert_eq!((err["available"].as_str(), err["requested"].as_str()), (Some("37.00"), Some("1000.00")));
    // Dated 1 August, when the second receipt stands, it is fine.
    ok(&mut l, reverse(first, "2024-08-01"));
    assert_eq!(bal(&l, "funds:project:P-1"), "-1037.00");
    replays(&l);
}

#[test]
fn a_withdrawn_project_answers_every_command_with_one_code() {
    let mut l = Ledger::new();
    ok(&mut l, donor("EU"));
    ok(&mut l, donor("NO"));
    ok(&mut l, window("CA-NO", "NO", "USD", "5000.00", "2024-01-01", &[]));
    ok(&mut l, receipt("CA-NO", "5000.00", "2024-01-01"));
    let signing = ok(&mut l, project("CA-P", "P-1", "USD", "1000.00", "2024-01-10")).seq;
    let withdrawal = ok(&mut l, reverse(signing, "2024-01-20")).seq;
    let transfer = |amount: Value, on: &str| {
        json!({"type": "transfer_balance", "project": "P-1", "amount": amount, "elected_on": on,
               "election_ref": "letter", "transferred_on": on})
    };
    let commands = |on: &str| {
        vec![
            spend_project("P-1", "10.00", on),
            spend_project("P-1", "999999999.00", on),
            json!({"type": "close_project", "project": "P-1", "closed_on": on}),
            transfer(Value::Null, on),
            transfer(json!("10.00"), on),
            json!({"type": "refund_balance", "project": "P-1", "amount": null, "refunded_on": on}),
            json!({"type": "refund_balance", "project": "P-1", "amount": "10.00", "refunded_on": on}),
            receipt("CA-P", "10.00", on),
            receipt("CA-P", "1000.00", on),
            receipt("CA-P", "1000.01", on),
        ]
    };
    // After the withdrawal, back-dated between signing and withdrawal, and before the signing.
    for on in ["2024-02-01", "2024-01-15", "2024-01-05"] {
        for c in commands(on) {
            let err = refused(&mut l, c, "PROJECT_WITHDRAWN");
            assert_eq!(err["project"], "P-1");
            assert_eq!(err["agreement"], "CA-P");
            assert_eq!(err["reversed_by"], withdrawal);
        }
    }
    // The thing named comes before the amount, which is read in the project's currency (as for an
    // unknown project); only the JSON form comes first.
    refused(&mut l, spend_project("P-1", "0.00", "2024-02-01"), "PROJECT_WITHDRAWN");
    refused(&mut l, spend_project("P-1", "1.001", "2024-02-01"), "PROJECT_WITHDRAWN");
    refused(&mut l, spend_project("NO-SUCH", "0.00", "2024-02-01"), "UNKNOWN_PROJECT");
    let bad_form = json!({"type": "record_expenditure", "project": "P-1", "amount": 10, "spent_on": "2024-02-01"});
    assert_eq!(Request::from_value(bad_form).unwrap_err().code(), "INVALID_COMMAND");
    // Under four-eyes control the thing named comes before the approval.
    ok(&mut l, json!({"type": "configure", "four_eyes": true}));
    for c in commands("2024-02-01") {
        refused(&mut l, c, "PROJECT_WITHDRAWN");
    }
    // In a batch, after a command that succeeds.
    for c in commands("2024-02-01") {
        batch_refused(&mut l, vec![donor("SE"), c], 1, "PROJECT_WITHDRAWN");
    }
    refused(&mut l, reverse(signing, "2024-02-01"), "ALREADY_REVERSED");
    refused(&mut l, reverse(withdrawal, "2024-02-01"), "NOT_REVERSIBLE");
    refused(&mut l, project("CA-P2", "P-1", "USD", "1.00", "2024-02-01"), "DUPLICATE_ID");
    replays(&l);
}

#[test]
fn a_signing_reversed_after_its_receipt_was_reversed_is_dated_from_that_reversal() {
    let mut l = Ledger::new();
    ok(&mut l, donor("EU"));
    let signing = ok(&mut l, project("CA-P", "P-1", "USD", "1000.00", "2024-01-10")).seq;
    let r = ok(&mut l, receipt("CA-P", "400.00", "2024-03-01")).seq;
    ok(&mut l, reverse(r, "2024-04-01"));
    // Between 1 March and 1 April only 600.00 was outstanding.
    refused(&mut l, reverse(signing, "2024-03-15"), "NOT_REVERSIBLE");
    refused(&mut l, reverse(signing, "2024-02-15"), "NOT_REVERSIBLE");
    ok(&mut l, reverse(signing, "2024-04-01"));
    assert_eq!(bal(&l, "assets:receivable:CA-P"), "0.00");
    assert_eq!(bal(&l, "funds:project:P-1"), "0.00");
    refused(&mut l, receipt("CA-P", "1.00", "2024-05-01"), "PROJECT_WITHDRAWN");
    replays(&l);
}

#[test]
fn a_back_dated_receipt_stays_within_what_is_outstanding_at_every_later_date() {
    let mut l = Ledger::new();
    ok(&mut l, donor("EU"));
    ok(&mut l, project("CA-P", "P-1", "USD", "1000.00", "2024-01-10"));
    ok(&mut l, receipt("CA-P", "700.00", "2024-05-01"));
    // A receipt dated 1 March may take at most 300.00: 700.00 leaves on 1 May.
    let err = refused(&mut l, receipt("CA-P", "300.01", "2024-03-01"), "EXCEEDS_OUTSTANDING");
    assert_eq!(err["outstanding"], "300.00");
    ok(&mut l, receipt("CA-P", "300.00", "2024-03-01"));
    assert_eq!(bal_on(&l, "assets:receivable:CA-P", "2024-03-01"), "700.00");
    assert_eq!(bal(&l, "assets:receivable:CA-P"), "0.00");
    // Nothing is outstanding: a closure cancels nothing, and posts nothing.
    let applied = ok(&mut l, json!({"type": "close_project", "project": "P-1", "closed_on": "2024-06-01"}));
    assert_eq!(postings(&applied), vec![]);
    replays(&l);
}

#[test]
fn a_back_dated_loss_finds_its_earmark_as_it_stands_from_its_date_on() {
    let mut l = Ledger::new();
    ok(&mut l, donor("JP"));
    ok(&mut l, donor("NO"));
    ok(&mut l, rate("JPY", "2024-03", "150"));
    ok(&mut l, rate("JPY", "2024-04", "160"));
    ok(&mut l, window("CA-NO", "NO", "USD", "1000.00", "2024-03-01", &[]));
    ok(&mut l, window("CA-JP", "JP", "JPY", "10000000", "2024-03-01", &["2/4", "2/9"]));
    // The earmark of 2/4 (33,333.34) is allocated down to 333.34 on 1 May, recorded before a
    // receipt dated 10 April: on 10 April it holds 33,333.34, but only 333.34 from 1 May on.
    let mut alloc = allocate("EB-1", "2024-05-01", json!({"2/4": "33000.00"}));
    alloc["source"] = json!({"earmarked": "2/4"});
    ok(&mut l, alloc);
    // Loss 4,166.67: 2,083.34 to 2/4, which covers 333.34 of it; 2,083.33 to 2/9; 1,750.00 to
    // unallocated, which held 1,000.00: a deficit of 750.00 from 10 April.
    let applied = ok(&mut l, receipt("CA-JP", "10000000", "2024-04-10"));
    let funds: Vec<_> = postings(&applied).into_iter().filter(|p| p.0.starts_with("funds:")).collect();
    assert_eq!(
        funds,
        vec![
            ("funds:window:earmarked:2-4".into(), "USD".into(), "333.34".into()),
            ("funds:window:earmarked:2-9".into(), "USD".into(), "2083.33".into()),
            ("funds:window:unallocated".into(), "USD".into(), "1750.00".into()),
        ]
    );
    assert_eq!(bal(&l, "funds:window:earmarked:2-4"), "0.00");
    assert_eq!(bal_on(&l, "funds:window:earmarked:2-4", "2024-04-30"), "-33000.00");
    assert_eq!(bal(&l, "funds:window:unallocated"), "750.00");
    assert_eq!(bal_on(&l, "funds:window:unallocated", "2024-04-09"), "-1000.00");
    // A back-dated allocation on 20 March finds 1,000.00 then, but would deepen the deficit from 10 April.
    let err = refused(&mut l, allocate("EB-2", "2024-03-20", json!({"2/2": "1.00"})), "INSUFFICIENT_FUNDS");
    assert_eq!((err["available"].as_str(), err["requested"].as_str()), (Some("0.00"), Some("1.00")));
    replays(&l);
}

#[test]
fn partial_receipts_at_the_signing_rate_in_jpy_and_kwd_book_no_fx() {
    let mut l = Ledger::new();
    ok(&mut l, donor("JP"));
    ok(&mut l, donor("KW"));
    ok(&mut l, rate("JPY", "2024-03", "150"));
    ok(&mut l, rate("JPY", "2024-04", "160"));
    ok(&mut l, rate("KWD", "2024-03", "0.3070"));
    // JPY 1,000,001 / 150 = 6,666.6733... = USD 6,666.67; KWD 100.001 / 0.3070 = 325.7361... = USD 325.74.
    ok(&mut l, window("CA-JP", "JP", "JPY", "1000001", "2024-03-01", &[]));
    ok(&mut l, window("CA-KW", "KW", "KWD", "100.001", "2024-03-01", &[]));
    assert_eq!(bal(&l, "funds:window:unallocated"), "-6992.41");
    for (agreement, amount) in
        [("CA-JP", "1"), ("CA-JP", "1"), ("CA-KW", "0.001"), ("CA-KW", "50.000"), ("CA-KW", "50.000")]
    {
        let applied = ok(&mut l, receipt(agreement, amount, "2024-03-20"));
        assert!(
            applied.postings.iter().all(|p| p.account != "equity:fx"),
            "{agreement} {amount}: {:?}",
            postings(&applied)
        );
    }
    assert_eq!(bal(&l, "equity:fx"), "0.00");
    assert_eq!(bal(&l, "funds:window:unallocated"), "-6992.41");
    // The rest of the yen in April at 160: 999,999 / 160 = 6,249.99375 = USD 6,249.99. The two
    // yen received in March were worth, at the signing rate, 2 / 150 = 0.0133... = 0.01 together:
    // the loss is 6,249.99 + 0.01 - 6,666.67 = -416.67.
    ok(&mut l, receipt("CA-JP", "999999", "2024-04-02"));
    // equity:fx carries the difference as other income: a loss is negative.
    assert_eq!(bal(&l, "equity:fx"), "-416.67");
    assert_eq!(bal(&l, "funds:window:unallocated"), "-6575.74");
    replays(&l);
}

#[test]
fn a_whole_balance_moved_back_dated_is_what_the_project_holds_from_that_date_on() {
    let mut l = Ledger::new();
    ok(&mut l, donor("EU"));
    ok(&mut l, project("CA-P", "P-1", "USD", "1000.00", "2024-01-10"));
    ok(&mut l, receipt("CA-P", "300.00", "2024-05-01"));
    // Closing on 1 June cancels the 700.00 outstanding: the project holds 300.00.
    ok(&mut l, json!({"type": "close_project", "project": "P-1", "closed_on": "2024-06-01"}));
    // A receipt dated before the closure would be more than is outstanding from the closure on.
    let err = refused(&mut l, receipt("CA-P", "100.00", "2024-05-15"), "EXCEEDS_OUTSTANDING");
    assert_eq!(err["outstanding"], "0.00");
    ok(&mut l, json!({"type": "refund_balance", "project": "P-1", "amount": "100.00", "refunded_on": "2024-06-10"}));
    // The whole balance moved on 5 June is 200.00, not the 300.00 held that day: 100.00 leaves on 10 June.
    let moved = ok(
        &mut l,
        json!({"type": "transfer_balance", "project": "P-1", "amount": null, "elected_on": "2024-06-02",
               "election_ref": "EU letter", "transferred_on": "2024-06-05"}),
    );
    assert_eq!(
        postings(&moved),
        vec![
            ("funds:project:P-1".into(), "USD".into(), "200.00".into()),
            ("funds:window:unallocated".into(), "USD".into(), "-200.00".into()),
        ]
    );
    assert_eq!(bal(&l, "funds:project:P-1"), "0.00");
    assert_eq!(bal_on(&l, "funds:project:P-1", "2024-06-07"), "-100.00");
    let err = refused(
        &mut l,
        json!({"type": "refund_balance", "project": "P-1", "amount": "0.01", "refunded_on": "2024-06-06"}),
        "NO_BALANCE",
    );
    assert_eq!(err["project"], "P-1");
    replays(&l);
}

#[test]
fn an_allocation_whose_money_was_spent_is_not_taken_back_at_any_date() {
    let mut l = eur_window();
    ok(&mut l, convert("EUR", "USD", "92000.00", "100000.00", "2024-09-02"));
    let eb = ok(&mut l, allocate("EB-1", "2024-09-03", json!({"2/4": "1000.00"}))).seq;
    // 900.00 + 63.00 PSC on 10 September: 2/4 holds 37.00 from then on.
    ok(&mut l, spend_resolution("2/4", "900.00", "2024-09-10"));
    for on in ["2024-09-05", "2024-09-20"] {
        let err = refused(&mut l, reverse(eb, on), "INSUFFICIENT_FUNDS");
        assert_eq!(err["account"], "funds:resolution:2-4");
        assert_eq!((err["available"].as_str(), err["requested"].as_str()), (Some("37.00"), Some("1000.00")));
    }
    // A reversal is dated on or after what it reverses.
    refused(&mut l, reverse(eb, "2024-09-02"), "DATE_OUT_OF_ORDER");
    replays(&l);
}

#[test]
fn a_project_whose_cash_treasury_converted_is_refused_on_the_cash_account_for_its_cost() {
    let mut l = Ledger::new();
    ok(&mut l, donor("EU"));
    ok(&mut l, rate("EUR", "2024-09", "0.9200"));
    ok(&mut l, project("CA-P", "P-1", "EUR", "1000.00", "2024-09-01"));
    ok(&mut l, receipt("CA-P", "1000.00", "2024-09-01"));
    ok(&mut l, convert("EUR", "USD", "950.00", "1030.00", "2024-09-02"));
    // The project holds 1,000.00 received, so its fund covers 100.00 + 7.00 PSC; EUR cash holds
    // 50.00 from 2 September: the cash account refuses, for the cost alone.
    let err = refused(&mut l, spend_project("P-1", "100.00", "2024-09-03"), "INSUFFICIENT_FUNDS");
    assert_eq!(err["account"], "assets:cash:EUR");
    assert_eq!((err["available"].as_str(), err["requested"].as_str()), (Some("50.00"), Some("100.00")));
    // Dated 1 September, before the conversion, cash holds 1,000.00 that day but 50.00 from the next.
    let err = refused(&mut l, spend_project("P-1", "100.00", "2024-09-01"), "INSUFFICIENT_FUNDS");
    assert_eq!((err["account"].as_str(), err["available"].as_str()), (Some("assets:cash:EUR"), Some("50.00")));
    // 50.00 + 3.50 PSC is paid.
    ok(&mut l, spend_project("P-1", "50.00", "2024-09-03"));
    assert_eq!(bal(&l, "funds:project:P-1"), "-946.50");
    assert_eq!(bal(&l, "assets:cash:EUR"), "0.00");
    let eur = funding_window::Currency::from_code("EUR").unwrap();
    assert_eq!(l.balance("income:psc", Some(eur), None).unwrap().to_string(), "-3.50");
    replays(&l);
}

#[test]
fn approvers_and_recorders_with_control_characters_are_refused_as_text() {
    let mut l = eur_window();
    ok(&mut l, json!({"type": "configure", "four_eyes": true}));
    for (recorder, approver) in
        [("Ann", "A\u{7}nn"), ("A\u{0}nn", "Bob"), ("Ann", "Ann\u{9f}"), ("   ", "Bob"), ("Ann", " ")]
    {
        let mut c = convert("EUR", "USD", "92.00", "100.00", "2024-09-02");
        c["recorded_by"] = json!(recorder);
        c["approved_by"] = json!(approver);
        refused(&mut l, c, "INVALID_COMMAND");
    }
    // A name of only invisible characters names nobody: as if it were missing.
    for (recorder, approver) in [("\u{200b}\u{2060}", "Bob"), ("Ann", "\u{202e}\u{200f}\u{fe0f}")] {
        let mut c = convert("EUR", "USD", "92.00", "100.00", "2024-09-02");
        c["recorded_by"] = json!(recorder);
        c["approved_by"] = json!(approver);
        refused(&mut l, c, "APPROVAL_REQUIRED");
    }
    // While four-eyes is on, turning it on again needs an approver too.
    refused(&mut l, json!({"type": "configure", "four_eyes": true, "recorded_by": "Ann"}), "APPROVAL_REQUIRED");
    replays(&l);
}

#[test]
fn a_batch_that_withdraws_a_project_then_uses_it_is_refused_whole() {
    let mut l = Ledger::new();
    ok(&mut l, donor("EU"));
    // Entries 2 and 3 of the batch: the signing, then its reversal.
    let batch =
        |then: Value| vec![project("CA-P", "P-1", "USD", "1000.00", "2024-01-10"), reverse(2, "2024-01-11"), then];
    for then in [
        receipt("CA-P", "10.00", "2024-01-12"),
        spend_project("P-1", "10.00", "2024-01-12"),
        json!({"type": "close_project", "project": "P-1", "closed_on": "2024-01-12"}),
    ] {
        batch_refused(&mut l, batch(then), 2, "PROJECT_WITHDRAWN");
    }
    assert_eq!(l.len(), 1);
    l.apply_batch(batch(donor("NO")).into_iter().map(request)).unwrap();
    refused(&mut l, receipt("CA-P", "10.00", "2024-01-12"), "PROJECT_WITHDRAWN");
    replays(&l);
}
