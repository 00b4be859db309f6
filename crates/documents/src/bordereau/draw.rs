//! The bordereau's items drawn where the layout put them (`crate::page::pen` draws the pages,
//! their frame, the tables' rows and totals): its texts and the signature boxes.

use super::layout::{Item, SIGN_FIRST, SIGN_GAP, SIGN_STEP, Signatures};
use crate::page::MARGIN_X;
use crate::page::pen::{Draw, Pen};

impl Draw for Item {
    fn draw(&self, pen: &mut Pen<'_, '_>, y: f32) {
        match self {
            Item::Text(lines, s) => {
                for (i, line) in lines.iter().enumerate() {
                    let base = y + s.first + i as f32 * s.step;
                    pen.text(MARGIN_X, base, line, s.size, s.bold);
                }
            }
            Item::Gap(_) => {}
            Item::Row(row) => pen.row(row, y),
            Item::Sum(sum) => pen.sum(sum, y),
            Item::Signatures(s) => signatures(pen, s, y),
        }
    }
}

fn signatures(pen: &mut Pen<'_, '_>, s: &Signatures, y: f32) {
    let w = Signatures::box_width();
    let h = s.box_height();
    signature_box(pen, MARGIN_X, y, w, h, &s.prepared);
    signature_box(pen, MARGIN_X + w + SIGN_GAP, y, w, h, &s.ordonnateur);
}

/// A framed box: `lines` from its top, and room left under them to sign.
fn signature_box(pen: &mut Pen<'_, '_>, x: f32, y: f32, w: f32, h: f32, lines: &[(String, bool)]) {
    for (i, (line, bold)) in lines.iter().enumerate() {
        let base = y + SIGN_FIRST + i as f32 * SIGN_STEP;
        pen.text(x + 6.0, base, line, 9.0, *bold);
    }
    pen.frame_box(x, y, w, h);
}
