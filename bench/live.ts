// live.p95Ms: commit -> message received, with 200 WebSocket clients on the local runtime's `/live`,
// all subscribed to `pipeline`. Each batch of generated events goes through POST /events; the
// processor (on its own thread, as `npm start` runs it) stamps its commit's return (`committedAt` in
// the pipeline message), the runtime's fan-out pushes the committed digest, and each client notes when
// the message arrived. The clients run in this process, beside the runtime's gateway: their receiving
// is part of what is measured.
import WebSocket from 'ws';
import { generateEvents } from '../domain/generator';
import { type Section, startBenchRuntime } from './report';

const CLIENTS = 200;

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

interface Client {
  ws: WebSocket;
  /** sequence number of a pipeline message -> ms from its commit to its arrival */
  lags: Map<string, number>;
  waiting: { seq: string; resolve: () => void } | null;
}

async function connect(url: string): Promise<Client> {
  const ws = new WebSocket(url);
  const c: Client = { ws, lags: new Map(), waiting: null };
  let ack: (() => void) | null = null;
  ws.on('message', (raw) => {
    const at = Date.now();
    const m = JSON.parse(String(raw)) as {
      topic?: string;
      sequenceNumber?: string;
      data?: { committedAt?: number };
    };
    if (m.topic === undefined) {
      ack?.();
      return;
    }
    if (m.topic !== 'pipeline' || m.sequenceNumber === undefined) return;
    c.lags.set(m.sequenceNumber, at - (m.data?.committedAt ?? at));
    if (c.waiting !== null && c.waiting.seq === m.sequenceNumber) {
      c.waiting.resolve();
      c.waiting = null;
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await new Promise<void>((resolve) => {
    ack = resolve;
    ws.send(JSON.stringify({ action: 'subscribe', topics: ['pipeline'] }));
  });
  return c;
}

export async function benchLive(quick: boolean): Promise<Section> {
  const rt = await startBenchRuntime();
  const clients: Client[] = [];
  try {
    for (let i = 0; i < CLIENTS; i++) clients.push(await connect(rt.liveUrl));
    const batches = quick ? 30 : 100;
    const events = generateEvents({ users: quick ? 500 : 2_000, batches: 10, seed: 7 });
    const size = Math.ceil(events.length / batches);
    const lags: number[] = [];
    let committed = 0;
    for (let b = 0; b < batches; b++) {
      const res = await fetch(`${rt.apiUrl}/events`, {
        method: 'POST',
        body: JSON.stringify(events.slice(b * size, (b + 1) * size)),
      });
      if (res.status !== 202) throw new Error(`POST /events answered ${res.status}`);
      await rt.drain();
      const seq = (await rt.pipeline()).lastSequenceNumber;
      if (seq === null) throw new Error('nothing committed');
      // Every client has the message of the batch's last commit (it may have committed in several).
      await Promise.all(
        clients.map((c) =>
          c.lags.has(seq)
            ? undefined
            : new Promise<void>((resolve) => {
                c.waiting = { seq, resolve };
              }),
        ),
      );
      committed = clients[0].lags.size;
    }
    for (const c of clients) lags.push(...c.lags.values());
    const how = `${CLIENTS} WebSocket clients on the local runtime's /live, each subscribed to pipeline; ${batches} batches of generated events (${events.length.toLocaleString('en-US')} events) POSTed one after the other; from the processor's commit returning (committedAt in the message) to the message's arrival at a client, over ${lags.length.toLocaleString('en-US')} messages`;
    return {
      p95Ms: { value: percentile(lags, 95), unit: 'ms', target: '< 250', how },
      p50Ms: {
        value: percentile(lags, 50),
        unit: 'ms',
        how: `the median of the same ${lags.length} messages`,
      },
      maxMs: { value: Math.max(...lags), unit: 'ms', how: 'the slowest of the same messages' },
      batches: {
        value: committed,
        unit: 'commits',
        how: 'commits pushed to each client (one pipeline message each, none missing: every client got the same)',
      },
      clients: { value: CLIENTS, unit: 'clients', how: 'connected and subscribed for the whole run' },
    };
  } finally {
    for (const c of clients) c.ws.terminate();
    await rt.stop();
  }
}
