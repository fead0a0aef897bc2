//! Who a person is, as far as the books can tell from a name.
//!
//! Four-eyes control needs a command's approver to be another person than its recorder, and
//! both arrive as free text typed on different keyboards. `"Ann"`, `" ann "`, `"Ａnn"` (a
//! full-width letter) and `"Ann\u{200b}"` (a zero-width space) look alike or the same on screen
//! and name one person, so comparing the texts byte for byte would let one person approve their
//! own command. Two names are the same person when their [`person_key`]s are equal.
//!
//! ```
//! use funding_window::identity::{person_key, same_person};
//!
//! assert_eq!(person_key(" Ａnn\u{200b} "), "ann");
//! assert_eq!(person_key("José"), "jose\u{301}"); // decomposed: e and a combining acute
//! assert!(same_person("Ann", "A\u{200e}NN")); // a left-to-right mark inside
//! assert!(same_person("Strauß", "STRAUSS")); // full case folding: ß is ss
//! assert!(!same_person("Ann", "Anne"));
//! assert!(!same_person("José", "Jose")); // accents are kept: other names
//! ```

// Generated from the reference comparison (crates/funding-window-codegen/src/identity.rs).
#[rustfmt::skip]
mod table;

/// The Unicode versions the comparison follows, as generated into its table from the reference
/// crates: normalization and combining classes Unicode 18.0 (unicode-normalization 0.1.26), case
/// folding Unicode 16.0 (caseless 0.2.2), White_Space Unicode 17.0 (Rust's `char`).
pub const UNICODE_VERSIONS: &str = table::UNICODE_VERSIONS;

/// The comparison key of a person's name: two names with the same key name the same person.
///
/// The key is the name after Unicode compatibility caseless matching (the Unicode Standard,
/// section 3.13, definition D146: NFD, full case folding, NFKD, full case folding again, NFKD),
/// with every character that shows nothing removed. It is left decomposed (NFKD): two keys are
/// equal exactly when their NFKC forms are, and recomposing would cost the WebAssembly module
/// composition tables for nothing. So:
///
/// * compatibility normalization makes compatibility forms one: full-width `Ａ` is `A`, the ligature `ﬁ` is `fi`,
///   a precomposed `é` and `e` + combining acute are one;
/// * full case folding (not lower-casing) makes case one: `ß`, `ẞ` and `SS` are all `ss`,
///   final `ς` is `σ`;
/// * removed are White_Space characters (spaces anywhere, including no-break and ideographic
///   spaces), format characters (general category Cf: zero-width spaces and joiners, the
///   bidirectional marks and embeddings, the soft hyphen, the byte-order mark, tag
///   characters) and the other default-ignorable characters (variation selectors, the
///   combining grapheme joiner, Hangul fillers).
///
/// Default case folding leaves the Turkish letters alone: dotless `ı` has no fold, and dotted
/// `İ` folds to `i` with a combining dot above, while Turkish writing pairs `I` with `ı` and
/// `İ` with `i`. So that the same name typed in either case is one person whichever convention
/// the keyboard follows, the key also reads `ı` as `i` and drops the dot above an `i`: `IRMAK`,
/// `Irmak` and `ırmak` are one person, `İLKER` and `ilker` another. (Two different names that
/// differ only there count as one person: four-eyes control then asks for another approver,
/// which is the safe way to be wrong.)
///
/// Nothing else is changed: accents and other marks stay (`José` is not `Jose`), and letters
/// of different scripts that merely look alike stay different. A name made only of removed
/// characters has an empty key: it names nobody, and four-eyes control treats it as missing.
///
/// The Unicode versions are [`UNICODE_VERSIONS`]: normalization Unicode 18.0, case folding
/// Unicode 16.0.
///
/// # How
///
/// Every step of the definition but two maps one character at a time: decomposing, folding and
/// removing. So a table generated from the reference (`funding-window-codegen`) holds the key of
/// each code point alone, all steps applied, in runs (35 KB raw); with the code it costs the
/// WebAssembly module about 22 KB gzipped, where the general normalization and case folding
/// tables cost about 69 KB. The key of a name is the keys of its characters one after another
/// (Hangul syllables decomposed by arithmetic), then:
///
/// * the combining marks between two letters put in canonical order (by combining class), as
///   decomposing the whole name does;
/// * the two steps that depend on the neighbours: the COMBINING GREEK YPOGEGRAMMENI (U+0345, a
///   mark of class 240 that case folding makes the letter `ι`) is ordered as the mark it is
///   and only then read as `ι`, as the definition decomposes (and orders) before it folds;
///   and the Turkish dot above is dropped after an `i` once the marks are in order.
///
/// The generator's tests compare this with the reference (the definition above built on the
/// unicode-rs crates) at every code point, on every pair of characters whose marks meet, and
/// on random names.
pub fn person_key(name: &str) -> String {
    let mut chars: Vec<char> = Vec::with_capacity(name.len());
    for c in name.chars() {
        push_key(c, &mut chars);
    }
    order_marks(&mut chars);
    let mut key = String::with_capacity(chars.len());
    for c in chars {
        match c {
            YPOGEGRAMMENI => key.push('\u{03B9}'),
            // The Turkish letters (see above): an i keeps no second dot.
            '\u{0307}' if key.ends_with('i') => {}
            c => key.push(c),
        }
    }
    key
}

/// Whether two names are the same person: their [`person_key`]s are equal.
///
/// Two names that both name nobody (empty keys) are equal here too; four-eyes control checks
/// [`names_someone`] first and treats such a name as missing.
pub fn same_person(a: &str, b: &str) -> bool {
    person_key(a) == person_key(b)
}

/// Whether a name names someone: its [`person_key`] is not empty (it holds something visible).
pub fn names_someone(name: &str) -> bool {
    !person_key(name).is_empty()
}

/// COMBINING GREEK YPOGEGRAMMENI: the table keeps it as the mark, for the ordering.
const YPOGEGRAMMENI: char = '\u{0345}';

/// The Hangul syllables, decomposed by arithmetic (the Unicode Standard, section 3.12) rather
/// than stored: 11,172 code points.
const HANGUL_FIRST: u32 = 0xAC00;
const HANGUL_COUNT: u32 = 11_172;
const HANGUL_LEADS: u32 = 0x1100;
const HANGUL_VOWELS: u32 = 0x1161;
const HANGUL_TRAILS: u32 = 0x11A7;
const HANGUL_VOWEL_COUNT: u32 = 21;
const HANGUL_TRAIL_COUNT: u32 = 28;

// The packing of `table::RUN` (written by the generator with the same widths).
const KIND_SHIFT: u32 = 30;
const REMOVED: u32 = 0;
const OFFSET: u32 = 1;
const TEXT: u32 = 2;
const COUNT_BITS: u32 = 9;
const DELTA_BITS: u32 = 20;
const LEN_BITS: u32 = 6;
const AT_BITS: u32 = 15;
const BLOCK_BITS: u32 = 8;

fn bits(word: u32, shift: u32, width: u32) -> u32 {
    (word >> shift) & ((1 << width) - 1)
}

/// Appends the key of one character alone (before the ordering of marks).
fn push_key(c: char, out: &mut Vec<char>) {
    let cp = u32::from(c);
    let syllable = cp.wrapping_sub(HANGUL_FIRST);
    if syllable < HANGUL_COUNT {
        let per_lead = HANGUL_VOWEL_COUNT * HANGUL_TRAIL_COUNT;
        let jamo = [
            HANGUL_LEADS + syllable / per_lead,
            HANGUL_VOWELS + syllable % per_lead / HANGUL_TRAIL_COUNT,
            HANGUL_TRAILS + syllable % HANGUL_TRAIL_COUNT,
        ];
        let with_trail = syllable % HANGUL_TRAIL_COUNT != 0;
        out.extend(jamo[..if with_trail { 3 } else { 2 }].iter().filter_map(|&j| char::from_u32(j)));
        return;
    }
    match key_of(cp) {
        Key::Itself => out.push(c),
        Key::Removed => {}
        Key::Char(k) => out.push(k),
        Key::Text(text) => out.extend(text.chars()),
    }
}

/// The key of a code point alone, from the table.
enum Key {
    Itself,
    Removed,
    Char(char),
    Text(&'static str),
}

/// Looks a code point up: the run of its block that starts last at or before it, if it covers it.
fn key_of(cp: u32) -> Key {
    let block = (cp >> BLOCK_BITS) as usize;
    let (Some(&from), Some(&to)) = (table::BLOCK_RUNS.get(block), table::BLOCK_RUNS.get(block + 1)) else {
        return Key::Itself;
    };
    let Some(lows) = table::RUN_LOW.get(usize::from(from)..usize::from(to)) else { return Key::Itself };
    let low = (cp & 0xFF) as u8;
    let before = lows.partition_point(|&first| first <= low);
    let Some(i) = before.checked_sub(1) else { return Key::Itself };
    let (Some(&first_low), Some(&run)) = (lows.get(i), table::RUN.get(usize::from(from) + i)) else {
        return Key::Itself;
    };
    let offset = u32::from(low - first_low);
    let count = bits(run, 0, COUNT_BITS);
    match run >> KIND_SHIFT {
        REMOVED if offset < count => Key::Removed,
        OFFSET => {
            let stride = bits(run, COUNT_BITS + DELTA_BITS, 1) + 1;
            // The delta is signed: shift its sign bit to the top and back.
            let delta = ((bits(run, COUNT_BITS, DELTA_BITS) << (32 - DELTA_BITS)) as i32) >> (32 - DELTA_BITS);
            if offset % stride != 0 || offset / stride >= count {
                return Key::Itself;
            }
            cp.checked_add_signed(delta).and_then(char::from_u32).map_or(Key::Itself, Key::Char)
        }
        TEXT if offset < count => {
            let len = bits(run, COUNT_BITS, LEN_BITS) as usize;
            let at = bits(run, COUNT_BITS + LEN_BITS, AT_BITS) as usize + offset as usize * len;
            table::POOL.get(at..at + len).map_or(Key::Itself, Key::Text)
        }
        _ => Key::Itself,
    }
}

/// The canonical combining class of a character a key holds (0 for a letter).
fn combining_class(c: char) -> u8 {
    let cp = u32::from(c);
    let after = table::CLASS_CHANGES.partition_point(|&change| change >> 8 <= cp);
    after.checked_sub(1).and_then(|i| table::CLASS_CHANGES.get(i)).map_or(0, |&change| (change & 0xFF) as u8)
}

/// Puts each run of combining marks in canonical order: a stable sort by combining class (the
/// Unicode Standard, section 3.11).
fn order_marks(chars: &mut [char]) {
    let mut start = 0;
    while start < chars.len() {
        if combining_class(chars[start]) == 0 {
            start += 1;
            continue;
        }
        let end = chars[start..].iter().position(|&c| combining_class(c) == 0).map_or(chars.len(), |n| start + n);
        let run = &mut chars[start..end];
        for i in 1..run.len() {
            let mut j = i;
            while j > 0 && combining_class(run[j - 1]) > combining_class(run[j]) {
                run.swap(j - 1, j);
                j -= 1;
            }
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn the_forms_of_ann_are_one_person_and_anne_another() {
        for name in ["Ann", "ann", "ANN", "Ann\u{200b}", "Ａnn", " ann ", "A\u{200e}nn", "A\u{00a0}nn", "\u{feff}Ann"]
        {
            assert_eq!(person_key(name), "ann", "{name:?}");
            assert!(same_person(name, "Ann"), "{name:?}");
        }
        assert!(!same_person("Ann", "Anne"));
        assert!(!same_person("Ann", "An"));
    }

    #[test]
    fn case_is_folded_fully_not_lowered() {
        // Lower-casing keeps ß and maps ẞ to ß, so "STRAUSS" would stay another name; full
        // case folding gives ss for all three.
        assert_eq!(person_key("Strauß"), "strauss");
        assert_eq!(person_key("STRAUẞ"), "strauss");
        assert!(same_person("Strauß", "Strauss"));
        // Final sigma folds like the other sigma.
        assert!(same_person("ΟΔΥΣΣΕΥΣ", "οδυσσευς"));
        assert!(same_person("Ὀδυσσεύς", "ὈΔΥΣΣΕΎΣ"));
        // Cherokee small letters fold to the capitals.
        assert!(same_person("\u{13A0}", "\u{AB70}"));
    }

    #[test]
    fn compatibility_and_canonical_forms_are_one() {
        assert!(same_person("José", "Jose\u{0301}")); // precomposed é and e + combining acute
        assert!(same_person("ﬁona", "Fiona")); // the ligature ﬁ
        assert!(same_person("Ａｎａ　Ｄｉａｚ", "ana diaz")); // full-width letters, ideographic space
        assert!(same_person("Ana Díaz", "ANA DI\u{0301}AZ"));
        assert!(same_person("Zoë", "Zoe\u{00a8}")); // U+00A8 decomposes to a space and a diaeresis
    }

    #[test]
    fn marks_and_lookalike_letters_are_kept() {
        assert!(!same_person("José", "Jose"));
        assert!(!same_person("Müller", "Muller"));
        // Cyrillic а (U+0430) looks like Latin a but is another letter.
        assert!(!same_person("\u{0430}nn", "ann"));
        assert!(!same_person("Işık", "Isık")); // the cedilla is kept
    }

    #[test]
    fn turkish_capitals_and_small_letters_are_one_person_either_way() {
        // Turkish pairs I with ı and İ with i; default case folding pairs I with i only.
        for name in ["IRMAK", "Irmak", "ırmak", "irmak"] {
            assert_eq!(person_key(name), "irmak", "{name:?}");
        }
        for name in ["İLKER", "İlker", "ilker", "ILKER"] {
            assert_eq!(person_key(name), "ilker", "{name:?}");
        }
    }

    #[test]
    fn every_invisible_kind_is_removed() {
        let invisible = [
            '\u{00AD}',  // soft hyphen (Cf)
            '\u{200B}',  // zero-width space (Cf)
            '\u{200C}',  // zero-width non-joiner (Cf)
            '\u{200D}',  // zero-width joiner (Cf)
            '\u{200E}',  // left-to-right mark (Cf)
            '\u{200F}',  // right-to-left mark (Cf)
            '\u{202A}',  // left-to-right embedding (Cf)
            '\u{202E}',  // right-to-left override (Cf)
            '\u{2060}',  // word joiner (Cf)
            '\u{2066}',  // left-to-right isolate (Cf)
            '\u{FEFF}',  // byte-order mark (Cf)
            '\u{E0041}', // tag latin capital letter a (Cf)
            '\u{034F}',  // combining grapheme joiner
            '\u{FE0F}',  // variation selector 16
            '\u{3164}',  // Hangul filler
            ' ',
            '\t',
            '\u{00A0}', // no-break space
            '\u{2003}', // em space
            '\u{3000}', // ideographic space
            '\u{2028}', // line separator
        ];
        for c in invisible {
            let name = format!("{c}A{c}n{c}n{c}");
            assert_eq!(person_key(&name), "ann", "U+{:04X}", c as u32);
            assert!(!names_someone(&c.to_string()), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn hangul_syllables_are_their_letters() {
        // 한 is ㅎ ㅏ ㄴ (conjoining jamo); a syllable without a final consonant has two.
        assert_eq!(person_key("\u{D55C}"), "\u{1112}\u{1161}\u{11AB}");
        assert_eq!(person_key("\u{AC00}"), "\u{1100}\u{1161}");
        assert!(same_person("\u{D55C}\u{AE00}", "\u{1112}\u{1161}\u{11AB}\u{1100}\u{1173}\u{11AF}"));
        // Compatibility jamo are the conjoining ones too: ㅎ ㅏ is 하.
        assert!(same_person("\u{314E}\u{314F}", "\u{D558}"));
    }

    #[test]
    fn marks_are_put_in_canonical_order_across_characters() {
        // A cedilla (class 202) and an acute (230) in either order, after a precomposed or a
        // plain letter, are one name.
        assert!(same_person("c\u{0301}\u{0327}", "c\u{0327}\u{0301}"));
        assert!(same_person("\u{0107}\u{0327}", "\u{00E7}\u{0301}"));
        assert_eq!(person_key("\u{0107}\u{0327}"), "c\u{0327}\u{0301}");
        // A name's invisible characters do not keep its marks apart.
        assert_eq!(person_key("c\u{0301}\u{200B}\u{0327}"), "c\u{0327}\u{0301}");
    }

    #[test]
    fn the_iota_subscript_is_ordered_as_a_mark_and_then_folded() {
        // ᾳ is α with U+0345 (a mark of class 240), which folds to ι. Decomposition orders it
        // after an acute (230) before the fold, so ᾳ + acute is α, acute, ι; and ᾴ is too.
        assert_eq!(person_key("\u{1FB3}\u{0301}"), "\u{03B1}\u{0301}\u{03B9}");
        assert!(same_person("\u{1FB3}\u{0301}", "\u{1FB4}"));
        assert!(same_person("\u{1FB4}", "\u{0391}\u{0301}\u{0399}"));
    }

    #[test]
    fn the_dot_of_a_turkish_capital_goes_only_when_it_follows_the_i() {
        // After the marks are ordered: an ogonek (202) comes between the i and the dot (230),
        // which then stays, as in the reference.
        assert_eq!(person_key("\u{0130}"), "i");
        assert_eq!(person_key("i\u{0307}\u{0307}"), "i");
        assert_eq!(person_key("\u{0130}\u{0328}"), "i\u{0328}\u{0307}");
    }

    #[test]
    fn a_name_of_only_invisible_characters_names_nobody() {
        assert!(!names_someone(""));
        assert!(!names_someone(" \u{200b}\u{2060}\u{fe0f} "));
        assert!(names_someone(" A "));
        assert!(names_someone("\u{00a8}")); // a lone diaeresis still shows
    }

    /// Characters worth mixing into names: letters of several scripts and cases, marks,
    /// compatibility forms, and the invisible ones.
    fn name_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => prop::char::range('A', 'z'),
            2 => prop::char::range('\u{00A0}', '\u{024F}'), // Latin-1, Latin Extended-A and -B
            1 => prop::char::range('\u{0300}', '\u{036F}'), // combining marks
            1 => prop::char::range('\u{0370}', '\u{03FF}'), // Greek
            1 => prop::char::range('\u{0400}', '\u{04FF}'), // Cyrillic
            1 => prop::char::range('\u{1E00}', '\u{1FFF}'), // Latin Extended Additional, Greek Extended
            1 => prop::char::range('\u{2000}', '\u{206F}'), // spaces, joiners, bidi controls
            1 => prop::char::range('\u{FB00}', '\u{FB06}'), // Latin ligatures
            1 => prop::char::range('\u{FF01}', '\u{FF5E}'), // full-width forms
            1 => prop::char::range('\u{AC00}', '\u{AC40}'), // Hangul syllables
            1 => any::<char>(),
        ]
    }

    fn name() -> impl Strategy<Value = String> {
        prop::collection::vec(name_char(), 0..16).prop_map(|cs| cs.into_iter().collect())
    }

    /// Characters that show nothing.
    fn invisible_char() -> impl Strategy<Value = char> {
        prop::sample::select(vec![
            '\u{00AD}',
            '\u{061C}',
            '\u{180E}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{200F}',
            '\u{202A}',
            '\u{202B}',
            '\u{202C}',
            '\u{202D}',
            '\u{202E}',
            '\u{2060}',
            '\u{2061}',
            '\u{2063}',
            '\u{2064}',
            '\u{2066}',
            '\u{2069}',
            '\u{FEFF}',
            '\u{E0001}',
            '\u{E0020}',
            '\u{E007F}',
            '\u{034F}',
            '\u{FE00}',
            '\u{FE0F}',
            '\u{3164}',
            ' ',
            '\t',
            '\u{00A0}',
            '\u{1680}',
            '\u{2000}',
            '\u{200A}',
            '\u{202F}',
            '\u{205F}',
            '\u{3000}',
        ])
    }

    proptest! {
        #[test]
        fn the_key_is_its_own_key(name in name()) {
            let key = person_key(&name);
            prop_assert_eq!(person_key(&key), key);
        }

        #[test]
        fn invisible_characters_anywhere_change_nothing(
            name in name(),
            inserts in prop::collection::vec((any::<prop::sample::Index>(), invisible_char()), 1..6),
        ) {
            let mut chars: Vec<char> = name.chars().collect();
            for (at, c) in inserts {
                let i = at.index(chars.len() + 1);
                chars.insert(i, c);
            }
            let padded: String = chars.into_iter().collect();
            prop_assert_eq!(person_key(&padded), person_key(&name));
        }

        #[test]
        fn every_normalization_form_is_the_same_person(name in name()) {
            let key = person_key(&name);
            prop_assert_eq!(person_key(&name.nfc().collect::<String>()), key.clone());
            prop_assert_eq!(person_key(&name.nfd().collect::<String>()), key.clone());
            prop_assert_eq!(person_key(&name.nfkc().collect::<String>()), key.clone());
            prop_assert_eq!(person_key(&name.nfkd().collect::<String>()), key);
        }

        #[test]
        fn upper_and_lower_case_are_the_same_person(name in "[A-Za-zÀ-ÖØ-öø-ÿΑ-ΩΆ-ώА-я ]{0,20}") {
            prop_assert!(same_person(&name.to_uppercase(), &name.to_lowercase()), "{:?}", name);
        }

        #[test]
        fn a_different_visible_letter_is_another_person(name in "[a-z]{1,12}", extra in "[a-z]") {
            let longer = name.clone() + &extra;
            prop_assert!(!same_person(&name, &longer), "{:?} and {:?}", name, longer);
        }
    }
}
