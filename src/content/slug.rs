//! Heading anchors exactly as Docusaurus makes them (the github-slugger algorithm).
//!
//! A slug is the heading's plain text, lowercased, with every character removed
//! that is not a letter, mark, decimal or letter number, connector punctuation
//! (`_`), space or hyphen; each space then becomes `-`. Repeated slugs on one page
//! get `-1`, `-2`, … appended.

use std::collections::HashMap;

use super::unicode::in_kept_ranges;

/// Whether github-slugger keeps `c` (after lowercasing).
fn kept(c: char) -> bool {
    c == ' ' || c == '-' || c.is_alphabetic() || in_kept_ranges(c)
}

/// The slug of `text`, without duplicate tracking.
pub(crate) fn slugify(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .filter(|&c| kept(c))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Hands out unique slugs for one page, like github-slugger's `GithubSlugger`.
#[derive(Debug, Default)]
pub(crate) struct Slugger {
    occurrences: HashMap<String, usize>,
}

impl Slugger {
    /// A unique slug for `text`: the plain slug, or the slug with `-N` appended
    /// when it was handed out before. An empty slug (a heading made only of
    /// punctuation or symbols) becomes `section`, because an HTML `id` must not
    /// be empty.
    pub(crate) fn slug(&mut self, text: &str) -> String {
        let mut original = slugify(text);
        if original.is_empty() {
            original = "section".to_owned();
        }
        let mut result = original.clone();
        while self.occurrences.contains_key(&result) {
            let count = self.occurrences.entry(original.clone()).or_insert(0);
            *count += 1;
            result = format!("{original}-{count}");
        }
        self.occurrences.insert(result.clone(), 0);
        result
    }

    /// Records an explicit `{#id}` so that later generated slugs avoid it.
    pub(crate) fn reserve(&mut self, id: &str) {
        self.occurrences.entry(id.to_owned()).or_insert(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_punctuation_is_removed_and_spaces_become_hyphens() {
        assert_eq!(slugify("Why Fedora?"), "why-fedora");
        assert_eq!(slugify("it's `.packit.yaml`"), "its-packityaml");
        assert_eq!(slugify("a  b"), "a--b");
        assert_eq!(slugify(" lead"), "-lead");
        assert_eq!(slugify("snake_case and-dash"), "snake_case-and-dash");
        assert_eq!(slugify("C++ & Rust (2024)!"), "c--rust-2024");
    }

    #[test]
    fn unicode_letters_and_numbers_are_kept_symbols_removed() {
        assert_eq!(slugify("Übersicht Straße"), "übersicht-straße");
        assert_eq!(slugify("Привет мир"), "привет-мир");
        assert_eq!(slugify("日本語 テスト"), "日本語-テスト");
        assert_eq!(slugify("we ❤ Fedora"), "we--fedora");
        assert_eq!(slugify("a — b … c"), "a--b--c");
        // Other_Number (superscript two) is removed, decimal digits are kept.
        assert_eq!(slugify("x² ٣"), "x-٣");
        // Combining marks are kept.
        assert_eq!(slugify("e\u{301}"), "e\u{301}");
        // Curly quotes are punctuation.
        assert_eq!(slugify("it’s “quoted”"), "its-quoted");
        // Tabs and newlines are control characters: removed, not hyphenated.
        assert_eq!(slugify("a\tb\nc"), "abc");
    }

    #[test]
    fn duplicates_get_numeric_suffixes() {
        let mut s = Slugger::default();
        assert_eq!(s.slug("Intro"), "intro");
        assert_eq!(s.slug("Intro"), "intro-1");
        assert_eq!(s.slug("Intro"), "intro-2");
        assert_eq!(s.slug("Intro 1"), "intro-1-1");
        assert_eq!(s.slug("Other"), "other");
    }

    #[test]
    fn empty_slug_falls_back_to_section() {
        let mut s = Slugger::default();
        assert_eq!(s.slug("❤"), "section");
        assert_eq!(s.slug("?!"), "section-1");
    }

    #[test]
    fn reserved_ids_are_avoided() {
        let mut s = Slugger::default();
        s.reserve("setup");
        assert_eq!(s.slug("Setup"), "setup-1");
    }
}
