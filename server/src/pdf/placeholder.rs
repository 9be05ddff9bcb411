//! Texts with `{placeholder}`s, as form templates write their labels and values: split once
//! when the template is parsed, filled for every document.

use std::collections::BTreeMap;

/// A text with `{placeholder}`s, split once when the template is parsed.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Template(Vec<Piece>);

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Field(String),
}

impl Template {
    /// `{name}` is a placeholder (ASCII letters, digits, `_`); `{{` and `}}` are literal braces.
    pub(super) fn parse(s: &str) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) if c.is_ascii_alphanumeric() || c == '_' => name.push(c),
                            Some(c) => {
                                return Err(format!("「{s}」: `{c}` in a placeholder name (letters, digits, _)"));
                            }
                            None => return Err(format!("「{s}」: a `{{` is not closed")),
                        }
                    }
                    if name.is_empty() {
                        return Err(format!("「{s}」: an empty placeholder `{{}}`"));
                    }
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Field(name));
                }
                '}' => return Err(format!("「{s}」: a `}}` without its `{{` (write `}}}}` for a brace)")),
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Template(pieces))
    }

    /// The placeholder names, in order.
    pub(super) fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|p| match p {
            Piece::Field(name) => Some(name.as_str()),
            Piece::Text(_) => None,
        })
    }

    /// The text with each placeholder's value; a value `values` lack is an error naming it.
    pub(super) fn fill(&self, values: &BTreeMap<String, String>) -> Result<String, String> {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(name) => {
                    out.push_str(values.get(name).ok_or_else(|| format!("the form values lack {{{name}}}"))?)
                }
            }
        }
        Ok(out)
    }
}
