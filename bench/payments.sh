#!/usr/bin/env bash
# Times a payment run at national scale: `relais run prepare` + `relais run export` of the PES
# and pain.001 files, then the full export with its documents, over about 2,000,000 rights (target: ≤ 20 s together, peak RSS ≤ 300 MB
# and not growing with the number of rights: the same run at COMPARE_SIZE people is timed
# too); then the same bytes written by `dd`, through the page cache and by direct I/O (how
# close to the disk we are); then Python's `sepaxml` against `relais bench pain001` on the
# same 100,000 transfers (Relais must be at least 20 times faster).
# Usage: bench/payments.sh [PEOPLE] [WORKDIR]   (default 1,700,000 people ≈ 2,000,000 rights;
# a demo already in WORKDIR/pay-PEOPLE is reused; PAIN_ONLY=1 runs only the sepaxml
# comparison, NO_PAIN=1 skips it; COMPARE_SIZE=0 skips the second size; RELAIS=path times that
# binary instead of building one, to compare an old and a new binary in turn). Needs GNU
# time, bc, python3 with venv, xmllint.
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-1700000}
work=${2:-$(mktemp -d)}
compare=${COMPARE_SIZE:-170000}
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)"; exit 2; }

if [ -n "${RELAIS:-}" ]; then
  relais=$RELAIS
else
  cargo build --release --quiet -p relais-cli
  relais=$(realpath "${CARGO_TARGET_DIR:-target}")/release/relais
fi
month=2026-12

# One size: demo (reused), a fresh copy of its data, prepare, validate, export.
bench_one() {
  local n=$1 dir=$work/pay-$1
  mkdir -p "$dir"
  if [ ! -f "$dir/demo/relais.db" ]; then
    echo "== building a demo of $n people in $dir/demo"
    /usr/bin/time -f "demo + import: %e s wall, %M KB peak RSS" \
      "$relais" demo --data "$dir/demo" --size "$n" --seed 77 --today 2026-11-30 --no-serve >/dev/null
  fi
  rm -rf "$dir/data" "$dir/out"
  cp -r "$dir/demo" "$dir/data"
  # The copy is written back before anything is timed (else its writeback competes).
  sync
  # Commands that change data authenticate their --user (#19): the demo's passwords, one
  # file per account, 0600.
  local who
  for who in liquidation ordonnateur; do
    (umask 077; awk -F'\t' -v u=$who '$1 == u { print $2 }' "$dir/data/demo-users.txt" > "$dir/$who.pw")
  done
  local rights
  rights=$(sqlite3 "$dir/data/relais.db" 'SELECT count(*) FROM rights' 2>/dev/null || echo '?')
  echo "== $n people, $rights rights"
  # A demo made by an older binary is migrated when first opened: done here, outside the
  # timed commands (an upgrade migrates once, not at every run).
  /usr/bin/time -f "%e" -o "$dir/migrate.time" "$relais" run list --data "$dir/data" >/dev/null
  echo "   opening (and migrating) the copied demo: $(cat "$dir/migrate.time") s"
  /usr/bin/time -f "%e %M" -o "$dir/prepare.time" \
    env RELAIS_PASSWORD_FILE="$dir/liquidation.pw" "$relais" run prepare --data "$dir/data" --month $month \
      --benefits APA_DOM,APA_ETAB,PCH,ASH,RSA --user liquidation > "$dir/prepare.txt"
  local run
  run=$(head -n 1 "$dir/prepare.txt")
  RELAIS_PASSWORD_FILE="$dir/ordonnateur.pw" \
    "$relais" run validate "$run" --data "$dir/data" --user ordonnateur >/dev/null
  /usr/bin/time -f "%e %M" -o "$dir/export.time" \
    env RELAIS_PASSWORD_FILE="$dir/liquidation.pw" "$relais" run export "$run" --data "$dir/data" --user liquidation --out "$dir/out" \
      --payment-files-only > /dev/null
  read -r pt pm < "$dir/prepare.time"
  read -r et em < "$dir/export.time"
  local lines bytes
  lines=$(grep -m1 'lignes,' "$dir/prepare.txt")
  bytes=$(cat "$dir/out"/PES_*.xml "$dir/out"/pain001_*.xml | wc -c)
  echo "   run $run: $lines"
  echo "   prepare: $pt s, $((pm / 1024)) MB peak RSS"
  echo "   export PES + pain.001: $et s, $((em / 1024)) MB peak RSS, $((bytes / 1048576)) MB written"
  echo "   prepare + export: $(echo "$pt + $et" | bc) s"
  # The full export, as the paierie gets it: payment files, control report, bordereau PDF,
  # per-payee statements, SHA256SUMS (issue #17: prepare + this ≤ 20 s, ≤ 300 MB).
  rm -rf "$dir/full"
  /usr/bin/time -f "%e %M" -o "$dir/full.time" \
    env RELAIS_PASSWORD_FILE="$dir/liquidation.pw" "$relais" run export "$run" --data "$dir/data" --user liquidation --out "$dir/full" > /dev/null
  read -r ft fm < "$dir/full.time"
  echo "   full export (payment files + documents): $ft s, $((fm / 1024)) MB peak RSS, $(find "$dir/full" -type f | wc -l) files"
  echo "   prepare + full export: $(echo "$pt + $ft" | bc) s"
  # The same bytes with dd, synced as the export syncs.
  local mb=$(( (bytes + 1048575) / 1048576 ))
  /usr/bin/time -f "%e" -o "$dir/dd.time" \
    dd if=/dev/zero of="$dir/dd.bin" bs=1M count=$mb conv=fsync status=none
  echo "   dd of the same $mb MB (fsync): $(cat "$dir/dd.time") s"
  rm -f "$dir/dd.bin"
  # And by direct I/O, as the export writes its files where the file system allows it.
  /usr/bin/time -f "%e" -o "$dir/dd.time" \
    dd if=/dev/zero of="$dir/dd.bin" bs=1M count=$mb oflag=direct conv=fsync status=none
  echo "   dd of the same $mb MB (direct I/O, fsync): $(cat "$dir/dd.time") s"
  rm -f "$dir/dd.bin"
}

if [ "${PAIN_ONLY:-0}" != 1 ]; then   # PAIN_ONLY=1: only the sepaxml comparison
  bench_one "$people"
  [ "$compare" = 0 ] || bench_one "$compare"
fi
[ "${NO_PAIN:-0}" != 1 ] || exit 0

# sepaxml against relais on the same 100,000 transfers.
venv=$work/sepavenv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet sepaxml
fi
"$venv/bin/python" - "$work/transfers.csv" <<'PY'
import csv, random, sys
random.seed(77)
first = ["Jeanne", "Élodie", "Łukasz", "François", "Anaïs", "Noël"]
last = ["Müller", "Dupont", "L'Hôpital", "Øster", "Durand & Fils", "Petit"]
def iban(n):
    bban = "30004" + "00001" + f"{n:011d}" + "00"
    # RIB key then IBAN check digits.
    key = 97 - (int("3000400001" + f"{n:011d}") * 100) % 97
    bban = "30004" + "00001" + f"{n:011d}" + f"{key:02d}"
    digits = "".join(str(int(c, 36)) for c in bban + "FR00")
    return f"FR{98 - int(digits) % 97:02d}{bban}"
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["nom", "iban", "bic", "montant_centimes", "libelle"])
    for i in range(100_000):
        w.writerow([f"{random.choice(first)} {random.choice(last)}", iban(i + 1), "BNPAFRPP",
                    random.randint(1, 300_000), f"APA 2026-12 dossier D{i:07d}"])
PY
# Both sides read and check the CSV first, then write: the writing is timed apart, as is the
# whole (Relais also fsyncs its file; sepaxml does not).
"$venv/bin/python" - "$work/transfers.csv" "$work/sepaxml.xml" > "$work/sepaxml.txt" <<'PY'
import csv, datetime, sys, time
from sepaxml import SepaTransfer
started = time.perf_counter()
config = {"name": "DEPARTEMENT DE MESURE", "IBAN": "FR7630001007941234567890185",
          "BIC": "BDFEFRPPXXX", "batch": True, "currency": "EUR"}
with open(sys.argv[1], newline="") as f:
    rows = list(csv.DictReader(f))
read = time.perf_counter()
sepa = SepaTransfer(config, schema="pain.001.001.09", clean=True)
for row in rows:
    sepa.add_payment({"name": row["nom"], "IBAN": row["iban"], "BIC": row["bic"],
                      "amount": int(row["montant_centimes"]),
                      "execution_date": datetime.date(2026, 12, 10),
                      "description": row["libelle"]})
xml = sepa.export(validate=False)
with open(sys.argv[2], "wb") as out:
    out.write(xml)
done = time.perf_counter()
print(f"{done - started:.3f} {done - read:.3f} {len(xml)}")
PY
read -r py_all py_write py_bytes < "$work/sepaxml.txt"
relais_line=$("$relais" bench pain001 --transfers "$work/transfers.csv" --out "$work/relais-pain.xml")
echo "$relais_line"
# "… 0.255 s (lecture et contrôle du CSV 0.122 s, écriture et fsync 0.132 s)"
read -r rs_all rs_write < <(echo "$relais_line" | sed -E 's/.*octets, ([0-9.]+) s .*écriture et fsync ([0-9.]+) s.*/\1 \2/')
echo "sepaxml: 100000 transfers, $py_bytes bytes, $py_all s in all, $py_write s writing"
echo "relais:  $rs_all s in all, $rs_write s writing (with fsync)"
echo "relais is $(echo "scale=1; $py_all / $rs_all" | bc)x faster in all, $(echo "scale=1; $py_write / $rs_write" | bc)x faster writing (goal: 20x)"
xmllint --noout --schema ../shared/xsd/pain/pain.001.001.09.xsd "$work/relais-pain.xml"
