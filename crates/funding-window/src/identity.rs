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

use caseless::Caseless;
use unicode_normalization::UnicodeNormalization;

/// The comparison key of a person's name: two names with the same key name the same person.
///
/// The key is the name after Unicode compatibility caseless matching (the Unicode Standard,
/// section 3.13, definition D146: NFD, full case folding, NFKD, full case folding again, NFKD),
/// with every character that shows nothing removed. It is left decomposed (NFKD): two keys are
/// equal exactly when their NFKC forms are, and recomposing would cost the WebAssembly module
/// the composition tables (6 KB gzipped) for nothing. So:
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
pub fn person_key(name: &str) -> String {
    // The key depends on the name's NFKD form only, so every normalization form of a name has
    // the same key. Invisible characters go next, before anything looks at a letter and its
    // marks (one between them would keep them apart), and after NFKD, which turns some
    // compatibility characters into spaces (U+3000, or U+00A8 DIAERESIS into a space and a
    // combining mark). Then D146: decomposing (which puts the marks the removal brought
    // together in canonical order), folding, decomposing and folding again, because a fold
    // can produce characters that decompose further (U+0345 and its compositions).
    let visible: String = name.chars().nfkd().filter(|&c| !is_invisible(c)).collect();
    let mut decomposed = String::with_capacity(visible.len());
    for c in visible.chars().nfd().default_case_fold().nfkd().default_case_fold().nfkd() {
        match c {
            c if is_invisible(c) => {}
            // The Turkish letters (see above): ı is i, and an i keeps no second dot.
            '\u{0131}' => decomposed.push('i'),
            '\u{0307}' if decomposed.ends_with('i') => {}
            c => decomposed.push(c),
        }
    }
    decomposed
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

/// A character that shows nothing in a name: White_Space, general category Cf (format), or
/// another default-ignorable code point.
fn is_invisible(c: char) -> bool {
    c.is_whitespace() || is_format(c) || is_other_default_ignorable(c)
}

/// Whether a character is of general category Cf (format), Unicode 18.
///
/// A list of its 21 ranges rather than a general-category crate's table of every category:
/// that table costs the WebAssembly module 17 KB gzipped for this one question. A test checks
/// the list against the unicode-properties crate for every code point, so a new Unicode
/// version that changes Cf fails the build until the list follows.
fn is_format(c: char) -> bool {
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

/// The default-ignorable code points of Unicode's DerivedCoreProperties.txt that are neither
/// White_Space nor Cf (those are caught by their property): they render as nothing, or as
/// blank filler, wherever they appear.
fn is_other_default_ignorable(c: char) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
    fn the_format_list_is_general_category_cf_for_every_code_point() {
        use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
        let differ: Vec<String> = (0..=char::MAX as u32)
            .filter_map(char::from_u32)
            .filter(|&c| is_format(c) != (c.general_category() == GeneralCategory::Format))
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        assert!(differ.is_empty(), "is_format disagrees with general category Cf at {differ:?}");
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
