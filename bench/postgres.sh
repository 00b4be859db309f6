#!/usr/bin/env bash
# SQLite and PostgreSQL side by side, in one run, on this machine (issue #25):
#   1. `relais import` of SIZE people (default 1,000,000) into a new folder on each backend
#      (goal on PostgreSQL: at most 2× SQLite's time);
#   2. 16 concurrent deposit writers, durable receipts per second (`relais bench deposits`;
#      goal on PostgreSQL: ≥ 1,000/s);
#   3. the desk search at 32 connections, p99 (`relais bench search`, the same random name
#      beginnings on both; goal on PostgreSQL: ≤ 50 ms);
#   4. a national run's prepare + export of the payment files (the demo moved to PostgreSQL by
#      `relais migrate`).
# Usage: bench/postgres.sh [SIZE] [WORKDIR]. PostgreSQL: a throw-away cluster in WORKDIR/pg
# (scripts/pg-cluster), unless RELAIS_TEST_POSTGRES names one. Needs GNU time, python3, psql.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1000000}
work=${2:-$(mktemp -d)}
seconds=${SECONDS_PER_SEARCH_BENCH:-20}
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)"; exit 2; }
cargo build --release --quiet -p relais-cli
relais=$(realpath "${CARGO_TARGET_DIR:-target}")/release/relais

if [ -z "${RELAIS_TEST_POSTGRES:-}" ]; then
  scripts/pg-cluster stop "$work/pg" 2>/dev/null || true
  rm -rf "$work/pg"
  eval "$(scripts/pg-cluster start "$work/pg")"
  trap 'scripts/pg-cluster stop "$work/pg"' EXIT
fi
socket=$(echo "$RELAIS_TEST_POSTGRES" | tr ' ' '\n' | sed -n 's/^host=//p')
port=$(echo "$RELAIS_TEST_POSTGRES" | tr ' ' '\n' | sed -n 's/^port=//p')
export PGPORT=${port:-5432}
fresh_db() {
  psql -h "$socket" -U relais -d postgres -q -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
  echo "postgres://relais@/$1?host=$socket&port=$PGPORT"
}
echo "== $(psql -h "$socket" -U relais -d postgres -tAc 'SHOW server_version') ($(nproc) cores); $size people"

if [ ! -f "$work/demo/relais.db" ]; then
  echo "== building a demo of $size people in $work/demo"
  "$relais" demo --data "$work/demo" --size "$size" --seed 77 --today 2026-11-30 --no-serve >/dev/null
fi
printf 'bench-password-0123456789\n' > "$work/pw"; chmod 600 "$work/pw"
init() { # folder [database]
  rm -rf "$1"
  "$relais" init --data "$1" --authority "Bench" --siret 22770001000019 --password-file "$work/pw" \
    ${2:+--database "$2"} >/dev/null
}

echo "== 1. import of the demo's extracts"
init "$work/imp-sqlite"
sync
/usr/bin/time -f "%e %M" -o "$work/imp-sqlite.time" env RELAIS_PASSWORD_FILE="$work/pw" \
  "$relais" import "$work/demo/extracts" --data "$work/imp-sqlite" --user admin >/dev/null
init "$work/imp-pg" "$(fresh_db bench_import)"
sync
/usr/bin/time -f "%e %M" -o "$work/imp-pg.time" env RELAIS_PASSWORD_FILE="$work/pw" \
  "$relais" import "$work/demo/extracts" --data "$work/imp-pg" --user admin >/dev/null
read -r st sm < "$work/imp-sqlite.time"; read -r pt pm < "$work/imp-pg.time"
echo "   SQLite: $st s, $((sm / 1024)) MB peak RSS"
echo "   PostgreSQL: $pt s, $((pm / 1024)) MB peak RSS (client)"
echo "   ratio PostgreSQL / SQLite: $(python3 -c "print(f'{$pt / $st:.2f}')") (goal ≤ 2)"

echo "== 2. 16 concurrent deposit writers, 16,000 durable receipts"
echo -n "   SQLite: "; "$relais" bench deposits --data "$work/imp-sqlite" --writers 16 --count 16000 | sed -n 1p
echo -n "   PostgreSQL: "; "$relais" bench deposits --data "$work/imp-sqlite" --writers 16 --count 16000 \
  --database "$(fresh_db bench_deposits)" | sed -n 1p

echo "== 3. desk search, 32 connections, ${seconds} s each"
python3 - "$work/demo/extracts/beneficiaires.csv" "$work/queries.txt" <<'PY'
import csv, random, sys, unicodedata
fold = lambda s: "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)).lower()
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig"), delimiter=";"))[1:]
random.seed(77)
with open(sys.argv[2], "w") as out:
    for r in random.sample(rows, min(2000, len(rows))):
        if len(r) > 3 and r[2] and r[3]:
            out.write(f"{fold(r[2])[:4]} {fold(r[3])[:3]}\n")
PY
echo -n "   SQLite: "; "$relais" bench search --data "$work/imp-sqlite" --queries "$work/queries.txt" --connections 32 --seconds "$seconds"
echo -n "   PostgreSQL: "; "$relais" bench search --data "$work/imp-pg" --queries "$work/queries.txt" --connections 32 --seconds "$seconds"

echo "== 4. a national run: prepare + export of the payment files ($size people)"
run_one() { # label folder
  local dir=$2 who
  for who in liquidation ordonnateur; do
    (umask 077; awk -F'\t' -v u=$who '$1 == u { print $2 }' "$dir/demo-users.txt" > "$work/$who.pw")
  done
  rm -rf "$work/out-$1"
  if ! /usr/bin/time -f "%e %M" -o "$work/prepare-$1.time" env RELAIS_PASSWORD_FILE="$work/liquidation.pw" \
    "$relais" run prepare --data "$dir" --month 2026-12 --benefits APA_DOM,APA_ETAB,PCH,ASH,RSA \
    --user liquidation > "$work/prepare-$1.txt" 2>&1; then
    echo "   $1: $(tail -1 "$work/prepare-$1.txt")"; return
  fi
  local run; run=$(head -n 1 "$work/prepare-$1.txt")
  RELAIS_PASSWORD_FILE="$work/ordonnateur.pw" "$relais" run validate "$run" --data "$dir" --user ordonnateur >/dev/null
  /usr/bin/time -f "%e %M" -o "$work/export-$1.time" env RELAIS_PASSWORD_FILE="$work/liquidation.pw" \
    "$relais" run export "$run" --data "$dir" --user liquidation --out "$work/out-$1" --payment-files-only >/dev/null
  read -r a am < "$work/prepare-$1.time"; read -r b bm < "$work/export-$1.time"
  echo "   $1: $(grep -m1 'lignes,' "$work/prepare-$1.txt"); prepare $a s ($((am / 1024)) MB), export $b s ($((bm / 1024)) MB), together $(python3 -c "print(round($a + $b, 2))") s"
}
rm -rf "$work/run-sqlite" "$work/run-pg"
cp -r "$work/demo" "$work/run-sqlite"
cp -r "$work/demo" "$work/run-pg"
(umask 077; awk -F'\t' '$1 == "admin" { print $2 }' "$work/demo/demo-users.txt" > "$work/admin.pw")
RELAIS_PASSWORD_FILE="$work/admin.pw" /usr/bin/time -f "   relais migrate of the demo to PostgreSQL: %e s" \
  "$relais" migrate --from "$work/run-pg" --to "$(fresh_db bench_run)" --user admin | sed -n 1p
sync
run_one SQLite "$work/run-sqlite"
run_one PostgreSQL "$work/run-pg"
