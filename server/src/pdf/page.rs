//! What a page holds once laid out — lines of text, rules and shading, placed in pt — handed
//! from the letter and form layouts to the writer.

use printpdf::{Mm, Pt};
use serde::Deserialize;

/// How a paragraph or a cell's text sits between its margins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// One line placed on a page: its baseline's start, in pt from the bottom-left corner.
pub(super) struct Placed {
    pub(super) text: String,
    pub(super) size: f32,
    pub(super) x_pt: f32,
    pub(super) y_pt: f32,
}

/// Everything drawn on one page, in pt from the bottom-left corner.
#[derive(Default)]
pub(super) struct Page {
    pub(super) texts: Vec<Placed>,
    /// Ruled lines: x1, y1, x2, y2.
    pub(super) rules: Vec<[f32; 4]>,
    /// Shaded rectangles: x, y (bottom), width, height.
    pub(super) fills: Vec<[f32; 4]>,
}

impl Page {
    pub(super) fn is_empty(&self) -> bool {
        self.texts.is_empty() && self.rules.is_empty() && self.fills.is_empty()
    }
}

/// How rules and shading are drawn.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ink {
    pub(super) rule_width_pt: f32,
    /// 0 black … 1 white.
    pub(super) shade_gray: f32,
}

/// Millimetres in points: templates are written in mm, PDF coordinates are pt.
pub(super) fn mm(v: f32) -> f32 {
    Pt::from(Mm(v)).0
}
