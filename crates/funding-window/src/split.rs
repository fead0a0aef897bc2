//! Splitting an amount into shares by the largest-remainder method at the minor unit.
//!
//! Each share starts at the floor of its exact quota (`total × weight ÷ Σ weights`,
//! in minor units); the units left over go one each to the largest remainders,
//! ties to the earlier line (callers list resolutions in resolution order, so
//! ties go to the lower resolution id). Shares therefore sum exactly to the
//! total and each is the floor or the ceiling of its quota. All of it is
//! integer arithmetic on minor units.
//!
//! ```
//! use funding_window::money::Currency;
//! use funding_window::split::largest_remainder;
//! use rust_decimal::Decimal;
//!
//! // 100.00 USD in three equal parts: 33.34 + 33.33 + 33.33, the extra cent to the first.
//! let one = Decimal::ONE;
//! let lines = largest_remainder(Decimal::new(10000, 2), Currency::USD, &[one, one, one]).unwrap();
//! let shares: Vec<String> = lines.iter().map(|l| l.share.to_string()).collect();
//! assert_eq!(shares, ["33.34", "33.33", "33.33"]);
//! ```

use rust_decimal::Decimal;
use serde::Serialize;

use crate::money::{self, Currency, RoundingRule};

/// One line of a split, with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitLine {
    /// The line's weight as given.
    pub weight: Decimal,
    /// Its exact quota in currency units, shown to six places beyond the minor unit.
    pub quota: Decimal,
    /// The quota rounded down to the minor unit (exact).
    pub floor: Decimal,
    /// What the floor leaves of the quota, in minor units (0 ≤ remainder < 1), to six places.
    pub remainder: Decimal,
    /// Position when ranking remainders, largest first, ties to the earlier line (1-based).
    pub rank: usize,
    /// Whether this line received one of the units left over after the floors.
    pub extra_unit: bool,
    /// The share: the floor, plus one minor unit if `extra_unit`.
    pub share: Decimal,
}

/// Why a split cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitError {
    /// No lines, a negative weight, or weights summing to zero.
    NoWeight,
    /// The total is negative or finer than the currency's minor unit.
    BadTotal,
    /// A product left 128-bit integer arithmetic (beyond the ledger's limits).
    Overflow,
}

/// Splits `total` (a non-negative amount in `currency`) in proportion to `weights`.
///
/// Ties between equal remainders go to the earlier weight.
pub fn largest_remainder(
    total: Decimal,
    currency: Currency,
    weights: &[Decimal],
) -> Result<Vec<SplitLine>, SplitError> {
    if weights.is_empty() || weights.iter().any(|w| w.is_sign_negative() && !w.is_zero()) {
        return Err(SplitError::NoWeight);
    }
    if total.is_sign_negative() && !total.is_zero() {
        return Err(SplitError::BadTotal);
    }
    let total_units = money::to_minor_units(total, currency).ok_or(SplitError::BadTotal)?;
    let scale = weights.iter().map(|w| w.scale()).max().unwrap_or(0);
    let ints = weights
        .iter()
        .map(|w| 10i128.checked_pow(scale - w.scale()).and_then(|f| w.mantissa().checked_mul(f)))
        .collect::<Option<Vec<i128>>>()
        .ok_or(SplitError::Overflow)?;
    let sum = ints.iter().try_fold(0i128, |acc, w| acc.checked_add(*w)).ok_or(SplitError::Overflow)?;
    if sum == 0 {
        return Err(SplitError::NoWeight);
    }
    let mut parts = Vec::with_capacity(ints.len());
    for w in &ints {
        let n = total_units.checked_mul(*w).ok_or(SplitError::Overflow)?;
        parts.push((n / sum, n % sum));
    }
    let floors: i128 = parts.iter().map(|p| p.0).sum();
    let left_over = usize::try_from(total_units - floors).map_err(|_| SplitError::Overflow)?;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    // Largest remainder first; the stable sort keeps earlier lines first among equals.
    order.sort_by(|&a, &b| parts[b].1.cmp(&parts[a].1));
    let mut rank = vec![0usize; parts.len()];
    for (position, &i) in order.iter().enumerate() {
        rank[i] = position + 1;
    }
    let minor = currency.minor_unit();
    let units_to_amount = |units: i128| money::from_minor_units(units, currency).ok_or(SplitError::Overflow);
    let explain_scale = minor + 6;
    parts
        .iter()
        .enumerate()
        .map(|(i, &(floor, rem))| {
            let extra_unit = rank[i] <= left_over;
            let exact_units = Decimal::try_from_i128_with_scale(floor * sum + rem, 0).ok();
            let denominator = Decimal::try_from_i128_with_scale(sum, 0).ok();
            let scale_units = Decimal::try_from_i128_with_scale(10i128.pow(minor), 0).ok();
            let quota = match (exact_units, denominator, scale_units) {
                (Some(n), Some(d), Some(u)) => d
                    .checked_mul(u)
                    .and_then(|du| money::div_round(n, du, explain_scale, RoundingRule::HalfEven))
                    .ok_or(SplitError::Overflow)?,
                _ => return Err(SplitError::Overflow),
            };
            let remainder = match (Decimal::try_from_i128_with_scale(rem, 0).ok(), denominator) {
                (Some(r), Some(d)) => money::div_round(r, d, 6, RoundingRule::HalfEven).ok_or(SplitError::Overflow)?,
                _ => return Err(SplitError::Overflow),
            };
            Ok(SplitLine {
                weight: weights[i],
                quota,
                floor: units_to_amount(floor)?,
                remainder,
                rank: rank[i],
                extra_unit,
                share: units_to_amount(floor + i128::from(extra_unit))?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn shares(total: &str, currency: &str, weights: &[&str]) -> Vec<String> {
        let ws: Vec<Decimal> = weights.iter().map(|w| d(w)).collect();
        largest_remainder(d(total), Currency::from_code(currency).unwrap(), &ws)
            .unwrap()
            .iter()
            .map(|l| l.share.to_string())
            .collect()
    }

    #[test]
    fn remainders_go_to_the_largest_then_the_earliest() {
        assert_eq!(shares("100.00", "USD", &["1", "1", "1"]), ["33.34", "33.33", "33.33"]);
        assert_eq!(shares("0.02", "USD", &["1", "1", "1"]), ["0.01", "0.01", "0.00"]);
        assert_eq!(shares("10", "JPY", &["1", "2"]), ["3", "7"]);
        assert_eq!(shares("1.000", "KWD", &["1", "1", "1"]), ["0.334", "0.333", "0.333"]);
        // 0.05 by weights 1:2 → quotas 0.0166..., 0.0333...: the larger remainder (0.666) wins.
        assert_eq!(shares("0.05", "USD", &["1", "2"]), ["0.02", "0.03"]);
        assert_eq!(shares("1.00", "USD", &["0", "1"]), ["0.00", "1.00"]);
        assert_eq!(shares("1.00", "USD", &["0.5", "0.25", "0.25"]), ["0.50", "0.25", "0.25"]);
    }

    #[test]
    fn explanation_is_consistent() {
        let lines = largest_remainder(d("100.00"), Currency::USD, &[d("1"), d("1"), d("1")]).unwrap();
        assert_eq!(lines[0].quota.to_string(), "33.33333333");
        assert_eq!(lines[0].floor.to_string(), "33.33");
        assert_eq!(lines[0].remainder.to_string(), "0.333333");
        assert_eq!(lines.iter().map(|l| l.rank).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(lines.iter().filter(|l| l.extra_unit).count(), 1);
    }

    #[test]
    fn refuses_what_cannot_be_split() {
        assert_eq!(largest_remainder(d("1"), Currency::USD, &[]), Err(SplitError::NoWeight));
        assert_eq!(largest_remainder(d("1"), Currency::USD, &[d("0")]), Err(SplitError::NoWeight));
        assert_eq!(largest_remainder(d("1"), Currency::USD, &[d("-1"), d("2")]), Err(SplitError::NoWeight));
        assert_eq!(largest_remainder(d("0.001"), Currency::USD, &[d("1")]), Err(SplitError::BadTotal));
    }
}
