// The npm load generator of the `http` benchmark, run as its own process (never inside the
// process that hosts workerd): autocannon with every response's latency recorded at full
// resolution (autocannon's own histogram keeps whole milliseconds, too coarse for loopback).
// Plain JavaScript so that no TypeScript loader runs in the load process.
//
// argv[2]: JSON { url, method, headers, body, connections, durationSec }
// stdout: JSON { tool, requests, elapsedMs, statuses, errors, timeouts, latencyMs: {p50, p99, mean, max}, cpuMs }
import autocannon from 'autocannon';

const cfg = JSON.parse(process.argv[2]);
let latencies = new Float64Array(1 << 16);
let n = 0;
const statuses = {};

const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const instance = autocannon(
  {
    url: cfg.url,
    method: cfg.method,
    headers: cfg.headers,
    body: cfg.body,
    connections: cfg.connections,
    duration: cfg.durationSec,
    pipelining: 1,
    excludeErrorStats: false,
  },
  (err, result) => {
    const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    if (err) {
      console.error(err);
      process.exit(1);
    }
    const sorted = latencies.subarray(0, n).sort();
    const q = (p) => (n === 0 ? null : sorted[Math.min(n - 1, Math.ceil(p * n) - 1)]);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i];
    process.stdout.write(
      JSON.stringify({
        tool: 'autocannon',
        requests: n,
        elapsedMs,
        statuses,
        errors: result.errors,
        timeouts: result.timeouts,
        latencyMs: { p50: q(0.5), p99: q(0.99), mean: n ? sum / n : null, max: n ? sorted[n - 1] : null },
        cpuMs: (cpu.user + cpu.system) / 1000,
      }),
    );
  },
);
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  if (n === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[n++] = responseTime;
});
