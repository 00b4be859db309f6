#!/usr/bin/env bash
# Times `relais snapshot seal` (check + tar + age + minisign) and `relais snapshot open`
# (verify + decrypt + import) of a demo set, then `relais drill` on the same snapshot, and
# does the same at a smaller size (default 100,000) to show that peak memory does not grow
# with the data. Usage: bench/snapshot.sh [SIZE] [WORKDIR]   (SIZE people, default 1,000,000;
# a demo set already in WORKDIR/demo, as bench/import.sh leaves it, is reused).
# Needs: GNU time (/usr/bin/time). Reports wall seconds and peak RSS of each command.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1000000}
work=${2:-$(mktemp -d)}
compare=${COMPARE_SIZE:-100000}
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)"; exit 2; }

cargo build --release --quiet
relais=$PWD/target/release/relais

# One size: demo set (reused if present), keys, seal, verify, open into a fresh folder, drill.
bench_one() {
  local n=$1 dir=$2
  mkdir -p "$dir"
  if [ ! -d "$dir/demo/extracts" ]; then
    echo "== building a demo set of $n people in $dir/demo"
    /usr/bin/time -f "demo: %e s wall, %M KB peak RSS" \
      "$relais" demo --data "$dir/demo" --size "$n" --seed 77 --today 2026-11-22 --no-serve >/dev/null
  fi
  local extracts="$dir/demo/extracts"
  echo "== $n people: $(cat "$extracts"/*.csv | wc -l) lines in $(du -sh "$extracts" | cut -f1)"

  rm -rf "$dir/keys" "$dir/copie.relais" "$dir/copie.relais.minisig" "$dir/open" "$dir/drill"
  "$relais" snapshot keygen --out "$dir/keys" >/dev/null 2>&1

  # Sealing first runs the extract checker (keys sorted in temporary files, a fixed memory
  # budget): timed alone, it tells the checker's share of the seal's time and memory.
  /usr/bin/time -f "check $n: %e s wall, %M KB peak RSS" -o "$dir/check.time" \
    "$relais" extract check "$extracts" --quiet >/dev/null || true
  cat "$dir/check.time"
  /usr/bin/time -f "seal $n: %e s wall, %M KB peak RSS" -o "$dir/seal.time" \
    "$relais" snapshot seal "$extracts" --recipients "$dir/keys/recipients.txt" \
      --sign-key "$dir/keys/sign.key" --out "$dir/copie.relais" --authority "Bench" >/dev/null 2>&1
  cat "$dir/seal.time"
  echo "   sealed: $(du -h "$dir/copie.relais" | cut -f1)"

  /usr/bin/time -f "verify $n: %e s wall, %M KB peak RSS" -o "$dir/verify.time" \
    "$relais" snapshot verify "$dir/copie.relais" --pubkey "$dir/keys/sign.pub" >/dev/null
  cat "$dir/verify.time"

  printf 'bench-password-0123456789\n' > "$dir/pw"
  "$relais" init --data "$dir/open" --authority "Bench" --siret 73282932000074 --password-file "$dir/pw" >/dev/null
  /usr/bin/time -f "open $n: %e s wall, %M KB peak RSS" -o "$dir/open.time" \
    env RELAIS_PASSWORD_FILE="$dir/pw" "$relais" snapshot open "$dir/copie.relais" --identity "$dir/keys/identity.age" \
      --pubkey "$dir/keys/sign.pub" --data "$dir/open" --user admin >/dev/null
  cat "$dir/open.time"
  "$relais" journal verify --data "$dir/open" >/dev/null

  mkdir -p "$dir/drill"
  # The drill exits 1 when not ready (the demo's deliberately bad rows): timing is the point.
  /usr/bin/time -f "drill $n: %e s wall, %M KB peak RSS" -o "$dir/drill.time" \
    "$relais" drill "$dir/copie.relais" --identity "$dir/keys/identity.age" \
      --pubkey "$dir/keys/sign.pub" --work "$dir/drill" --json > "$dir/drill.json" || true
  cat "$dir/drill.time"
  rm -rf "$dir/open" "$dir/drill"
}

bench_one "$size" "$work"
if [ "$compare" != "$size" ] && [ "$compare" != 0 ]; then
  bench_one "$compare" "$work/compare"
fi

echo "== summary (targets at 1,000,000 people: seal ≤ 30 s, open ≤ 40 s; peak RSS flat with size)"
for d in "$work" "$work/compare"; do
  if [ -f "$d/seal.time" ]; then
    grep -h wall "$d/check.time" "$d/seal.time" "$d/verify.time" "$d/open.time" "$d/drill.time"
  fi
done
