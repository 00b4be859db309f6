//! The accountant's return on PostgreSQL (see [`crate::pes_return`]): the steps SQLite takes
//! (`sqlite/pes_return.rs`, [`apply_return`]) in one writing transaction, over this
//! backend's reads and writes (`pes_return/tx.rs`).

mod tx;

use super::{PgStore, write};
use crate::StoreError;
use crate::pes_return::{PesReturnStore, RegularisationRequest, ReturnApplied, ReturnFile};
use crate::sqlite::pes_return::{REQUESTS, apply_return, request_of};

impl PesReturnStore for PgStore {
    fn apply_pes_return(
        &mut self,
        actor: &str,
        file: &ReturnFile<'_>,
    ) -> Result<ReturnApplied, StoreError> {
        let mut tx = write(self.client.get_mut())?;
        let applied = apply_return(&mut tx, actor, file)?;
        tx.commit()?;
        Ok(applied)
    }

    fn regularisation_requests(&self) -> Result<Vec<RegularisationRequest>, StoreError> {
        let rows = self.conn()?.query(REQUESTS, &[])?;
        rows.iter()
            .map(|r| {
                request_of((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                    r.try_get(6)?,
                    r.try_get(7)?,
                    r.try_get(8)?,
                    r.try_get(9)?,
                ))
            })
            .collect()
    }
}
