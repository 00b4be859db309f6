#!/usr/bin/env bash
# Load test of the web interface on a demo store (default 1,000,000 people) with `wrk`
# (Debian package) over loopback, 32 connections: the desk search (`/accueil?q=…`, random
# beginnings of real names typed without accents), the person page (`/personne/…`, random
# files), and deposit registration (`POST /courrier`, each a durable commit and a signed
# receipt code), each for DURATION seconds; reports wrk's latency percentiles (p99 goal
# ≤ 50 ms for the reads) and requests per second (goal ≥ 500 deposits/s).
# Usage: bench/web.sh [SIZE] [WORKDIR]   (a demo already in WORKDIR/demo is reused).
# Needs: wrk, sqlite3 (to sample names), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1000000}
work=${2:-$(mktemp -d)}
duration=${DURATION:-20}
port=${PORT:-18080}
for tool in wrk sqlite3 curl python3; do
  command -v $tool >/dev/null || { echo "$tool is needed"; exit 2; }
done
cargo build --release --quiet
relais=$PWD/target/release/relais
if [ ! -f "$work/demo/relais.db" ]; then
  echo "== building a demo of $size people in $work/demo"
  "$relais" demo --data "$work/demo" --size "$size" --seed 77 --today 2026-11-22 --no-serve >/dev/null
fi
"$relais" serve --data "$work/demo" --bind "127.0.0.1:$port" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.5; done
# Sign in: the form's CSRF token is bound to a cookie. Prints "cookie<TAB>csrf".
sign_in() {
  local login=$1 password jar=$work/cookies-$1.txt token home
  password=$(awk -F'\t' -v l="$login" '$1 == l { print $2 }' "$work/demo/demo-users.txt")
  token=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "login=$login" \
    --data-urlencode "password=$password" --data-urlencode "csrf_token=$token" "http://127.0.0.1:$port/login"
  home=$(curl -s -b "$jar" "http://127.0.0.1:$port/")
  printf '%s\t%s\n' "$(awk '$6 == "relais_session" { print "relais_session=" $7 }' "$jar")" \
    "$(echo "$home" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)"
}
IFS=$'\t' read -r cookie _ < <(sign_in accueil)
IFS=$'\t' read -r courrier_cookie courrier_csrf < <(sign_in courrier)
[ -n "$cookie" ] && [ -n "$courrier_cookie" ] || { echo "could not sign in"; exit 1; }
# 1,000 random people: their file numbers, and the beginnings of their names without accents.
sqlite3 -separator $'\t' "$work/demo/relais.db" \
  "SELECT dossier, last_name, first_name FROM beneficiaries ORDER BY random() LIMIT 1000" > "$work/people.tsv"
python3 - "$work/people.tsv" "$work" <<'PY'
import sys, unicodedata, urllib.parse
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")]
fold = lambda s: "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)).lower()
searches = ["/accueil?q=" + urllib.parse.quote(f"{fold(last)[:4]} {fold(first)[:3]}") for _, last, first in rows]
pages = ["/personne/" + urllib.parse.quote(d) for d, _, _ in rows]
for name, paths in (("search", searches), ("person", pages)):
    with open(f"{sys.argv[2]}/{name}.lua", "w") as f:
        f.write("paths = {" + ",".join('"%s"' % p for p in paths) + "}\n")
        f.write("request = function() return wrk.format('GET', paths[math.random(#paths)]) end\n")
PY
for name in search person; do
  echo "== $name, 32 connections, ${duration} s"
  wrk -t2 -c32 -d"${duration}s" --latency -H "Cookie: $cookie" -s "$work/$name.lua" \
    "http://127.0.0.1:$port" | grep -E "Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors"
done
cat > "$work/deposit.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "csrf_token=$courrier_csrf&kind=demande_aide&depositor=Mme+Charge&subject=Demande+d%27APA&pages=2"
LUA
before=$(sqlite3 "$work/demo/relais.db" "SELECT count(*) FROM deposits")
echo "== deposit registration, 32 connections, ${duration} s (a 303 answers each one registered)"
wrk -t2 -c32 -d"${duration}s" --latency -H "Cookie: $courrier_cookie" -s "$work/deposit.lua" \
  "http://127.0.0.1:$port/courrier" | grep -E "Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors"
after=$(sqlite3 "$work/demo/relais.db" "SELECT count(*) FROM deposits")
echo "   deposits registered: $((after - before)), $(( (after - before) / duration )) per second"
