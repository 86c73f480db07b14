// Load generator for bench/api.ts, run as its own process (like wrk) so the client's work is not
// charged to the API it measures. Reads a plan from the file named by argv[2]:
//   { "base": "http://127.0.0.1:PORT", "clients": 50, "routes": [{ "id", "requests": [{ "method", "path", "body"? }] }] }
// and prints one JSON line: { "<id>": { "latenciesMs": [...], "elapsedMs", "statuses": {...} } }.

import { readFileSync } from 'node:fs';
import http from 'node:http';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = new URL(plan.base);
const agent = new http.Agent({ keepAlive: true, maxSockets: plan.clients });

function send(r) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        path: r.path,
        method: r.method,
        agent,
        headers: r.body ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

const out = {};
for (const route of plan.routes) {
  // Warm-up: the route's cold start and caches, as a Lambda behind steady traffic has them.
  for (const r of route.requests.slice(0, 5)) await send(r);
  const latenciesMs = [];
  const statuses = {};
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: plan.clients }, async () => {
      while (next < route.requests.length) {
        const r = route.requests[next++];
        const s = performance.now();
        const status = await send(r);
        latenciesMs.push(performance.now() - s);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  out[route.id] = { latenciesMs, elapsedMs: performance.now() - t, statuses };
}
agent.destroy();
process.stdout.write(`${JSON.stringify(out)}\n`);
