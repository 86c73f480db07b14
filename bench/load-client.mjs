// Load generator for bench/api.ts in Node, run as its own process (like wrk) so the client's work is
// not charged to the API it measures: the fallback for bench/load-client.c where no C compiler is
// found. Same plan, same behaviour, same output as the C client (see load-client.c).
//
// Usage: node load-client.mjs <port> <plan file>.
//
// Each client is one keep-alive HTTP/1.1 connection written to directly (like wrk or autocannon): the
// requests are serialized before the clock starts and a response is read by its Content-Length.
// Latency runs from writing a request to having read its whole response.

import { readFileSync } from 'node:fs';
import net from 'node:net';

const host = '127.0.0.1';
const port = Number(process.argv[2]);

/** The plan file: `<clients>\n<routes>\n`, per route `<id>\n<warm-ups> <requests>\n`, requests as `<length>\n<bytes>`. */
function readPlan(file) {
  const buf = readFileSync(file);
  let at = 0;
  const line = () => {
    const end = buf.indexOf(10, at);
    const text = buf.toString('latin1', at, end);
    at = end + 1;
    return text;
  };
  const request = () => {
    const n = Number(line());
    const bytes = buf.subarray(at, at + n);
    at += n;
    return bytes;
  };
  const clients = Number(line());
  const routes = Array.from({ length: Number(line()) }, () => {
    const id = line();
    const [warm, reqs] = line().split(' ').map(Number);
    const warmup = Array.from({ length: warm }, request);
    return { id, warmup, requests: Array.from({ length: reqs }, request) };
  });
  return { clients, routes };
}

const plan = readPlan(process.argv[3]);
const GET = Buffer.from('GET ');

const HEAD_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection: one request at a time, resolved with the response's status. */
class Connection {
  constructor() {
    this.socket = null;
    this.buf = Buffer.alloc(0);
    this.pending = null;
  }

  open() {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port, noDelay: true });
      s.once('connect', () => {
        s.off('error', reject);
        resolve();
      });
      s.once('error', reject);
      // (a socket replaced after `connection: close` may still report its end: only the current one counts)
      s.on('data', (chunk) => this.onData(chunk));
      s.on('error', (err) => {
        if (this.socket === s) this.fail(err);
      });
      s.on('close', () => {
        if (this.socket !== s) return;
        this.socket = null;
        this.fail(new Error('the server closed the connection'));
      });
      this.socket = s;
    });
  }

  fail(err) {
    const p = this.pending;
    this.pending = null;
    p?.reject(err);
  }

  async send(bytes) {
    if (this.socket === null) await this.open();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(bytes);
    });
  }

  onData(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const end = this.buf.indexOf(HEAD_END);
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (m === null) {
      this.fail(new Error(`a response without Content-Length: ${head.split('\r\n')[0]}`));
      this.socket?.destroy();
      return;
    }
    const total = end + 4 + Number(m[1]);
    if (this.buf.length < total) return;
    const rest = this.buf.subarray(total);
    this.buf = rest.length === 0 ? Buffer.alloc(0) : Buffer.from(rest);
    const closing = /\r\nconnection:\s*close/i.test(head);
    const p = this.pending;
    this.pending = null;
    if (closing) {
      this.socket?.destroy();
      this.socket = null;
    }
    p?.resolve(status);
  }

  close() {
    this.socket?.destroy();
  }
}

const connections = Array.from({ length: plan.clients }, () => new Connection());
await Promise.all(connections.map((c) => c.open()));

/** Sends `requests` over every connection at once, each connection one request at a time. */
async function sendAll(requests) {
  let next = 0;
  await Promise.all(
    connections.map(async (c) => {
      while (next < requests.length) await c.send(requests[next++]);
    }),
  );
}

// One pass over every read route's warm-up first, so the first route measured does not pay alone for
// compiling the code all routes share (the gateway, the middleware, the SDK). POSTs are left to their
// own warm-up: the events they put would keep the pipeline busy during the next route's measurement.
await sendAll(plan.routes.flatMap((r) => r.warmup.filter((q) => q.subarray(0, 4).equals(GET))));

const out = {};
for (const route of plan.routes) {
  // Warm-up, outside the measurement: the plan's warm-up requests (other users than the measured ones)
  // over every connection at once, so the route's cold start, caches and compiled code are as a Lambda
  // behind steady traffic has them.
  await sendAll(route.warmup);
  const requests = route.requests;
  const latenciesMs = [];
  const statuses = {};
  let next = 0;
  const t = performance.now();
  await Promise.all(
    connections.map(async (c) => {
      while (next < requests.length) {
        const bytes = requests[next++];
        const s = performance.now();
        const status = await c.send(bytes);
        latenciesMs.push(performance.now() - s);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  out[route.id] = { latenciesMs, elapsedMs: performance.now() - t, statuses };
}
for (const c of connections) c.close();
process.stdout.write(`${JSON.stringify(out)}\n`);
