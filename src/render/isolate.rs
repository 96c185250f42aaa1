//! Upstream values shown isolated from the text around them (issue 22): a name with
//! right-to-left letters or bidirectional controls must not reorder the page text
//! beside it, nor display as something else.
//!
//! One place decides, for every template value at once: the autoescaper
//! ([`super::escape_text`]) brackets a value that [`needs_isolation`] between two
//! noncharacters ([`OPEN`], [`CLOSE`]; the escaper turns any that come from
//! upstream into U+FFFD, so only it writes them), and [`resolve`] rewrites the
//! rendered page: in HTML element content the brackets become `<bdi>` … `</bdi>`;
//! where `<bdi>` is not allowed (`<title>`, `<option>`, `<textarea>`, inline SVG,
//! and every XML or SVG file) the Unicode isolates FSI … PDI, which mean the same
//! in plain text; inside a tag (an attribute value: a URL, a tooltip) and inside
//! `<script>` or `<style>` they are dropped, leaving the value's bytes as they were.
//!
//! Values of ASCII only are never bracketed, so ordinary pages keep their bytes.

/// Opens an isolated value in a rendered page before [`resolve`] (a noncharacter).
pub const OPEN: char = '\u{fdd0}';
/// Closes an isolated value in a rendered page before [`resolve`].
pub const CLOSE: char = '\u{fdd1}';

/// Whether `s` is shown isolated: it holds a right-to-left letter (Hebrew, Arabic,
/// Syriac, Thaana, N'Ko and the other right-to-left blocks, with their
/// presentation forms), a bidirectional mark, embedding, override or isolate, or a
/// zero-width character (those the autoescaper shows as `⟨U+…⟩`).
pub fn needs_isolation(s: &str) -> bool {
    !s.is_ascii()
        && s.chars().any(|c| {
            matches!(c,
                '\u{0590}'..='\u{08ff}'
                | '\u{fb1d}'..='\u{fdcf}'
                | '\u{fdf0}'..='\u{fdff}'
                | '\u{fe70}'..='\u{feff}'
                | '\u{10800}'..='\u{10fff}'
                | '\u{1e800}'..='\u{1efff}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}')
        })
}

/// Elements whose content may not hold `<bdi>` (text only, or SVG).
const TEXT_ONLY: [&str; 5] = ["title", "option", "textarea", "svg", "noscript"];
/// Elements whose content is not text at all.
const RAW: [&str; 2] = ["script", "style"];

/// `page` (rendered by a template; `html`: an HTML page, else XML or SVG) with the
/// brackets of isolated values replaced as the module documentation says. Pages
/// without any are returned as they are.
pub fn resolve(page: &str, html: bool) -> std::borrow::Cow<'_, str> {
    if !page.contains(OPEN) {
        return std::borrow::Cow::Borrowed(page);
    }
    let mut out = String::with_capacity(page.len() + 64);
    let mut in_tag = false;
    let (mut text_only, mut raw) = (0usize, 0usize);
    let mut rest = page;
    while let Some(c) = rest.chars().next() {
        let len = c.len_utf8();
        match c {
            '<' if !in_tag => {
                in_tag = true;
                let after = &rest[1..];
                let (closing, after) = match after.strip_prefix('/') {
                    Some(a) => (true, a),
                    None => (false, after),
                };
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                let depth = if TEXT_ONLY.contains(&name.as_str()) {
                    Some(&mut text_only)
                } else if RAW.contains(&name.as_str()) {
                    Some(&mut raw)
                } else {
                    None
                };
                if let Some(d) = depth {
                    *d = if closing { d.saturating_sub(1) } else { *d + 1 };
                }
                out.push(c);
            }
            '>' if in_tag => {
                in_tag = false;
                out.push(c);
            }
            OPEN | CLOSE => {
                let open = c == OPEN;
                if in_tag || raw > 0 {
                    // an attribute value or script: the value as it was
                } else if html && text_only == 0 {
                    out.push_str(if open { "<bdi>" } else { "</bdi>" });
                } else {
                    out.push(if open { '\u{2068}' } else { '\u{2069}' });
                }
            }
            c => out.push(c),
        }
        rest = &rest[len..];
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        format!("{OPEN}{s}{CLOSE}")
    }

    #[test]
    fn only_right_to_left_text_and_controls_are_isolated() {
        assert!(!needs_isolation("packit/ogr"));
        assert!(!needs_isolation("éééé-ß-🦀"));
        assert!(needs_isolation("שלום"));
        assert!(needs_isolation("مرحبا"));
        assert!(needs_isolation("a\u{202e}b"));
        assert!(needs_isolation("a\u{200d}b"));
        assert!(needs_isolation("a\u{2067}b"));
    }

    #[test]
    fn element_content_gets_bdi_attributes_keep_their_bytes() {
        let page = format!(
            "<title>{} · x</title><a href=\"{}\" title=\"{}\">{}</a><svg><title>{}</title></svg><p>{}</p><script>{}</script>",
            iso("t"),
            iso("u"),
            iso("v"),
            iso("w"),
            iso("s"),
            iso("p"),
            iso("j"),
        );
        assert_eq!(
            resolve(&page, true),
            "<title>\u{2068}t\u{2069} · x</title><a href=\"u\" title=\"v\"><bdi>w</bdi></a><svg><title>\u{2068}s\u{2069}</title></svg><p><bdi>p</bdi></p><script>j</script>"
        );
        assert_eq!(
            resolve(&format!("<e>{}</e>", iso("x")), false),
            "<e>\u{2068}x\u{2069}</e>"
        );
        let plain = "<p>plain</p>";
        assert!(matches!(
            resolve(plain, true),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
