//! Markdown content pages (FAQ, about): to be written.
