//! `relais check-id`: one identifier from the arguments, or a stream of `KIND<TAB>VALUE`
//! lines on stdin answered by `true`/`false` in order.

use super::{EXIT_FAILURE, EXIT_OK};
use crate::args::CheckIdArgs;
use anyhow::{Result, bail};
use relais_core::ids::{IdKind, check};
use std::io::{BufRead, Write};

pub fn run(args: CheckIdArgs) -> Result<u8> {
    match (args.kind, args.value) {
        (Some(kind), Some(value)) => {
            let Some(kind) = IdKind::parse(&kind) else {
                bail!("type d'identifiant inconnu « {kind} » (iban, bic, nir, siren, siret)");
            };
            match check(kind, &value) {
                Ok(canonical) => {
                    println!("{canonical}");
                    Ok(EXIT_OK)
                }
                Err(e) => {
                    println!("invalide : {e}");
                    Ok(EXIT_FAILURE)
                }
            }
        }
        (None, None) => stream(std::io::stdin().lock(), &mut std::io::stdout().lock()),
        _ => bail!(
            "donnez le type et la valeur (relais check-id iban FR76…), ou rien pour lire l'entrée standard"
        ),
    }
}

fn stream(input: impl BufRead, out: &mut dyn Write) -> Result<u8> {
    let mut out = std::io::BufWriter::new(out);
    for (n, line) in input.split(b'\n').enumerate() {
        let line = line?;
        let line = String::from_utf8_lossy(&line);
        let line = line.strip_suffix('\r').unwrap_or(&line);
        let valid = match line.split_once('\t') {
            Some((kind, value)) => match IdKind::parse(kind) {
                Some(kind) => check(kind, value).is_ok(),
                None => {
                    tracing::warn!(line = n + 1, "unknown identifier kind");
                    false
                }
            },
            None => {
                tracing::warn!(line = n + 1, "line without a tab");
                false
            }
        };
        writeln!(out, "{valid}")?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}
