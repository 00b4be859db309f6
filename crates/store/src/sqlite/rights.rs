//! The rights a payment run reads, on a thread of their own: a second, read-only connection
//! runs the query and hands the rows over in batches, while the preparing connection decides
//! and writes. Reading the rights with their person, payee, history and claims is half of the
//! first pass; on two cores it now runs beside the other half.
//!
//! The preparing transaction holds the write lock (`BEGIN IMMEDIATE`) before the reader
//! starts, so the reader's snapshot is the store as the preparation found it: nobody else
//! can commit in between, and what the preparation writes itself is not read back.

use super::decode::corrupt;
use crate::StoreError;
use crate::runs::RunStoreError;
use crate::sort;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// Rows a batch carries (~200 KB), and batches read ahead at most ([`BATCHES_AHEAD`], ~13
/// MB): memory stays bounded.
const ROWS_PER_BATCH: usize = 1024;
/// Rows a chunk of the query reads, each chunk a read transaction of its own.
const ROWS_PER_CHUNK: usize = 65_536;
/// How much of the store's file the reading connection maps.
const READER_MMAP_BYTES: i64 = 1 << 40;
/// Enough for the reader to go on while the consumer's `first` runs (a third of a second
/// at national scale).
const BATCHES_AHEAD: usize = 64;

/// The most columns a row may have.
const MAX_COLUMNS: usize = 32;

/// A row's values copied into a batch: a tag (0 NULL, 1 integer and its 8 bytes, 2 text as
/// a [`sort::put`] field).
fn put_value(out: &mut Vec<u8>, v: ValueRef<'_>) -> Result<(), StoreError> {
    match v {
        ValueRef::Null => out.push(0),
        ValueRef::Integer(n) => {
            out.push(1);
            out.extend_from_slice(&n.to_le_bytes());
        }
        ValueRef::Text(t) => {
            out.push(2);
            sort::put(out, t)?;
        }
        ValueRef::Real(_) | ValueRef::Blob(_) => {
            return Err(corrupt("row read", "neither text nor integer"));
        }
    }
    Ok(())
}

fn take_value<'a>(rest: &mut &'a [u8]) -> Result<ValueRef<'a>, StoreError> {
    let bad = || corrupt("row read", "truncated");
    let (&tag, tail) = rest.split_first().ok_or_else(bad)?;
    let (value, tail) = match tag {
        0 => (ValueRef::Null, tail),
        1 => {
            let (n, tail) = tail.split_first_chunk::<8>().ok_or_else(bad)?;
            (ValueRef::Integer(i64::from_le_bytes(*n)), tail)
        }
        2 => {
            let (len, tail) = tail.split_first_chunk::<4>().ok_or_else(bad)?;
            let len = usize::try_from(u32::from_le_bytes(*len)).map_err(|_| bad())?;
            if len > tail.len() {
                return Err(bad());
            }
            let (text, tail) = tail.split_at(len);
            (ValueRef::Text(text), tail)
        }
        _ => return Err(bad()),
    };
    *rest = tail;
    Ok(value)
}

/// What to read: `rows` takes `param` as `?1`, and returns the rows from key `?2` on
/// (inclusive), at most `?3` of them, in key order; the key is the first column (text). Each
/// query of `beside` takes `param` as `?1` and returns (key, value) from key `?2` on, one row
/// a key, in key order: the value of a row's key is added after its columns (NULL when the
/// key has none). The rows and each list beside them are read together, in step, like the
/// merge of two sorted lists, instead of one lookup for each row.
pub(crate) struct Query<'a> {
    pub rows: &'a str,
    pub beside: &'a [&'a str],
    pub param: &'a str,
}

/// A list read beside the rows, and where it is.
struct Beside<'s> {
    rows: rusqlite::Rows<'s>,
    /// The key reached, and its value (as [`put_value`] writes it); `None` before the first.
    key: Option<String>,
    value: Vec<u8>,
    done: bool,
}

impl Beside<'_> {
    /// The value of `key` (NULL if the list has none), the list moved on to it.
    fn value_of(&mut self, key: &str, out: &mut Vec<u8>) -> Result<(), StoreError> {
        while !self.done && self.key.as_deref().is_none_or(|k| k < key) {
            match self.rows.next()? {
                Some(row) => {
                    let k = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
                    let reached = self.key.get_or_insert_with(String::new);
                    reached.clear();
                    reached.push_str(k);
                    self.value.clear();
                    put_value(&mut self.value, row.get_ref(1)?)?;
                }
                None => self.done = true,
            }
        }
        match self.key.as_deref() {
            Some(k) if !self.done && k == key => out.extend_from_slice(&self.value),
            _ => out.push(0),
        }
        Ok(())
    }
}

/// Runs `query` chunk after chunk and gives each batch of rows to `send`, which says whether
/// to go on. Between chunks, `between` runs (the reader unmaps the file there, see [`read`]).
fn read_batches(
    conn: &Connection,
    query: &Query<'_>,
    chunk: usize,
    between: &dyn Fn(&Connection) -> Result<(), StoreError>,
    send: &mut dyn FnMut(Vec<u8>) -> bool,
) -> Result<(), StoreError> {
    // A chunk after the first starts with the last key of the one before.
    let chunk = chunk.max(2);
    let mut stmt = conn.prepare(query.rows)?;
    let mut beside = query
        .beside
        .iter()
        .map(|sql| conn.prepare(sql))
        .collect::<Result<Vec<_>, _>>()?;
    let columns = stmt.column_count();
    if columns + beside.len() > MAX_COLUMNS {
        return Err(corrupt("row read", "too many columns"));
    }
    let mut batch = Vec::with_capacity(1 << 18);
    let mut n = 0;
    // The last key read: the next chunk starts there, and skips it.
    let mut last: Option<String> = None;
    loop {
        let mut read = 0;
        {
            let from = last.clone().unwrap_or_default();
            let mut rows = stmt.query(rusqlite::params![query.param, from, chunk as i64])?;
            let mut lists = Vec::with_capacity(beside.len());
            for b in beside.iter_mut() {
                lists.push(Beside {
                    rows: b.query(rusqlite::params![query.param, from])?,
                    key: None,
                    value: Vec::new(),
                    done: false,
                });
            }
            while let Some(row) = rows.next()? {
                read += 1;
                let key = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
                if last.as_deref() == Some(key) {
                    continue;
                }
                for i in 0..columns {
                    put_value(&mut batch, row.get_ref(i)?)?;
                }
                for list in lists.iter_mut() {
                    list.value_of(key, &mut batch)?;
                }
                last = Some(key.to_owned());
                n += 1;
                if n == ROWS_PER_BATCH {
                    n = 0;
                    if !send(std::mem::replace(&mut batch, Vec::with_capacity(1 << 18))) {
                        return Ok(());
                    }
                }
            }
        }
        if read < chunk {
            break;
        }
        between(conn)?;
    }
    if n > 0 {
        send(batch);
    }
    Ok(())
}

/// A read-only connection to the store's file, for a thread of the preparation.
pub(crate) fn open_reader(file: &Path) -> Result<Connection, StoreError> {
    let reader = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    reader.busy_timeout(Duration::from_secs(60))?;
    super::blocks::register(&reader)?;
    Ok(reader)
}

/// Runs `first`, then gives each row of `query` to `each`, as its values. With the store's
/// file, the rows are read on another thread by a read-only connection of their own, which
/// starts while `first` runs (it reads the store as committed, whatever `first` writes);
/// without (a store in memory), by `conn`, a batch at a time.
pub(crate) fn read(
    file: Option<&Path>,
    conn: &Connection,
    query: &Query<'_>,
    first: &mut dyn FnMut() -> Result<(), RunStoreError>,
    each: &mut dyn FnMut(&[ValueRef<'_>]) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    read_chunked(file, conn, query, ROWS_PER_CHUNK, first, each)
}

fn read_chunked(
    file: Option<&Path>,
    conn: &Connection,
    query: &Query<'_>,
    chunk: usize,
    first: &mut dyn FnMut() -> Result<(), RunStoreError>,
    each: &mut dyn FnMut(&[ValueRef<'_>]) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    let columns = conn.prepare_cached(query.rows)?.column_count() + query.beside.len();
    let mut each_batch = |batch: &[u8]| -> Result<(), RunStoreError> {
        let mut values = [ValueRef::Null; MAX_COLUMNS];
        let values = values
            .get_mut(..columns)
            .ok_or_else(|| corrupt("row read", "too many columns"))?;
        let mut rest = batch;
        while !rest.is_empty() {
            for v in values.iter_mut() {
                *v = take_value(&mut rest)?;
            }
            each(values)?;
        }
        Ok(())
    };
    let Some(file) = file else {
        first()?;
        let mut failed = None;
        read_batches(
            conn,
            query,
            chunk,
            &|_| Ok(()),
            &mut |batch| match each_batch(&batch) {
                Ok(()) => true,
                Err(e) => {
                    failed = Some(e);
                    false
                }
            },
        )?;
        return failed.map_or(Ok(()), Err);
    };
    std::thread::scope(|scope| {
        let (send, receive) = mpsc::sync_channel::<Result<Vec<u8>, StoreError>>(BATCHES_AHEAD);
        scope.spawn(move || {
            let read = || -> Result<(), StoreError> {
                let reader = open_reader(file)?;
                // Read through a memory map: two threads reading and writing the same file
                // with read calls slowed each other down threefold. The pages a chunk maps
                // count in the process's resident memory; unmapping them between chunks
                // keeps that flat (the file stays in the system's cache).
                let map = |c: &Connection, bytes: i64| c.pragma_update(None, "mmap_size", bytes);
                map(&reader, READER_MMAP_BYTES)?;
                read_batches(
                    &reader,
                    query,
                    chunk,
                    &|c| {
                        map(c, 0)?;
                        map(c, READER_MMAP_BYTES)?;
                        Ok(())
                    },
                    &mut |batch| send.send(Ok(batch)).is_ok(),
                )
            };
            if let Err(e) = read() {
                // The receiver may have stopped already: nothing more to tell.
                let _ = send.send(Err(e));
            }
        });
        // Stopping early drops `receive`: the reader's next send fails and it ends.
        first()?;
        for batch in receive {
            each_batch(&batch?)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &Path) -> Connection {
        let conn = Connection::open(dir.join("t.db")).expect("open");
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE t (k TEXT PRIMARY KEY, id INTEGER, name TEXT) WITHOUT ROWID;
             WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 3000)
             INSERT INTO t SELECT printf('K%05d', i), i,
                 CASE WHEN i % 7 = 0 THEN NULL ELSE 'é' || i END
             FROM k;
             -- Beside the rows: none for some keys, several for others, keys that no row
             -- has (before the first, between rows, after the last), and NULL values.
             CREATE TABLE s (k TEXT, v INTEGER, PRIMARY KEY (k, v)) WITHOUT ROWID;
             WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 3100)
             INSERT INTO s SELECT printf('K%05d', i), i * 10 + j
             FROM k, (SELECT 0 j UNION ALL SELECT 1 UNION ALL SELECT 2)
             WHERE i % 3 <> 0 AND j <= i % 4;
             INSERT INTO s VALUES ('K00010a', 1), ('A', 1), ('Z', 1);
             CREATE TABLE u (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
             INSERT INTO u SELECT k, CASE WHEN id % 5 = 0 THEN NULL ELSE 'u' || id END
             FROM t WHERE id % 2 = 0;",
        )
        .expect("fill");
        conn
    }

    const ROWS: &str = "SELECT k, id, name FROM t WHERE id > ?1 AND k >= ?2 ORDER BY k LIMIT ?3";
    const BESIDE: [&str; 2] = [
        "SELECT k, max(v) FROM s WHERE k >= ?2 GROUP BY k ORDER BY k",
        "SELECT k, v FROM u WHERE k >= ?2 ORDER BY k",
    ];

    fn rows(
        file: Option<&Path>,
        conn: &Connection,
        chunk: usize,
        stop_at: i64,
    ) -> (Vec<String>, bool) {
        let mut out = Vec::new();
        let firsts = std::cell::Cell::new(0);
        let result = read_chunked(
            file,
            conn,
            &Query {
                rows: ROWS,
                beside: &BESIDE,
                param: "0",
            },
            chunk,
            &mut || {
                firsts.set(firsts.get() + 1);
                Ok(())
            },
            &mut |v| {
                assert_eq!(firsts.get(), 1, "`first` runs once, before any row");
                let ValueRef::Integer(id) = v[1] else {
                    return Err(RunStoreError::Store(StoreError::Corrupt("id".into())));
                };
                if id == stop_at {
                    return Err(RunStoreError::Store(StoreError::Corrupt("stop".into())));
                }
                out.push(format!("{:?}", v));
                Ok(())
            },
        );
        (out, result.is_ok())
    }

    /// What a lookup for each row gives (the query the lists beside replace).
    fn looked_up(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare(
                "SELECT k, id, name, (SELECT max(v) FROM s WHERE s.k = t.k),
                     (SELECT v FROM u WHERE u.k = t.k)
                 FROM t ORDER BY k",
            )
            .expect("prepare");
        let mut rows = stmt.query([]).expect("query");
        let mut out = Vec::new();
        while let Some(r) = rows.next().expect("row") {
            let v: Vec<ValueRef<'_>> = (0..5).map(|i| r.get_ref(i).expect("value")).collect();
            out.push(format!("{:?}", v));
        }
        out
    }

    #[test]
    fn the_reading_thread_gives_every_row_in_order_as_the_connection_would() {
        let dir = tempfile::tempdir().expect("dir");
        let conn = store(dir.path());
        let file = dir.path().join("t.db");
        let (threaded, ok) = rows(Some(&file), &conn, ROWS_PER_CHUNK, -1);
        assert!(ok);
        assert_eq!(threaded.len(), 3000);
        assert!(threaded[6].contains("Null"), "{}", threaded[6]);
        // The lists read beside the rows give what a lookup for each row would.
        assert_eq!(threaded, looked_up(&conn));
        // K00002: three values beside (the largest, 22) and one in `u` ("u2"); K00003:
        // none; K00010: a value beside, a NULL in `u`.
        assert!(
            threaded[1].ends_with("Integer(22), Text([117, 50])]"),
            "{}",
            threaded[1]
        );
        assert!(threaded[2].ends_with("Null, Null]"), "{}", threaded[2]);
        assert!(
            threaded[9].ends_with("Integer(102), Null]"),
            "{}",
            threaded[9]
        );
        // One chunk or many (each a read transaction, the map dropped between them), on the
        // thread or not: the same rows, each once, in order.
        for chunk in [2, 7, 1000, 2999, 3000, 3001] {
            for f in [Some(file.as_path()), None] {
                let (again, ok) = rows(f, &conn, chunk, -1);
                assert!(ok);
                assert_eq!(again, threaded, "chunk {chunk}, file {f:?}");
            }
        }
    }

    #[test]
    fn an_error_of_the_consumer_stops_both_sides() {
        let dir = tempfile::tempdir().expect("dir");
        let conn = store(dir.path());
        let file = dir.path().join("t.db");
        for f in [Some(file.as_path()), None] {
            let (seen, ok) = rows(f, &conn, 100, 2500);
            assert!(!ok);
            assert_eq!(seen.len(), 2499);
        }
    }

    #[test]
    fn a_missing_file_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().expect("dir");
        let conn = store(dir.path());
        let (seen, ok) = rows(Some(&dir.path().join("absent.db")), &conn, 100, -1);
        assert!(!ok);
        assert!(seen.is_empty());
    }
}
