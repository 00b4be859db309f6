#!/usr/bin/env bash
# Times `relais reconcile` (issue #24: 2,000,000 rights × 6 months ≤ 60 s) over a national
# demo paid by Relais for six months: the demo's history ends in May 2026, and Relais prepares
# and validates June to November (every benefit); the restored system's extracts are the
# demo's, with one right in 100 raised by 10 € and one in 100 ended on 31/08/2026 (so that
# the report has indus and rappels to write). Prints the time and the peak RSS, and checks that
# what Relais paid adds up to the runs' totals each month.
# Usage: bench/reconcile.sh [PEOPLE] [WORKDIR]   (default 1,700,000 people ≈ 2,000,000 rights;
# a demo and its six runs already in WORKDIR/rec-PEOPLE are reused; RELAIS=path times that
# binary instead of building one). Needs GNU time. Months are in the past of a clock in
# December 2026 or later (a release build reads the system's clock).
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-1700000}
work=${2:-$(mktemp -d)}
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)"; exit 2; }

if [ -n "${RELAIS:-}" ]; then
  relais=$RELAIS
else
  cargo build --release --quiet -p relais-cli
  relais=$(realpath "${CARGO_TARGET_DIR:-target}")/release/relais
fi
dir=$work/rec-$people
mkdir -p "$dir"
months="2026-06 2026-07 2026-08 2026-09 2026-10 2026-11"

if [ ! -f "$dir/runs.done" ]; then
  rm -rf "$dir/data"
  echo "== building a demo of $people people in $dir/data (history until May 2026)"
  /usr/bin/time -f "   demo + import: %e s wall, %M KB peak RSS" \
    "$relais" demo --data "$dir/data" --size "$people" --seed 77 --today 2026-05-31 --no-serve >/dev/null
  for who in liquidation ordonnateur; do
    (umask 077; awk -F'\t' -v u=$who '$1 == u { print $2 }' "$dir/data/demo-users.txt" > "$dir/$who.pw")
  done
  for month in $months; do
    /usr/bin/time -f "%e" -o "$dir/prepare.time" \
      env RELAIS_PASSWORD_FILE="$dir/liquidation.pw" "$relais" run prepare --data "$dir/data" \
        --month "$month" --benefits APA_DOM,APA_ETAB,PCH,ASH,RSA --user liquidation > "$dir/prepare.txt"
    run=$(head -n 1 "$dir/prepare.txt")
    RELAIS_PASSWORD_FILE="$dir/ordonnateur.pw" \
      "$relais" run validate "$run" --data "$dir/data" --user ordonnateur > "$dir/validate-$month.txt"
    echo "   $month: $run prepared in $(cat "$dir/prepare.time") s and validated"
  done
  touch "$dir/runs.done"
fi

rights=$(awk 'END { print NR - 1 }' "$dir/data/extracts/droits.csv")
echo "== $people people, $rights rights in droits.csv, 6 months paid by Relais"
rm -rf "$dir/restored" "$dir/out"
cp -r "$dir/data/extracts" "$dir/restored"
# One right in 100 raised by 10 €, one in 100 ended on 31/08/2026.
awk -F';' -v OFS=';' '
  NR > 1 && NR % 100 == 2 { a = $4; gsub(/[ \302\240]/, "", a); sub(/,/, ".", a); $4 = sprintf("%.2f", a + 10); sub(/\./, ",", $4) }
  NR > 1 && NR % 100 == 52 { $6 = "31/08/2026" }
  { print }' "$dir/data/extracts/droits.csv" > "$dir/restored/droits.csv"
sync
/usr/bin/time -f "%e %M" -o "$dir/reconcile.time" \
  "$relais" reconcile --data "$dir/data" --extracts "$dir/restored" --out "$dir/out" > "$dir/reconcile.txt"
read -r t m < "$dir/reconcile.time"
# The reference, in the same run: the floor of any merge of the two sides — the standard tools
# reading both in key order (sqlite3 the claims of the runs, sort the restored rights).
/usr/bin/time -f "%e %M" -o "$dir/reference.time" bash -c "
  sqlite3 '$dir/data/relais.db' 'SELECT right_id, month, amount FROM run_claims ORDER BY right_id, month' > /dev/null
  LC_ALL=C sort -t';' -k1,1 '$dir/restored/droits.csv' > /dev/null"
read -r rt rm < "$dir/reference.time"
cat "$dir/reconcile.txt"
echo "   reconcile: $t s, $((m / 1024)) MB peak RSS ($(wc -l < "$dir/out/rapprochement_personnes.csv") lines in rapprochement_personnes.csv); goal ≤ 60 s"
echo "   reference (sqlite3 reads the claims in key order, sort the restored rights): $rt s, $((rm / 1024)) MB peak RSS"
if grep -q "ÉCART DE CONTRÔLE" "$dir/reconcile.txt"; then
  echo "   FAILED: what Relais paid does not add up to the runs' totals"
  exit 1
fi
echo "   what Relais paid adds up to the runs' totals, each month"
