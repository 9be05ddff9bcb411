-- wrk's figures on one line for scripts/lib/loopback.sh:
-- "summary <requests> <seconds> <p99 ms> <non-2xx> <socket errors> <timeouts>".
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("summary %d %.3f %.3f %d %d %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write, e.timeout))
end
