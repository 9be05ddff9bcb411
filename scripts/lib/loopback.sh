# Shared by scripts/bench-national and scripts/load-test: a release `onshi serve` on a
# database in "$work", sign-in as a demo user, and bounded loopback load with wrk.
# Callers set: work (a temp dir), db, password; they get: url, server_pid, cookie.
# shellcheck shell=bash

server_pid=""
# The demo reviewer, auditor and admin sign in with a second factor: a fixed secret here.
totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# The TOTP code (RFC 6238: SHA-1, 30 s, 6 digits) of "$totp_secret" now.
totp_code() {
  python3 - "$totp_secret" <<'PY'
import base64, hashlib, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1])
mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
offset = mac[-1] & 15
print("%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000))
PY
}

# Starts the server on "$db" in the background and waits for its address in "$url".
start_server() {
  ONSHI_DEMO_PASSWORD="$password" ONSHI_DEMO_TOTP_SECRET="$totp_secret" RUST_LOG="${RUST_LOG:-warn}" "$bin" serve --db "$db" --addr 127.0.0.1:0 >"$work/server.log" 2>&1 &
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
# The demo reviewer, auditor and admin sign in with a second factor: a fixed secret here.
totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# The TOTP code (RFC 6238: SHA-1, 30 s, 6 digits) of "$totp_secret" now.
totp_code() {
  python3 - "$totp_secret" <<'PY'
import base64, hashlib, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1])
mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
offset = mac[-1] & 15
print("%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000))
PY
}
}

# The server's peak resident memory so far, in KiB.
peak_kib() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$server_pid/status"; }

# The server's anonymous memory now (heap and stacks), in KiB: RSS also counts the file
# pages SQLite maps (db.rs, mmap_size), which are the kernel's shared, reclaimable cache.
anon_kib() { sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$server_pid/status"; }

# Signs in as a demo user and prints the session cookie ("onshi_session=…").
sign_in() {
  local jar="$work/cookies-$1"
  curl -s -o /dev/null -c "$jar" -H "Origin: $url" -H "Accept: text/html" \
    --data-urlencode "email=$1" --data-urlencode "password=$password" --data-urlencode "code=$(totp_code)" \
    "$url/api/login"
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

# Installs wrk (Debian package) when it is missing. wrk is written in C: autocannon (node)
# spent more CPU parsing a 135 KB page than the server spent sending it, and on this
# 2-core machine the load generator shares the cores with the server.
install_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
}

# Bounded load on one path: "N requests in S s (R req/s), p99 P ms, non-2xx, errors, timeouts",
# and the rate alone in "$work/last-rate". Args: cookie path; uses $connections and $seconds.
# Args: cookie path [accept-encoding].
load() {
  local accept=()
  [ -n "${3:-}" ] && accept=(-H "Accept-Encoding: $3")
  wrk -t 2 -c "$connections" -d "${seconds}s" -H "Cookie: $1" "${accept[@]}" -s scripts/lib/wrk-summary.lua "$url$2" \
    | awk -v out="$work/last-rate" '/^summary / {
        rate = $2 / $3; printf "%.1f\n", rate > out
        printf "%d requests in %.2f s (%.1f req/s), p99 %d ms, non-2xx %d, errors %d, timeouts %d\n", $2, $3, rate, $4 + 0.5, $5, $6, $7
      }'
}
