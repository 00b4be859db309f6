//! Reading the sorted keys back: the lines that share a key (duplicates), and the references
//! joined to the rows they name.

use super::*;

/// The lines of the key being read from the sorted keys.
struct Group {
    digest: Option<u128>,
    count: u64,
    first: [u64; FIRST_LINES],
    /// The lines, up to a buffer's worth; the rest (a key on very many rows) on disk.
    lines: Vec<u64>,
    capacity: usize,
    more: Option<RunWriter<u64>>,
}

impl Group {
    fn add(&mut self, line: u64, budget: &Budget) -> io::Result<()> {
        if let Some(slot) = usize::try_from(self.count)
            .ok()
            .and_then(|i| self.first.get_mut(i))
        {
            *slot = line;
        }
        self.count += 1;
        if self.lines.len() < self.capacity {
            self.lines.push(line);
        } else {
            let more = match &mut self.more {
                Some(w) => w,
                None => self.more.insert(RunWriter::new(budget)?),
            };
            more.push(line)?;
        }
        Ok(())
    }

    /// Hands over every row of the key when there are several, and starts on `next`.
    fn end(&mut self, dups: &mut Sorter<DupRow>, next: Option<u128>) -> io::Result<()> {
        if self.count > 1 {
            let (others, first) = (self.count - 1, self.first);
            let row = |line| DupRow {
                line,
                others,
                first,
            };
            for &line in &self.lines {
                dups.push(row(line))?;
            }
            if let Some(more) = self.more.take() {
                let more = more.into_sorted()?;
                let mut lines = more.iter()?;
                while let Some(line) = lines.next()? {
                    dups.push(row(line))?;
                }
            }
        }
        self.digest = next;
        self.count = 0;
        self.first = [0; FIRST_LINES];
        self.lines.clear();
        self.more = None;
        Ok(())
    }
}

/// Sorts the keys of a file: the rows of duplicated keys by line, and the distinct keys when
/// `keep_keys`.
pub(super) fn duplicates(
    keys: Sorter<KeyLine>,
    keep_keys: bool,
    budget: &Budget,
) -> io::Result<(Sorted<DupRow>, Sorted<u128>)> {
    let sorted = keys.finish()?;
    let mut keys = sorted.iter()?;
    let mut dups = Sorter::new(budget);
    let mut kept = if keep_keys {
        Some(RunWriter::new(budget)?)
    } else {
        None
    };
    let mut group = Group {
        digest: None,
        count: 0,
        first: [0; FIRST_LINES],
        lines: Vec::new(),
        capacity: (budget.chunk_bytes / 8).max(1),
        more: None,
    };
    while let Some(k) = keys.next()? {
        let d = k.digest();
        if group.digest != Some(d) {
            group.end(&mut dups, Some(d))?;
            if let Some(kept) = &mut kept {
                kept.push(d)?;
            }
        }
        group.add(k.line, budget)?;
    }
    group.end(&mut dups, None)?;
    let kept = match kept {
        Some(w) => w.into_sorted()?,
        None => Sorted::default(),
    };
    Ok((dups.finish()?, kept))
}

/// Checks sorted references against a table, in one merge: every reference not to an
/// accepted row gives an answer.
pub(super) fn join(
    refs: Sorted<KeyLine>,
    table: &Table,
    slot: u8,
    answers: &mut Sorter<Answer>,
) -> io::Result<()> {
    let mut refs = refs.iter()?;
    let mut keys = table.keys.iter()?;
    let mut rejected = table.rejected.iter()?;
    let mut key = keys.next()?;
    let mut bad = rejected.next()?;
    while let Some(r) = refs.next()? {
        let d = r.digest();
        while key.is_some_and(|k| k < d) {
            key = keys.next()?;
        }
        while bad.is_some_and(|k| k < d) {
            bad = rejected.next()?;
        }
        let verdict = if bad == Some(d) {
            1
        } else if key == Some(d) {
            continue;
        } else {
            2
        };
        answers.push(Answer {
            line: r.line,
            slot,
            verdict,
        })?;
    }
    Ok(())
}

/// During the real pass: the duplicates and the answers, taken as the rows come.
pub(crate) struct Answers<'a> {
    duplicates: Cursor<'a, DupRow>,
    answers: Cursor<'a, Answer>,
}

impl<'a> Answers<'a> {
    pub fn new(prepared: &'a Prepared) -> io::Result<Self> {
        Ok(Answers {
            duplicates: Cursor::new(&prepared.duplicates)?,
            answers: Cursor::new(&prepared.answers)?,
        })
    }

    /// The other rows of the key of the row at `line`, when there are some.
    pub fn duplicate(&mut self, line: u64) -> io::Result<Option<DupRow>> {
        self.duplicates.take(|r| r.line.cmp(&line))
    }

    /// The verdicts on the references of the row at `line`, by slot.
    pub fn verdicts(&mut self, line: u64) -> io::Result<[Lookup; MOST_REFERENCES]> {
        let mut verdicts = [Lookup::Accepted; MOST_REFERENCES];
        while let Some(a) = self.answers.take(|a| a.line.cmp(&line))? {
            if let Some(v) = verdicts.get_mut(usize::from(a.slot)) {
                *v = a.lookup();
            }
        }
        Ok(verdicts)
    }
}

/// The verdicts on the current row's references, as the builders look them up.
pub(crate) struct RowRefs {
    references: &'static [Reference],
    line: u64,
    verdicts: [Lookup; MOST_REFERENCES],
    /// The references looked up, for the checksum of the pass.
    fold: Cell<Fold>,
}

impl RowRefs {
    pub fn new(entity: Entity) -> Self {
        RowRefs {
            references: references(entity),
            line: 0,
            verdicts: [Lookup::Accepted; MOST_REFERENCES],
            fold: Cell::new(Fold::default()),
        }
    }

    /// Moves to the row at `line`.
    pub fn start(&mut self, line: u64, verdicts: [Lookup; MOST_REFERENCES]) {
        self.line = line;
        self.verdicts = verdicts;
    }

    /// Where the row referred to by `value` of field `f` stands.
    pub fn lookup(&self, f: usize, value: &str) -> Lookup {
        let Some(slot) = self.references.iter().position(|r| r.field == f) else {
            return Lookup::Unknown;
        };
        let mut fold = self.fold.get();
        fold.reference(self.line, slot, digest(&[value]));
        self.fold.set(fold);
        self.verdicts.get(slot).copied().unwrap_or(Lookup::Unknown)
    }

    /// The sum of the references looked up so far.
    pub fn fold_sum(&self) -> u64 {
        self.fold.get().sum
    }
}

impl Fold {
    /// This pass's fold with `references` (a [`RowRefs::fold_sum`]) added.
    pub fn with(mut self, references: u64) -> Fold {
        self.add(references);
        self
    }
}
