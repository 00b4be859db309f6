//! A run's lines in blocks (`run_line_blocks`, migration 14): up to [`BLOCK_LINES`] lines a
//! row, each block a JSON array of lines and each line an array (see [`LineOut`]). Readable
//! with SQL's JSON functions (`json_each`), written and read here a block at a time.

use super::runs::{benefit, corrupt, date};
use crate::StoreError;
use crate::runs::{RunLine, RunStoreError};
use relais_core::Cents;
use rusqlite::{Connection, Statement, params};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Lines a block holds (the last block of a list may hold fewer).
pub(crate) const BLOCK_LINES: usize = 1000;

/// A line as a block stores it: payee, pay date, right, dossier, NIR, last name, first name,
/// benefit, amount (cents), first and last day covered, account, function, mandate and line
/// in it (both `None` for a line handed to the CAF).
#[derive(Serialize)]
pub(crate) struct LineOut<'a>(
    pub &'a str,
    pub &'a str,
    pub &'a str,
    pub &'a str,
    pub Option<&'a str>,
    pub &'a str,
    pub &'a str,
    pub &'a str,
    pub i64,
    pub &'a str,
    pub &'a str,
    pub &'a str,
    pub &'a str,
    pub Option<u32>,
    pub Option<u32>,
);

/// [`LineOut`] read back, its texts borrowed from the block when they have no escape.
#[derive(Deserialize)]
struct LineIn<'a>(
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    i64,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    Option<u32>,
    Option<u32>,
);

impl LineIn<'_> {
    fn into_line(self, position: u64) -> Result<RunLine, StoreError> {
        Ok(RunLine {
            line: position,
            payee_id: self.0.into_owned(),
            pay_date: date("pay_date", &self.1)?,
            right_id: self.2.into_owned(),
            dossier: self.3.into_owned(),
            nir: self.4.map(Cow::into_owned),
            last_name: self.5.into_owned(),
            first_name: self.6.into_owned(),
            benefit: benefit(&self.7)?,
            amount: Cents(self.8),
            first_day: date("first_day", &self.9)?,
            last_day: date("last_day", &self.10)?,
            account: self.11.into_owned(),
            function: self.12.into_owned(),
            mandate: match (self.13, self.14) {
                (Some(m), Some(l)) => Some((m, l)),
                (None, None) => None,
                _ => return Err(corrupt("mandate", "half a mandate")),
            },
        })
    }
}

/// A block being filled: its lines in JSON, and how many.
#[derive(Default)]
pub(crate) struct Block {
    pub data: Vec<u8>,
    pub lines: usize,
}

/// Gathers lines into blocks of [`BLOCK_LINES`]; each full block is handed back to be written.
#[derive(Default)]
pub(crate) struct BlockEncoder {
    block: Block,
}

impl BlockEncoder {
    /// Adds a line; the block it filled, if it did.
    pub(crate) fn push(&mut self, line: &LineOut<'_>) -> Result<Option<Block>, StoreError> {
        self.separate();
        serde_json::to_writer(&mut self.block.data, line)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(self.counted())
    }

    /// Adds a line already in JSON (a [`LineOut`]).
    pub(crate) fn push_json(&mut self, line: &[u8]) -> Option<Block> {
        self.separate();
        self.block.data.extend_from_slice(line);
        self.counted()
    }

    fn separate(&mut self) {
        let b = &mut self.block;
        if b.lines == 0 && b.data.capacity() == 0 {
            b.data.reserve(1 << 18);
        }
        b.data.push(if b.lines == 0 { b'[' } else { b',' });
    }

    fn counted(&mut self) -> Option<Block> {
        self.block.lines += 1;
        (self.block.lines == BLOCK_LINES).then(|| self.take())
    }

    fn take(&mut self) -> Block {
        let mut block = std::mem::take(&mut self.block);
        block.data.push(b']');
        block
    }

    /// The last block, if any line is left.
    pub(crate) fn finish(mut self) -> Option<Block> {
        (self.block.lines > 0).then(|| self.take())
    }
}

/// Writes the blocks of one list of a run (mandated, or the CAF's), in order.
pub(crate) struct BlockWriter<'c> {
    insert: Statement<'c>,
    run: String,
    caf: bool,
    n: i64,
    encoder: BlockEncoder,
}

impl<'c> BlockWriter<'c> {
    pub(crate) fn new(
        conn: &'c Connection,
        run: &str,
        caf: bool,
    ) -> Result<BlockWriter<'c>, StoreError> {
        Ok(BlockWriter {
            insert: conn.prepare(
                "INSERT INTO run_line_blocks (run_id, caf, n, lines, data)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            run: run.to_owned(),
            caf,
            n: 0,
            encoder: BlockEncoder::default(),
        })
    }

    /// Adds a line already in JSON (a [`LineOut`]).
    pub(crate) fn push_json(&mut self, line: &[u8]) -> Result<(), StoreError> {
        match self.encoder.push_json(line) {
            Some(block) => self.write(&block),
            None => Ok(()),
        }
    }

    /// Writes a full block (the next one).
    pub(crate) fn write(&mut self, block: &Block) -> Result<(), StoreError> {
        self.n += 1;
        let data =
            std::str::from_utf8(&block.data).map_err(|e| corrupt("block", &e.to_string()))?;
        self.insert.execute(params![
            self.run,
            self.caf,
            self.n,
            block.lines as i64,
            data
        ])?;
        Ok(())
    }

    /// Writes the last block.
    pub(crate) fn finish(mut self) -> Result<(), StoreError> {
        match std::mem::take(&mut self.encoder).finish() {
            Some(block) => self.write(&block),
            None => Ok(()),
        }
    }
}

/// Each line of a list of run `run`, in order.
pub(crate) fn each_line(
    conn: &Connection,
    run: &str,
    caf: bool,
    each: &mut dyn FnMut(RunLine) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM run_line_blocks WHERE run_id = ?1 AND caf = ?2 ORDER BY n",
    )?;
    let mut rows = stmt.query(params![run, caf])?;
    let mut position = 0;
    while let Some(r) = rows.next()? {
        let data = r
            .get_ref(0)?
            .as_str()
            .map_err(rusqlite::Error::from)
            .map_err(StoreError::from)?;
        let lines: Vec<LineIn<'_>> =
            serde_json::from_str(data).map_err(|e| corrupt("run line block", &e.to_string()))?;
        for l in lines {
            position += 1;
            each(l.into_line(position)?)?;
        }
    }
    Ok(())
}
