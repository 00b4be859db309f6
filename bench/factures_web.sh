#!/usr/bin/env bash
# Load test of the suppliers' invoices by deadline on the web (issue #23: the list of 40,000
# invoices answers in ≤ 50 ms p99): a demo whose `factures.csv` is grown to INVOICES invoices
# (default 40,000, a year of a large département, received over the last 100 days so that
# two thirds are late), a quarter of them certified and an eighth liquidated (`relais factures
# lot`), served by `relais serve`. Then REQUESTS (default 200) GETs of each — the list's first
# page, a later page, an invoice's page — on one connection, then on 8 at once; the first page
# right after a step recorded, an invoice deposited at the courrier, a supplier run prepared
# or cancelled (each folded into the list kept, or changing nothing of it); and right after
# the extracts imported again, when the list is read whole (as after a run's validation).
# Prints p50/p90/p99/max in milliseconds; the same at COMPARE invoices
# (default 4,000) in the same run, to show how it grows. With RELAIS_REF=path, the same
# requests on a copy of the same data against that binary (the reference).
# Usage: bench/factures_web.sh [INVOICES] [WORKDIR]   (stores already in WORKDIR are reused;
# RELAIS=path times that binary). Needs: curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
invoices=${1:-40000}
work=${2:-$(mktemp -d)}
compare=${COMPARE:-4000}
requests=${REQUESTS:-200}
port=${PORT:-18081}
for tool in curl python3; do
  command -v $tool >/dev/null || { echo "$tool is needed"; exit 2; }
done
if [ -n "${RELAIS:-}" ]; then
  relais=$RELAIS
else
  cargo build --release --quiet -p relais-cli
  relais=$(realpath "${CARGO_TARGET_DIR:-target}")/release/relais
fi

# build N DIR: the demo, its factures.csv grown to N invoices (copies of its valid rows with
# their own id, number and amount); the batches of steps on the invoices added.
build() {
  local n=$1 dir=$2 who
  "$relais" demo --data "$dir/data" --size 20000 --seed 77 --no-serve >/dev/null
  for who in admin instruction liquidation; do
    (umask 077; awk -F'\t' -v u=$who '$1 == u { print $2 }' "$dir/data/demo-users.txt" > "$dir/$who.pw")
  done
  python3 - "$dir" "$n" <<'PY'
import csv, datetime, random, sys
d, total = sys.argv[1], int(sys.argv[2])
random.seed(23)
with open(f"{d}/data/extracts/fournisseurs.csv", encoding="utf-8") as f:
    suppliers = {r["siret"] for r in csv.DictReader(f)}
with open(f"{d}/data/extracts/factures.csv", encoding="utf-8") as f:
    header, *rows = [l.split(";") for l in f.read().splitlines()]
valid = [r[1] for r in rows if len(r) == len(header) and r[1] in suppliers]
extra = ";" * (len(header) - 8)  # the columns after `statut`, left empty
today = datetime.date.today()
with open(f"{d}/data/extracts/factures.csv", "a", encoding="utf-8") as out, \
     open(f"{d}/sf.csv", "w", encoding="utf-8") as sf, open(f"{d}/liq.csv", "w", encoding="utf-8") as liq:
    sf.write("facture;verifie\n")
    liq.write("facture;nature;fonction\n")
    for i in range(total - len(rows)):
        fid = f"FAC-B-{i + 1:06d}"
        received = today - datetime.timedelta(days=random.randrange(0, 100))
        invoiced = received - datetime.timedelta(days=random.randrange(0, 8))
        cents = random.choice([random.randrange(2_000, 200_000), random.randrange(200_000, 5_000_000)])
        out.write(f"{fid};{random.choice(valid)};B{i + 1:06d};{invoiced};{received};"
                  f"{cents // 100},{cents % 100:02d};;a_payer{extra}\n")
        if i % 4 == 0:
            sf.write(f"{fid};bon de livraison signé\n")
        if i % 8 == 0:
            liq.write(f"{fid};6068;0202\n")
PY
  RELAIS_PASSWORD_FILE="$dir/admin.pw" "$relais" import "$dir/data/extracts" --data "$dir/data" --user admin >/dev/null || true
  RELAIS_PASSWORD_FILE="$dir/instruction.pw" "$relais" factures lot "$dir/sf.csv" --etape service-fait \
    --data "$dir/data" --user instruction >/dev/null
  RELAIS_PASSWORD_FILE="$dir/liquidation.pw" "$relais" factures lot "$dir/liq.csv" --etape liquider \
    --data "$dir/data" --user liquidation >/dev/null
}

# Requests by python's http.client, kept alive: sign in as an agent does (the login form's
# token is bound to a cookie), then the timed GETs.
cat > "$work/load.py" <<'PY'
import csv, http.client, re, subprocess, sys, threading, time, urllib.parse
port, data, requests, relais, admin = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
users = dict(l.split("\t")[:2] for l in open(f"{data}/demo-users.txt", encoding="utf-8") if l.strip() and not l.startswith("#"))
siret = next(csv.DictReader(open(f"{data}/extracts/fournisseurs.csv", encoding="utf-8")))["siret"]
cookies = lambda headers: " ".join(headers.get_all("Set-Cookie") or [])

class Agent:
    def __init__(self, login):
        self.c = http.client.HTTPConnection("127.0.0.1", port)
        body, headers = self.get("/login", cookie="")
        pre = re.search(r"(relais_login=[^;]+)", cookies(headers)).group(1)
        token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
        form = urllib.parse.urlencode({"login": login, "password": users[login], "csrf_token": token})
        _, headers = self.post("/login", form, cookie=pre)
        self.cookie = re.search(r"(relais_session=[^;]+)", cookies(headers)).group(1)
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', self.get("/annuaire")[0]).group(1)
    def get(self, path, cookie=None):
        self.c.request("GET", path, headers={"Cookie": self.cookie if cookie is None else cookie})
        r = self.c.getresponse()
        return r.read().decode(), r.headers
    def post(self, path, form, cookie=None):
        self.c.request("POST", path, body=form, headers={"Cookie": self.cookie if cookie is None else cookie,
                       "Content-Type": "application/x-www-form-urlencoded"})
        r = self.c.getresponse()
        r.read()
        return r.status, r.headers
    def send(self, path, **fields):
        status, _ = self.post(path, urllib.parse.urlencode({"csrf_token": self.csrf, **fields}))
        if status != 303:
            raise SystemExit(f"POST {path}: {status}")
    def timed(self, path):
        start = time.perf_counter()
        body, _ = self.get(path)
        took = (time.perf_counter() - start) * 1000
        if "<h1" not in body:
            raise SystemExit(f"GET {path}: no page")
        return took

def figures(name, ms):
    ms = sorted(ms)
    q = lambda p: ms[min(len(ms) - 1, max(0, int(round(p / 100 * len(ms))) - 1))]
    print(f"   {name:<52} p50 {q(50):6.1f}  p90 {q(90):6.1f}  p99 {q(99):6.1f}  max {ms[-1]:6.1f} ms")

ids = lambda body: re.findall(r'<a href="/factures/([^"?]+)">', body)
agent = Agent("liquidation")
first = agent.get("/factures")[0]
pages = int(re.search(r"Page 1 sur (\d+)", first).group(1)) if "Page 1 sur" in first else 1
later = f"/factures?page={max(1, pages * 3 // 4)}"
shown = len(ids(first))
print(f"   {shown} invoices on the first page, {pages} page(s)")
for name, path in (("page 1", "/factures"), (f"page {max(1, pages * 3 // 4)}", later),
                   ("an invoice's page", f"/factures/{ids(first)[0]}")):
    agent.timed(path)
    figures(f"{name}, 1 connection", [agent.timed(path) for _ in range(requests)])
    results, agents = [], [Agent("liquidation") for _ in range(8)]
    def run(a):
        results.extend(a.timed(path) for _ in range(requests // 8))
    threads = [threading.Thread(target=run, args=(a,)) for a in agents]
    [t.start() for t in threads]
    [t.join() for t in threads]
    figures(f"{name}, 8 connections", results)
# After a step recorded (a suspension, then its resumption): folded into the list kept.
target = ids(agent.get(later)[0])[-1]
after = []
for i in range(40):
    agent.send(f"/factures/{urllib.parse.quote(target)}/{'suspendre' if i % 2 == 0 else 'reprendre'}",
               motif="pièce manquante")
    after.append(agent.timed("/factures"))
figures("page 1 right after a step recorded", after)
# After an invoice deposited at the courrier: added to the list kept.
courrier, again = Agent("courrier"), []
for i in range(20):
    courrier.send("/courrier", kind="facture", depositor="SARL Banc d'essai", siret=siret,
                  invoice_number=f"BANC-{time.time_ns()}", amount="123,45")
    again.append(agent.timed("/factures"))
figures("page 1 right after an invoice deposited", again)
# After a supplier run prepared, then cancelled: nothing to read again.
runs = []
for i in range(10):
    status, headers = agent.post("/fournisseurs/paiement", urllib.parse.urlencode({"csrf_token": agent.csrf}))
    if status != 303:
        break
    runs.append(agent.timed("/factures"))
    agent.send(f"{headers['Location'].split('?')[0]}/annuler", motif="banc d'essai")
    runs.append(agent.timed("/factures"))
if runs:
    figures("page 1 right after a run prepared or cancelled", runs)
# After the extracts imported again (`relais import`): the list read whole.
whole = []
for i in range(5):
    subprocess.run([relais, "import", f"{data}/extracts", "--data", data, "--user", "admin",
                    "--password-file", admin], check=True, capture_output=True)
    whole.append(agent.timed("/factures"))
figures("page 1 right after an import (read whole)", whole)
PY

# serve DIR BINARY: serves DIR's data with BINARY, in the background ($server).
serve() {
  "$2" serve --data "$1/data" --bind "127.0.0.1:$port" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.1; done
}

# bench DIR BINARY ADMIN_PASSWORD_FILE: times BINARY serving DIR's data.
bench() {
  serve "$1" "$2"
  python3 "$work/load.py" "$port" "$1/data" "$requests" "$2" "$3" || true
  kill "$server"; wait "$server" 2>/dev/null || true
}

echo "relais: $relais ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)); goal: page 1 p99 ≤ 50 ms at 40,000"
for n in "$invoices" "$compare"; do
  [ "$n" = 0 ] && continue
  dir=$work/factures-$n
  if [ ! -f "$dir/data/relais.db" ]; then
    mkdir -p "$dir"
    build "$n" "$dir"
  fi
  echo "== $n invoices"
  bench "$dir" "$relais" "$dir/admin.pw"
  if [ -n "${RELAIS_REF:-}" ]; then
    rm -rf "$dir/ref"; mkdir -p "$dir/ref"; cp -a "$dir/data" "$dir/ref/data"
    echo "== $n invoices, reference $RELAIS_REF"
    bench "$dir/ref" "$RELAIS_REF" "$dir/admin.pw"
  fi
done
