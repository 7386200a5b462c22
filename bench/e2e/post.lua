-- wrk script for the end-to-end benchmark: POSTs a small JSON chat request whose user message
-- carries a marker unique to the request ("bench <run>-<thread>-<n>"), so the mock upstream can
-- prove every answer came from it (and that nothing was retried). Ends by printing one line
-- "BENCH_JSON {...}" with the counts and latency percentiles (microseconds).
--
-- Environment: BENCH_PATH (e.g. /v1/chat/completions), BENCH_MODEL, BENCH_AUTH (Authorization
-- header value, may be empty), BENCH_RUN (a run id for the markers), BENCH_STREAM ("1" = stream).

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  path = os.getenv("BENCH_PATH") or "/v1/chat/completions"
  model = os.getenv("BENCH_MODEL") or "m"
  run = os.getenv("BENCH_RUN") or "0"
  stream = os.getenv("BENCH_STREAM") == "1"
  headers = { ["Content-Type"] = "application/json" }
  local auth = os.getenv("BENCH_AUTH") or ""
  if auth ~= "" then headers["Authorization"] = auth end
  n = 0
end

function request()
  n = n + 1
  local body = string.format(
    '{"model":"%s","max_tokens":100,%s"messages":[{"role":"user","content":"bench %s-%d-%d: say hello"}]}',
    model, stream and '"stream":true,' or '', run, tid, n)
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
