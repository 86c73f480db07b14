// The API benchmark's load clients (bench/load-client.c, and bench/load-client.mjs where no C compiler
// is found) against a small node:http server: each sends exactly the planned requests (the GET
// warm-ups of every route first, then per route its warm-ups and its measured requests), bodies
// included, reconnects after `connection: close`, and reports one latency and one status per
// measured request.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cLoadClient, type LoadPlan, runLoad } from '../../bench/api';

describe('load clients', () => {
  let server: Server;
  let base = '';
  const seen: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${body}`);
        const status = req.url?.startsWith('/fail') ? 503 : 200;
        const text = JSON.stringify({
          echo: body.length,
          pad: 'x'.repeat(req.url?.startsWith('/big') ? 200_000 : 3),
        });
        const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(text) };
        if (req.url?.startsWith('/close')) headers.connection = 'close';
        res.writeHead(status, headers).end(text);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const plan = (): LoadPlan => ({
    base,
    clients: 4,
    routes: [
      {
        id: 'Reads',
        warmup: [
          { method: 'GET', path: '/w/1' },
          { method: 'GET', path: '/w/2' },
        ],
        requests: Array.from({ length: 40 }, (_, i) => ({
          method: 'GET',
          path:
            i % 7 === 0 ? `/close/${i}` : i % 5 === 0 ? `/fail/${i}` : i % 11 === 0 ? `/big/${i}` : `/r/${i}`,
        })),
      },
      {
        id: 'Writes',
        warmup: [{ method: 'POST', path: '/p/w', body: '[{"w":1}]' }],
        requests: Array.from({ length: 12 }, (_, i) => ({
          method: 'POST',
          path: `/p/${i}`,
          body: `[{"i":${i},"s":"é"}]`,
        })),
      },
    ],
  });

  for (const kind of ['c', 'node'] as const) {
    it(`the ${kind === 'c' ? 'C' : 'Node'} client sends the plan and counts every answer`, async (t) => {
      if (kind === 'c' && (await cLoadClient()) === null) return t.skip('no C compiler here');
      seen.length = 0;
      const p = plan();
      const { results, client } = await runLoad(p, kind);
      assert.equal(client, kind);
      const expected = [
        // the first pass: every route's GET warm-ups
        ...p.routes.flatMap((r) => r.warmup.filter((q) => q.method === 'GET')),
        ...p.routes.flatMap((r) => [...r.warmup, ...r.requests]),
      ].map((q) => `${q.method} ${q.path} ${q.body ?? ''}`);
      assert.deepEqual([...seen].sort(), expected.sort());
      assert.equal(results.Reads.latenciesMs.length, 40);
      const failing = p.routes[0].requests.filter((q) => q.path.startsWith('/fail')).length;
      assert.ok(failing > 0);
      assert.deepEqual(results.Reads.statuses, { '200': 40 - failing, '503': failing });
      assert.deepEqual(results.Writes.statuses, { '200': 12 });
      for (const r of Object.values(results)) {
        assert.ok(r.elapsedMs > 0);
        assert.ok(r.latenciesMs.every((ms) => ms > 0 && ms < r.elapsedMs + 1));
      }
    });
  }
});
