//! `relais bench search`: the desk search by N connections at once on the folder's store
//! (whichever backend its settings choose), each a thread drawing queries at random from a
//! file for a fixed time; the latencies' p50, p99 and max, and the searches per second
//! (bench/postgres.sh runs it on SQLite and PostgreSQL side by side).

use super::EXIT_OK;
use crate::args::BenchSearchArgs;
use crate::data::{DataDir, agent};
use anyhow::{Result, anyhow, bail};
use std::time::{Duration, Instant};

/// As many people as the desk screen shows.
const LIMIT: usize = 50;

pub fn run(a: BenchSearchArgs) -> Result<u8> {
    let text = std::fs::read_to_string(&a.queries)?;
    let queries: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if queries.is_empty() {
        bail!("aucune recherche dans {}", a.queries.display());
    }
    let queries = std::sync::Arc::new(queries);
    let data = DataDir::new(&a.data.data);
    let opened = data.open()?;
    let until = Instant::now() + Duration::from_secs(a.seconds);
    let threads: Vec<_> = (0..a.connections.max(1))
        .map(|i| {
            let store = opened.open_reader().map_err(agent)?;
            let queries = queries.clone();
            Ok(std::thread::spawn(
                move || -> Result<(Vec<Duration>, u64)> {
                    let mut times = Vec::new();
                    let mut found = 0u64;
                    let mut n = i.wrapping_mul(7919);
                    while Instant::now() < until {
                        n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        let q = &queries[(n >> 33) % queries.len()];
                        let t = Instant::now();
                        found += store.search_people(q, LIMIT, None)?.len() as u64;
                        times.push(t.elapsed());
                    }
                    Ok((times, found))
                },
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut times = Vec::new();
    let mut found = 0;
    for t in threads {
        let (mine, n) = t
            .join()
            .map_err(|_| anyhow!("un fil de recherche a échoué"))??;
        times.extend(mine);
        found += n;
    }
    times.sort_unstable();
    let at = |q: f64| {
        let i = ((times.len() as f64 * q).ceil() as usize).saturating_sub(1);
        times.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "recherches : {} en {} s par {} connexions, soit {:.0} par seconde ; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ; {:.1} personnes trouvées en moyenne",
        times.len(),
        a.seconds,
        a.connections,
        times.len() as f64 / a.seconds as f64,
        at(0.50),
        at(0.99),
        at(1.0),
        found as f64 / times.len().max(1) as f64
    );
    Ok(EXIT_OK)
}
