//! The route table: every route's method, path, who may use it, and handler, in one list
//! (`table!`) from which both the router ([`router`]) and [`ROUTES`], the list the
//! authorisation-matrix test walks, are made. A route cannot be written without its access:
//! the line does not compile. The router checks each route's access before its handler
//! (`session::check_access`).

pub use crate::access::Access;
use crate::access::Access::{AnyOf, Public, SignedIn};
/// Who may use what (`access.rs`), named here as before.
pub use crate::access::{BANK_ASK, BANK_DECIDE, DESK, PAYMENTS, REJECTS, RENEW};
use crate::access::{COURRIER, CRISE, INVOICES, PAYEE_VIEW};
use crate::app::Shared;
use crate::{
    aide, annuaire, assets, compte, courrier, crise, dashboard, desk, factures, flagged, layers,
    limits, login, paie, paiements, rib, session,
};
use axum::routing::{MethodFilter, MethodRouter, on};
use axum::{Router, middleware};
use relais_core::roles::Role;
use std::sync::Arc;

pub use crate::assets::HTMX_PATH;

/// Writes [`ROUTES`] and the handlers in the same order, from one list of
/// `METHOD path, access => handler;`.
macro_rules! table {
    ($($method:ident $path:expr, $access:expr => $handler:path;)*) => {
        /// Every route: method, path (as axum matches it), access. The authorisation matrix
        /// test walks this table; the router is built from the same lines.
        pub const ROUTES: &[(&str, &str, Access)] = &[$((stringify!($method), $path, $access)),*];

        /// The handlers of [`ROUTES`], in its order.
        fn handlers() -> Vec<MethodRouter<Shared>> {
            vec![$(on(MethodFilter::$method, $handler)),*]
        }
    };
}

table! {
    GET  "/login", Public => login::login_form;
    POST "/login", Public => login::login;
    GET  "/static/relais.css", Public => assets::stylesheet;
    GET  HTMX_PATH, Public => assets::htmx;
    GET  "/aide", Public => aide::aide;
    GET  "/aide/img/{image}", Public => aide::image;
    POST "/logout", SignedIn => login::logout;
    GET  compte::PASSWORD_PATH, SignedIn => compte::form;
    POST compte::PASSWORD_PATH, SignedIn => compte::change;
    GET  "/", SignedIn => dashboard::dashboard;
    GET  "/annuaire", SignedIn => annuaire::annuaire;
    GET  "/courrier", AnyOf(COURRIER) => courrier::courrier;
    POST "/courrier", AnyOf(COURRIER) => courrier::register;
    GET  "/courrier/{number}", AnyOf(COURRIER) => courrier::depot;
    GET  "/courrier/{number}/recepisse.pdf", AnyOf(COURRIER) => courrier::receipt;
    GET  "/courrier/{number}/annuler", AnyOf(COURRIER) => courrier::cancel_confirm;
    POST "/courrier/{number}/annuler", AnyOf(COURRIER) => courrier::cancel;
    GET  "/accueil", AnyOf(DESK) => desk::accueil;
    POST "/accueil", AnyOf(DESK) => desk::search;
    GET  "/personne/{dossier}", AnyOf(DESK) => desk::personne;
    GET  "/personne/{dossier}/attestation.pdf", AnyOf(DESK) => desk::attestation;
    POST "/personne/{dossier}/rib", AnyOf(BANK_ASK) => rib::request_from_person;
    POST "/personne/{dossier}/contact", AnyOf(BANK_ASK) => desk::log_contact;
    GET  "/tiers/{id}", AnyOf(PAYEE_VIEW) => rib::tiers;
    POST "/tiers/{id}/rib", AnyOf(BANK_ASK) => rib::request_from_payee;
    GET  "/rib", AnyOf(BANK_DECIDE) => rib::list;
    POST "/tiers/{id}/approbation", AnyOf(BANK_DECIDE) => rib::approve_imported;
    GET  "/rib/{id}", AnyOf(BANK_DECIDE) => rib::review;
    POST "/rib/{id}/decision", AnyOf(BANK_DECIDE) => rib::decide;
    GET  "/paiements", AnyOf(PAYMENTS) => paiements::paiements;
    POST "/paiements/preparer", AnyOf(&[Role::Liquidation]) => paiements::prepare_run;
    GET  "/paiements/{run}", AnyOf(PAYMENTS) => paiements::paiement;
    GET  "/paiements/{run}/valider", AnyOf(&[Role::Ordonnateur]) => paiements::confirm_validation;
    POST "/paiements/{run}/valider", AnyOf(&[Role::Ordonnateur]) => paiements::validate_run;
    POST "/paiements/{run}/annuler", AnyOf(PAYMENTS) => paiements::cancel_run;
    POST "/paiements/{run}/exporter", AnyOf(PAYMENTS) => paiements::export_run;
    POST "/paiements/{run}/rapport", AnyOf(PAYMENTS) => paiements::write_report;
    GET  "/paiements/{run}/controle/{name}", AnyOf(PAYMENTS) => paiements::download_report;
    GET  "/paiements/{run}/fichiers/{name}", AnyOf(PAYMENTS) => paiements::download;
    GET  "/paiements/{run}/fichiers.zip", AnyOf(PAYMENTS) => paiements::download_all;
    GET  "/factures", AnyOf(INVOICES) => factures::factures;
    GET  "/factures/{id}", AnyOf(INVOICES) => factures::facture;
    POST "/factures/{id}/service-fait", AnyOf(&[Role::Instruction]) => factures::service_fait;
    POST "/factures/{id}/liquider", AnyOf(&[Role::Liquidation]) => factures::liquider;
    POST "/factures/{id}/suspendre", AnyOf(&[Role::Liquidation, Role::Ordonnateur]) => factures::suspendre;
    POST "/factures/{id}/reprendre", AnyOf(&[Role::Liquidation, Role::Ordonnateur]) => factures::reprendre;
    POST "/factures/{id}/rejeter", AnyOf(&[Role::Liquidation, Role::Ordonnateur]) => factures::rejeter;
    POST "/factures/{id}/paiement", AnyOf(&[Role::Liquidation, Role::Ordonnateur]) => factures::payer;
    POST "/fournisseurs/paiement", AnyOf(&[Role::Liquidation]) => factures::prepare_run;
    POST "/fournisseurs/{id}/approbation", AnyOf(&[Role::Ordonnateur]) => factures::approve_bank;
    GET  "/paie", AnyOf(PAYMENTS) => paie::paie;
    POST "/paie/preparer", AnyOf(&[Role::Liquidation]) => paie::prepare;
    POST "/paie/changements", AnyOf(&[Role::Liquidation]) => paie::ask;
    POST "/paie/changements/{id}/approuver", AnyOf(&[Role::Ordonnateur]) => paie::approve;
    POST "/paie/changements/{id}/refuser", AnyOf(&[Role::Ordonnateur]) => paie::refuse;
    GET  "/renouvellement", AnyOf(RENEW) => paiements::renewal_form;
    POST "/renouvellement", AnyOf(RENEW) => paiements::renew;
    GET  "/renouvellement/confirmer", AnyOf(RENEW) => paiements::confirm_renewal;
    GET  "/crise", AnyOf(CRISE) => crise::home;
    GET  "/crise/horloge", AnyOf(CRISE) => crise::clock;
    GET  "/crise/courante", AnyOf(CRISE) => crise::courante;
    POST "/crise/courante", AnyOf(CRISE) => crise::add_entry;
    GET  "/crise/courante.csv", AnyOf(CRISE) => crise::courante_csv;
    GET  "/crise/courante.pdf", AnyOf(CRISE) => crise::courante_pdf;
    GET  "/crise/incident", AnyOf(CRISE) => crise::incident;
    POST "/crise/incident/fait", AnyOf(CRISE) => crise::record_fact;
    POST "/crise/incident/cnil", AnyOf(CRISE) => crise::notify_cnil;
    GET  "/crise/incident.pdf", AnyOf(CRISE) => crise::incident_pdf;
    GET  "/crise/systemes", SignedIn => crise::systemes;
    POST "/crise/systemes/{id}/statut", AnyOf(CRISE) => crise::set_system_status;
    GET  "/crise/systemes/{id}/statut", AnyOf(CRISE) => crise::confirm_system_status;
    GET  "/crise/taches", SignedIn => crise::taches;
    POST "/crise/taches", AnyOf(CRISE) => crise::add_task;
    POST "/crise/taches/{id}/statut", AnyOf(CRISE) => crise::set_task_status;
    GET  "/crise/public", SignedIn => crise::public_screen;
    POST "/crise/public/message", AnyOf(CRISE) => crise::set_message;
    GET  "/crise/public/apercu", SignedIn => crise::preview;
    GET  "/crise/public/relais-public.css", Public => crise::preview_css;
    GET  "/annuaire/modifier", AnyOf(CRISE) => crise::directory_form;
    POST "/annuaire", AnyOf(CRISE) => crise::set_directory;
    GET  "/dossiers", AnyOf(REJECTS) => flagged::list;
    GET  "/dossiers/{id}", AnyOf(REJECTS) => flagged::detail;
    POST "/dossiers/{id}", AnyOf(REJECTS) => flagged::handle;
}

/// The router: every route of the table behind its access check, then for every response the
/// forms' length limits, the error pages, and the security headers.
pub fn router(app: Shared) -> Router {
    let mut routes = Router::new();
    for (&(_, path, access), handler) in ROUTES.iter().zip(handlers()) {
        let handler = match access {
            Public => handler,
            _ => handler.route_layer(middleware::from_fn_with_state(
                (Arc::clone(&app), access),
                session::check_access,
            )),
        };
        routes = routes.route(path, handler);
    }
    let routes = routes
        .fallback(layers::not_found)
        .layer(middleware::map_response_with_state(
            Arc::clone(&app),
            layers::error_pages,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            limits::limit_forms,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(limits::BODY_MAX))
        .layer(middleware::map_response(layers::security_headers));
    let routes = if app.config.secure_cookies {
        routes.layer(middleware::map_response(layers::strict_transport))
    } else {
        routes
    };
    routes.with_state(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_and_path_is_one_line() {
        let mut seen = std::collections::HashSet::new();
        for (method, path, _) in ROUTES {
            assert!(seen.insert((method, path)), "{method} {path} twice");
        }
        assert_eq!(handlers().len(), ROUTES.len());
    }

    #[test]
    fn only_the_login_form_is_posted_without_a_session() {
        let public: Vec<&str> = ROUTES
            .iter()
            .filter(|(method, _, access)| *method == "POST" && *access == Public)
            .map(|(_, path, _)| *path)
            .collect();
        assert_eq!(public, ["/login"]);
    }
}
