#!/usr/bin/env bash
# Times `relais import` of a demo set against `sqlite3 .import` of the same files into plain
# tables (no types, no checks, no indexes): the floor of what loading these bytes into SQLite
# costs. Usage: bench/import.sh [SIZE] [WORKDIR]   (SIZE people, default 1,000,000)
# Needs: sqlite3, GNU time (/usr/bin/time). Reports wall seconds and peak RSS of each.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1000000}
work=${2:-$(mktemp -d)}
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)"; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)"; exit 2; }

cargo build --release --quiet
relais=target/release/relais

if [ ! -d "$work/demo/extracts" ]; then
  echo "== building a demo set of $size people in $work/demo"
  /usr/bin/time -f "demo: %e s wall, %M KB peak" \
    "$relais" demo --data "$work/demo" --size "$size" --seed 77 --today 2026-11-22 --no-serve >/dev/null
fi
extracts="$work/demo/extracts"
ls -l "$extracts"
rows=$(cat "$extracts"/*.csv | wc -l)
echo "== $rows lines in $(du -sh "$extracts" | cut -f1)"

echo "== relais import"
rm -rf "$work/relais"
printf 'bench-password-0123456789\n' > "$work/pw"
"$relais" init --data "$work/relais" --authority "Bench" --siret 73282932000074 --password-file "$work/pw" >/dev/null
/usr/bin/time -f "relais import: %e s wall, %M KB peak RSS" -o "$work/relais.time" \
  env RELAIS_PASSWORD_FILE="$work/pw" "$relais" import "$extracts" --data "$work/relais" --user admin >/dev/null
cat "$work/relais.time"

echo "== sqlite3 .import (plain tables, same files)"
rm -f "$work/plain.db"
script="$work/plain.sql"
: > "$script"
for f in "$extracts"/*.csv; do
  head=$(head -c 4096 "$f" | head -n 1)
  sep=';'
  case "$head" in
    *$'\t'*) sep='\t' ;;
    *';'*) sep=';' ;;
    *','*) sep=',' ;;
  esac
  printf '.mode csv\n.separator "%s"\n.import "%s" %s\n' "$sep" "$f" "$(basename "$f" .csv)" >> "$script"
done
/usr/bin/time -f "sqlite3 .import: %e s wall, %M KB peak RSS" -o "$work/sqlite.time" \
  sqlite3 "$work/plain.db" < "$script" 2>/dev/null || true
cat "$work/sqlite.time"

r=$(sed -E 's/.*: ([0-9.]+) s wall.*/\1/' "$work/relais.time")
s=$(sed -E 's/.*: ([0-9.]+) s wall.*/\1/' "$work/sqlite.time")
echo "== ratio relais/sqlite3: $(python3 -c "print(round($r/$s, 2))")  (targets: relais ≤ 20 s, ≤ 300 MB, ratio ≤ 2)"
