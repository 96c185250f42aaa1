//! The crate's one HTML escaper, for element text and quoted attribute values.
//!
//! [`escape`] maps exactly five characters and copies every other one unchanged:
//!
//! | character | becomes |
//! |---|---|
//! | `&` | `&amp;` |
//! | `<` | `&lt;` |
//! | `>` | `&gt;` |
//! | `"` | `&quot;` |
//! | `'` | `&#39;` |
//!
//! Control characters (U+0000–U+001F, U+007F–U+009F) and everything else, ANSI
//! escape sequences included, pass through as they are: a caller that must not emit
//! them removes or replaces them before escaping. The output is safe inside element
//! content and inside attribute values quoted with `"` or `'`.

/// Escapes `text` for HTML element content and quoted attributes (see the module
/// documentation for the exact mapping).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(text, &mut out);
    out
}

/// Appends `text`, escaped as by [`escape`], to `out`.
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
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
        let mut out = String::from("x");
        escape_into("<", &mut out);
        assert_eq!(out, "x&lt;");
    }
}
