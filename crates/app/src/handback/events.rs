//! One journal entry written into the export: its line of `evenements.jsonl` (entity, state
//! before and after; a validated run's lines streamed into its `after`) and its rows in the
//! domains' CSVs.

use crate::error::AppError;
use relais_core::journal::Entry;
use relais_core::run::{RunId, RunKind};
use relais_formats::journal_export::tableur::{PaymentRow, Sheets};
use relais_formats::journal_export::{ArrayWriter, EventHead, begin_event, end_event};
use relais_store::Backend;
use relais_store::runs::{RunLine, RunStoreError};
use serde_json::{Value, json};
use std::io::Write;

/// Where the events go.
pub(super) struct Out<'a, W: Write, S: Write> {
    pub events: &'a mut W,
    pub sheets: &'a mut Sheets<S>,
    pub siret: &'a str,
}

fn io(e: std::io::Error) -> AppError {
    AppError::Handback(format!("écriture de l'export impossible : {e}"))
}

fn line_json(run: &str, l: &RunLine, payee: Option<&str>) -> Value {
    json!({
        "run": run,
        "line": l.line,
        "right": l.right_id,
        "dossier": l.dossier,
        "last_name": l.last_name,
        "first_name": l.first_name,
        "benefit": l.benefit.code(),
        "month": l.first_day.strftime("%Y-%m").to_string(),
        "amount_cents": l.amount.0,
        "first_day": l.first_day.to_string(),
        "last_day": l.last_day.to_string(),
        "pay_date": l.pay_date.to_string(),
        "mandate": l.mandate.map(|(m, _)| m),
        "payee": payee,
    })
}

impl<W: Write, S: Write> Out<'_, W, S> {
    /// Writes entry `e` of `store`'s journal.
    pub fn entry(&mut self, store: &dyn Backend, e: &Entry) -> Result<(), AppError> {
        // A payload is canonical JSON written by the store; one that is not is exported as
        // a string rather than refused.
        let payload: Value =
            serde_json::from_str(&e.payload).unwrap_or_else(|_| Value::String(e.payload.clone()));
        let entity = relais_core::handback::entity(e.seq, &e.kind, &payload);
        let detail = store.journal_detail(e, &payload)?;
        let id = relais_core::handback::event_id(self.siret, e.seq);
        begin_event(
            self.events,
            &EventHead {
                id: &id,
                entry: e,
                entity: entity.as_ref(),
                before: detail.before.as_ref(),
            },
        )
        .map_err(io)?;
        let run = (e.kind == "run_validate")
            .then(|| {
                payload["run"]
                    .as_str()
                    .and_then(|r| r.parse::<RunId>().ok())
            })
            .flatten();
        match (run, &detail.after) {
            (Some(run), _) => self.run_lines(store, run, &payload)?,
            (None, Some(after)) => {
                serde_json::to_writer(&mut *self.events, after).map_err(|e| io(e.into()))?
            }
            // The payload as stored is canonical JSON: written as it is, not re-serialized.
            (None, None) if payload.is_object() => {
                self.events.write_all(e.payload.as_bytes()).map_err(io)?
            }
            (None, None) => {
                serde_json::to_writer(&mut *self.events, &payload).map_err(|e| io(e.into()))?
            }
        }
        end_event(self.events).map_err(io)?;
        let after = detail.after.as_ref().unwrap_or(&payload);
        self.sheets
            .event(e, &payload, after, detail.before.as_ref())
            .map_err(io)?;
        Ok(())
    }

    /// A validated run's `after`: `{"validation": payload, "lines": [...]}`, its lines (mandated
    /// and handed to the CAF) streamed from the store, each also a row of `paiements.csv`.
    fn run_lines(
        &mut self,
        store: &dyn Backend,
        run: RunId,
        payload: &Value,
    ) -> Result<(), AppError> {
        let w = &mut *self.events;
        w.write_all(b"{\"validation\":").map_err(io)?;
        serde_json::to_writer(&mut *w, payload).map_err(|e| io(e.into()))?;
        w.write_all(b",\"lines\":").map_err(io)?;
        let mut lines = ArrayWriter::begin(w).map_err(io)?;
        let aides = store
            .run(run)
            .map_err(AppError::Run)?
            .is_some_and(|r| r.kind == RunKind::Aides);
        if aides {
            let run_text = run.to_string();
            let mut failed: Option<std::io::Error> = None;
            let sheets = &mut *self.sheets;
            let mut each = |l: &RunLine, payee: Option<&str>| -> Result<(), RunStoreError> {
                let month = l.first_day.strftime("%Y-%m").to_string();
                let written = lines
                    .item(&mut *w, &line_json(&run_text, l, payee))
                    .and_then(|()| {
                        sheets.payment(&PaymentRow {
                            run: &run_text,
                            month: &month,
                            dossier: &l.dossier,
                            last_name: &l.last_name,
                            first_name: &l.first_name,
                            benefit: l.benefit.code(),
                            right_id: &l.right_id,
                            amount: l.amount,
                            first_day: l.first_day,
                            last_day: l.last_day,
                            pay_date: l.pay_date,
                            mandate: l.mandate.map(|(m, _)| m),
                            payee: payee.unwrap_or("CAF"),
                        })
                    });
                written.map_err(|e| {
                    failed = Some(e);
                    RunStoreError::NotFound(run)
                })
            };
            let mut streamed = store.each_run_line(run, &mut |l, p| each(l, Some(&p.id)));
            if streamed.is_ok() {
                streamed = store.each_caf_line(run, &mut |l| each(l, None));
            }
            if let Some(e) = failed {
                return Err(io(e));
            }
            streamed.map_err(AppError::Run)?;
        }
        lines.end(w).map_err(io)?;
        w.write_all(b"}").map_err(io)
    }
}
