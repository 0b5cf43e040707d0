-- wrk script for Tools/loadtest: POSTs bodies in turn and prints a JSON summary line.
-- LOADTEST_BODIES: a file of bodies, one per line (JSON texts), or LOADTEST_BODY: one file sent whole.
-- LOADTEST_TYPE: the Content-Type header.
local bodies = {}
local file = os.getenv("LOADTEST_BODY")
if file then
  local f = assert(io.open(file, "rb"))
  bodies[1] = f:read("*all")
  f:close()
else
  for line in io.lines(assert(os.getenv("LOADTEST_BODIES"))) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
end
local headers = { ["Content-Type"] = os.getenv("LOADTEST_TYPE") or "application/json" }
local counter = 0

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 7
end

function init(args)
  counter = offset or 0
end

function request()
  counter = counter + 1
  return wrk.format("POST", nil, headers, bodies[(counter % #bodies) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOADTEST {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"mean_us": %.1f, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.timeout, e.status))
end
