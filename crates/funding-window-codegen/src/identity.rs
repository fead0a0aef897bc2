//! The key table of the core's person names (`crates/funding-window/src/identity/table.rs`),
//! generated from the reference implementation of the comparison.
//!
//! [`reference::person_key`] is the comparison as the Unicode Standard defines it, built on the
//! unicode-rs crates (`unicode-normalization` for NFKD, `caseless` for full case folding). The
//! core does not link them: their tables cost the WebAssembly module about 69 KB gzipped. It
//! uses instead a table written here: the key of every code point alone, in runs. The tests
//! below compare the core with the reference at every code point, on every pair of characters
//! whose marks meet, and on random names.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;

/// The comparison of the Unicode Standard, with the unicode-rs crates: the specification the
/// core's table is generated from and tested against.
pub mod reference {
    use caseless::Caseless;
    use unicode_normalization::UnicodeNormalization;

    /// The key of a name: NFKD, invisible characters removed, then compatibility caseless
    /// matching (the Unicode Standard's D146: NFD, full case folding, NFKD, full case folding,
    /// NFKD), invisible characters removed again, Turkish dotless `ı` read as `i` and the dot
    /// above an `i` dropped. See the core's `identity::person_key` for why each step.
    // The tests compare the core with it; the generator itself needs only `folded`.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn person_key(name: &str) -> String {
        let mut key = String::new();
        for c in folded(name) {
            match c {
                '\u{0307}' if key.ends_with('i') => {}
                c => key.push(c),
            }
        }
        key
    }

    /// Everything of [`person_key`] but the dot rule: the characters before the Turkish dot
    /// above an `i` is dropped.
    pub fn folded(name: &str) -> Vec<char> {
        let visible: String = name.chars().nfkd().filter(|&c| !is_invisible(c)).collect();
        visible
            .chars()
            .nfd()
            .default_case_fold()
            .nfkd()
            .default_case_fold()
            .nfkd()
            .filter(|&c| !is_invisible(c))
            .map(|c| if c == '\u{0131}' { 'i' } else { c })
            .collect()
    }

    /// A character that shows nothing in a name: White_Space, general category Cf (format),
    /// or another default-ignorable code point.
    pub fn is_invisible(c: char) -> bool {
        c.is_whitespace() || is_format(c) || is_other_default_ignorable(c)
    }

    /// Whether a character is of general category Cf (format): its 21 ranges, checked against
    /// the unicode-properties crate at every code point by a test.
    pub fn is_format(c: char) -> bool {
        matches!(
            c,
            '\u{00AD}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
        )
    }

    /// The default-ignorable code points of Unicode's DerivedCoreProperties.txt that are
    /// neither White_Space nor Cf (those are caught by their property).
    pub fn is_other_default_ignorable(c: char) -> bool {
        matches!(
            c,
            '\u{034F}' // COMBINING GRAPHEME JOINER
                | '\u{115F}'..='\u{1160}' // HANGUL CHOSEONG and JUNGSEONG FILLER
                | '\u{17B4}'..='\u{17B5}' // KHMER VOWEL INHERENT AQ, AA
                | '\u{180B}'..='\u{180D}' // MONGOLIAN FREE VARIATION SELECTORS ONE to THREE
                | '\u{180F}' // MONGOLIAN FREE VARIATION SELECTOR FOUR
                | '\u{3164}' // HANGUL FILLER
                | '\u{FE00}'..='\u{FE0F}' // VARIATION SELECTORS 1 to 16
                | '\u{FFA0}' // HALFWIDTH HANGUL FILLER
                | '\u{E0000}'..='\u{E0FFF}' // tags, variation selectors 17 to 256, reserved
        )
    }
}

/// COMBINING GREEK YPOGEGRAMMENI: a mark (class 240) that case folding makes a letter (`ι`).
const YPOGEGRAMMENI: char = '\u{0345}';

/// The first and last Hangul syllables, which the core decomposes by arithmetic.
const HANGUL_SYLLABLES: std::ops::RangeInclusive<u32> = 0xAC00..=0xD7A3;

/// The table's key of a code point alone: the reference's characters before the dot rule, with
/// a ypogegrammeni the case folding made `ι` written as the mark again (its last character), so
/// that the core orders it among the marks of the name by its class before reading it as `ι`.
pub fn table_key(c: char) -> Vec<char> {
    let mut key = reference::folded(&c.to_string());
    if c.nfkd().any(|d| d == YPOGEGRAMMENI) {
        assert_eq!(key.last(), Some(&'ι'), "U+{:04X}: a ypogegrammeni that is not the key's last ι", c as u32);
        let last = key.len() - 1;
        key[last] = YPOGEGRAMMENI;
    }
    key
}

/// The Unicode versions the reference implements.
pub fn unicode_versions() -> String {
    let (n1, n2, n3) = unicode_normalization::UNICODE_VERSION;
    let (f1, f2, f3) = caseless::UNICODE_VERSION;
    let (w1, w2, w3) = char::UNICODE_VERSION;
    format!(
        "normalization and combining classes Unicode {n1}.{n2}.{n3} (unicode-normalization), \
         case folding Unicode {f1}.{f2}.{f3} (caseless), White_Space Unicode {w1}.{w2}.{w3} (Rust's char)"
    )
}

/// One run of the key table: `count` code points from `first` (in one block of 256 code
/// points), `stride` apart.
#[derive(Debug, PartialEq)]
enum Run {
    /// Their keys are empty.
    Removed { first: u32, count: u32 },
    /// The key of each is the one character `delta` away.
    Offset { first: u32, count: u32, stride: u32, delta: i32 },
    /// The key of the code point `first + k` is `texts[k]` (all of one length in UTF-8), which
    /// are side by side in the pool.
    Text { first: u32, texts: Vec<String>, at: u32 },
}

impl Run {
    fn first(&self) -> u32 {
        match *self {
            Run::Removed { first, .. } | Run::Offset { first, .. } | Run::Text { first, .. } => first,
        }
    }
}

// A run is a u32 (with the low byte of its first code point in another array): two bits of
// kind, then its fields. The core unpacks them with the same widths; the tests comparing it
// with the reference at every code point check both sides.
const KIND_SHIFT: u32 = 30;
const REMOVED: u32 = 0;
const OFFSET: u32 = 1;
const TEXT: u32 = 2;
/// Runs end at the end of their 256-code-point block, so a count is at most 256.
const COUNT_BITS: u32 = 9;
const DELTA_BITS: u32 = 20;
const LEN_BITS: u32 = 6;
const AT_BITS: u32 = 15;
const BLOCK: u32 = 256;

fn pack(run: &Run) -> u32 {
    match run {
        &Run::Removed { count, .. } => REMOVED << KIND_SHIFT | count,
        &Run::Offset { count, stride, delta, .. } => {
            let delta_bits = (delta as u32) & ((1 << DELTA_BITS) - 1);
            OFFSET << KIND_SHIFT | (stride - 1) << (COUNT_BITS + DELTA_BITS) | delta_bits << COUNT_BITS | count
        }
        Run::Text { texts, at, .. } => {
            let len = texts[0].len() as u32;
            assert!(len < 1 << LEN_BITS && *at < 1 << AT_BITS, "a key text too long or a pool too large");
            TEXT << KIND_SHIFT | at << (COUNT_BITS + LEN_BITS) | len << COUNT_BITS | texts.len() as u32
        }
    }
}

/// The key of every code point that is not its own key, as runs; the pool of texts.
///
/// Runs never overlap (a stride-2 run has only code points that are their own key between its
/// own) nor cross a block of 256 code points, so the core finds a code point's run among those
/// of its block by binary search.
fn runs(mut mapped: BTreeMap<u32, Vec<char>>) -> (Vec<Run>, String) {
    let delta_of = |cp: u32, key: &[char]| (key.len() == 1).then(|| key[0] as i32 - cp as i32);
    let fits = |delta: i32| delta.unsigned_abs() < 1 << (DELTA_BITS - 1);
    let mut runs: Vec<Run> = Vec::new();
    while let Some((first, key)) = mapped.pop_first() {
        let block_end = (first / BLOCK + 1) * BLOCK;
        if key.is_empty() {
            let mut count = 1;
            while first + count < block_end && mapped.get(&(first + count)).is_some_and(Vec::is_empty) {
                mapped.remove(&(first + count));
                count += 1;
            }
            runs.push(Run::Removed { first, count });
            continue;
        }
        match delta_of(first, &key) {
            Some(delta) if fits(delta) => {
                let same = |at: u32| at < block_end && mapped.get(&at).and_then(|k| delta_of(at, k)) == Some(delta);
                let mut ones = 1;
                while same(first + ones) {
                    ones += 1;
                }
                let mut twos = 1;
                while same(first + 2 * twos) && !mapped.contains_key(&(first + 2 * twos - 1)) {
                    twos += 1;
                }
                let (count, stride) = if twos > ones { (twos, 2) } else { (ones, 1) };
                for k in 1..count {
                    mapped.remove(&(first + k * stride));
                }
                runs.push(Run::Offset { first, count, stride, delta });
            }
            _ => {
                // Followed by the code points whose keys are texts of the same length (and not
                // single characters an offset run would take).
                let text: String = key.iter().collect();
                let mut texts = vec![text];
                loop {
                    let next = first + texts.len() as u32;
                    let Some(k) = mapped.get(&next).filter(|_| next < block_end) else { break };
                    let t: String = k.iter().collect();
                    if k.is_empty() || delta_of(next, k).is_some_and(fits) || t.len() != texts[0].len() {
                        break;
                    }
                    mapped.remove(&next);
                    texts.push(t);
                }
                runs.push(Run::Text { first, texts, at: 0 });
            }
        }
    }
    // The pool: each run's texts side by side, unless they are in it already.
    let mut pool = String::new();
    for run in &mut runs {
        if let Run::Text { texts, at, .. } = run {
            let joined = texts.concat();
            *at = match pool.find(&joined) {
                Some(found) => found as u32,
                None => {
                    pool.push_str(&joined);
                    (pool.len() - joined.len()) as u32
                }
            };
        }
    }
    (runs, pool)
}

/// Every code point (but the Hangul syllables) whose key is not itself, with its key.
fn mapped() -> BTreeMap<u32, Vec<char>> {
    let mut mapped = BTreeMap::new();
    for cp in 0..=char::MAX as u32 {
        if HANGUL_SYLLABLES.contains(&cp) {
            continue;
        }
        let Some(c) = char::from_u32(cp) else { continue };
        let key = table_key(c);
        if key != [c] {
            mapped.insert(cp, key);
        }
    }
    mapped
}

/// The canonical combining class of every character a key can hold, as the code points where
/// the class changes (with the new class).
fn class_changes(mapped: &BTreeMap<u32, Vec<char>>) -> Vec<(u32, u8)> {
    let mut changes = Vec::new();
    let mut last = 0u8;
    for cp in 0..=char::MAX as u32 {
        let Some(c) = char::from_u32(cp) else { continue };
        // Only characters that are their own key (a mapped one never reaches the ordering).
        let class = if !mapped.contains_key(&cp) { canonical_combining_class(c) } else { 0 };
        if class != last {
            changes.push((cp, class));
            last = class;
        }
    }
    changes
}

fn numbers<T: std::fmt::Display>(out: &mut String, decl: &str, doc: &str, numbers: &[T]) {
    writeln!(out, "{doc}").ok();
    writeln!(out, "{decl}; {}] = [", numbers.len()).ok();
    let items: Vec<String> = numbers.iter().map(ToString::to_string).collect();
    let mut line = String::from("   ");
    for item in items {
        if line.len() + item.len() + 2 > 100 {
            writeln!(out, "{line}").ok();
            line = String::from("   ");
        }
        write!(line, " {item},").ok();
    }
    writeln!(out, "{line}").ok();
    writeln!(out, "];").ok();
}

/// The text of `table.rs`.
pub fn table_source() -> String {
    let mapped = mapped();
    let classes: Vec<String> =
        class_changes(&mapped).iter().map(|&(cp, class)| format!("0x{:08x}", cp << 8 | u32::from(class))).collect();
    let (runs, pool) = runs(mapped);
    let blocks = runs.last().map_or(0, |run| run.first() / BLOCK + 1);
    // For each block, the index of its first run (and one past the last block's runs).
    let block_runs: Vec<u16> = (0..=blocks)
        .map(|block| u16::try_from(runs.partition_point(|run| run.first() < block * BLOCK)).expect("runs fit a u16"))
        .collect();
    let lows: Vec<u8> = runs.iter().map(|run| (run.first() % BLOCK) as u8).collect();
    let infos: Vec<String> = runs.iter().map(|run| format!("0x{:08x}", pack(run))).collect();
    let bytes = block_runs.len() * 2 + lows.len() + infos.len() * 4 + pool.len() + classes.len() * 4;
    let mut out = String::new();
    writeln!(out, "// {}", crate::GENERATED).ok();
    writeln!(out, "// (From the reference comparison in crates/funding-window-codegen/src/identity.rs, built on").ok();
    writeln!(out, "// unicode-normalization and caseless; `-- --check` fails when this file is stale.)").ok();
    writeln!(out, "//").ok();
    writeln!(out, "// {}.", unicode_versions()).ok();
    writeln!(
        out,
        "// {} runs in {} blocks, a pool of {} bytes, {} class changes: {} bytes in all.",
        runs.len(),
        blocks,
        pool.len(),
        classes.len(),
        bytes
    )
    .ok();
    writeln!(out).ok();
    writeln!(out, "/// The Unicode versions the table was generated from.").ok();
    writeln!(out, "pub(super) const UNICODE_VERSIONS: &str = \"{}\";", unicode_versions()).ok();
    writeln!(out).ok();
    numbers(
        &mut out,
        "pub(super) static BLOCK_RUNS: [u16",
        "/// For each block of 256 code points, the index of its first run; past the last, one past the last run.",
        &block_runs,
    );
    writeln!(out).ok();
    numbers(&mut out, "pub(super) static RUN_LOW: [u8", "/// The low byte of each run's first code point.", &lows);
    writeln!(out).ok();
    numbers(
        &mut out,
        "pub(super) static RUN: [u32",
        "/// Each run: its kind in the top two bits, then its fields (see `identity::key_of`).",
        &infos,
    );
    writeln!(out).ok();
    writeln!(out, "/// The texts of the keys longer than one character, side by side.").ok();
    write!(out, "pub(super) static POOL: &str = \"").ok();
    let mut line = 0;
    for c in pool.chars() {
        // Lines of about 100 characters (a backslash at a line's end continues the literal).
        if line >= 100 {
            out.push_str("\\\n    ");
            line = 0;
        }
        let before = out.len();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            write!(out, "\\u{{{:x}}}", c as u32).ok();
        }
        line += out.len() - before;
    }
    writeln!(out, "\";").ok();
    writeln!(out).ok();
    numbers(
        &mut out,
        "pub(super) static CLASS_CHANGES: [u32",
        "/// Where the canonical combining class changes: the code point << 8 | the class from there on.",
        &classes,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use funding_window::identity;
    use proptest::prelude::*;

    fn every_char() -> impl Iterator<Item = char> {
        (0..=char::MAX as u32).filter_map(char::from_u32)
    }

    /// The code points where the core's key differs from the reference's, for each name.
    fn differences(names: impl Iterator<Item = String>) -> Vec<String> {
        names
            .filter(|name| identity::person_key(name) != reference::person_key(name))
            .map(|name| name.chars().map(|c| format!("U+{:04X}", c as u32)).collect::<Vec<_>>().join(" "))
            .take(20)
            .collect()
    }

    #[test]
    fn the_core_is_the_reference_at_every_code_point() {
        let differ = differences(every_char().map(String::from));
        assert!(differ.is_empty(), "the core's key differs from the reference's for {differ:?}");
    }

    #[test]
    fn the_core_is_the_reference_on_every_pair_whose_marks_meet() {
        let class = canonical_combining_class;
        // A first character whose key ends with a mark (or with an i, for the Turkish dot),
        // and a second whose decomposition begins with one: their marks are put in order
        // together. One plain letter stands for all the others.
        let firsts: Vec<char> = every_char()
            .filter(|&c| {
                let key = reference::folded(&c.to_string());
                key.last().is_some_and(|&k| class(k) != 0 || k == 'i') || c.nfkd().last().is_some_and(|d| class(d) != 0)
            })
            .chain(['a'])
            .collect();
        let seconds: Vec<char> = every_char().filter(|&c| c.nfkd().next().is_some_and(|d| class(d) != 0)).collect();
        assert!(firsts.len() > 1000 && seconds.len() > 500, "{} and {}", firsts.len(), seconds.len());
        let pairs = firsts.iter().flat_map(|&a| seconds.iter().map(move |&b| format!("{a}{b}")));
        let differ = differences(pairs);
        assert!(differ.is_empty(), "the core's key differs from the reference's for {differ:?}");
    }

    #[test]
    fn the_format_list_is_general_category_cf_for_every_code_point() {
        use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
        let differ: Vec<String> = every_char()
            .filter(|&c| reference::is_format(c) != (c.general_category() == GeneralCategory::Format))
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        assert!(differ.is_empty(), "is_format disagrees with general category Cf at {differ:?}");
    }

    #[test]
    fn the_table_names_the_reference_versions() {
        assert_eq!(identity::UNICODE_VERSIONS, unicode_versions());
    }

    /// Characters that meet in names in every way the key cares about: marks of many classes
    /// (the ypogegrammeni and the dot above among them), precomposed letters, Greek with
    /// breathings and iota subscripts, ligatures, full-width and other compatibility forms,
    /// Hangul syllables and jamo, the Turkish i's, invisible characters, and any character.
    fn name_char() -> impl Strategy<Value = char> {
        prop_oneof![
            3 => prop::char::range('A', 'z'),
            1 => prop::sample::select(vec!['I', 'i', '\u{0130}', '\u{0131}', '\u{0307}', '\u{0345}', '\u{0399}']),
            3 => prop::char::range('\u{0300}', '\u{036F}'), // combining diacritical marks
            1 => prop::char::range('\u{0591}', '\u{05C7}'), // Hebrew points, many classes
            1 => prop::char::range('\u{0F71}', '\u{0F84}'), // Tibetan vowel signs (decompose into marks)
            1 => prop::char::range('\u{1DC0}', '\u{1DFF}'), // combining marks supplement
            1 => prop::char::range('\u{20D0}', '\u{20F0}'), // combining marks for symbols
            1 => prop::char::range('\u{3099}', '\u{309A}'), // kana voicing marks
            2 => prop::char::range('\u{00C0}', '\u{024F}'), // Latin-1 and Latin Extended
            2 => prop::char::range('\u{1E00}', '\u{1FFF}'), // Latin Extended Additional, Greek Extended
            1 => prop::char::range('\u{0370}', '\u{04FF}'), // Greek and Cyrillic
            1 => prop::char::range('\u{FB00}', '\u{FB4F}'), // Latin, Armenian and Hebrew ligatures
            1 => prop::char::range('\u{FF00}', '\u{FFEF}'), // full-width and half-width forms
            1 => prop::char::range('\u{3300}', '\u{33FF}'), // CJK compatibility (squared words)
            1 => prop::char::range('\u{AC00}', '\u{D7A3}'), // Hangul syllables
            1 => prop::char::range('\u{1100}', '\u{11FF}'), // Hangul jamo
            1 => prop::char::range('\u{3130}', '\u{318F}'), // Hangul compatibility jamo
            1 => prop::char::range('\u{2000}', '\u{206F}'), // spaces, joiners, bidirectional controls
            1 => prop::sample::select(vec!['\u{00AD}', '\u{034F}', '\u{FE0F}', '\u{FEFF}', '\u{E0041}', '\u{3000}']),
            1 => any::<char>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn the_core_is_the_reference_on_random_names(chars in prop::collection::vec(name_char(), 0..24)) {
            let name: String = chars.into_iter().collect();
            prop_assert_eq!(identity::person_key(&name), reference::person_key(&name), "{:?}", name);
        }
    }
}
