#!/usr/bin/env bash
# Times the agents' payroll of a month at the scale of a national employer: `relais run prepare
# --kind paie` + `relais run export` (PES, pain.001, état liquidatif, deferred variables, one
# payslip PDF per agent and the files to print) for AGENTS agents (default 50,000, ten times a
# large département), against the goal in the same run: ≤ 30 s together, peak RSS ≤ 300 MB and
# flat in the number of agents (the same month at COMPARE agents, default 5,000, is timed too).
# Usage: bench/payroll.sh [AGENTS] [WORKDIR]   (RELAIS=path times that binary). Needs GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
agents=${1:-50000}
work=${2:-$(mktemp -d)}
compare=${COMPARE:-5000}
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)"; exit 2; }
if [ -n "${RELAIS:-}" ]; then
  relais=$RELAIS
else
  cargo build --release --quiet -p relais-cli
  relais=$(realpath "${CARGO_TARGET_DIR:-target}")/release/relais
fi

bench_one() {
  local n=$1 dir=$work/paie-$1
  rm -rf "$dir"; mkdir -p "$dir"
  /usr/bin/time -f "   demo + import: %e s, %M KB peak" \
    "$relais" demo --data "$dir/data" --size 20000 --agents "$n" --today 2026-11-30 --no-serve >/dev/null
  local who
  for who in liquidation ordonnateur; do
    (umask 077; awk -F'\t' -v u=$who '$1 == u { print $2 }' "$dir/data/demo-users.txt" > "$dir/$who.pw")
  done
  sync
  /usr/bin/time -f "%e %M" -o "$dir/prepare.time" env RELAIS_PASSWORD_FILE="$dir/liquidation.pw" \
    "$relais" run prepare --kind paie --month 2026-12 --data "$dir/data" --user liquidation > "$dir/prepare.txt"
  local run; run=$(head -n 1 "$dir/prepare.txt")
  RELAIS_PASSWORD_FILE="$dir/ordonnateur.pw" "$relais" run validate "$run" --data "$dir/data" --user ordonnateur >/dev/null
  /usr/bin/time -f "%e %M" -o "$dir/export.time" env RELAIS_PASSWORD_FILE="$dir/liquidation.pw" \
    "$relais" run export "$run" --data "$dir/data" --user liquidation --out "$dir/out" >/dev/null
  read -r pt pm < "$dir/prepare.time"; read -r et em < "$dir/export.time"
  local total; total=$(echo "$pt + $et" | bc)
  local peak=$(( pm > em ? pm : em ))
  local files; files=$(find "$dir/out" -type f | wc -l)
  echo "== $n agents: prepare $pt s ($((pm / 1024)) MB), export $et s ($((em / 1024)) MB, $files files, $(du -sh "$dir/out" | cut -f1))"
  echo "   prepare + export: $total s (goal ≤ 30 s), peak $((peak / 1024)) MB (goal ≤ 300 MB)"
}

bench_one "$agents"
[ "$compare" != 0 ] && bench_one "$compare"
