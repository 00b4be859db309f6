//! The public continuity page: one static HTML5 file in French and its stylesheet, no script,
//! printable, accessible (language, landmarks, one `h1` then ordered headings, contrast above
//! WCAG AA). Every public site and service with its numbers as `tel:` links, e-mail, hours,
//! where paper can be deposited, and the crisis cell's message. Rows not marked public are
//! never written: the caller may pass the whole directory.

use crate::html::Esc;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_core::crisis::PublicMessage;
use relais_core::directory::{DirectoryRow, tel_href};
use std::io::{self, Write};

/// The stylesheet's file name, beside `index.html`.
pub const PUBLIC_CSS_FILE: &str = "relais-public.css";

/// The stylesheet: system fonts, dark text on white (contrast 15:1), links underlined.
pub const PUBLIC_CSS: &str = "\
:root{color:#1a1a1a;background:#fff;font:1.0625rem/1.5 system-ui,\"DejaVu Sans\",Arial,sans-serif}
body{max-width:60rem;margin:0 auto;padding:0 1rem 2rem}
header{border-bottom:4px solid #000091;padding:1rem 0 .5rem}
.authority{font-weight:700;margin:0}
h1{font-size:1.8rem;margin:.2rem 0}
h2{font-size:1.4rem;margin:2rem 0 .5rem;border-bottom:2px solid #1a1a1a}
h3{font-size:1.15rem;margin:1.2rem 0 .3rem}
a{color:#000091;text-decoration:underline}
a:focus{outline:3px solid #000091;outline-offset:2px}
.message{border-left:6px solid #000091;background:#f5f5fe;padding:.5rem 1rem}
.guaranteed li{font-weight:700}
.sites{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:1rem}
.site{border:1px solid #666;border-radius:4px;padding:.6rem .8rem}
.site h3{margin-top:0}
.service{margin:.6rem 0 0;font-weight:700}
.tel{font-size:1.3rem;font-weight:700;white-space:nowrap}
dl{margin:.2rem 0;display:grid;grid-template-columns:max-content 1fr;gap:.1rem .6rem}
dt{font-weight:700}dd{margin:0;overflow-wrap:anywhere}
.updated{margin:.3rem 0 0}
footer{margin-top:2rem;border-top:1px solid #666;font-size:.9rem}
@media print{:root{font-size:10pt}body{max-width:none;padding:0}
a{color:#000;text-decoration:none}.sites{display:block}
.site{break-inside:avoid;margin:0 0 .4rem}header{border-color:#000}.message{background:none}}
";

/// What the page shows.
pub struct PublicPage<'a> {
    /// The authority's name (settings).
    pub authority: &'a str,
    pub tz: &'a TimeZone,
    /// The whole directory: only its public rows are shown.
    pub directory: &'a [DirectoryRow],
    pub message: Option<&'a PublicMessage>,
    /// When the page was written.
    pub published_at: Timestamp,
}

/// `<time>` of an instant, on the authority's clock.
fn time(at: Timestamp, tz: &TimeZone) -> String {
    let z = at.to_zoned(tz.clone());
    format!(
        "<time datetime=\"{}\">{}</time>",
        z.strftime("%Y-%m-%dT%H:%M%:z"),
        crate::crisis::local(at, tz)
    )
}

/// The public rows, grouped by site (in the directory's order).
fn sites(directory: &[DirectoryRow]) -> Vec<(&str, Vec<&DirectoryRow>)> {
    let mut out: Vec<(&str, Vec<&DirectoryRow>)> = Vec::new();
    for row in directory.iter().filter(|r| r.public) {
        match out.iter_mut().find(|(site, _)| *site == row.site) {
            Some((_, rows)) => rows.push(row),
            None => out.push((&row.site, vec![row])),
        }
    }
    out
}

fn list(w: &mut dyn Write, class: &str, text: &str) -> io::Result<()> {
    writeln!(w, "<ul class=\"{class}\">")?;
    for item in PublicMessage::items(text) {
        writeln!(w, "<li>{}</li>", Esc(item))?;
    }
    writeln!(w, "</ul>")
}

fn message(w: &mut dyn Write, page: &PublicPage<'_>) -> io::Result<()> {
    writeln!(
        w,
        "<section aria-labelledby=\"situation\" class=\"message\">"
    )?;
    writeln!(w, "<h2 id=\"situation\">La situation</h2>")?;
    match page.message {
        Some(m) => {
            writeln!(w, "<h3>Ce qui est perturbé</h3>")?;
            list(w, "affected", &m.affected)?;
            writeln!(w, "<h3>Ce qui est garanti</h3>")?;
            list(w, "guaranteed", &m.guaranteed)?;
            writeln!(
                w,
                "<p class=\"updated\">Message mis à jour le {}.</p>",
                time(m.updated_at, page.tz)
            )?;
        }
        None => writeln!(
            w,
            "<p>Nos services restent joignables aux numéros ci-dessous.</p>"
        )?,
    }
    writeln!(w, "</section>")
}

fn service(w: &mut dyn Write, r: &DirectoryRow) -> io::Result<()> {
    writeln!(w, "<p class=\"service\">{}</p>\n<dl>", Esc(&r.service))?;
    match tel_href(&r.phone) {
        Some(href) => writeln!(
            w,
            "<dt>Téléphone</dt><dd><a class=\"tel\" href=\"{}\">{}</a></dd>",
            Esc(&href),
            Esc(&r.phone)
        )?,
        None if !r.phone.trim().is_empty() => {
            writeln!(w, "<dt>Téléphone</dt><dd>{}</dd>", Esc(&r.phone))?
        }
        None => {}
    }
    if !r.email.trim().is_empty() {
        writeln!(
            w,
            "<dt>Courriel</dt><dd><a href=\"mailto:{0}\">{0}</a></dd>",
            Esc(r.email.trim())
        )?;
    }
    writeln!(w, "<dt>Horaires</dt><dd>{}</dd>", Esc(&r.hours))?;
    writeln!(w, "<dt>Adresse</dt><dd>{}</dd>", Esc(&r.address))?;
    if r.paper_deposit {
        writeln!(w, "<dt>Dossiers papier</dt><dd>déposés ici</dd>")?;
    }
    writeln!(w, "</dl>")
}

fn deposits(w: &mut dyn Write, rows: &[&DirectoryRow]) -> io::Result<()> {
    writeln!(w, "<section aria-labelledby=\"deposer\">")?;
    writeln!(w, "<h2 id=\"deposer\">Où déposer un dossier papier</h2>")?;
    writeln!(
        w,
        "<p>Les dossiers papier (demandes d'aide, factures, pièces complémentaires) sont reçus \
         contre récépissé :</p>\n<ul>"
    )?;
    for r in rows.iter().filter(|r| r.paper_deposit) {
        writeln!(
            w,
            "<li><strong>{}</strong> — {} ({})</li>",
            Esc(&r.site),
            Esc(&r.address),
            Esc(&r.hours)
        )?;
    }
    writeln!(w, "</ul>\n</section>")
}

/// Writes `index.html`.
pub fn write_public_html(page: &PublicPage<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut w = io::BufWriter::new(out);
    let sites = sites(page.directory);
    let public: Vec<&DirectoryRow> = sites.iter().flat_map(|(_, r)| r.iter().copied()).collect();
    writeln!(
        w,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Continuité du service public — {0}</title>\n\
         <link rel=\"stylesheet\" href=\"{PUBLIC_CSS_FILE}\">\n</head>\n<body>\n<header>\n\
         <p class=\"authority\">{0}</p>\n<h1>Continuité du service public</h1>\n\
         <p class=\"updated\">Page mise à jour le {1}.</p>\n</header>\n<main>",
        Esc(page.authority),
        time(page.published_at, page.tz)
    )?;
    message(&mut w, page)?;
    writeln!(w, "<section aria-labelledby=\"joindre\">")?;
    writeln!(
        w,
        "<h2 id=\"joindre\">Nous joindre</h2>\n<ul class=\"sites\">"
    )?;
    for (site, rows) in &sites {
        writeln!(w, "<li class=\"site\">\n<h3>{}</h3>", Esc(site))?;
        for r in rows {
            service(&mut w, r)?;
        }
        writeln!(w, "</li>")?;
    }
    writeln!(w, "</ul>\n</section>")?;
    deposits(&mut w, &public)?;
    writeln!(
        w,
        "</main>\n<footer>\n<p>Page publiée par la cellule de crise de {}. Les numéros \
         ci-dessus répondent pendant la crise ; les autres moyens de contact habituels peuvent \
         être indisponibles.</p>\n</footer>\n</body>\n</html>",
        Esc(page.authority)
    )?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(code: &str, phone: &str, public: bool) -> DirectoryRow {
        DirectoryRow {
            site_code: code.into(),
            site: format!("Site {code}"),
            service: "Accueil".into(),
            phone: phone.into(),
            email: format!("{code}@exemple.invalid"),
            address: "1 rue <Haute>".into(),
            hours: "9h–17h".into(),
            paper_deposit: true,
            public,
        }
    }

    #[test]
    fn only_public_rows_with_tel_links_and_escaped_text() {
        let tz = TimeZone::get("Europe/Paris").expect("tz");
        let directory = [
            row("A", "01 99 00 10 11", true),
            row("B", "01 99 00 10 22", false),
        ];
        let page = PublicPage {
            authority: "Département & co",
            tz: &tz,
            directory: &directory,
            message: None,
            published_at: "2026-11-22T09:00:00Z".parse().expect("ts"),
        };
        let mut out = Vec::new();
        write_public_html(&page, &mut out).expect("html");
        let html = String::from_utf8(out).expect("utf-8");
        assert!(html.contains("href=\"tel:+33199001011\""));
        assert!(!html.contains("10 22") && !html.contains("Site B"));
        assert!(html.contains("Département &amp; co"));
        assert!(html.contains("1 rue &lt;Haute&gt;"));
        assert!(html.contains("22/11/2026 10:00"));
        assert!(!html.contains("<script"));
    }
}
