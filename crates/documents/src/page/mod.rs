//! What the paginated documents of a run share — the paper bordereau (`bordereau/`) and the
//! per-payee statements (`statement/`): the A4 page's frame (running header, footer, and so
//! where the items of a page start and end, here), tables whose rows grow to hold their texts
//! (`table.rs`), pages broken as items are laid out, a list's totals carried over each break
//! (`paging.rs`), and the drawing of laid-out pages into the streaming PDF writer, page by
//! page (`pen.rs`, `crate::streaming_pdf`).

pub(crate) mod paging;
pub(crate) mod pen;
pub(crate) mod table;

use crate::pdf::{Fonts, PAGE_H, PAGE_W, wrap_width};

pub(crate) const MARGIN_X: f32 = 36.0;
pub(crate) const WIDTH: f32 = PAGE_W - 2.0 * MARGIN_X;
/// The running header's first baseline and its lines' height (pages after the first).
pub(crate) const RUNNING_Y: f32 = 30.0;
pub(crate) const RUNNING_STEP: f32 = 8.5;
/// The footer's last baseline and its lines' height.
pub(crate) const FOOTER_Y: f32 = PAGE_H - 26.0;
pub(crate) const FOOTER_STEP: f32 = 9.0;
const TOP: f32 = 46.0;
const BOTTOM: f32 = PAGE_H - 46.0;
/// The sizes of the running header's and the footer's texts.
const RUNNING_SIZE: f32 = 7.0;
const FOOTER_SIZE: f32 = 7.5;

/// The running header and the footer, wrapped (a long name of the authority or the payee
/// takes more lines), and so where the items start and end on each page.
pub(crate) struct Frame {
    /// The running header of the pages after the first.
    pub running: Vec<String>,
    /// The footer's text, left of the page number.
    pub footer: Vec<String>,
    top_next: f32,
    pub bottom: f32,
}

impl Frame {
    pub fn new(fonts: &Fonts, running: &str, footer: &str) -> Frame {
        let running = wrap_width(fonts, running, RUNNING_SIZE, false, WIDTH);
        // Room for the widest page number there can be, right of the footer's text.
        let number = page_number(u32::MAX, u32::MAX);
        let room = WIDTH - fonts.width(&number, FOOTER_SIZE, false) - 12.0;
        let footer = wrap_width(fonts, footer, FOOTER_SIZE, false, room);
        let more = |lines: &[String], step: f32| lines.len().saturating_sub(1) as f32 * step;
        Frame {
            top_next: TOP + more(&running, RUNNING_STEP),
            bottom: BOTTOM - more(&footer, FOOTER_STEP),
            running,
            footer,
        }
    }

    /// Where the items of page `page` (from 1) start.
    pub fn top(&self, page: u32) -> f32 {
        if page > 1 { self.top_next } else { TOP }
    }
}

/// "page n / N", right of the footer.
fn page_number(number: u32, pages: u32) -> String {
    format!("page {number} / {pages}")
}
