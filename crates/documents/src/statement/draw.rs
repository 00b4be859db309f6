//! The statement's items drawn where the layout put them (`crate::page::pen` draws the
//! pages, their frame, the table's rows and totals).

use super::layout::{Item, STRONG, TEXT, VALUE_X};
use crate::page::MARGIN_X;
use crate::page::pen::{Draw, Pen};

impl Draw for Item {
    fn draw(&self, pen: &mut Pen<'_, '_>, y: f32) {
        match self {
            Item::Line { x, text, style } => {
                pen.text(*x, y + style.baseline, text, style.size, style.bold);
            }
            Item::Pair { label, value } => {
                let base = y + TEXT.baseline;
                pen.text(MARGIN_X, base, label, STRONG.size, STRONG.bold);
                pen.text(MARGIN_X + VALUE_X, base, value, TEXT.size, TEXT.bold);
            }
            Item::Gap(_) => {}
            Item::Row(row) => pen.row(row, y),
            Item::Sum(sum) => pen.sum(sum, y),
        }
    }
}
