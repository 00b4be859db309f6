//! The run's long lists, streamed from the store to the documents.

use crate::error::AppError;
use relais_core::Cents;
use relais_core::run::MandateLine;
use relais_documents::run_report::{ListError, RunLists};
use relais_store::runs::{RunLine, RunPayee, RunRecord, RunStore, RunStoreError};

/// [`RunLists`] over a run of the store. Before validation the run has no bordereau number:
/// the bordereau column then tells the run's own order (1, 2…) and the mandate its number in
/// the run.
pub struct StoreLists<'s, S: ?Sized> {
    pub store: &'s S,
    pub run: &'s RunRecord,
}

fn stopped(e: ListError) -> RunStoreError {
    RunStoreError::Stopped(e)
}

fn out(e: RunStoreError) -> ListError {
    match e {
        RunStoreError::Stopped(inner) => inner,
        other => Box::new(other),
    }
}

impl<S: RunStore + ?Sized> RunLists for StoreLists<'_, S> {
    fn exclusions(
        &mut self,
        each: &mut dyn FnMut(&relais_core::run::ExcludedRight) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        self.store
            .each_run_exclusion(self.run.id, &mut |x| each(x).map_err(stopped))
            .map_err(out)
    }

    fn changes(
        &mut self,
        each: &mut dyn FnMut(&relais_core::run::AmountChange) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        self.store
            .each_run_change(self.run.id, &mut |x| each(x).map_err(stopped))
            .map_err(out)
    }

    fn anomalies(
        &mut self,
        each: &mut dyn FnMut(&relais_core::run::Anomaly) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        self.store
            .each_run_anomaly(self.run.id, &mut |x| each(x).map_err(stopped))
            .map_err(out)
    }

    fn mandates(
        &mut self,
        each: &mut dyn FnMut(&MandateLine) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        let run = self.run;
        let first = run.bordereau.map(|(_, n)| n).unwrap_or(1);
        let mut current: Option<(u32, MandateLine)> = None;
        self.store
            .each_run_line(self.run.id, &mut |line, payee| {
                let Some((mandate, _)) = line.mandate else {
                    return Ok(());
                };
                match &mut current {
                    Some((m, acc)) if *m == mandate => {
                        acc.lines += 1;
                        acc.amount = Cents(acc.amount.0.saturating_add(line.amount.0));
                        if acc.account != line.account && !acc.account.ends_with('…') {
                            acc.account.push('…');
                        }
                        Ok(())
                    }
                    _ => {
                        if let Some((_, done)) = current.take() {
                            each(&done).map_err(stopped)?;
                        }
                        let (index, number) = run.piece_position(mandate);
                        current = Some((
                            mandate,
                            MandateLine {
                                number,
                                bordereau: first.saturating_add(index),
                                payee_id: payee.id.clone(),
                                payee_name: payee.name.clone(),
                                kind: payee.kind,
                                benefit: line.benefit,
                                account: line.account.clone(),
                                lines: 1,
                                amount: line.amount,
                            },
                        ));
                        Ok(())
                    }
                }
            })
            .map_err(out)?;
        if let Some((_, done)) = current {
            each(&done)?;
        }
        Ok(())
    }
}

/// Each mandated line of run `id` with its payee, in mandate order, to `each`, whose error
/// stops the stream and comes back as it was (not as the store's text of it).
pub fn each_line<S: RunStore + ?Sized>(
    store: &S,
    id: relais_core::run::RunId,
    each: &mut dyn FnMut(&RunLine, &RunPayee) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let mut failure: Option<AppError> = None;
    store
        .each_run_line(id, &mut |line, payee| {
            each(line, payee).map_err(|e| {
                let text = e.french();
                failure = Some(e);
                RunStoreError::Stopped(text.into())
            })
        })
        .map_err(|e| match failure.take() {
            Some(f) => f,
            None => e.into(),
        })
}
