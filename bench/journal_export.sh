#!/usr/bin/env bash
# Times `relais journal export` and `relais journal apply` (issue #24: 1,000,000 events
# exported in ≤ 10 s and ≤ 200 MB peak RSS, applied in ≤ 30 s) on a small demo whose journal
# is filled with COUNT synthetic events of the kinds the crisis writes most (deposits, main
# courante, invoice steps, payroll changes: `relais bench journal`, hidden, a valid chain).
# The export is applied into a second, fresh demo folder. Prints each figure beside its goal
# and its reference (sqlite3 dumping the same entries as JSON; sqlite3 copying them).
# Usage: bench/journal_export.sh [COUNT] [WORKDIR]   (default 1,000,000; RELAIS=path times that
# binary instead of building one). Needs GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
work=${2:-$(mktemp -d)}
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)"; exit 2; }

if [ -n "${RELAIS:-}" ]; then
  relais=$RELAIS
else
  cargo build --release --quiet -p relais-cli
  relais=$(realpath "${CARGO_TARGET_DIR:-target}")/release/relais
fi
dir=$work/journal-$count
rm -rf "$dir"
mkdir -p "$dir"
for side in source target; do
  "$relais" demo --data "$dir/$side" --size 200 --agents 10 --seed 77 --no-serve >/dev/null
  (umask 077; awk -F'\t' '$1 == "admin" { print $2 }' "$dir/$side/demo-users.txt" > "$dir/$side.pw")
done
/usr/bin/time -f "%e" -o "$dir/generate.time" \
  "$relais" bench journal --data "$dir/source" --count "$count" >/dev/null
echo "== $count synthetic events appended in $(cat "$dir/generate.time") s"
sync

/usr/bin/time -f "%e %M" -o "$dir/export.time" \
  env RELAIS_PASSWORD_FILE="$dir/source.pw" \
  "$relais" journal export --data "$dir/source" --out "$dir/export" --user admin > "$dir/export.txt"
read -r te me < "$dir/export.time"
events=$(($(wc -l < "$dir/export/evenements.jsonl") - 1))
(cd "$dir/export" && sha256sum -c --quiet SHA256SUMS)
sync

# The references, in the same run: the database's own JSON dump of the same entries (sqlite3
# -json, no envelope, no CSVs, no sums), and sqlite3 copying them into a fresh table of the
# target (no hash checked, no projection).
from=$(sed -n 's/.*après l.entrée n° \([0-9]*\).*/\1/p' "$dir/export.txt" | head -n 1)
/usr/bin/time -f "%e %M" -o "$dir/ref-export.time" \
  sqlite3 -json "$dir/source/relais.db" "SELECT * FROM journal WHERE seq > ${from:-0} ORDER BY seq" > "$dir/ref-export.json"
read -r tre mre < "$dir/ref-export.time"
cp "$dir/target/relais.db" "$dir/ref-target.db"
/usr/bin/time -f "%e %M" -o "$dir/ref-apply.time" \
  sqlite3 "$dir/ref-target.db" "ATTACH '$dir/source/relais.db' AS s; CREATE TABLE copied AS SELECT * FROM s.journal WHERE seq > ${from:-0};"
read -r tra mra < "$dir/ref-apply.time"
rm -f "$dir/ref-target.db" "$dir/ref-export.json"

/usr/bin/time -f "%e %M" -o "$dir/apply.time" \
  env RELAIS_PASSWORD_FILE="$dir/target.pw" \
  "$relais" journal apply "$dir/export" --data "$dir/target" --user admin > "$dir/apply.txt"
read -r ta ma < "$dir/apply.time"
cat "$dir/export.txt" | head -n 1
cat "$dir/apply.txt"
/usr/bin/time -f "%e" -o "$dir/again.time" \
  env RELAIS_PASSWORD_FILE="$dir/target.pw" \
  "$relais" journal apply "$dir/export" --data "$dir/target" --user admin > "$dir/again.txt"
grep -q "0 nouvel événement" "$dir/again.txt" || { echo "FAILED: the second apply changed something"; exit 1; }

printf '\n%-34s %12s %12s %14s\n' "$events events" "measured" "goal" "reference"
printf '%-34s %10s s %10s s %12s s\n' "export, time" "$te" "10" "$tre"
printf '%-34s %9s MB %9s MB %11s MB\n' "export, peak RSS" "$((me / 1024))" "200" "$((mre / 1024))"
printf '%-34s %10s s %10s s %12s s\n' "apply, time" "$ta" "30" "$tra"
printf '%-34s %9s MB\n' "apply, peak RSS" "$((ma / 1024))"
printf '%-34s %10s s\n' "apply again (nothing new)" "$(cat "$dir/again.time")"
printf '%-34s %9s MB\n' "evenements.jsonl" "$(( $(stat -c %s "$dir/export/evenements.jsonl") / 1048576 ))"
