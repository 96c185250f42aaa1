//! The crate's one HTML escaper and its one reader of ANSI escape sequences.
//!
//! [`escaped`] says what one character becomes; everything else here is built on it.
//! Five characters are always mapped:
//!
//! | character | becomes |
//! |---|---|
//! | `&` | `&amp;` |
//! | `<` | `&lt;` |
//! | `>` | `&gt;` |
//! | `"` | `&quot;` |
//! | `'` | `&#39;` |
//!
//! Control characters (U+0000–U+001F, U+007F–U+009F) follow the caller's
//! [`Controls`]: markdown written by the site's operator keeps them, text from the
//! API (template values, log lines) gets U+FFFD for each, since HTML forbids them.
//! The output is safe inside element content and inside attribute values quoted
//! with `"` or `'`.
//!
//! ANSI escape sequences (logs carry colour codes) are read by [`ansi_sequence`]:
//! the template autoescaper drops them, the log renderer turns SGR colours into classes.

use std::iter::Peekable;
use std::str::Chars;

/// What the escaper does with control characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Controls {
    /// Copy them unchanged (the operator's own markdown).
    Keep,
    /// U+FFFD for each, but tab (one log line).
    ReplaceButTab,
    /// U+FFFD for each, but tab, newline and carriage return (template values).
    ReplaceButWhitespace,
}

/// What `c` becomes in HTML, or `None` when it is copied as it is.
#[inline]
pub fn escaped(c: char, controls: Controls) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        // noncharacters: HTML forbids them, and the renderer uses two as markers
        '\u{fdd0}'..='\u{fdef}' => Some("\u{fffd}"),
        c if c.is_control() => match (controls, c) {
            (Controls::Keep, _) | (_, '\t') => None,
            (Controls::ReplaceButWhitespace, '\n' | '\r') => None,
            _ => Some("\u{fffd}"),
        },
        _ => None,
    }
}

/// Escapes `text` for HTML element content and quoted attributes, keeping control
/// characters (see the module documentation for the exact mapping).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(text, &mut out, Controls::Keep);
    out
}

/// Appends `text`, escaped, to `out`, with control characters as `controls` says.
pub fn escape_into(text: &str, out: &mut String, controls: Controls) {
    for c in text.chars() {
        match escaped(c, controls) {
            Some(rep) => out.push_str(rep),
            None => out.push(c),
        }
    }
}

/// Reads one ANSI escape sequence from `chars`, which stand just after its ESC:
/// a CSI sequence (`[`, parameters, a final byte in `@`..=`~`) is consumed whole and
/// returned as its parameters and final byte (`None` as the final byte when the
/// text ends first); any other sequence is ESC plus one character, consumed, and
/// `None` is returned.
pub fn ansi_sequence(chars: &mut Peekable<Chars<'_>>) -> Option<(String, Option<char>)> {
    if chars.peek() != Some(&'[') {
        chars.next();
        return None;
    }
    chars.next();
    let mut params = String::new();
    for d in chars.by_ref() {
        if ('@'..='~').contains(&d) {
            return Some((params, Some(d)));
        }
        params.push(d);
    }
    Some((params, None))
}

/// `text` without its ANSI escape sequences.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            ansi_sequence(&mut chars);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_five_markup_characters_only() {
        assert_eq!(
            escape("<a href=\"x\" title='y'>&amp;</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
        );
        assert_eq!(
            escape("tab\there\u{0}\u{1b}[0m\u{85} ❤"),
            "tab\there\u{0}\u{1b}[0m\u{85} ❤"
        );
    }

    #[test]
    fn control_characters_follow_the_callers_rule() {
        let mut out = String::from("x");
        escape_into("<\t\n\r\u{0}\u{85}", &mut out, Controls::ReplaceButTab);
        assert_eq!(out, "x&lt;\t\u{fffd}\u{fffd}\u{fffd}\u{fffd}");
        let mut out = String::new();
        escape_into(
            "<\t\n\r\u{0}\u{85}",
            &mut out,
            Controls::ReplaceButWhitespace,
        );
        assert_eq!(out, "&lt;\t\n\r\u{fffd}\u{fffd}");
    }

    #[test]
    fn ansi_sequences_are_read_whole() {
        assert_eq!(
            strip_ansi("a\u{1b}[1;31mred\u{1b}[0m \u{1b}(Bb\u{1b}[12"),
            "ared Bb"
        );
        let mut it = "[1;31mx".chars().peekable();
        assert_eq!(ansi_sequence(&mut it), Some(("1;31".into(), Some('m'))));
        assert_eq!(it.next(), Some('x'));
    }
}
