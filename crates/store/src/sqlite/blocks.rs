//! A run's lines in blocks (`run_line_blocks`, migration 14): up to [`BLOCK_LINES`] lines a
//! row, each block a JSON array of lines and each line an array (see [`LineOut`]), written
//! and read here a block at a time. A block is kept compressed (LZ4, its size first: a BLOB
//! about a quarter of the JSON's size), which a national run's commit and checkpoint write
//! 200 MB less for; blocks written before as JSON text stay so, and are read the same way.
//! SQL reads either as JSON text through [`JSON_OF_BLOCK`] (`json_each(run_lines_json(data))`),
//! a function every connection of the store has.

use super::decode::{benefit, corrupt, date};
use crate::StoreError;
use crate::runs::{RunLine, RunStoreError};
use relais_core::Cents;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Statement, params};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Lines a block holds (the last block of a list may hold fewer).
pub(crate) const BLOCK_LINES: usize = 1000;

/// The SQL function giving a block's JSON text, compressed or not: `run_lines_json(data)`.
pub(crate) const JSON_OF_BLOCK: &str = "run_lines_json";

/// The largest block's JSON accepted when decompressing (a thousand lines are ~150 KB; a
/// corrupted size must not make the store allocate gigabytes).
const MAX_BLOCK_BYTES: usize = 64 << 20;

/// A block's JSON: the text itself, or the BLOB decompressed into `buf`.
fn json_of<'a>(value: ValueRef<'a>, buf: &'a mut Vec<u8>) -> Result<&'a [u8], StoreError> {
    match value {
        ValueRef::Text(text) => Ok(text),
        ValueRef::Blob(compressed) => {
            let bad = |why: &str| corrupt("run line block", why);
            let (size, body) =
                lz4_flex::block::uncompressed_size(compressed).map_err(|e| bad(&e.to_string()))?;
            if size > MAX_BLOCK_BYTES {
                return Err(bad("too large"));
            }
            buf.clear();
            buf.resize(size, 0);
            let n = lz4_flex::block::decompress_into(body, buf).map_err(|e| bad(&e.to_string()))?;
            buf.truncate(n);
            Ok(buf)
        }
        _ => Err(corrupt("run line block", "neither text nor blob")),
    }
}

/// Gives `conn` the function [`JSON_OF_BLOCK`].
pub(crate) fn register(conn: &Connection) -> Result<(), StoreError> {
    conn.create_scalar_function(
        JSON_OF_BLOCK,
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let mut buf = Vec::new();
            let json = json_of(ctx.get_raw(0), &mut buf)
                .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))?;
            std::str::from_utf8(json)
                .map(str::to_owned)
                .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))
        },
    )?;
    Ok(())
}

/// A line as a block stores it: payee, pay date, right, dossier, NIR, last name, first name,
/// benefit, amount (cents), first and last day covered, account, function, mandate and line
/// in it (both `None` for a line handed to the CAF), civility.
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
    pub Option<&'a str>,
);

/// [`LineOut`] read back, its texts borrowed from the block when they have no escape.
#[derive(Deserialize)]
struct LineIn<'a>(
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    // The person's NIR: kept in the store, read by nothing (no file or screen shows it).
    serde::de::IgnoredAny,
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
    /// The person's civility (`M`, `MME`); absent from the lines of runs before it.
    #[serde(default, borrow)]
    Option<Cow<'a, str>>,
);

/// Replaces `to`'s text with `from`, keeping its allocation.
fn set(to: &mut String, from: &str) {
    to.clear();
    to.push_str(from);
}

impl LineIn<'_> {
    /// Writes the line into `to`, reusing its strings (a million lines, no allocation each).
    fn fill(self, position: u64, to: &mut RunLine) -> Result<(), StoreError> {
        to.line = position;
        set(&mut to.payee_id, &self.0);
        to.pay_date = date("pay_date", &self.1)?;
        set(&mut to.right_id, &self.2);
        set(&mut to.dossier, &self.3);
        // `self.4`, the person's NIR, stays in the store: no file and no screen shows it.
        set(&mut to.last_name, &self.5);
        set(&mut to.first_name, &self.6);
        to.benefit = benefit(&self.7)?;
        to.amount = Cents(self.8);
        to.first_day = date("first_day", &self.9)?;
        to.last_day = date("last_day", &self.10)?;
        set(&mut to.account, &self.11);
        set(&mut to.function, &self.12);
        match (&mut to.civility, self.15) {
            (Some(c), Some(new)) => set(c, &new),
            (c, new) => *c = new.map(Cow::into_owned),
        }
        to.mandate = match (self.13, self.14) {
            (Some(m), Some(l)) => Some((m, l)),
            (None, None) => None,
            _ => return Err(corrupt("mandate", "half a mandate")),
        };
        Ok(())
    }
}

/// A block: its lines in JSON while it is filled, compressed once full; and how many.
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

    /// The block filled, compressed.
    fn take(&mut self) -> Block {
        let mut block = std::mem::take(&mut self.block);
        block.data.push(b']');
        block.data = lz4_flex::block::compress_prepend_size(&block.data);
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
        self.insert.execute(params![
            self.run,
            self.caf,
            self.n,
            block.lines as i64,
            block.data.as_slice()
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

/// Each line of a list of run `run`, in order (lent: the same `RunLine` is filled again for
/// the next).
pub(crate) fn each_line(
    conn: &Connection,
    run: &str,
    caf: bool,
    each: &mut dyn FnMut(&RunLine) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM run_line_blocks WHERE run_id = ?1 AND caf = ?2 ORDER BY n",
    )?;
    let mut rows = stmt.query(params![run, caf])?;
    let mut position = 0;
    let mut buf = Vec::new();
    // Filled by each line before it is lent.
    let mut line = empty_line();
    while let Some(r) = rows.next()? {
        let data = json_of(r.get_ref(0)?, &mut buf)?;
        each_of_json(data, &mut position, &mut line, each)?;
    }
    Ok(())
}

/// A line to fill (see [`each_of_block`]).
pub(crate) fn empty_line() -> RunLine {
    RunLine {
        line: 0,
        right_id: String::new(),
        dossier: String::new(),
        last_name: String::new(),
        first_name: String::new(),
        civility: None,
        benefit: relais_core::records::Benefit::ApaDom,
        amount: Cents::ZERO,
        first_day: jiff::civil::Date::MIN,
        last_day: jiff::civil::Date::MIN,
        account: String::new(),
        function: String::new(),
        pay_date: jiff::civil::Date::MIN,
        mandate: None,
        payee_id: String::new(),
    }
}

/// Each line of one compressed block (as [`BlockEncoder`] makes them), numbered on from
/// `position`, lent in `line`.
pub(crate) fn each_of_block(
    compressed: &[u8],
    buf: &mut Vec<u8>,
    position: &mut u64,
    line: &mut RunLine,
    each: &mut dyn FnMut(&RunLine) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    let data = json_of(ValueRef::Blob(compressed), buf)?;
    each_of_json(data, position, line, each)
}

fn each_of_json(
    data: &[u8],
    position: &mut u64,
    line: &mut RunLine,
    each: &mut dyn FnMut(&RunLine) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    let lines: Vec<LineIn<'_>> =
        serde_json::from_slice(data).map_err(|e| corrupt("run line block", &e.to_string()))?;
    for l in lines {
        *position += 1;
        l.fill(*position, line)?;
        each(line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(right: &str) -> LineOut<'_> {
        LineOut(
            "T1",
            "2026-12-10",
            right,
            "D1",
            Some("182017512345678"),
            "L'HÔPITAL",
            "Zoé \"&<>\" 🙂",
            "APA_DOM",
            12_345,
            "2026-12-01",
            "2026-12-31",
            "651141",
            "551",
            Some(1),
            Some(1),
            Some("MME"),
        )
    }

    /// A compressed block and the same block as JSON text (as migration 14 wrote them) read
    /// back the same lines, through Rust and through SQL's `run_lines_json`; a damaged block
    /// is an error.
    #[test]
    fn compressed_and_text_blocks_read_the_same() {
        let conn = Connection::open_in_memory().expect("open");
        register(&conn).expect("register");
        conn.execute_batch(
            "CREATE TABLE run_line_blocks (run_id TEXT, caf INTEGER, n INTEGER, lines INTEGER,
                 data TEXT NOT NULL, PRIMARY KEY (run_id, caf, n));",
        )
        .expect("table");
        let mut w = BlockWriter::new(&conn, "A", false).expect("writer");
        let rights: Vec<String> = (0..BLOCK_LINES + 3).map(|i| format!("R{i}")).collect();
        let mut json = Vec::new();
        for r in &rights {
            let text = serde_json::to_vec(&line(r)).expect("json");
            json.push(String::from_utf8(text.clone()).expect("utf-8"));
            w.push_json(&text).expect("push");
        }
        w.finish().expect("finish");
        // The same lines as JSON text, in one block of another run.
        conn.execute(
            "INSERT INTO run_line_blocks VALUES ('B', 0, 1, ?1, ?2)",
            params![rights.len() as i64, format!("[{}]", json.join(","))],
        )
        .expect("text block");
        let kinds: Vec<String> = conn
            .prepare("SELECT typeof(data) FROM run_line_blocks ORDER BY run_id, n")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("kinds");
        assert_eq!(kinds, ["blob", "blob", "text"]);
        let read = |run: &str| {
            let mut out = Vec::new();
            each_line(&conn, run, false, &mut |l| {
                out.push((l.line, l.right_id.clone(), l.first_name.clone(), l.amount));
                Ok(())
            })
            .expect("lines");
            out
        };
        let a = read("A");
        assert_eq!(a.len(), BLOCK_LINES + 3);
        assert_eq!(a, read("B"));
        assert_eq!(
            a[1],
            (2, "R1".into(), "Zoé \"&<>\" 🙂".into(), Cents(12_345))
        );
        let by_sql = |run: &str| -> Vec<String> {
            conn.prepare(
                "SELECT l.value ->> 2 FROM run_line_blocks b, json_each(run_lines_json(b.data)) l
                 WHERE b.run_id = ?1 ORDER BY b.n, l.key",
            )
            .expect("prepare")
            .query_map([run], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rights")
        };
        assert_eq!(by_sql("A"), rights);
        assert_eq!(by_sql("B"), rights);
        // Damaged: cut short, or announcing a size beyond any block.
        for damaged in [vec![9u8, 0, 0, 0, 1, 2], vec![255u8, 255, 255, 255, 0]] {
            conn.execute(
                "UPDATE run_line_blocks SET data = ?1 WHERE run_id = 'A' AND n = 2",
                [&damaged],
            )
            .expect("damage");
            assert!(each_line(&conn, "A", false, &mut |_| Ok(())).is_err());
            assert!(
                conn.query_row(
                    "SELECT run_lines_json(data) FROM run_line_blocks WHERE run_id = 'A' AND n = 2",
                    [],
                    |r| r.get::<_, String>(0)
                )
                .is_err()
            );
        }
    }

    /// Lines written before the civility was kept (15 elements) still read, without it.
    #[test]
    fn lines_of_earlier_runs_read_without_civility() {
        let old = r#"["T1","2026-12-10","R1","D1",null,"MARTIN","Jeanne","APA_DOM",100,"2026-12-01","2026-12-31","651141","551",1,1]"#;
        let line: LineIn<'_> = serde_json::from_str(old).expect("old line");
        assert!(line.15.is_none());
        let new = r#"["T1","2026-12-10","R1","D1",null,"MARTIN","Jeanne","APA_DOM",100,"2026-12-01","2026-12-31","651141","551",1,1,"MME"]"#;
        let line: LineIn<'_> = serde_json::from_str(new).expect("new line");
        assert_eq!(line.15.as_deref(), Some("MME"));
    }
}
