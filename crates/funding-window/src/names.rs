//! Account names: from an [`AccountKey`] to its contract name (`funds:resolution:2-4`) and
//! back, resolving the ids it carries through the ledger's registers.

use crate::account::AccountKey;
use crate::money::Currency;
use crate::records::Idx;
use crate::state::State;

impl AccountKey {
    /// The contract name of the account (`funds:resolution:2-4`).
    pub fn name(self, state: &State, currency: Currency) -> String {
        let mut out = String::with_capacity(40);
        self.write_name(state, currency, &mut out);
        out
    }

    /// Appends the account's name to `out`.
    pub fn write_name(self, state: &State, currency: Currency, out: &mut String) {
        let resolution = |r: Idx, out: &mut String| {
            let id = state.resolutions[r as usize].id;
            out.push_str(crate::text::unsigned(u64::from(id.session()), &mut [0; 20]));
            out.push('-');
            out.push_str(crate::text::unsigned(u64::from(id.number()), &mut [0; 20]));
        };
        let (prefix, rest): (&str, Option<&str>) = match self {
            AccountKey::Cash => ("assets:cash:", Some(currency.code())),
            AccountKey::Receivable(a) => ("assets:receivable:", Some(&state.agreements[a as usize].id)),
            AccountKey::ProjectFund(p) => ("funds:project:", Some(&state.projects[p as usize].id)),
            AccountKey::WindowUnallocated => ("funds:window:unallocated", None),
            AccountKey::WindowEarmarked(r) => {
                out.push_str("funds:window:earmarked:");
                return resolution(r, out);
            }
            AccountKey::ResolutionFund(r) => {
                out.push_str("funds:resolution:");
                return resolution(r, out);
            }
            AccountKey::IncomePsc => ("income:psc", None),
            AccountKey::RefundLiability(d) => ("liabilities:refund:", Some(&state.donors[d as usize].id)),
            AccountKey::EquityFx => ("equity:fx", None),
            AccountKey::EquityConversion => ("equity:conversion", None),
        };
        out.push_str(prefix);
        if let Some(rest) = rest {
            out.push_str(rest);
        }
    }

    /// Resolves an account name. Cash names carry their currency, returned alongside.
    pub fn parse(state: &State, name: &str) -> Option<(AccountKey, Option<Currency>)> {
        let key = match name {
            "funds:window:unallocated" => AccountKey::WindowUnallocated,
            "income:psc" => AccountKey::IncomePsc,
            "equity:fx" => AccountKey::EquityFx,
            "equity:conversion" => AccountKey::EquityConversion,
            _ => {
                let resolution = |part: &str| state.resolution_by_account_part(part);
                if let Some(code) = name.strip_prefix("assets:cash:") {
                    return Currency::from_code(code).ok().map(|c| (AccountKey::Cash, Some(c)));
                } else if let Some(id) = name.strip_prefix("assets:receivable:") {
                    AccountKey::Receivable(*state.agreement_index.get(id)?)
                } else if let Some(id) = name.strip_prefix("funds:project:") {
                    AccountKey::ProjectFund(*state.project_index.get(id)?)
                } else if let Some(part) = name.strip_prefix("funds:window:earmarked:") {
                    AccountKey::WindowEarmarked(resolution(part)?)
                } else if let Some(part) = name.strip_prefix("funds:resolution:") {
                    AccountKey::ResolutionFund(resolution(part)?)
                } else if let Some(id) = name.strip_prefix("liabilities:refund:") {
                    AccountKey::RefundLiability(*state.donor_index.get(id)?)
                } else {
                    return None;
                }
            }
        };
        Some((key, None))
    }
}
