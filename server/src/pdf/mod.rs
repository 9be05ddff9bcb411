//! PDF documents in Japanese: the counter-offer letter flowed onto A4 pages by a layout from
//! `templates/`, and form documents (the subsidy application package) laid out entirely by a
//! JSON template there — fields, tables, flow, fonts and sizes — so a changed form is a template
//! edit.
//!
//! The font (IPAex Gothic, `fonts/`, IPA Font License v1.0) is built into the binary so a PDF
//! renders the same on every machine; only the glyphs a document uses are embedded.
//!
//! Speed (`server/benches/application_pdf.rs`): printpdf spent a render looking characters up
//! in the font's cmap, subsetting, and compressing at miniz's best level. Here characters are
//! looked up once per process, text goes to printpdf as glyph ids of a subset (allsorts, through
//! printpdf) stripped of its hinting, streams are compressed by flate2 (zlib-rs, level 3), and a
//! subset with its compressed streams is kept for the next document with the same glyphs.
//!
//! The way through: `letter`, or `form` and `flow`, place text, rules and shading on pages
//! (`page`), measured by the built-in `font`; `write` embeds a `subset` of the font, its tables
//! reworked in `sfnt`, and serialises the pages.

mod flow;
mod font;
mod form;
mod form_json;
mod letter;
mod line_break;
mod page;
mod placeholder;
#[cfg(test)]
mod read_back;
mod sfnt;
mod subset;
mod write;

pub use form::{Form, FormValues, render_form};
pub use letter::{Layout, render};

/// Layout of the counter-offer letter (`templates/counter_offer_letter.layout.json`).
pub const LETTER_LAYOUT: &str = include_str!("../../../templates/counter_offer_letter.layout.json");

/// The subsidy application package: 交付申請書, 領収書内訳書 and 完了報告書
/// (`templates/subsidy_application.layout.json`).
pub const APPLICATION_FORM: &str = include_str!("../../../templates/subsidy_application.layout.json");
