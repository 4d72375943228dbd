-- bench/http: the request wrk sends, and one machine-readable line of figures at the end. The
-- bearer token, when given, comes from the environment (PA_TOKEN) so it is in no file or
-- argument list; PA_PATH is the path to request.
local token = os.getenv("PA_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.path = os.getenv("PA_PATH") or "/healthz"

-- summary.errors.status counts responses with a status of 400 or more; the others are socket
-- errors (connect, read, write, timeout). Latencies are in microseconds.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "PA-RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "status_errors=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect, e.read, e.write, e.timeout))
end
