// Streams for the fault tests and the soak: generator batches with dirt mixed in, packed into small
// records of mixed compression, and records no producer should send (garbage bytes, truncated or
// oversized compressed payloads).
import { brotliCompressSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { mulberry32 } from '../../domain/generator';
import { type Compression, packRecords } from '../../domain/record-encoding';
import { decodeRecord, MAX_DECODED_BYTES, Unreadable } from '../../domain/records';
import { parseCreatedAt } from '../../domain/time';
import { malformedItemArb } from './arbitraries';
import { fieldValueArb, weightedMarketEventArb } from './marketplace-arbitraries';
import { nearMissPostArb } from './posts-arbitraries';

/**
 * Generator events with dirt: producer resends, unknown users, self relations, malformed items, and
 * marketplace events broken in one field (a value around its limits) or sent twice, posts broken in one
 * field, late posts (an hour before their batch), and reused post ids with other content.
 */
export function dirty(events: unknown[], seed: number): unknown[] {
  const random = mulberry32(seed);
  const n = Math.max(1, Math.ceil(events.length / 20));
  const bad = fc.sample(malformedItemArb, { seed, numRuns: n });
  const badMarket = fc.sample(
    fc.tuple(weightedMarketEventArb, fc.nat(), fieldValueArb).map(([e, i, v]) => {
      const keys = Object.keys(e);
      return { ...e, [keys[i % keys.length]]: v };
    }),
    { seed, numRuns: n },
  );
  const badPosts = fc.sample(nearMissPostArb, { seed, numRuns: n });
  const out: unknown[] = [];
  // The last post seen: its id is reused with other content (rejected duplicate_post).
  let lastPost: Record<string, unknown> | null = null;
  let b = 0;
  // The batch's created_at (marketplace events may carry none).
  let at: string | undefined;
  for (const e of events) {
    out.push(e);
    at = (e as { created_at?: string }).created_at ?? at;
    const o = e as Record<string, unknown>;
    if ((o.type ?? o.event_name ?? o.event) === 'post') lastPost = o;
    const r = random();
    if (r < 0.04) out.push(e);
    else if (r < 0.07) out.push(bad[b++ % bad.length]);
    else if (r < 0.08) {
      out.push({ type: 'addfriend', user1_name: 'ghost', user2_name: 'user00001', created_at: at });
    } else if (r < 0.09) {
      out.push({ type: 'referral', referredBy: 'user00002', user: 'user00002', created_at: at });
    } else if (r < 0.1) out.push(badMarket[b++ % badMarket.length]);
    else if (r < 0.104) out.push(badPosts[b++ % badPosts.length]);
    else if (r < 0.108 && at !== undefined) {
      // A late post: an hour before the batch's time.
      const late = new Date((parseCreatedAt(at) ?? 0) - 3_600_000 - 1_000 * (b % 7)).toISOString();
      out.push({
        type: 'post',
        post_id: `late-${seed}-${b++}`,
        user: 'user00003',
        content: `late, but counted ${b}`,
        created_at: late,
      });
    } else if (r < 0.11 && lastPost !== null)
      out.push({ ...lastPost, content: `${String(lastPost.content)}!` });
  }
  // JSON round trip: what the stream carries (an Unreadable sample becomes a plain object, still malformed).
  return JSON.parse(JSON.stringify(out)) as unknown[];
}

/** Packs items into records of at most `perRecord` items, cycling brotli, gzip and plain JSON. */
export function pack(items: unknown[], perRecord: number): Buffer[] {
  const kinds: Compression[] = ['brotli', 'gzip', 'none'];
  const out: Buffer[] = [];
  for (let i = 0, k = 0; i < items.length; i += perRecord, k++) {
    out.push(
      ...packRecords(items.slice(i, i + perRecord), {
        compression: kinds[k % 3],
        maxEventsPerRecord: perRecord,
      }),
    );
  }
  return out;
}

/** A record whose payload decompresses past the decoder's limit (a compression bomb). */
export function oversizedRecord(): Buffer {
  const raw = Buffer.alloc(MAX_DECODED_BYTES + 1024, 0x20);
  raw[0] = 0x5b; // '['
  raw[raw.length - 1] = 0x5d; // ']'
  return gzipSync(raw, { level: 1 });
}

/**
 * Records that decode to nothing readable, each exactly one `malformed` item: random bytes,
 * truncated gzip and brotli payloads of valid events, a compression bomb when `oversized`.
 */
export function garbageRecords(seed: number, events: unknown[], oversized = false): Buffer[] {
  const random = mulberry32(seed);
  const json = Buffer.from(JSON.stringify(events));
  const bytes = (n: number) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
    // Never start like JSON text or gzip, so the payload is garbage whatever the draw.
    b[0] = 0x00;
    return b;
  };
  const gz = gzipSync(json);
  const br = brotliCompressSync(json);
  const candidates = [
    () => bytes(1 + Math.floor(random() * 64)),
    () => gz.subarray(0, 3 + Math.floor(random() * (gz.length - 4))),
    () => br.subarray(0, 3 + Math.floor(random() * (br.length - 4))),
    () => bytes(200),
  ];
  const out: Buffer[] = [];
  for (const make of candidates) {
    // Redraw the rare payload that happens to decode to something (random bytes can be valid brotli).
    for (let tries = 0; tries < 100; tries++) {
      const b = make();
      const items = decodeRecord(b);
      if (items.length === 1 && items[0] instanceof Unreadable) {
        out.push(Buffer.from(b));
        break;
      }
    }
  }
  if (oversized) out.push(oversizedRecord());
  return out;
}
