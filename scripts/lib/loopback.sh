# Shared by scripts/bench-national and scripts/load-test: a release `onshi serve` on a
# database in "$work", sign-in as a demo user, and bounded loopback load with autocannon.
# Callers set: work (a temp dir), db, password; they get: url, server_pid, cookie.
# shellcheck shell=bash

server_pid=""

# Starts the server on "$db" in the background and waits for its address in "$url".
start_server() {
  ONSHI_DEMO_PASSWORD="$password" RUST_LOG="${RUST_LOG:-warn}" "$bin" serve --db "$db" --addr 127.0.0.1:0 >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    url="$(sed -n 's/^Onshi listening on \(http:\/\/[^ ]*\).*/\1/p' "$work/server.log" | head -n1)"
    [ -n "$url" ] && return 0
    sleep 0.2
  done
  echo "the server did not start:" >&2
  cat "$work/server.log" >&2
  exit 1
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# The server's peak resident memory so far, in KiB.
peak_kib() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$server_pid/status"; }

# Signs in as a demo user and prints the session cookie ("onshi_session=…").
sign_in() {
  local jar="$work/cookies-$1"
  curl -s -o /dev/null -c "$jar" -H "Origin: $url" -H "Accept: text/html" \
    --data-urlencode "email=$1" --data-urlencode "password=$password" "$url/api/login"
  awk '$6 == "onshi_session" { print "onshi_session=" $7 }' "$jar"
}

# Sequential requests to a path: median and p95 in ms. Args: cookie path runs.
latency() {
  local cookie="$1" path="$2" paths=()
  for _ in $(seq 1 "$3"); do paths+=("$path"); done
  latency_each "$cookie" "${paths[@]}"
}

# One sequential request to each path: median and p95 in ms. Args: cookie path…
latency_each() {
  local cookie="$1"
  shift
  for path in "$@"; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $cookie" "$url$path"
  done | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "median %.1f ms, p95 %.1f ms (%d runs)\n", t[int((NR + 1) / 2)], t[int(NR * 0.95 + 0.5)], NR }'
}

# Fetches autocannon (npm) into "$work" once.
install_autocannon() {
  [ -f "$work/node_modules/autocannon/autocannon.js" ] || (cd "$work" && npm install --silent --no-audit --no-fund autocannon@9 >/dev/null)
}

# Bounded load on one path: "N requests in S s (R req/s), p99 P ms, non-2xx, errors, timeouts",
# and the rate alone in "$work/last-rate". Args: cookie path; uses $connections and $seconds.
load() {
  node "$work/node_modules/autocannon/autocannon.js" -j -c "$connections" -d "$seconds" -H "Cookie=$1" "$url$2" 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);const rate=r.requests.total/r.duration;require("fs").writeFileSync(process.argv[1],String(rate));console.log(`${r.requests.total} requests in ${r.duration} s (${rate.toFixed(1)} req/s), p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`)})' "$work/last-rate"
}
