//! Allocations: moving window money to resolutions by one of four policies.
//!
//! * `explicit`: the decision names each resolution's amount; they must sum to the total.
//! * `equal`: equal shares.
//! * `gap_pro_rata`: pro rata to each candidate's funding gap on the decision date
//!   (the equity rule: the most underfunded get most). All gaps zero is an error.
//! * `weights`: pro rata to positive weights.
//!
//! Shares are made by the largest-remainder method at the cent ([`crate::split`]).
//! Soft-earmarked money goes only to its resolution, and no allocation takes more
//! than its source holds on the decision date and after.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::account::AccountKey;
use crate::calendar::iso_date;
use crate::command::{Allocate, AllocationSource, DecimalString, Policy};
use crate::contract::contract;
use crate::error::{LedgerError, Result};
use crate::ids::check_id;
use crate::money::{self, Currency};
use crate::plan::{Change, Plan, SeriesKey};
use crate::records::{AllocationLine, AllocationRecord, Idx, Source};
use crate::split::{largest_remainder, SplitLine};
use crate::state::State;

contract! {
    /// The result of a dry run of an allocation: the split and why.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct AllocationPreview {
        /// Decision reference.
        pub decision: String,
        /// Decision date.
        #[serde(with = "iso_date")]
        pub decided_on: NaiveDate,
        /// Policy used.
        pub policy: Policy,
        /// Where the money comes from.
        pub source: AllocationSource,
        /// Always `USD`: window money is kept in USD.
        pub currency: Currency,
        /// Amount allocated.
        pub amount: DecimalString,
        /// What the source holds on the decision date (and every later date).
        pub available: DecimalString,
        /// One line per candidate resolution, in resolution order.
        pub lines: Vec<PreviewLine>,
    }
}

contract! {
    /// One candidate resolution in an allocation preview.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct PreviewLine {
        /// Resolution id.
        pub resolution: String,
        /// Its title.
        pub title: String,
        /// Funding gap on the decision date, before this allocation (`null` without a requirement).
        pub gap_before: Option<DecimalString>,
        /// Weight used (the gap, the given weight, 1 for equal shares, the amount for explicit shares).
        pub weight: DecimalString,
        /// Exact quota, to six places beyond the cent.
        pub quota: DecimalString,
        /// Quota rounded down to the cent.
        pub floor: DecimalString,
        /// Fraction of a cent the floor leaves, to six places.
        pub remainder: DecimalString,
        /// Rank of the remainder (1 = largest; ties to the lower resolution id).
        pub rank: usize,
        /// Whether the line received one of the cents left over.
        pub extra_unit: bool,
        /// The share allocated.
        pub share: DecimalString,
    }
}

impl State {
    /// Validates an allocation and computes its plan and explanation.
    pub fn plan_allocation(
        &self,
        c: &Allocate,
        recorded_by: Option<&str>,
        seq: u64,
        explain: bool,
    ) -> Result<(Plan, Option<AllocationPreview>)> {
        check_id("allocation", &c.id)?;
        if self.allocation_index.contains_key(&c.id) {
            return Err(LedgerError::DuplicateId { kind: "allocation".into(), id: c.id.clone() });
        }
        self.check_approval("allocate", c.approved_by.as_deref(), recorded_by)?;
        let usd = Currency::USD;
        let amount = money::parse_amount("amount", c.amount.as_str(), usd)?;
        self.check_open(c.decided_on)?;
        let (source, source_account, earmark) = match &c.source {
            AllocationSource::Unallocated => (Source::Unallocated, AccountKey::WindowUnallocated, None),
            AllocationSource::Earmarked(id) => {
                let r = self.resolution(id)?;
                (Source::Earmarked(r), AccountKey::WindowEarmarked(r), Some(r))
            }
        };
        let keyed = policy_table(c)?;
        let candidates = self.candidates(c, keyed, earmark)?;
        let gaps: Vec<Option<Decimal>> = candidates.iter().map(|&r| self.gap(r, Some(c.decided_on)).2).collect();
        let weights = self.weights(c, keyed, &candidates, &gaps, amount)?;
        let lines = if c.policy == Policy::Explicit {
            explicit_lines(&weights)
        } else {
            largest_remainder(amount, usd, &weights)
                .map_err(|e| LedgerError::InvalidAllocation { reason: format!("cannot split: {e:?}") })?
        };

        let mut plan = Plan::dated(c.decided_on);
        plan.post(source_account, usd, amount);
        let mut record_lines = Vec::new();
        for ((&r, line), gap) in candidates.iter().zip(&lines).zip(&gaps) {
            plan.post(AccountKey::ResolutionFund(r), usd, -line.share);
            plan.flow(SeriesKey::Allocated(r), line.share);
            plan.flow(SeriesKey::Mobilized(r), line.share);
            if !line.share.is_zero() {
                record_lines.push(AllocationLine { resolution: r, gap_before: *gap, amount: line.share });
            }
        }
        plan.changes.push(Change::PushAllocation(AllocationRecord {
            id: c.id.clone(),
            decided_on: c.decided_on,
            approved_by: c.approved_by.clone(),
            policy: c.policy,
            source,
            lines: record_lines,
            entry: seq,
            reversed: None,
        }));
        if !explain {
            return Ok((plan, None));
        }
        let available = self.fund_available_from(source_account, usd, c.decided_on).max(Decimal::ZERO);
        let preview = AllocationPreview {
            decision: c.id.clone(),
            decided_on: c.decided_on,
            policy: c.policy,
            source: c.source.clone(),
            currency: usd,
            amount: money::format_amount(amount, usd).into(),
            available: money::format_amount(available, usd).into(),
            lines: candidates
                .iter()
                .zip(&lines)
                .zip(&gaps)
                .map(|((&r, line), gap)| self.preview_line(r, line, *gap))
                .collect(),
        };
        Ok((plan, Some(preview)))
    }

    /// The candidate resolutions, in resolution order, honouring the earmark.
    fn candidates(
        &self,
        c: &Allocate,
        keyed: Option<&BTreeMap<String, DecimalString>>,
        earmark: Option<Idx>,
    ) -> Result<Vec<Idx>> {
        let candidates = match (&c.resolutions, keyed) {
            (Some(list), _) => self.resolve_list(list, "resolutions")?,
            (None, Some(table)) => self.resolve_list(&table.keys().cloned().collect::<Vec<_>>(), "resolutions")?,
            (None, None) => match earmark {
                Some(r) => vec![r],
                None => self.resolution_order.clone(),
            },
        };
        if candidates.is_empty() {
            return Err(LedgerError::InvalidAllocation { reason: "no candidate resolutions".into() });
        }
        if let Some(r) = earmark {
            if let Some(&other) = candidates.iter().find(|&&x| x != r) {
                return Err(LedgerError::EarmarkViolation {
                    earmarked_to: self.res_id(r).into(),
                    resolution: self.res_id(other).into(),
                });
            }
        }
        if let Some(table) = keyed {
            for key in table.keys() {
                let r = self.resolution(key)?;
                if !candidates.contains(&r) {
                    return Err(LedgerError::InvalidAllocation {
                        reason: format!("{key} is not among the candidate resolutions"),
                    });
                }
            }
        }
        Ok(candidates)
    }

    /// The weight of each candidate under the policy (explicit: its share).
    fn weights(
        &self,
        c: &Allocate,
        keyed: Option<&BTreeMap<String, DecimalString>>,
        candidates: &[Idx],
        gaps: &[Option<Decimal>],
        amount: Decimal,
    ) -> Result<Vec<Decimal>> {
        let table_value = |r: Idx| keyed.and_then(|t| t.get(self.res_id(r)));
        match c.policy {
            Policy::Equal => Ok(vec![Decimal::ONE; candidates.len()]),
            Policy::GapProRata => {
                let weights: Vec<Decimal> = gaps.iter().map(|g| g.unwrap_or(Decimal::ZERO)).collect();
                if weights.iter().all(Decimal::is_zero) {
                    return Err(LedgerError::NoFundingGap {
                        resolutions: candidates.iter().map(|&r| self.res_id(r).to_owned()).collect(),
                    });
                }
                Ok(weights)
            }
            Policy::Weights => candidates
                .iter()
                .map(|&r| {
                    let text = table_value(r).ok_or_else(|| LedgerError::InvalidAllocation {
                        reason: format!("no weight for resolution {}", self.res_id(r)),
                    })?;
                    money::parse_rate(&format!("weights.{}", self.res_id(r)), text.as_str(), false, None)
                })
                .collect(),
            Policy::Explicit => {
                let shares = candidates
                    .iter()
                    .map(|&r| match table_value(r) {
                        Some(text) => {
                            money::parse_amount(&format!("shares.{}", self.res_id(r)), text.as_str(), Currency::USD)
                        }
                        None => Ok(money::zero_at(Currency::USD.minor_unit())),
                    })
                    .collect::<Result<Vec<Decimal>>>()?;
                let sum = shares.iter().try_fold(Decimal::ZERO, |acc, s| acc.checked_add(*s));
                if sum != Some(amount) {
                    let sum = sum.map_or_else(|| "overflow".to_owned(), |s| money::format_amount(s, Currency::USD));
                    return Err(LedgerError::InvalidAllocation {
                        reason: format!(
                            "shares sum to {sum}, the amount is {}",
                            money::format_amount(amount, Currency::USD)
                        ),
                    });
                }
                Ok(shares)
            }
        }
    }

    fn preview_line(&self, r: Idx, line: &SplitLine, gap: Option<Decimal>) -> PreviewLine {
        let usd = Currency::USD;
        let resolution = &self.resolutions[r as usize];
        PreviewLine {
            resolution: resolution.id_text.clone(),
            title: resolution.title.clone(),
            gap_before: gap.map(|g| money::format_amount(g, usd).into()),
            weight: line.weight.into(),
            quota: line.quota.into(),
            floor: money::format_amount(line.floor, usd).into(),
            remainder: line.remainder.into(),
            rank: line.rank,
            extra_unit: line.extra_unit,
            share: money::format_amount(line.share, usd).into(),
        }
    }
}

/// The `shares` or `weights` table the policy needs, refusing the other one.
fn policy_table(c: &Allocate) -> Result<Option<&BTreeMap<String, DecimalString>>> {
    let refuse = |reason: &str| Err(LedgerError::InvalidAllocation { reason: reason.into() });
    match (c.policy, &c.shares, &c.weights) {
        (Policy::Explicit, Some(shares), None) => Ok(Some(shares)),
        (Policy::Explicit, None, _) => refuse("the explicit policy needs shares"),
        (Policy::Weights, None, Some(weights)) => Ok(Some(weights)),
        (Policy::Weights, _, None) => refuse("the weights policy needs weights"),
        (Policy::Equal | Policy::GapProRata, None, None) => Ok(None),
        (_, Some(_), _) => refuse("shares go only with the explicit policy"),
        (_, _, Some(_)) => refuse("weights go only with the weights policy"),
    }
}

/// Explicit shares explained: each quota is its share exactly.
fn explicit_lines(shares: &[Decimal]) -> Vec<SplitLine> {
    shares
        .iter()
        .enumerate()
        .map(|(i, &share)| SplitLine {
            weight: share,
            quota: share,
            floor: share,
            remainder: Decimal::ZERO,
            rank: i + 1,
            extra_unit: false,
            share,
        })
        .collect()
}
