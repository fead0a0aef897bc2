//! Running totals by value date, so reports read balances without rescanning the journal.
//!
//! A [`DatedSeries`] keeps one point per distinct date with the cumulative total
//! as of that date. Appending in date order (the usual case) is O(1); a
//! back-dated change inserts a point and shifts the later ones. Reading the
//! total as of any date is a binary search.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Cumulative totals by date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DatedSeries {
    points: Vec<(NaiveDate, Decimal)>,
}

/// How to take back one [`DatedSeries::add`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct SeriesUndo {
    // u32: a series has at most one point per date.
    index: u32,
    inserted: bool,
    delta: Decimal,
}

impl DatedSeries {
    /// The total after every change (as of the last date).
    pub fn total(&self) -> Decimal {
        self.points.last().map_or(Decimal::ZERO, |p| p.1)
    }

    /// The total of all changes dated on or before `date`.
    pub fn as_of(&self, date: NaiveDate) -> Decimal {
        match self.points.partition_point(|p| p.0 <= date) {
            0 => Decimal::ZERO,
            n => self.points[n - 1].1,
        }
    }

    /// The total as of `date`, or as of the end when `date` is `None`.
    pub fn at(&self, date: Option<NaiveDate>) -> Decimal {
        date.map_or_else(|| self.total(), |d| self.as_of(d))
    }

    /// The largest total on any date from `date` on (including as of `date`).
    ///
    /// A debit-positive fund stays non-negative in credit terms at every date
    /// from `date` on if this plus a debit stays at or below zero.
    pub fn max_from(&self, date: NaiveDate) -> Decimal {
        let start = self.points.partition_point(|p| p.0 <= date);
        let mut max = self.as_of(date);
        for p in &self.points[start..] {
            max = max.max(p.1);
        }
        max
    }

    /// The least total on any date from `date` on (including as of `date`).
    ///
    /// A debit-positive asset (cash, a receivable) stays non-negative at every date from
    /// `date` on if this less a credit stays at or above zero.
    pub fn min_from(&self, date: NaiveDate) -> Decimal {
        let start = self.points.partition_point(|p| p.0 <= date);
        self.points[start..].iter().fold(self.as_of(date), |min, p| min.min(p.1))
    }

    /// The largest of `a + b` on any date from `date` on (including as of `date`): a quantity
    /// the books hold as the sum of two balances, read wherever either of them changes.
    pub fn max_of_sum_from(a: &DatedSeries, b: &DatedSeries, date: NaiveDate) -> Decimal {
        let (mut i, mut j) = (a.points.partition_point(|p| p.0 <= date), b.points.partition_point(|p| p.0 <= date));
        let (mut at_a, mut at_b) = (a.as_of(date), b.as_of(date));
        let mut max = at_a + at_b;
        // Walk both lists of later dates in date order, a point of each on a shared date together.
        loop {
            let next_a = a.points.get(i).map(|p| p.0);
            let next_b = b.points.get(j).map(|p| p.0);
            let next = match (next_a, next_b) {
                (None, None) => return max,
                (Some(x), None) => x,
                (None, Some(y)) => y,
                (Some(x), Some(y)) => x.min(y),
            };
            if next_a == Some(next) {
                at_a = a.points[i].1;
                i += 1;
            }
            if next_b == Some(next) {
                at_b = b.points[j].1;
                j += 1;
            }
            max = max.max(at_a + at_b);
        }
    }

    /// Adds `delta` on `date`. `None` (and nothing changed) if a total would overflow.
    pub fn add(&mut self, date: NaiveDate, delta: Decimal) -> Option<SeriesUndo> {
        // The usual case: a change on or after the last date.
        let len = self.points.len();
        match self.points.last_mut() {
            Some(last) if last.0 == date => {
                last.1 = last.1.checked_add(delta)?;
                return Some(SeriesUndo { index: (len - 1) as u32, inserted: false, delta });
            }
            Some(last) if last.0 < date => {
                let total = last.1.checked_add(delta)?;
                self.points.push((date, total));
                return Some(SeriesUndo { index: len as u32, inserted: true, delta });
            }
            None => {
                self.points.push((date, delta));
                return Some(SeriesUndo { index: 0, inserted: true, delta });
            }
            Some(_) => {}
        }
        let index = self.points.partition_point(|p| p.0 < date);
        let inserted = self.points.get(index).is_none_or(|p| p.0 != date);
        // Check every total first so a failure leaves the series untouched.
        let before = if index == 0 { Decimal::ZERO } else { self.points[index - 1].1 };
        if inserted {
            before.checked_add(delta)?;
        }
        for p in &self.points[index..] {
            p.1.checked_add(delta)?;
        }
        if inserted {
            self.points.insert(index, (date, before + delta));
            for p in &mut self.points[index + 1..] {
                p.1 += delta;
            }
        } else {
            for p in &mut self.points[index..] {
                p.1 += delta;
            }
        }
        Some(SeriesUndo { index: index as u32, inserted, delta })
    }

    /// Takes back an [`add`](Self::add); undos must be applied newest first.
    pub fn undo(&mut self, undo: SeriesUndo) {
        let index = undo.index as usize;
        for p in &mut self.points[index..] {
            p.1 -= undo.delta;
        }
        if undo.inserted {
            self.points.remove(index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, d).unwrap()
    }

    fn dec(n: i64) -> Decimal {
        Decimal::from(n)
    }

    #[test]
    fn totals_as_of_any_date_with_back_dating() {
        let mut s = DatedSeries::default();
        s.add(day(10), dec(5)).unwrap();
        s.add(day(20), dec(-2)).unwrap();
        s.add(day(5), dec(1)).unwrap(); // back-dated
        s.add(day(10), dec(4)).unwrap(); // same date
        assert_eq!(s.as_of(day(1)), dec(0));
        assert_eq!(s.as_of(day(5)), dec(1));
        assert_eq!(s.as_of(day(15)), dec(10));
        assert_eq!(s.total(), dec(8));
        assert_eq!(s.max_from(day(1)), dec(10));
        assert_eq!(s.max_from(day(11)), dec(10));
        assert_eq!(s.max_from(day(20)), dec(8));
    }

    #[test]
    fn least_and_largest_from_a_date() {
        let mut a = DatedSeries::default();
        a.add(day(10), dec(5)).unwrap();
        a.add(day(20), dec(-7)).unwrap();
        a.add(day(25), dec(4)).unwrap();
        assert_eq!(a.min_from(day(1)), dec(-2));
        assert_eq!(a.min_from(day(10)), dec(-2));
        assert_eq!(a.min_from(day(25)), dec(2));
        assert_eq!(a.min_from(day(30)), dec(2));
        let mut b = DatedSeries::default();
        b.add(day(15), dec(3)).unwrap();
        b.add(day(20), dec(10)).unwrap();
        b.add(day(30), dec(-20)).unwrap();
        // a + b: 0 until 10, 5 on 10, 8 on 15, 11 on 20, 15 on 25, -5 on 30.
        assert_eq!(DatedSeries::max_of_sum_from(&a, &b, day(1)), dec(15));
        assert_eq!(DatedSeries::max_of_sum_from(&a, &b, day(26)), dec(15));
        assert_eq!(DatedSeries::max_of_sum_from(&a, &b, day(30)), dec(-5));
        assert_eq!(DatedSeries::max_of_sum_from(&b, &a, day(12)), dec(15));
        let empty = DatedSeries::default();
        assert_eq!(DatedSeries::max_of_sum_from(&a, &empty, day(21)), dec(2));
    }

    #[test]
    fn undo_restores_the_exact_series() {
        let mut s = DatedSeries::default();
        s.add(day(10), dec(5)).unwrap();
        s.add(day(20), dec(7)).unwrap();
        let before = s.clone();
        let u1 = s.add(day(15), dec(3)).unwrap();
        let u2 = s.add(day(10), dec(-1)).unwrap();
        let u3 = s.add(day(25), dec(2)).unwrap();
        for u in [u3, u2, u1] {
            s.undo(u);
        }
        assert_eq!(s, before);
    }
}
