#!/usr/bin/env bash
# Times a year of a large département's supplier invoices (INVOICES, default 40,000, from 200
# suppliers) through their life, as the agents would key them: the service fait certified in
# one batch (`relais factures lot --etape service-fait`), liquidated in another (`--etape
# liquider`), then `relais run prepare --kind fournisseurs`, `relais run validate` and `relais
# run export` (PES, pain.001, bordereau, lists, an interest statement per late invoice), against
# the goal in the same run: ≤ 10 s from the liquidation to the export. A tenth of the invoices
# are late, and get an interest mandat. The same run at COMPARE invoices (default 4,000) is
# timed too, to show how it grows.
# Usage: bench/suppliers.sh [INVOICES] [WORKDIR]   (RELAIS=path times that binary). Needs GNU
# time and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
invoices=${1:-40000}
work=${2:-$(mktemp -d)}
compare=${COMPARE:-4000}
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)"; exit 2; }
if [ -n "${RELAIS:-}" ]; then
  relais=$RELAIS
else
  cargo build --release --quiet -p relais-cli
  relais=$(realpath "${CARGO_TARGET_DIR:-target}")/release/relais
fi

# factures.csv for N invoices of the demo's valid suppliers, received over the last 40 days
# (a tenth more than 30 days ago: late); sf.csv and liq.csv, the two batches.
make_invoices() {
  python3 - "$1" "$2" <<'PY'
import csv, datetime, random, sys
n, d = int(sys.argv[1]), sys.argv[2]
random.seed(23)
def luhn(n):
    total = 0
    for i, c in enumerate(reversed(n)):
        v = int(c) * (2 if i % 2 else 1)
        total += v - 9 if v > 9 else v
    return total % 10 == 0
def iban_ok(iban):
    i = iban.replace(" ", "")
    moved = i[4:] + i[:4]
    if int("".join(str(int(c, 36)) for c in moved)) % 97 != 1:
        return False
    if i.startswith("FR") and len(i) == 27:
        letters = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")
        bank, branch, account, key = i[4:9], i[9:14], i[14:25].translate(letters), i[25:27]
        return (89 * int(bank) + 15 * int(branch) + 3 * int(account) + int(key)) % 97 == 0
    return True
# The suppliers the import accepts: the demo writes some flawed on purpose.
rows = list(csv.DictReader(open(f"{d}/data/extracts/fournisseurs.csv", encoding="utf-8")))
seen = {}
for r in rows:
    seen[r["siret"]] = seen.get(r["siret"], 0) + 1
sirets = [r["siret"] for r in rows
          if len(r) >= 8 and r["siret"].isdigit() and len(r["siret"]) == 14 and luhn(r["siret"])
          and seen[r["siret"]] == 1 and (r["raison_sociale"] or "").strip()
          and len((r["code_postal"] or "")) == 5 and len(r["bic"] or "") in (8, 11)
          and iban_ok(r["iban"] or "")]
today = datetime.date.today()
with open(f"{d}/data/extracts/factures.csv", "w", encoding="utf-8", newline="") as out, \
     open(f"{d}/sf.csv", "w", encoding="utf-8") as sf, open(f"{d}/liq.csv", "w", encoding="utf-8") as liq:
    w = csv.writer(out, delimiter=";")
    w.writerow(["facture_id", "siret", "numero", "date_facture", "date_reception",
                "montant_ttc", "engagement", "statut", "marche"])
    sf.write("facture;verifie\n")
    liq.write("facture;nature;fonction\n")
    for i in range(n):
        late = i % 10 == 0
        received = today - datetime.timedelta(days=random.randint(31, 40) if late else random.randint(0, 29))
        fid = f"FB-{i + 1:06d}"
        cents = random.randint(5_000, 2_000_000)
        w.writerow([fid, random.choice(sirets), f"F{i + 1:07d}", received.isoformat(),
                    received.isoformat(), f"{cents // 100},{cents % 100:02d}", "", "a_payer",
                    f"MAR-{i % 50:03d}" if i % 8 == 3 else ""])
        sf.write(f"{fid};bon de livraison\n")
        liq.write(f"{fid};{'2184' if i % 5 == 0 else '6068'};0202\n")
PY
}

timed() {  # timed NAME USER COMMAND...: runs as USER, notes "seconds peak_kb" in NAME.time
  local name=$1 who=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$dir/$name.time" env RELAIS_PASSWORD_FILE="$dir/$who.pw" "$@" > "$dir/$name.txt"
}

bench_one() {
  local n=$1
  dir=$work/fournisseurs-$n
  rm -rf "$dir"; mkdir -p "$dir"
  "$relais" demo --data "$dir/data" --size 20000 --today 2026-11-30 --no-serve >/dev/null
  local who
  for who in admin instruction liquidation ordonnateur; do
    (umask 077; awk -F'\t' -v u=$who '$1 == u { print $2 }' "$dir/data/demo-users.txt" > "$dir/$who.pw")
  done
  make_invoices "$n" "$dir"
  RELAIS_PASSWORD_FILE="$dir/admin.pw" "$relais" import "$dir/data/extracts" --data "$dir/data" --user admin >/dev/null
  sync
  timed service_fait instruction "$relais" factures lot "$dir/sf.csv" --etape service-fait --data "$dir/data" --user instruction
  timed liquidation liquidation "$relais" factures lot "$dir/liq.csv" --etape liquider --data "$dir/data" --user liquidation
  timed prepare liquidation "$relais" run prepare --kind fournisseurs --data "$dir/data" --user liquidation
  local run; run=$(head -n 1 "$dir/prepare.txt")
  timed validate ordonnateur "$relais" run validate "$run" --data "$dir/data" --user ordonnateur
  timed export liquidation "$relais" run export "$run" --data "$dir/data" --user liquidation --out "$dir/out"
  local total=0 peak=0 step t m
  for step in service_fait liquidation prepare validate export; do
    read -r t m < "$dir/$step.time"
    printf "   %-13s %7.2f s  %7d KB peak\n" "$step" "$t" "$m"
    total=$(echo "$total + $t" | bc)
    peak=$(( m > peak ? m : peak ))
  done
  local liquidation_on; liquidation_on=$(echo "$total - $(cut -d' ' -f1 "$dir/service_fait.time")" | bc)
  local mandates; mandates=$(grep -c . "$dir/out/mandats_$run.csv")
  local late; late=$(find "$dir/out/interets" -type f | wc -l)
  echo "   $n invoices: $((mandates - 1)) mandats ($late late, with an interest statement)"
  echo "   liquidation → export: ${liquidation_on} s (goal ≤ 10 s); with the service fait: ${total} s; peak $((peak / 1024)) MB"
}

echo "relais: $relais"
echo "== $invoices invoices"
bench_one "$invoices"
echo "== $compare invoices (reference, same run)"
bench_one "$compare"
