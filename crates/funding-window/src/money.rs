//! Currencies, exact decimal parsing, and the only places where rounding happens.
//!
//! Money is a [`Decimal`] at its currency's minor unit. Text is parsed strictly
//! ([`parse_decimal`]): plain digits with an optional sign and fraction, no
//! exponent, no `NaN`, at most 28 significant digits. Products and quotients
//! that must land on a minor unit go through [`mul_round`] and [`div_round`],
//! which compute on 128-bit integers and round once, by an explicit
//! [`RoundingRule`]. Nothing else in the crate rounds.
//!
//! ```
//! use funding_window::money::{Currency, Money, RoundingRule, div_round};
//! use rust_decimal::Decimal;
//!
//! let sek = Currency::from_code("SEK").unwrap();
//! let amount = Money::parse("10000000.00", sek).unwrap();
//! // SEK 10,000,000 at 10.4512 SEK per USD, rounded half-to-even to cents.
//! let usd = div_round(amount.amount(), "10.4512".parse().unwrap(), 2, RoundingRule::HalfEven).unwrap();
//! assert_eq!(usd.to_string(), "956827.92");
//! assert!(Money::parse("1.005", Currency::USD).is_err()); // finer than a cent: refused
//! ```

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{LedgerError, Result};
use crate::limits::{AMOUNT_INTEGER_DIGITS_MAX, DECIMAL_DIGITS_MAX, RATE_SCALE_MAX};

/// ISO 4217 currencies: code, minor unit (decimals), name. Sorted by code.
static CURRENCIES: &[(&str, u8, &str)] = &[
    ("AED", 2, "UAE Dirham"),
    ("AFN", 2, "Afghani"),
    ("ALL", 2, "Lek"),
    ("AMD", 2, "Armenian Dram"),
    ("AOA", 2, "Kwanza"),
    ("ARS", 2, "Argentine Peso"),
    ("AUD", 2, "Australian Dollar"),
    ("AWG", 2, "Aruban Florin"),
    ("AZN", 2, "Azerbaijan Manat"),
    ("BAM", 2, "Convertible Mark"),
    ("BBD", 2, "Barbados Dollar"),
    ("BDT", 2, "Taka"),
    ("BGN", 2, "Bulgarian Lev"),
    ("BHD", 3, "Bahraini Dinar"),
    ("BIF", 0, "Burundi Franc"),
    ("BMD", 2, "Bermudian Dollar"),
    ("BND", 2, "Brunei Dollar"),
    ("BOB", 2, "Boliviano"),
    ("BRL", 2, "Brazilian Real"),
    ("BSD", 2, "Bahamian Dollar"),
    ("BTN", 2, "Ngultrum"),
    ("BWP", 2, "Pula"),
    ("BYN", 2, "Belarusian Ruble"),
    ("BZD", 2, "Belize Dollar"),
    ("CAD", 2, "Canadian Dollar"),
    ("CDF", 2, "Congolese Franc"),
    ("CHF", 2, "Swiss Franc"),
    ("CLP", 0, "Chilean Peso"),
    ("CNY", 2, "Yuan Renminbi"),
    ("COP", 2, "Colombian Peso"),
    ("CRC", 2, "Costa Rican Colon"),
    ("CUP", 2, "Cuban Peso"),
    ("CVE", 2, "Cabo Verde Escudo"),
    ("CZK", 2, "Czech Koruna"),
    ("DJF", 0, "Djibouti Franc"),
    ("DKK", 2, "Danish Krone"),
    ("DOP", 2, "Dominican Peso"),
    ("DZD", 2, "Algerian Dinar"),
    ("EGP", 2, "Egyptian Pound"),
    ("ERN", 2, "Nakfa"),
    ("ETB", 2, "Ethiopian Birr"),
    ("EUR", 2, "Euro"),
    ("FJD", 2, "Fiji Dollar"),
    ("FKP", 2, "Falkland Islands Pound"),
    ("GBP", 2, "Pound Sterling"),
    ("GEL", 2, "Lari"),
    ("GHS", 2, "Ghana Cedi"),
    ("GIP", 2, "Gibraltar Pound"),
    ("GMD", 2, "Dalasi"),
    ("GNF", 0, "Guinean Franc"),
    ("GTQ", 2, "Quetzal"),
    ("GYD", 2, "Guyana Dollar"),
    ("HKD", 2, "Hong Kong Dollar"),
    ("HNL", 2, "Lempira"),
    ("HTG", 2, "Gourde"),
    ("HUF", 2, "Forint"),
    ("IDR", 2, "Rupiah"),
    ("ILS", 2, "New Israeli Sheqel"),
    ("INR", 2, "Indian Rupee"),
    ("IQD", 3, "Iraqi Dinar"),
    ("IRR", 2, "Iranian Rial"),
    ("ISK", 0, "Iceland Krona"),
    ("JMD", 2, "Jamaican Dollar"),
    ("JOD", 3, "Jordanian Dinar"),
    ("JPY", 0, "Yen"),
    ("KES", 2, "Kenyan Shilling"),
    ("KGS", 2, "Som"),
    ("KHR", 2, "Riel"),
    ("KMF", 0, "Comorian Franc"),
    ("KPW", 2, "North Korean Won"),
    ("KRW", 0, "Won"),
    ("KWD", 3, "Kuwaiti Dinar"),
    ("KYD", 2, "Cayman Islands Dollar"),
    ("KZT", 2, "Tenge"),
    ("LAK", 2, "Lao Kip"),
    ("LBP", 2, "Lebanese Pound"),
    ("LKR", 2, "Sri Lanka Rupee"),
    ("LRD", 2, "Liberian Dollar"),
    ("LSL", 2, "Loti"),
    ("LYD", 3, "Libyan Dinar"),
    ("MAD", 2, "Moroccan Dirham"),
    ("MDL", 2, "Moldovan Leu"),
    ("MGA", 2, "Malagasy Ariary"),
    ("MKD", 2, "Denar"),
    ("MMK", 2, "Kyat"),
    ("MNT", 2, "Tugrik"),
    ("MOP", 2, "Pataca"),
    ("MRU", 2, "Ouguiya"),
    ("MUR", 2, "Mauritius Rupee"),
    ("MVR", 2, "Rufiyaa"),
    ("MWK", 2, "Malawi Kwacha"),
    ("MXN", 2, "Mexican Peso"),
    ("MYR", 2, "Malaysian Ringgit"),
    ("MZN", 2, "Mozambique Metical"),
    ("NAD", 2, "Namibia Dollar"),
    ("NGN", 2, "Naira"),
    ("NIO", 2, "Cordoba Oro"),
    ("NOK", 2, "Norwegian Krone"),
    ("NPR", 2, "Nepalese Rupee"),
    ("NZD", 2, "New Zealand Dollar"),
    ("OMR", 3, "Rial Omani"),
    ("PAB", 2, "Balboa"),
    ("PEN", 2, "Sol"),
    ("PGK", 2, "Kina"),
    ("PHP", 2, "Philippine Peso"),
    ("PKR", 2, "Pakistan Rupee"),
    ("PLN", 2, "Zloty"),
    ("PYG", 0, "Guarani"),
    ("QAR", 2, "Qatari Rial"),
    ("RON", 2, "Romanian Leu"),
    ("RSD", 2, "Serbian Dinar"),
    ("RUB", 2, "Russian Ruble"),
    ("RWF", 0, "Rwanda Franc"),
    ("SAR", 2, "Saudi Riyal"),
    ("SBD", 2, "Solomon Islands Dollar"),
    ("SCR", 2, "Seychelles Rupee"),
    ("SDG", 2, "Sudanese Pound"),
    ("SEK", 2, "Swedish Krona"),
    ("SGD", 2, "Singapore Dollar"),
    ("SHP", 2, "Saint Helena Pound"),
    ("SLE", 2, "Leone"),
    ("SOS", 2, "Somali Shilling"),
    ("SRD", 2, "Surinam Dollar"),
    ("SSP", 2, "South Sudanese Pound"),
    ("STN", 2, "Dobra"),
    ("SVC", 2, "El Salvador Colon"),
    ("SYP", 2, "Syrian Pound"),
    ("SZL", 2, "Lilangeni"),
    ("THB", 2, "Baht"),
    ("TJS", 2, "Somoni"),
    ("TMT", 2, "Turkmenistan New Manat"),
    ("TND", 3, "Tunisian Dinar"),
    ("TOP", 2, "Pa'anga"),
    ("TRY", 2, "Turkish Lira"),
    ("TTD", 2, "Trinidad and Tobago Dollar"),
    ("TWD", 2, "New Taiwan Dollar"),
    ("TZS", 2, "Tanzanian Shilling"),
    ("UAH", 2, "Hryvnia"),
    ("UGX", 0, "Uganda Shilling"),
    ("USD", 2, "US Dollar"),
    ("UYU", 2, "Peso Uruguayo"),
    ("UZS", 2, "Uzbekistan Sum"),
    ("VES", 2, "Bolivar Soberano"),
    ("VND", 0, "Dong"),
    ("VUV", 0, "Vatu"),
    ("WST", 2, "Tala"),
    ("XAF", 0, "CFA Franc BEAC"),
    ("XCD", 2, "East Caribbean Dollar"),
    ("XOF", 0, "CFA Franc BCEAO"),
    ("XPF", 0, "CFP Franc"),
    ("YER", 2, "Yemeni Rial"),
    ("ZAR", 2, "Rand"),
    ("ZMW", 2, "Zambian Kwacha"),
    ("ZWG", 2, "Zimbabwe Gold"),
];

/// An ISO 4217 currency the ledger knows, with its minor unit.
///
/// Two bytes, `Copy`, ordered by code. Only currencies in the built-in table exist.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(u16);

impl Currency {
    /// The reporting currency, US dollar.
    pub const USD: Currency = Currency(usd_index());

    /// Looks up a currency by its upper-case ISO 4217 code.
    ///
    /// ```
    /// use funding_window::money::Currency;
    /// assert_eq!(Currency::from_code("KWD").unwrap().minor_unit(), 3);
    /// assert_eq!(Currency::from_code("usd").unwrap_err().code(), "UNKNOWN_CURRENCY");
    /// ```
    pub fn from_code(code: &str) -> Result<Currency> {
        CURRENCIES
            .binary_search_by(|(c, _, _)| (*c).cmp(code))
            .map(|i| Currency(i as u16))
            .map_err(|_| LedgerError::UnknownCurrency { currency: code.to_owned() })
    }

    /// The three-letter code.
    pub fn code(self) -> &'static str {
        CURRENCIES[self.0 as usize].0
    }

    /// Number of decimals of the minor unit (USD 2, JPY 0, KWD 3).
    pub fn minor_unit(self) -> u32 {
        u32::from(CURRENCIES[self.0 as usize].1)
    }

    /// The currency's English name.
    pub fn name(self) -> &'static str {
        CURRENCIES[self.0 as usize].2
    }

    /// Every currency the ledger knows, in code order.
    pub fn all() -> impl Iterator<Item = Currency> {
        (0..CURRENCIES.len()).map(|i| Currency(i as u16))
    }
}

const fn usd_index() -> u16 {
    let mut i = 0;
    while i < CURRENCIES.len() {
        let c = CURRENCIES[i].0.as_bytes();
        if c[0] == b'U' && c[1] == b'S' && c[2] == b'D' {
            return i as u16;
        }
        i += 1;
    }
    panic!("USD missing from the currency table");
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Currency {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self> {
        Currency::from_code(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

crate::contract::describe::contract_choice! {
    /// How a quotient or product is brought to a minor unit. Half-to-even by default.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum RoundingRule {
        /// Ties go to the even neighbour (banker's rounding).
        HalfEven = "half_even",
        /// Ties go away from zero (commercial rounding).
        HalfUp = "half_up",
        /// Ties go toward zero.
        HalfDown = "half_down",
        /// Always toward zero (truncation).
        Down = "down",
        /// Always away from zero.
        Up = "up",
    }
}

// The declaring macro takes no `#[default]` on a variant, so the default is written out.
#[allow(clippy::derivable_impls)]
impl Default for RoundingRule {
    fn default() -> Self {
        RoundingRule::HalfEven
    }
}

/// An exact amount in a currency, at the currency's minor unit.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Wraps an amount that already fits the currency's minor unit.
    ///
    /// Fails with `PRECISION_EXCEEDED` if it has more decimals than the currency allows.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Money> {
        let amount = at_minor_unit("amount", amount, currency)?;
        Ok(Money { amount, currency })
    }

    /// Zero in a currency.
    pub fn zero(currency: Currency) -> Money {
        Money { amount: zero_at(currency.minor_unit()), currency }
    }

    /// Parses a decimal string strictly and checks it against the minor unit.
    pub fn parse(text: &str, currency: Currency) -> Result<Money> {
        let amount = parse_decimal(text).map_err(|reason| LedgerError::InvalidAmount {
            field: "amount".into(),
            value: text.into(),
            reason: reason.to_string(),
        })?;
        Money::new(amount, currency)
    }

    /// The amount, with exactly the currency's minor-unit scale.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Checked addition; `CURRENCY_MISMATCH` across currencies, `AMOUNT_TOO_LARGE` on overflow.
    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        let sum = self.amount.checked_add(other.amount).ok_or_else(|| overflow("sum"))?;
        Ok(Money { amount: sum, currency: self.currency })
    }

    /// Checked subtraction; `CURRENCY_MISMATCH` across currencies, `AMOUNT_TOO_LARGE` on overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        let diff = self.amount.checked_sub(other.amount).ok_or_else(|| overflow("difference"))?;
        Ok(Money { amount: diff, currency: self.currency })
    }

    fn same_currency(self, other: Money) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(LedgerError::CurrencyMismatch {
                expected: self.currency.code().into(),
                found: other.currency.code().into(),
            })
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", format_amount(self.amount, self.currency), self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a decimal string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalSyntaxError {
    /// Nothing to parse.
    Empty,
    /// `NaN`, `inf`, `Infinity` and the like.
    NotANumber,
    /// Scientific notation such as `1e5`.
    Exponent,
    /// A leading `+`, spaces, thousands separators or other characters.
    Malformed,
    /// More than [`DECIMAL_DIGITS_MAX`] significant digits.
    TooManyDigits,
}

impl fmt::Display for DecimalSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "empty",
            Self::NotANumber => "not a number",
            Self::Exponent => "exponent notation is not allowed",
            Self::Malformed => "not a plain decimal (digits, optional '-' and '.')",
            Self::TooManyDigits => "more than 28 significant digits",
        })
    }
}

/// Parses a plain decimal: `-?[0-9]+(\.[0-9]+)?`, at most 28 significant digits.
///
/// The scale is kept as written (`"5.10"` has scale 2). Nothing is rounded.
///
/// ```
/// use funding_window::money::parse_decimal;
/// assert_eq!(parse_decimal("1250000.00").unwrap().to_string(), "1250000.00");
/// assert!(parse_decimal("1e5").is_err());
/// assert!(parse_decimal("NaN").is_err());
/// assert!(parse_decimal("+1").is_err());
/// ```
pub fn parse_decimal(text: &str) -> std::result::Result<Decimal, DecimalSyntaxError> {
    match parse_short(text.as_bytes()) {
        Some(value) => Ok(value),
        None => parse_any(text),
    }
}

/// The usual case, quickly: at most 19 digits (so 64-bit arithmetic), an optional `-`
/// and `.`; `None` for anything else, which [`parse_any`] reads or refuses.
fn parse_short(bytes: &[u8]) -> Option<Decimal> {
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut point = None;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            // At most 19 digits: below 10^19, within u64.
            b'0'..=b'9' => mantissa = mantissa * 10 + u64::from(b - b'0'),
            b'.' if point.is_none() && i > 0 && i + 1 < digits.len() => point = Some(i),
            _ => return None,
        }
    }
    let scale = point.map_or(0, |p| digits.len() - p - 1) as u32;
    let signed = if negative { -i128::from(mantissa) } else { i128::from(mantissa) };
    let mut value = Decimal::try_from_i128_with_scale(signed, scale).ok()?;
    if value.is_zero() {
        value.set_sign_positive(true);
    }
    Some(value)
}

/// [`parse_decimal`] for any text.
fn parse_any(text: &str) -> std::result::Result<Decimal, DecimalSyntaxError> {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return Err(DecimalSyntaxError::Empty);
    }
    let (negative, digits) = match bytes[0] {
        b'-' => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    let mut mantissa: i128 = 0;
    let mut significant: u32 = 0;
    let mut scale: u32 = 0;
    let mut seen_point = false;
    let mut int_digits = 0usize;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                if seen_point {
                    scale += 1;
                } else {
                    int_digits += 1;
                }
                if significant > 0 || b != b'0' {
                    significant += 1;
                    if significant > DECIMAL_DIGITS_MAX {
                        return Err(DecimalSyntaxError::TooManyDigits);
                    }
                }
                if scale > DECIMAL_DIGITS_MAX {
                    return Err(DecimalSyntaxError::TooManyDigits);
                }
                mantissa = mantissa * 10 + i128::from(b - b'0');
            }
            b'.' if !seen_point && int_digits > 0 && i + 1 < digits.len() => seen_point = true,
            b'e' | b'E' if int_digits > 0 && digits[..i].iter().all(|c| c.is_ascii_digit() || *c == b'.') => {
                return Err(DecimalSyntaxError::Exponent)
            }
            _ => return Err(classify_malformed(text)),
        }
    }
    if int_digits == 0 {
        return Err(classify_malformed(text));
    }
    if negative {
        mantissa = -mantissa;
    }
    // At most 28 significant digits: the mantissa is below 10^28 < 2^96.
    let mut value =
        Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| DecimalSyntaxError::TooManyDigits)?;
    if value.is_zero() {
        value.set_sign_positive(true);
    }
    Ok(value)
}

fn classify_malformed(text: &str) -> DecimalSyntaxError {
    let lower = text.trim().trim_start_matches(['+', '-']).to_ascii_lowercase();
    if ["nan", "snan", "inf", "infinity"].contains(&lower.as_str()) {
        DecimalSyntaxError::NotANumber
    } else if lower.contains('e') && lower.chars().all(|c| c.is_ascii_digit() || ".e+-".contains(c)) {
        DecimalSyntaxError::Exponent
    } else {
        DecimalSyntaxError::Malformed
    }
}

/// `INVALID_AMOUNT` for text that is not a plain decimal.
#[cold]
fn invalid_amount(field: &str, text: &str, reason: DecimalSyntaxError) -> LedgerError {
    LedgerError::InvalidAmount { field: field.into(), value: text.into(), reason: reason.to_string() }
}

/// Parses a strictly positive amount in `currency`, at most its minor unit and
/// [`AMOUNT_INTEGER_DIGITS_MAX`] integer digits, returned at the minor-unit scale.
pub(crate) fn parse_amount(field: &str, text: &str, currency: Currency) -> Result<Decimal> {
    let value = parse_decimal(text).map_err(|reason| invalid_amount(field, text, reason))?;
    if value.is_sign_negative() || value.is_zero() {
        return Err(LedgerError::InvalidAmount {
            field: field.into(),
            value: text.into(),
            reason: "must be positive".into(),
        });
    }
    check_magnitude(field, value)?;
    at_minor_unit(field, value, currency).map_err(|e| match e {
        LedgerError::PrecisionExceeded { currency, minor_unit, .. } => {
            LedgerError::PrecisionExceeded { field: field.into(), value: text.into(), currency, minor_unit }
        }
        other => other,
    })
}

/// Refuses amounts with more than [`AMOUNT_INTEGER_DIGITS_MAX`] integer digits.
pub(crate) fn check_magnitude(field: &str, value: Decimal) -> Result<()> {
    let limit = Decimal::from_i128_with_scale(10i128.pow(AMOUNT_INTEGER_DIGITS_MAX), 0);
    if value.abs() >= limit {
        return Err(LedgerError::AmountTooLarge {
            field: field.into(),
            value: value.to_string(),
            max_integer_digits: AMOUNT_INTEGER_DIGITS_MAX,
        });
    }
    Ok(())
}

/// Parses a rate or weight: positive (or zero when `allow_zero`), at most
/// [`RATE_SCALE_MAX`] decimals, below `max` when given.
pub(crate) fn parse_rate(field: &str, text: &str, allow_zero: bool, max: Option<Decimal>) -> Result<Decimal> {
    let invalid = |reason: String| LedgerError::InvalidRate { field: field.into(), value: text.into(), reason };
    let value = parse_decimal(text).map_err(|r| invalid(r.to_string()))?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(invalid("must not be negative".into()));
    }
    if value.is_zero() && !allow_zero {
        return Err(invalid("must be positive".into()));
    }
    if value.scale() > RATE_SCALE_MAX {
        return Err(invalid(format!("at most {RATE_SCALE_MAX} decimals")));
    }
    if let Some(max) = max {
        if value >= max {
            return Err(invalid(format!("must be below {max}")));
        }
    }
    check_magnitude(field, value).map_err(|_| invalid("too large".into()))?;
    Ok(value)
}

/// Brings `value` to exactly the currency's minor-unit scale, refusing to drop digits.
pub(crate) fn at_minor_unit(field: &str, value: Decimal, currency: Currency) -> Result<Decimal> {
    let minor = currency.minor_unit();
    let mut v = value.normalize();
    if v.scale() > minor {
        return Err(LedgerError::PrecisionExceeded {
            field: field.into(),
            value: value.to_string(),
            currency: currency.code().into(),
            minor_unit: minor,
        });
    }
    v.rescale(minor);
    Ok(v)
}

/// Zero at a given scale (`0.00` for scale 2).
pub(crate) fn zero_at(scale: u32) -> Decimal {
    Decimal::from_i128_with_scale(0, scale)
}

/// Formats an amount at the currency's minor unit, never as `-0.00`.
pub fn format_amount(value: Decimal, currency: Currency) -> String {
    format_scaled(value, currency.minor_unit())
}

/// Formats a decimal at a fixed scale (exact: only pads with zeros, never rounds
/// a value that is already at or below that scale).
pub(crate) fn format_scaled(value: Decimal, scale: u32) -> String {
    let mut v = value;
    if v.scale() < scale {
        v.rescale(scale);
    }
    if v.is_zero() {
        v.set_sign_positive(true);
    }
    crate::text::decimal(&v, &mut crate::text::DecimalBuf::default()).to_owned()
}

fn overflow(what: &str) -> LedgerError {
    LedgerError::AmountTooLarge {
        field: what.into(),
        value: "overflow".into(),
        max_integer_digits: AMOUNT_INTEGER_DIGITS_MAX,
    }
}

fn pow10(exp: u32) -> Option<i128> {
    10i128.checked_pow(exp)
}

/// Divides `n` by a positive `d` and rounds the quotient to an integer by `rule`. Exact.
pub(crate) fn round_quotient(n: i128, d: i128, rule: RoundingRule) -> i128 {
    debug_assert!(d > 0);
    let q = n / d;
    let r = (n % d).unsigned_abs();
    if r == 0 {
        return q;
    }
    let away = if n < 0 { -1 } else { 1 };
    let rest = d.unsigned_abs() - r; // distance to the next integer
    let bump = match rule {
        RoundingRule::Down => false,
        RoundingRule::Up => true,
        RoundingRule::HalfUp => r >= rest,
        RoundingRule::HalfDown => r > rest,
        RoundingRule::HalfEven => r > rest || (r == rest && q % 2 != 0),
    };
    if bump {
        q + away
    } else {
        q
    }
}

/// `a × b` rounded once to `scale` decimals by `rule`, computed exactly on 128-bit integers.
///
/// `None` when the exact product does not fit (beyond the ledger's limits).
///
/// ```
/// use funding_window::money::{mul_round, RoundingRule};
/// // 7% PSC on 1,900,000.05 is 133,000.0035, i.e. 133,000.00 half-to-even.
/// let psc = mul_round("1900000.05".parse().unwrap(), "0.07".parse().unwrap(), 2, RoundingRule::HalfEven);
/// assert_eq!(psc.unwrap().to_string(), "133000.00");
/// ```
pub fn mul_round(a: Decimal, b: Decimal, scale: u32, rule: RoundingRule) -> Option<Decimal> {
    let product = a.mantissa().checked_mul(b.mantissa())?;
    let product_scale = a.scale() + b.scale();
    let m = if product_scale <= scale {
        product.checked_mul(pow10(scale - product_scale)?)?
    } else {
        round_quotient(product, pow10(product_scale - scale)?, rule)
    };
    Decimal::try_from_i128_with_scale(m, scale).ok().map(positive_zero)
}

/// `a ÷ b` rounded once to `scale` decimals by `rule`, computed exactly on 128-bit integers.
///
/// `None` when `b` is zero or the exact quotient does not fit.
pub fn div_round(a: Decimal, b: Decimal, scale: u32, rule: RoundingRule) -> Option<Decimal> {
    if b.is_zero() {
        return None;
    }
    let exp = i64::from(b.scale()) + i64::from(scale) - i64::from(a.scale());
    let (mut n, mut d) = if exp >= 0 {
        (a.mantissa().checked_mul(pow10(u32::try_from(exp).ok()?)?)?, b.mantissa())
    } else {
        (a.mantissa(), b.mantissa().checked_mul(pow10(u32::try_from(-exp).ok()?)?)?)
    };
    if d < 0 {
        n = n.checked_neg()?;
        d = d.checked_neg()?;
    }
    let m = round_quotient(n, d, rule);
    Decimal::try_from_i128_with_scale(m, scale).ok().map(positive_zero)
}

fn positive_zero(mut d: Decimal) -> Decimal {
    if d.is_zero() {
        d.set_sign_positive(true);
    }
    d
}

/// An amount as an integer count of minor units (`12.34 USD` → `1234`).
pub(crate) fn to_minor_units(value: Decimal, currency: Currency) -> Option<i128> {
    let minor = currency.minor_unit();
    let scale = value.scale();
    if scale <= minor {
        value.mantissa().checked_mul(pow10(minor - scale)?)
    } else {
        None
    }
}

/// An integer count of minor units as an amount (`1234` USD → `12.34`).
pub(crate) fn from_minor_units(units: i128, currency: Currency) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(units, currency.minor_unit()).ok().map(positive_zero)
}

// ----- exact arithmetic on decimal strings --------------------------------------------------

/// `10^28`: a decimal the ledger reads has at most 28 decimals, so a fraction counted in units of
/// `10^-28` is an exact integer.
const FRACTION_UNITS: i128 = 10_000_000_000_000_000_000_000_000_000;

/// A decimal as a whole part and a fraction in units of `10^-28`, both with the decimal's sign.
///
/// Each part of one decimal is below `10^28` in magnitude, so sums of up to about `10^10`
/// decimals stay within `i128` whatever their scales: no digit is ever dropped, where a
/// `Decimal` sum would round once the exact result needs more than 28 digits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Exact {
    whole: i128,
    fraction: i128,
    /// The largest scale of the decimals summed: the result's scale.
    scale: u32,
}

impl Exact {
    /// Reads a decimal string strictly ([`parse_decimal`]); `field` names it in the error.
    // Not inlined: four entry points call it, and the WebAssembly module is kept small.
    #[inline(never)]
    fn read(field: &str, text: &str) -> Result<Exact> {
        let value = parse_decimal(text).map_err(|reason| invalid_amount(field, text, reason))?;
        // parse_decimal keeps the scale within 28 and the mantissa below 10^28.
        let scale = value.scale().min(DECIMAL_DIGITS_MAX);
        let unit = 10i128.pow(scale);
        let mantissa = value.mantissa();
        let fraction = (mantissa % unit) * 10i128.pow(DECIMAL_DIGITS_MAX - scale);
        Ok(Exact { whole: mantissa / unit, fraction, scale })
    }

    /// `self + sign × other`, exactly; `None` past `i128` (some `10^10` terms of 28 digits).
    #[inline(never)]
    fn add(self, other: Exact, sign: i128) -> Option<Exact> {
        let sum = Exact {
            whole: self.whole.checked_add(other.whole.checked_mul(sign)?)?,
            fraction: self.fraction.checked_add(other.fraction.checked_mul(sign)?)?,
            scale: self.scale.max(other.scale),
        };
        // Carry whole units out of the fraction, so it stays below 10^28 however many terms.
        Some(Exact {
            whole: sum.whole.checked_add(sum.fraction / FRACTION_UNITS)?,
            fraction: sum.fraction % FRACTION_UNITS,
            ..sum
        })
    }

    /// -1, 0 or 1: the sign of the value.
    fn signum(self) -> i128 {
        // |fraction| < 10^28 (one whole unit), so a non-zero whole part decides.
        if self.whole != 0 {
            self.whole.signum()
        } else {
            self.fraction.signum()
        }
    }

    /// The value as a plain decimal string at its scale (`-12.50`), never `-0`; refused when it
    /// needs more significant digits than the ledger reads.
    #[inline(never)]
    fn text(self) -> Result<String> {
        let negative = self.signum() < 0;
        // Both parts with the value's sign, then as magnitudes.
        let (mut whole, mut fraction) = (self.whole, self.fraction);
        if whole > 0 && fraction < 0 {
            whole -= 1;
            fraction += FRACTION_UNITS;
        } else if whole < 0 && fraction > 0 {
            whole += 1;
            fraction -= FRACTION_UNITS;
        }
        // Every term's fraction is a multiple of 10^(28 - its scale), so the digits cut here are zeros.
        let kept = fraction.unsigned_abs() / 10u128.pow(DECIMAL_DIGITS_MAX - self.scale);
        let mut out = String::with_capacity(48);
        if negative {
            out.push('-');
        }
        push_digits(&mut out, whole.unsigned_abs(), 1);
        if self.scale > 0 {
            out.push('.');
            push_digits(&mut out, kept, self.scale as usize);
        }
        let significant = out.trim_start_matches('-').bytes().filter(u8::is_ascii_digit).skip_while(|&d| d == b'0');
        let digits = significant.count();
        if digits > DECIMAL_DIGITS_MAX as usize {
            return Err(LedgerError::limit("DECIMAL_DIGITS_MAX", DECIMAL_DIGITS_MAX as usize, digits));
        }
        Ok(out)
    }
}

/// Appends `value` in decimal, zero-padded to `width` digits.
fn push_digits(out: &mut String, mut value: u128, width: usize) {
    let mut digits = [b'0'; 40];
    let mut at = digits.len();
    while value > 0 || digits.len() - at < width {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// `a + sign × b` of two decimal strings, the arguments named `a` and `b` in errors.
// One body for compare, add and subtract keeps the WebAssembly module small.
#[inline(never)]
fn combine(a: &str, b: &str, sign: i128) -> Result<Exact> {
    Exact::read("a", a)?.add(Exact::read("b", b)?, sign).ok_or_else(too_many_digits)
}

/// What a sum past `i128` is refused as: it needs at least 39 digits.
fn too_many_digits() -> LedgerError {
    LedgerError::limit("DECIMAL_DIGITS_MAX", DECIMAL_DIGITS_MAX as usize, 39)
}

/// Compares two decimal strings exactly (`"1.0"` equals `"1.00"`).
///
/// Front ends that hold amounts as text (JavaScript) sort and compare them with this instead of
/// converting them to floating point. Text that is not a plain decimal is `INVALID_AMOUNT`
/// naming `a` or `b`.
///
/// ```
/// use funding_window::money::compare_decimals;
/// use std::cmp::Ordering;
/// assert_eq!(compare_decimals("1250000.00", "999999.99").unwrap(), Ordering::Greater);
/// assert_eq!(compare_decimals("-0.10", "-0.1").unwrap(), Ordering::Equal);
/// assert_eq!(compare_decimals("1e3", "1").unwrap_err().code(), "INVALID_AMOUNT");
/// ```
pub fn compare_decimals(a: &str, b: &str) -> Result<std::cmp::Ordering> {
    Ok(combine(a, b, -1)?.signum().cmp(&0))
}

/// `a + b` of two decimal strings, exactly, at the larger of their scales (`"0.1" + "0.20"` is
/// `"0.30"`).
///
/// A result needing more than 28 significant digits is `LIMIT_EXCEEDED` (`DECIMAL_DIGITS_MAX`)
/// rather than rounded; text that is not a plain decimal is `INVALID_AMOUNT`.
///
/// ```
/// use funding_window::money::add_decimals;
/// assert_eq!(add_decimals("0.1", "0.20").unwrap(), "0.30");
/// assert_eq!(add_decimals("999999999999999.99", "0.01").unwrap(), "1000000000000000.00");
/// assert_eq!(add_decimals("1", "0.0000000000000000000000000001").unwrap_err().code(), "LIMIT_EXCEEDED");
/// ```
pub fn add_decimals(a: &str, b: &str) -> Result<String> {
    combine(a, b, 1)?.text()
}

/// `a - b` of two decimal strings, exactly (see [`add_decimals`]).
///
/// ```
/// use funding_window::money::subtract_decimals;
/// assert_eq!(subtract_decimals("100.00", "100.01").unwrap(), "-0.01");
/// assert_eq!(subtract_decimals("5", "5.000").unwrap(), "0.000");
/// ```
pub fn subtract_decimals(a: &str, b: &str) -> Result<String> {
    combine(a, b, -1)?.text()
}

/// The sum of decimal strings, exactly, at the largest of their scales; `"0"` for none.
///
/// A value that is not a plain decimal is `INVALID_AMOUNT` naming `values[i]`; a sum needing
/// more than 28 significant digits is `LIMIT_EXCEEDED`.
///
/// ```
/// use funding_window::money::sum_decimals;
/// assert_eq!(sum_decimals(["0.10", "0.20", "-0.05"]).unwrap(), "0.25");
/// assert_eq!(sum_decimals(Vec::<String>::new()).unwrap(), "0");
/// ```
pub fn sum_decimals<I, S>(values: I) -> Result<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut total = Exact::default();
    for (i, value) in values.into_iter().enumerate() {
        let term = Exact::read(&format!("values[{i}]"), value.as_ref())?;
        total = total.add(term, 1).ok_or_else(too_many_digits)?;
    }
    total.text()
}

/// A decimal number carried as a JSON string (`"1250000.00"`), exactly as written.
///
/// Parsing and range checks happen when the command is validated, against the
/// currency the amount is in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct DecimalString(String);

impl DecimalString {
    /// Wraps text; it is checked when the command is applied.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DecimalString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for DecimalString {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl From<String> for DecimalString {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<Decimal> for DecimalString {
    fn from(value: Decimal) -> Self {
        Self(value.to_string())
    }
}

impl Serialize for DecimalString {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DecimalString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::{self, Visitor};
        struct V;
        impl Visitor<'_> for V {
            type Value = DecimalString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal string such as \"1250.00\" (numbers are not accepted where money belongs)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<DecimalString, E> {
                Ok(DecimalString(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<DecimalString, E> {
                Ok(DecimalString(v))
            }
        }
        d.deserialize_str(V)
    }
}

crate::contract::describe::described! {
    DecimalString => crate::contract::describe::Shape::Decimal,
    Currency => crate::contract::describe::Shape::Currency,
}

/// Serde for decimals as JSON strings written exactly at their scale.
pub(crate) mod decimal_str {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::text::{decimal, DecimalBuf};

    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = DecimalBuf::default();
        s.serialize_str(decimal(value, &mut buf))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_decimal(&text).map_err(|e| serde::de::Error::custom(format!("invalid decimal {text:?}: {e}")))
    }
}

/// Serde for optional decimals as JSON strings or null.
pub(crate) mod decimal_opt {
    use rust_decimal::Decimal;
    use serde::Serializer;

    use super::decimal_str;

    pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => decimal_str::serialize(v, s),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The quick reading of short decimals gives exactly what the general one gives
        /// (value, scale and sign), and declines nothing the general one refuses.
        #[test]
        fn short_decimals_read_as_any_decimal(text in "-?[0-9.]{0,21}|[-+0-9.eE ]{0,8}") {
            let general = parse_any(&text);
            match parse_short(text.as_bytes()) {
                Some(quick) => prop_assert_eq!(Ok(quick.serialize()), general.map(|d| d.serialize()), "{}", text),
                None => prop_assert!(general.is_err() || text.trim_start_matches('-').len() > 19, "{}", text),
            }
        }
    }

    use super::*;

    fn d(s: &str) -> Decimal {
        parse_decimal(s).unwrap()
    }

    #[test]
    fn currency_table_is_sorted_and_complete_for_donors() {
        assert!(CURRENCIES.windows(2).all(|w| w[0].0 < w[1].0));
        for code in
            ["USD", "EUR", "GBP", "JPY", "CHF", "SEK", "NOK", "DKK", "CAD", "AUD", "NZD", "CNY", "KRW", "KES", "KWD"]
        {
            assert_eq!(Currency::from_code(code).unwrap().code(), code);
        }
        assert_eq!(Currency::USD.code(), "USD");
        assert_eq!(Currency::from_code("JPY").unwrap().minor_unit(), 0);
        assert_eq!(Currency::from_code("KWD").unwrap().minor_unit(), 3);
        assert_eq!(Currency::from_code("XXX").unwrap_err().code(), "UNKNOWN_CURRENCY");
    }

    #[test]
    fn strict_parsing_refuses_everything_but_plain_decimals() {
        assert_eq!(d("0.10").scale(), 2);
        assert_eq!(d("-12.5").to_string(), "-12.5");
        assert_eq!(d("-0.00").to_string(), "0.00");
        for (bad, why) in [
            ("", DecimalSyntaxError::Empty),
            ("NaN", DecimalSyntaxError::NotANumber),
            ("-Infinity", DecimalSyntaxError::NotANumber),
            ("inf", DecimalSyntaxError::NotANumber),
            ("1e5", DecimalSyntaxError::Exponent),
            ("1.5E-3", DecimalSyntaxError::Exponent),
            ("+1", DecimalSyntaxError::Malformed),
            (" 1", DecimalSyntaxError::Malformed),
            ("1,000.00", DecimalSyntaxError::Malformed),
            ("1.", DecimalSyntaxError::Malformed),
            (".5", DecimalSyntaxError::Malformed),
            ("1.2.3", DecimalSyntaxError::Malformed),
            ("0x10", DecimalSyntaxError::Malformed),
            ("-", DecimalSyntaxError::Malformed),
            ("12345678901234567890123456789", DecimalSyntaxError::TooManyDigits),
            ("0.00000000000000000000000000001", DecimalSyntaxError::TooManyDigits),
        ] {
            assert_eq!(parse_decimal(bad), Err(why), "{bad:?}");
        }
        // 28 significant digits is fine; leading zeros do not count.
        assert!(parse_decimal("0001234567890123456789012345678").is_ok());
    }

    #[test]
    fn amounts_respect_the_minor_unit() {
        let usd = Currency::USD;
        let jpy = Currency::from_code("JPY").unwrap();
        let kwd = Currency::from_code("KWD").unwrap();
        assert_eq!(parse_amount("amount", "5", usd).unwrap().to_string(), "5.00");
        assert_eq!(parse_amount("amount", "5.10", usd).unwrap().to_string(), "5.10");
        assert_eq!(parse_amount("amount", "1.500", usd).unwrap().to_string(), "1.50");
        assert_eq!(parse_amount("amount", "1.005", usd).unwrap_err().code(), "PRECISION_EXCEEDED");
        assert_eq!(parse_amount("amount", "1.5", jpy).unwrap_err().code(), "PRECISION_EXCEEDED");
        assert_eq!(parse_amount("amount", "1.005", kwd).unwrap().to_string(), "1.005");
        assert_eq!(parse_amount("amount", "0", usd).unwrap_err().code(), "INVALID_AMOUNT");
        assert_eq!(parse_amount("amount", "-3", usd).unwrap_err().code(), "INVALID_AMOUNT");
        assert_eq!(parse_amount("amount", "1000000000000000", usd).unwrap_err().code(), "AMOUNT_TOO_LARGE");
        assert!(parse_amount("amount", "999999999999999.99", usd).is_ok());
    }

    #[test]
    fn rounding_rules_on_ties_and_non_ties() {
        let cases = [
            // (n, d, half_even, half_up, half_down, down, up)
            (25, 10, 2, 3, 2, 2, 3),
            (35, 10, 4, 4, 3, 3, 4),
            (-25, 10, -2, -3, -2, -2, -3),
            (26, 10, 3, 3, 3, 2, 3),
            (24, 10, 2, 2, 2, 2, 3),
            (20, 10, 2, 2, 2, 2, 2),
        ];
        for (n, dd, he, hu, hd, dn, up) in cases {
            assert_eq!(round_quotient(n, dd, RoundingRule::HalfEven), he, "{n}/{dd}");
            assert_eq!(round_quotient(n, dd, RoundingRule::HalfUp), hu, "{n}/{dd}");
            assert_eq!(round_quotient(n, dd, RoundingRule::HalfDown), hd, "{n}/{dd}");
            assert_eq!(round_quotient(n, dd, RoundingRule::Down), dn, "{n}/{dd}");
            assert_eq!(round_quotient(n, dd, RoundingRule::Up), up, "{n}/{dd}");
        }
    }

    #[test]
    fn exact_division_does_not_double_round() {
        // 1.005 exactly half a cent: half-even gives 1.00, half-up 1.01.
        assert_eq!(div_round(d("2.01"), d("2"), 2, RoundingRule::HalfEven).unwrap().to_string(), "1.00");
        assert_eq!(div_round(d("2.01"), d("2"), 2, RoundingRule::HalfUp).unwrap().to_string(), "1.01");
        // A quotient a hair above the tie must round up even though it has more than 28 digits.
        let q = div_round(d("1.0050000000000000000000001"), d("1"), 2, RoundingRule::HalfEven).unwrap();
        assert_eq!(q.to_string(), "1.01");
        assert_eq!(
            div_round(d("10000000.00"), d("10.4512"), 2, RoundingRule::HalfEven).unwrap().to_string(),
            "956827.92"
        );
        assert_eq!(div_round(d("1"), d("3"), 2, RoundingRule::HalfEven).unwrap().to_string(), "0.33");
        assert_eq!(div_round(d("-1"), d("3"), 2, RoundingRule::HalfEven).unwrap().to_string(), "-0.33");
        assert!(div_round(d("1"), d("0"), 2, RoundingRule::HalfEven).is_none());
    }

    #[test]
    fn exact_product_rounds_once() {
        assert_eq!(mul_round(d("0.05"), d("0.10"), 2, RoundingRule::HalfEven).unwrap().to_string(), "0.00");
        assert_eq!(mul_round(d("0.05"), d("0.10"), 2, RoundingRule::Up).unwrap().to_string(), "0.01");
        assert_eq!(mul_round(d("100"), d("0.07"), 2, RoundingRule::HalfEven).unwrap().to_string(), "7.00");
    }

    #[test]
    fn minor_units_round_trip() {
        let kwd = Currency::from_code("KWD").unwrap();
        assert_eq!(to_minor_units(d("1.250"), kwd), Some(1250));
        assert_eq!(to_minor_units(d("1.25"), kwd), Some(1250));
        assert_eq!(from_minor_units(1250, kwd).unwrap().to_string(), "1.250");
        assert_eq!(format_amount(d("-0"), Currency::USD), "0.00");
        assert_eq!(Money::parse("3", Currency::USD).unwrap().to_string(), "3.00 USD");
    }

    #[test]
    fn decimal_strings_add_and_compare_exactly() {
        assert_eq!(add_decimals("0.1", "0.2").unwrap(), "0.3");
        assert_eq!(add_decimals("-1.25", "1.25").unwrap(), "0.00");
        assert_eq!(subtract_decimals("-1.25", "-1.25").unwrap(), "0.00");
        assert_eq!(subtract_decimals("0", "0.5").unwrap(), "-0.5");
        assert_eq!(subtract_decimals("-3", "0.75").unwrap(), "-3.75");
        assert_eq!(add_decimals("-3", "0.75").unwrap(), "-2.25");
        assert_eq!(add_decimals("3", "-0.75").unwrap(), "2.25");
        assert_eq!(
            add_decimals("0.0000000000000000000000000001", "0.0000000000000000000000000002").unwrap(),
            "0.0000000000000000000000000003"
        );
        assert_eq!(
            add_decimals("5000000000000000000000000000", "4999999999999999999999999999").unwrap(),
            "9999999999999999999999999999"
        );
        let limit = add_decimals("9999999999999999999999999999", "1").unwrap_err();
        assert_eq!(limit, LedgerError::limit("DECIMAL_DIGITS_MAX", 28, 29));
        assert_eq!(sum_decimals(["1.5", "2.25", "-0.75"]).unwrap(), "3.00");
        assert_eq!(sum_decimals([""; 0]).unwrap(), "0");
        let bad = sum_decimals(["1", "2", "3.0.0"]).unwrap_err();
        assert!(matches!(&bad, LedgerError::InvalidAmount { field, .. } if field == "values[2]"), "{bad:?}");
        assert_eq!(compare_decimals("2", "10").unwrap(), std::cmp::Ordering::Less);
        assert_eq!(compare_decimals("-2", "-10").unwrap(), std::cmp::Ordering::Greater);
        assert_eq!(compare_decimals("0.0000000000000000000000000001", "0").unwrap(), std::cmp::Ordering::Greater);
        assert_eq!(
            compare_decimals("9999999999999999999999999999", "0.0000000000000000000000000001").unwrap(),
            std::cmp::Ordering::Greater
        );
        for bad in ["", "NaN", "1e5", "+1", " 1", "1,000.00", ".5", "0x10"] {
            assert_eq!(add_decimals(bad, "1").unwrap_err().code(), "INVALID_AMOUNT", "{bad:?}");
            assert_eq!(compare_decimals("1", bad).unwrap_err().code(), "INVALID_AMOUNT", "{bad:?}");
        }
    }

    proptest! {
        /// Against exact rational arithmetic on integers: values of up to 12 integer digits and 12
        /// decimals, whose sums fit 28 digits, add, subtract, sum and compare as integers scaled by
        /// 10^12 do.
        #[test]
        fn decimal_string_arithmetic_is_exact(
            terms in proptest::collection::vec((-999_999_999_999_999_999_999_999i128..=999_999_999_999_999_999_999_999, 0u32..=12), 0..20),
        ) {
            let text = |(units, scale): (i128, u32)| {
                let value = Decimal::from_i128_with_scale(units / 10i128.pow(12 - scale), scale);
                value.to_string()
            };
            let scaled = |(units, scale): (i128, u32)| units / 10i128.pow(12 - scale) * 10i128.pow(12 - scale);
            let texts: Vec<String> = terms.iter().map(|t| text(*t)).collect();
            let exact: i128 = terms.iter().map(|t| scaled(*t)).sum();
            let scale = terms.iter().map(|t| t.1).max().unwrap_or(0);
            let sum = sum_decimals(&texts).unwrap();
            prop_assert_eq!(&sum, &Decimal::from_i128_with_scale(exact / 10i128.pow(12 - scale), scale).to_string());
            if let [a, b, ..] = texts.as_slice() {
                let (x, y) = (scaled(terms[0]), scaled(terms[1]));
                prop_assert_eq!(compare_decimals(a, b).unwrap(), x.cmp(&y));
                let s = terms[0].1.max(terms[1].1);
                let unit = 10i128.pow(12 - s);
                prop_assert_eq!(add_decimals(a, b).unwrap(), Decimal::from_i128_with_scale((x + y) / unit, s).to_string());
                prop_assert_eq!(subtract_decimals(a, b).unwrap(), Decimal::from_i128_with_scale((x - y) / unit, s).to_string());
            }
        }
    }
}
