//! Fast, allocation-free text forms of decimals, dates, timestamps and hashes.
//!
//! The journal writes and reads these on every entry; going through `core::fmt`
//! (and chrono's strftime) cost more than the accounting itself.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use rust_decimal::Decimal;

/// Room for any `Decimal` (at most 29 digits, a sign and a point).
pub(crate) type DecimalBuf = [u8; 32];

/// Writes `value` exactly as its scale says (`12.30`), never as `-0`.
pub(crate) fn decimal<'b>(value: &Decimal, buf: &'b mut DecimalBuf) -> &'b str {
    // Only ASCII digits, '.' and '-' are written.
    std::str::from_utf8(decimal_bytes(value, buf)).unwrap_or("0")
}

/// Appends `value` as [`decimal`] writes it.
pub(crate) fn push_decimal(out: &mut String, value: &Decimal) {
    out.push_str(decimal(value, &mut DecimalBuf::default()));
}

/// `value` as [`decimal`] writes it, as bytes (without checking them as text again).
pub(crate) fn decimal_bytes<'b>(value: &Decimal, buf: &'b mut DecimalBuf) -> &'b [u8] {
    let start = decimal_digits(value, buf);
    &buf[start..]
}

/// Two-digit groups "00" to "99".
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes the two digits of `n` (below 100) just before `end`.
fn put_pair(n: u64, buf: &mut DecimalBuf, end: usize) {
    let at = n as usize * 2;
    buf[end - 2..end].copy_from_slice(&PAIRS[at..at + 2]);
}

/// Writes `n` without leading zeros, ending at `end`; returns where it starts.
fn put_integer(mut n: u64, buf: &mut DecimalBuf, mut end: usize) -> usize {
    while n >= 100 {
        put_pair(n % 100, buf, end);
        n /= 100;
        end -= 2;
    }
    if n >= 10 {
        put_pair(n, buf, end);
        end - 2
    } else {
        buf[end - 1] = b'0' + n as u8;
        end - 1
    }
}

/// Writes exactly `count` digits of `n` (zero-padded), ending at `end`; returns where they start.
fn put_fraction(mut n: u64, count: usize, buf: &mut DecimalBuf, mut end: usize) -> usize {
    let start = end - count;
    while end >= start + 2 {
        put_pair(n % 100, buf, end);
        n /= 100;
        end -= 2;
    }
    if end > start {
        buf[end - 1] = b'0' + (n % 10) as u8;
    }
    start
}

/// Writes `value` at the end of `buf`; returns where the text starts.
fn decimal_digits(value: &Decimal, buf: &mut DecimalBuf) -> usize {
    let scale = value.scale() as usize;
    let mantissa = value.mantissa().unsigned_abs();
    let mut i = buf.len();
    // Amounts fit in 64 bits with a small scale; 128-bit division is much slower.
    match (u64::try_from(mantissa), scale) {
        (Ok(m), 0) => i = put_integer(m, buf, i),
        (Ok(m), 1..=19) => {
            // Cents are the usual case: a constant divisor is a multiplication.
            let (int, frac) = if scale == 2 {
                (m / 100, m % 100)
            } else {
                (m / 10u64.pow(scale as u32), m % 10u64.pow(scale as u32))
            };
            i = put_fraction(frac, scale, buf, i) - 1;
            buf[i] = b'.';
            i = put_integer(int, buf, i);
        }
        _ => {
            let mut written = 0usize;
            let mut digits = mantissa;
            while digits > 0 || written <= scale {
                if written == scale && scale > 0 {
                    i -= 1;
                    buf[i] = b'.';
                }
                i -= 1;
                buf[i] = b'0' + (digits % 10) as u8;
                digits /= 10;
                written += 1;
            }
        }
    }
    if value.is_sign_negative() && !value.is_zero() {
        i -= 1;
        buf[i] = b'-';
    }
    i
}

/// Writes an unsigned integer.
pub(crate) fn unsigned(mut v: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

/// Writes `YYYY-MM-DD`.
pub(crate) fn date(date: NaiveDate, buf: &mut [u8; 10]) -> &str {
    let year = date.year().clamp(0, 9999) as u32;
    four(year, &mut buf[0..4]);
    buf[4] = b'-';
    two(date.month(), &mut buf[5..7]);
    buf[7] = b'-';
    two(date.day(), &mut buf[8..10]);
    std::str::from_utf8(buf).unwrap_or("0000-00-00")
}

/// Writes a UTC timestamp as RFC 3339 with `Z`, with milli-, micro- or nanoseconds
/// only when there are any (as chrono's `SecondsFormat::AutoSi` does).
pub(crate) fn timestamp(at: &DateTime<Utc>) -> String {
    let mut buf = [0u8; 30];
    let mut d = [0u8; 10];
    buf[..10].copy_from_slice(date(at.date_naive(), &mut d).as_bytes());
    buf[10] = b'T';
    two(at.hour(), &mut buf[11..13]);
    buf[13] = b':';
    two(at.minute(), &mut buf[14..16]);
    buf[16] = b':';
    two(at.second(), &mut buf[17..19]);
    let mut n = 19;
    let nanos = at.nanosecond() % 1_000_000_000;
    if nanos != 0 {
        buf[n] = b'.';
        n += 1;
        let (value, width) = if nanos.is_multiple_of(1_000_000) {
            (nanos / 1_000_000, 3)
        } else if nanos.is_multiple_of(1_000) {
            (nanos / 1_000, 6)
        } else {
            (nanos, 9)
        };
        let mut v = value;
        for k in (0..width).rev() {
            buf[n + k] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        n += width;
    }
    buf[n] = b'Z';
    String::from_utf8_lossy(&buf[..=n]).into_owned()
}

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

/// The number the ASCII digits `b` spell (`None` for anything else).
pub(crate) fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` quickly; anything else goes through chrono's RFC 3339 parser.
pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() == 20 && b[10] == b'T' && b[13] == b':' && b[16] == b':' && b[19] == b'Z' {
        let num = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
        };
        let day = parse_date(&text[..10])?;
        let time = chrono::NaiveTime::from_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?;
        return Some(DateTime::from_naive_utc_and_offset(day.and_time(time), Utc));
    }
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

fn two(v: u32, out: &mut [u8]) {
    out[0] = b'0' + (v / 10 % 10) as u8;
    out[1] = b'0' + (v % 10) as u8;
}

fn four(v: u32, out: &mut [u8]) {
    two(v / 100, &mut out[0..2]);
    two(v % 100, &mut out[2..4]);
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of a byte string.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX_DIGITS[(b >> 4) as usize]);
        out.push(HEX_DIGITS[(b & 15) as usize]);
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Lower-case hex of a hash, without allocating.
pub(crate) fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX_DIGITS[(b >> 4) as usize];
        pair[1] = HEX_DIGITS[(b & 15) as usize];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_print_exactly() {
        for text in
            ["0", "0.00", "12.30", "-12.30", "0.05", "-0.05", "100", "79228162514264337593543950335", "0.0000001"]
        {
            let d: Decimal = text.parse().unwrap();
            let mut buf = DecimalBuf::default();
            assert_eq!(decimal(&d, &mut buf), d.to_string(), "{text}");
        }
        let mut negative_zero: Decimal = "0.00".parse().unwrap();
        let mut pushed = String::from("x");
        push_decimal(&mut pushed, &"-12.30".parse().unwrap());
        assert_eq!(pushed, "x-12.30");
        negative_zero.set_sign_negative(true);
        assert_eq!(decimal(&negative_zero, &mut DecimalBuf::default()), "0.00");
    }

    proptest::proptest! {
        /// Every decimal, at every scale, prints as `Decimal`'s own `Display` does.
        #[test]
        fn decimals_print_as_display_does(
            lo in proptest::prelude::any::<u32>(),
            mid in proptest::prelude::any::<u32>(),
            hi in proptest::prelude::any::<u32>(),
            small in proptest::prelude::any::<u64>(),
            negative in proptest::prelude::any::<bool>(),
            scale in 0u32..=28,
            wide in proptest::prelude::any::<bool>(),
        ) {
            let d = if wide {
                Decimal::from_parts(lo, mid, hi, negative, scale)
            } else {
                Decimal::from_parts(small as u32, (small >> 32) as u32, 0, negative, scale)
            };
            let mut buf = DecimalBuf::default();
            proptest::prop_assert_eq!(decimal(&d, &mut buf), d.to_string());
            let mut pushed = String::new();
            push_decimal(&mut pushed, &d);
            proptest::prop_assert_eq!(&pushed, &d.to_string());
            let shown = d.to_string();
            proptest::prop_assert_eq!(decimal_bytes(&d, &mut buf), shown.as_bytes());
        }
    }

    #[test]
    fn dates_and_timestamps_match_chrono() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 7).unwrap();
        assert_eq!(date(d, &mut [0; 10]), "2024-03-07");
        for text in [
            "2024-03-07T09:05:01Z",
            "2024-03-07T09:05:01.250Z",
            "2024-03-07T09:05:01.000250Z",
            "2024-03-07T09:05:01.000000250Z",
        ] {
            let t = parse_timestamp(text).unwrap();
            assert_eq!(timestamp(&t), text);
            assert_eq!(timestamp(&t), t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
        }
        assert_eq!(timestamp(&parse_timestamp("2024-03-07T10:05:01+01:00").unwrap()), "2024-03-07T09:05:01Z");
        assert!(parse_timestamp("2024-02-30T09:05:01Z").is_none());
        assert!(parse_timestamp("2024-03-07T25:05:01Z").is_none());
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }
}
