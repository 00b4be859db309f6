//! The store contract: what every backend must do, written once over any [`TestBackend`] (as
//! atuin's `run_the_test::<DB>()`). A backend passes it by implementing [`TestBackend`] and
//! adding one file like `tests/sqlite_contract.rs` that lists [`every_contract!`]'s tests. The
//! tests themselves run no SQL: whatever must happen behind the store's back (an intruder's
//! change of the journal, a value no version of Relais writes) goes through the hooks.

pub mod bank;
pub mod caf;
pub mod crisis;
pub mod deposits;
pub mod desk;
pub mod fixtures;
pub mod handback;
pub mod import;
pub mod invoices;
pub mod journal;
pub mod kept;
pub mod numbering;
pub mod orders;
pub mod payroll;
pub mod pes_return;
pub mod readiness;
pub mod regularisation;
pub mod runs;
pub mod sessions;
pub mod suppliers;
pub mod users;

use relais_core::roles::Role;
use relais_store::{Backend, StoreError};
use std::path::Path;

/// A change made to the journal behind the store's back, as someone with the file would.
#[derive(Debug, Clone, Copy)]
pub enum JournalTamper<'a> {
    /// Entry `seq`'s payload with `from` replaced by `to`.
    Alter {
        seq: u64,
        from: &'a str,
        to: &'a str,
    },
    /// Entry `seq` removed.
    Remove { seq: u64 },
    /// Entries `a` and `b` swapped, their sequence numbers kept in order.
    Swap { a: u64, b: u64 },
}

/// A change made to the main courante behind the store's back.
#[derive(Debug, Clone, Copy)]
pub enum CouranteTamper<'a> {
    /// Entry `id`'s text replaced.
    Edit { id: i64, text: &'a str },
    /// Entry `id` removed.
    Remove { id: i64 },
}

/// What the store keeps for good, each refusing a database client's rewrite and removal.
#[derive(Debug, Clone, Copy)]
pub enum Kept {
    /// The register of deposits.
    Deposits,
    /// Contacts logged at the desk.
    Contacts,
    /// A validated run: its record and its lines.
    ValidatedRun,
    /// A validated run's claims of rights for its month.
    ValidatedClaims,
    /// The exercice's numbering once a number was given.
    Numbering,
    /// A run's regularisation: its numbers and file digest.
    Regularisation,
}

/// What an agent with a database client would try against each `kept` record: plain SQL
/// that both backends' hooks run ([`TestBackend::refuses_rewrite`]), every statement to be
/// refused by the backend itself.
pub fn rewrites_of(kept: Kept) -> &'static [&'static str] {
    match kept {
        Kept::Deposits => &[
            "UPDATE deposits SET depositor = 'x'",
            "DELETE FROM deposits",
        ],
        Kept::Contacts => &["UPDATE contacts SET note = 'x'", "DELETE FROM contacts"],
        Kept::ValidatedRun => &[
            "UPDATE run_line_blocks SET lines = lines",
            "UPDATE run_line_blocks SET data = data",
            "DELETE FROM run_line_blocks",
            "UPDATE runs SET status = 'cancelled'",
            "DELETE FROM runs",
            // The preparer as validator: the CHECK refuses it.
            "UPDATE runs SET validated_by = prepared_by",
        ],
        Kept::ValidatedClaims => &[
            "UPDATE run_claims SET month = '2027-01'",
            "DELETE FROM run_claims",
        ],
        Kept::Numbering => &[
            "UPDATE numbering SET last_mandate = 5",
            "DELETE FROM numbering",
        ],
        Kept::Regularisation => &[
            "UPDATE run_regularisations SET last_mandate = last_mandate + 1",
            "DELETE FROM run_regularisations",
        ],
    }
}

/// A backend under test, with the hooks the contract needs beside the store's own methods.
pub trait TestBackend: Backend + Sized + 'static {
    /// A new, empty store in the folder `dir`.
    fn create(dir: &Path) -> Self;
    /// Another handle on the store of `dir`, as a second process (or thread) opens it: a
    /// concurrent writer of its own.
    fn connect(dir: &Path) -> Self;
    /// Changes the journal, the store's guards set aside.
    fn tamper_journal(&self, tamper: JournalTamper<'_>);
    /// Tries, as an agent with a database client would, to rewrite and to delete entry `seq`;
    /// true when the backend refused both.
    fn journal_refuses_rewrite(&self, seq: u64) -> bool;
    /// Changes the main courante, the store's guards set aside.
    fn tamper_courante(&self, tamper: CouranteTamper<'_>);
    /// Tries to rewrite and to delete main courante entry `id` with a database client; true
    /// when the backend refused both.
    fn courante_refuses_rewrite(&self, id: i64) -> bool;
    /// Tries to rewrite and to remove every row of `kept` with a database client; true when
    /// the backend refused every attempt.
    fn refuses_rewrite(&self, kept: Kept) -> bool;
    /// Gives right `right_id` a benefit code no version of Relais writes.
    fn corrupt_right_benefit(&self, right_id: &str, code: &str);
    /// Claims right `right_id` for `month` (`AAAA-MM`) for run `run`, as a second run would,
    /// straight in the backend: the conflict must come from the backend itself.
    fn claim(&self, right_id: &str, month: &str, run: &str) -> Result<(), StoreError>;
    /// Gives `login` every role of `roles` (set-up only: not a journaled operation).
    fn set_roles(&self, login: &str, roles: &[Role]);
    /// Tries, as an agent with a database client would, to release the claim of `right_id`
    /// for `month` by `run` as if mandat (`exercice`, `bordereau`, `piece`) had been rejected,
    /// then to delete that claim: true when the backend refused.
    fn release_refused(
        &self,
        run: &str,
        right_id: &str,
        month: &str,
        mandate: (i16, u32, u64),
    ) -> bool;
}

/// Expands to one `#[test]` per contract test, each calling it with `$backend`: a backend's
/// test file is `every_contract!(MyBackend);`.
#[macro_export]
macro_rules! every_contract {
    ($backend:ty) => {
        $crate::every_contract!(@each $backend;
            users::users_and_roles,
            users::the_password_hash_is_not_in_debug_output_nor_in_the_journal,
            import::an_import_commits_with_its_journal_entry,
            import::an_import_is_all_or_nothing,
            journal::the_journal_refuses_rewrite_and_delete,
            journal::an_altered_entry_is_named,
            journal::a_removed_entry_is_named,
            journal::a_removed_last_entry_is_caught,
            journal::reordered_entries_are_named,
            kept::kept_records_refuse_rewrite_and_removal,
            readiness::rights_stream_with_their_person_and_payee_ordered_by_dossier,
            readiness::an_empty_store_streams_nothing,
            readiness::payroll_counts_agents_in_post_during_the_month,
            readiness::open_invoices_come_by_date_of_receipt_with_their_supplier,
            readiness::rejected_rows_are_counted_by_file_and_code_and_streamed_by_entity,
            readiness::text_changed_behind_the_store_is_reported_not_guessed,
            readiness::a_rejected_row_handled_by_hand_stays_handled_across_imports,
            crisis::entries_carry_their_journal_event_and_cannot_be_rewritten,
            crisis::an_edited_courante_entry_is_caught_by_verify,
            crisis::a_removed_courante_entry_is_caught_by_verify,
            runs::unique_right_month,
            runs::nothing_is_paid_twice_across_runs_of_a_month,
            runs::a_preparer_never_validates_their_own_run,
            runs::paid_claims_stream_validated_runs_by_right_then_month,
            payroll::an_agent_is_paid_once_a_month,
            invoices::an_invoice_s_steps_follow_its_life_and_its_roles,
            suppliers::an_invoice_is_mandated_once,
            pes_return::a_return_applies_once_and_a_paid_mandat_is_never_rejected,
            pes_return::a_rejected_invoice_is_mandated_again_then_paid,
            pes_return::a_rejected_benefit_mandat_pays_its_right_once_more,
            payroll::a_change_of_situation_waits_for_another_ordonnateur,
            payroll::bank_details_changed_by_the_extracts_wait_for_an_approval,
            numbering::gap_free_bordereaux_and_mandates_under_concurrent_writers,
            regularisation::a_regularisation_continues_the_numbering_and_is_given_once,
            regularisation::a_regularisation_waits_for_the_export_and_an_ordonnateur,
            regularisation::numbers_taken_meanwhile_refuse_the_file_written_before,
            deposits::gap_free_chrono_numbers_under_concurrent_writers,
            orders::orders_are_numbered_without_a_gap_per_exercice,
            orders::only_liquidation_or_ordonnateur_issue_and_only_to_a_known_supplier,
            orders::concurrent_issuers_get_consecutive_numbers,
            orders::orders_outlive_imports_and_invoices_carry_commitment_and_rejection,
            sessions::a_session_lives_until_idle_or_closed,
            sessions::a_new_own_password_closes_the_other_sessions,
            desk::desk_search_by_word_beginnings_in_french_order,
            desk::desk_search_finds_exactly_the_people_whose_words_begin_with_those_typed,
            handback::a_new_origin_starts_at_the_export_s_from_and_a_second_apply_changes_nothing,
            handback::a_gap_or_a_fork_is_refused_and_nothing_is_written,
            handback::only_an_admin_applies_and_the_projection_merges_each_after,
            bank::an_establishment_is_not_changed_from_a_persons_page,
            bank::only_an_ordonnateur_who_did_not_ask_decides,
            bank::the_approver_sees_both_accounts_in_full_and_the_warnings,
            bank::an_approval_holds_for_its_request_only,
            bank::held_details_list_requests_and_unapproved_imported_changes,
            caf::totals_for_the_payment_run,
            caf::comparison_household_by_household,
            caf::only_liquidation_or_ordonnateur_import,
            caf::a_statement_is_all_or_nothing,
            caf::a_replaced_statement_is_journaled_without_nirs,
        );
    };
    (@each $backend:ty; $($module:ident :: $test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                contract::$module::$test::<$backend>();
            }
        )*
    };
}
