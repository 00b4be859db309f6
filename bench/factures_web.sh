#!/usr/bin/env bash
# Load test of the suppliers' invoices by deadline on the web (issue #23: the list of 40,000
# invoices answers in ≤ 50 ms p99): a demo whose `factures.csv` is grown to INVOICES invoices
# (default 40,000, a year of a large département; received over the last 100 days, so that a
# third are late), a quarter of them certified and an eighth liquidated through the web's own
# forms, served by `relais serve`; then REQUESTS (default 200) GETs of each: the list's first
# page, a later page, an invoice's page, each on one connection then on 8 at once; and the
# first page right after a change (a step recorded), when the list is computed again. Prints
# p50/p90/p99/max in milliseconds. With RELAIS_REF=path, the same requests against that binary
# (on a copy of the same data) are printed beside, as the reference.
# Usage: bench/factures_web.sh [INVOICES] [WORKDIR]   (a store already in WORKDIR/data is
# reused; RELAIS=path times that binary). Needs: curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
invoices=${1:-40000}
work=${2:-$(mktemp -d)}
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
data=$work/data
password() { awk -F'\t' -v l="$1" '$1 == l { print $2 }' "$data/demo-users.txt"; }

if [ ! -f "$data/relais.db" ]; then
  echo "== a demo of 40,000 people, its factures.csv grown to $invoices invoices, in $data"
  "$relais" demo --data "$data" --size 40000 --seed 77 --no-serve >/dev/null
  # The demo's invoices (and their steps) stay; the others are copies of its valid rows with
  # their own id, number and amount, received over the last 100 days.
  python3 - "$data/extracts" "$invoices" <<'PY'
import csv, datetime, random, sys
folder, total = sys.argv[1], int(sys.argv[2])
random.seed(23)
suppliers = {r["siret"] for r in csv.DictReader(open(f"{folder}/fournisseurs.csv", encoding="utf-8"))}
lines = open(f"{folder}/factures.csv", encoding="utf-8").read().splitlines()
rows = [l.split(";") for l in lines[1:]]
valid = [r for r in rows if len(r) == 8 and r[1] in suppliers]
today = datetime.date.today()
with open(f"{folder}/factures.csv", "a", encoding="utf-8") as out:
    for i in range(total - len(rows)):
        siret = random.choice(valid)[1]
        received = today - datetime.timedelta(days=random.randrange(0, 100))
        invoiced = received - datetime.timedelta(days=random.randrange(0, 8))
        cents = random.choice([random.randrange(2_000, 200_000), random.randrange(200_000, 5_000_000)])
        amount = f"{cents // 100},{cents % 100:02d}"
        out.write(f"FAC-B-{i + 1:06d};{siret};B{i + 1:06d};{invoiced};{received};{amount};;a_payer\n")
PY
  (umask 077; password admin > "$work/admin.pw")
  "$relais" import "$data/extracts" --data "$data" --user admin --password-file "$work/admin.pw" >/dev/null || true
fi

# One server on `$1`'s binary, its data folder `$2`: its pid in $server.
start() {
  "$1" serve --data "$2" --bind "127.0.0.1:$port" >/dev/null &
  server=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.2; done
}
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap stop EXIT

# Requests by python's http.client, kept alive: sign in (the form's token is bound to a
# cookie), the steps through the web's forms, then the timed GETs.
cat > "$work/load.py" <<'PY'
import http.client, re, sys, threading, time, urllib.parse
port, users_file, mode, requests = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
users = dict(l.split("\t")[:2] for l in open(users_file, encoding="utf-8") if l.strip() and not l.startswith("#"))

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
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', self.get("/")[0]).group(1)
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
    def step(self, invoice, what, **fields):
        status, _ = self.post(f"/factures/{urllib.parse.quote(invoice)}/{what}",
                              urllib.parse.urlencode({"csrf_token": self.csrf, **fields}))
        return status == 303
    def timed(self, path):
        start = time.perf_counter()
        body, _ = self.get(path)
        took = (time.perf_counter() - start) * 1000
        if "<h1" not in body:
            raise SystemExit(f"GET {path}: no page")
        return took

def figures(name, ms):
    ms = sorted(ms)
    q = lambda p: ms[min(len(ms) - 1, int(round(p / 100 * len(ms))) - 1)]
    print(f"   {name:<44} p50 {q(50):7.1f}  p90 {q(90):7.1f}  p99 {q(99):7.1f}  max {ms[-1]:7.1f} ms  ({len(ms)})")

ids = lambda body: re.findall(r'<a href="/factures/([^"?]+)">', body)
if mode == "steps":
    # A quarter certified by the instruction agent, half of those liquidated by another agent.
    inst, liq = Agent("instruction"), Agent("liquidation")
    first = inst.get("/factures?page=1")[0]
    pages = int(re.search(r"Page 1 sur (\d+)", first).group(1))
    done = 0
    for page in range(1, pages + 1, 4):
        for n, invoice in enumerate(ids(inst.get(f"/factures?page={page}")[0])):
            # Those the demo certified already are refused: left as they are.
            if inst.step(invoice, "service-fait", verifie="bon de livraison signé", montant=""):
                done += 1
                if n % 2 == 0:
                    liq.step(invoice, "liquider", nature="6068", fonction="0202", montant="")
    print(f"   {done} invoices certified through the web, half of them liquidated")
    sys.exit(0)

agent = Agent("liquidation")
first = agent.get("/factures")[0]
pages = int(re.search(r"Page 1 sur (\d+)", first).group(1)) if "sur " in first else 1
later = f"/factures?page={max(1, pages * 3 // 4)}"
invoice = f"/factures/{ids(first)[0]}"
total = re.search(r"<strong>([\d\u202f\u00a0 ]+) factures</strong>", first)
print(f"   list of {total.group(1) if total else '?'} invoices, {pages} page(s)")
for name, path in (("page 1 (/factures)", "/factures"), (f"a later page ({later})", later), ("an invoice's page", invoice)):
    agent.timed(path)
    figures(f"{name}, 1 connection", [agent.timed(path) for _ in range(requests)])
    results, agents = [], [Agent("liquidation") for _ in range(8)]
    def run(a):
        mine = [a.timed(path) for _ in range(requests // 8)]
        results.extend(mine)
    threads = [threading.Thread(target=run, args=(a,)) for a in agents]
    [t.start() for t in threads]
    [t.join() for t in threads]
    figures(f"{name}, 8 connections", results)
# The list computed again: each time after a step recorded (a suspension, then its resumption).
target = ids(agent.get(later)[0])[0]
after = []
for i in range(20):
    if not agent.step(target, "suspendre" if i % 2 == 0 else "reprendre", motif="pièce manquante"):
        raise SystemExit(f"the step on {target} was refused")
    after.append(agent.timed("/factures"))
figures("page 1 right after a change (computed again)", after)
PY

run_bench() {
  local binary=$1 folder=$2
  start "$binary" "$folder"
  if [ ! -f "$folder/.steps-done" ]; then
    python3 "$work/load.py" "$port" "$folder/demo-users.txt" steps 0
    touch "$folder/.steps-done"
  fi
  python3 "$work/load.py" "$port" "$folder/demo-users.txt" time "$requests"
  stop
}

echo "== $relais ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
run_bench "$relais" "$data"
if [ -n "${RELAIS_REF:-}" ]; then
  rm -rf "$work/ref"; cp -a "$data" "$work/ref"
  echo "== reference: $RELAIS_REF"
  run_bench "$RELAIS_REF" "$work/ref"
fi
