// The generator's snapshot as bytes: a small JSON header, then the friend pairs as little-endian
// uint32 (lo, hi) index pairs, all brotli-compressed: about half the bytes of the same pairs as JSON
// numbers before compression (docs/performance.md). The state store splits the result into items below DynamoDB's 400 KB limit.
// A mixed generator (domain/family-generator.ts) keeps its social part so, and the rest of its state
// (seed, families, the other families' generators) under `mixed` in the header; a state without
// `mixed` is a plain social snapshot, as runs before families saved it.
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { MixedGeneratorSnapshot } from '../../domain/family-generator';
import type { GeneratorSnapshot } from '../../domain/generator';

type MixedRest = Omit<MixedGeneratorSnapshot, 'social'>;

const PAIR_SHIFT = 2 ** 26;
/** Format tag, so a future layout can be told apart from this one. */
const MAGIC = 'bfg1';

export function encodeSnapshot(snapshot: GeneratorSnapshot | MixedGeneratorSnapshot): Buffer {
  const mixed = 'kind' in snapshot && snapshot.kind === 'mixed' ? snapshot : null;
  const s: GeneratorSnapshot = mixed === null ? (snapshot as GeneratorSnapshot) : mixed.social;
  const { pairs, ...social } = s;
  let header: object = social;
  if (mixed !== null) {
    const { social: _social, ...rest } = mixed;
    header = { ...social, mixed: rest satisfies MixedRest };
  }
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.alloc(4 + 4 + head.length + pairs.length * 8);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(head.length, 4);
  head.copy(out, 8);
  let at = 8 + head.length;
  for (const key of pairs) {
    const lo = Math.floor(key / PAIR_SHIFT);
    out.writeUInt32LE(lo, at);
    out.writeUInt32LE(key - lo * PAIR_SHIFT, at + 4);
    at += 8;
  }
  return brotliCompressSync(out, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 5,
      [constants.BROTLI_PARAM_SIZE_HINT]: out.length,
    },
  });
}

/**
 * The snapshot in `bytes` (mixed, or a plain social one); MixedGenerator.restore validates its content.
 * Throws on a foreign layout.
 */
export function decodeSnapshot(bytes: Uint8Array): GeneratorSnapshot | MixedGeneratorSnapshot {
  const raw = brotliDecompressSync(bytes);
  if (raw.length < 8 || raw.toString('latin1', 0, 4) !== MAGIC) {
    throw new Error('not a generator state (unknown format)');
  }
  const headLength = raw.readUInt32LE(4);
  const { mixed, ...header } = JSON.parse(raw.toString('utf8', 8, 8 + headLength)) as Omit<
    GeneratorSnapshot,
    'pairs'
  > & { mixed?: MixedRest };
  const start = 8 + headLength;
  if ((raw.length - start) % 8 !== 0) throw new Error('generator state is truncated');
  const pairs = new Array<number>((raw.length - start) / 8);
  for (let i = 0, at = start; i < pairs.length; i++, at += 8) {
    pairs[i] = raw.readUInt32LE(at) * PAIR_SHIFT + raw.readUInt32LE(at + 4);
  }
  const social: GeneratorSnapshot = { ...header, pairs };
  return mixed === undefined ? social : { ...mixed, social };
}
