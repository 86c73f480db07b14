// local/generator-loop.ts with `families`: the loop sends mixed batches of every family by default
// (FEED_FAMILIES), the social ones alone when asked, and a restart with a state file continues every family where it stopped (also
// from a state saved by a social-only loop).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { eventKind } from '../../domain/event-kind';
import { type FamilyName, FEED_FAMILIES, MixedGenerator } from '../../domain/family-generator';
import { EventGenerator } from '../../domain/generator';
import { isMarketplaceType } from '../../domain/marketplace/events';
import { GeneratorLoop } from '../../local/generator-loop';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function stateFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'bacefook-genloop-'));
  dirs.push(d);
  return join(d, 'generator.json');
}

/** Runs a loop until it has sent `n` more batches, then stops it. */
async function run(loop: GeneratorLoop, sent: unknown[][], n: number): Promise<void> {
  const target = sent.length + n;
  await loop.start();
  while (sent.length < target) await loop.idle().then(() => new Promise((r) => setImmediate(r)));
  await loop.stop();
}

function loop(sent: unknown[][], o: { seed: number; families?: FamilyName[]; file?: string }): GeneratorLoop {
  return new GeneratorLoop({
    users: 30,
    everyMs: 1,
    seed: o.seed,
    families: o.families,
    stateFile: o.file,
    send: async (events) => {
      sent.push(events);
    },
  });
}

/** Batches without their created_at (the loop stamps them with the clock). */
const strip = (bs: unknown[][]) =>
  bs.map((b) =>
    b.map((e) => {
      const { created_at: _c, ...rest } = e as Record<string, unknown>;
      return rest;
    }),
  );
const marketCount = (b: unknown[]) => b.filter((e) => isMarketplaceType(eventKind(e))).length;

describe('generator loop families', () => {
  test('default: every family, as MixedGenerator makes them; social alone when asked', async () => {
    const social: unknown[][] = [];
    await run(loop(social, { seed: 3, families: ['social'] }), social, 2);
    assert.ok(social.every((b) => marketCount(b) === 0));

    const mixed: unknown[][] = [];
    await run(loop(mixed, { seed: 3 }), mixed, 3);
    assert.deepEqual([...FEED_FAMILIES], ['social', 'marketplace', 'posts']);
    const reference = new MixedGenerator({
      users: 30,
      seed: 3,
      families: ['social', 'marketplace', 'posts'],
    });
    const expected = mixed.map(() => reference.nextBatch());
    assert.deepEqual(strip(mixed), strip(expected));
    assert.ok(mixed.every((b) => marketCount(b) > 0));
  });

  test('a restart with a state file continues every family', async () => {
    const file = stateFile();
    const sent: unknown[][] = [];
    const families: FamilyName[] = ['social', 'marketplace'];
    await run(loop(sent, { seed: 5, families, file }), sent, 2);
    const before = sent.length;
    await run(loop(sent, { seed: 99, families, file }), sent, 1);
    const reference = new MixedGenerator({ users: 30, seed: 5, families });
    const expected = sent.map(() => reference.nextBatch());
    assert.deepEqual(strip(sent.slice(before)), strip(expected.slice(before)));
  });

  test('a state saved by a social-only loop continues with the marketplace added (catalogue first)', async () => {
    const file = stateFile();
    const sent: unknown[][] = [];
    await run(loop(sent, { seed: 8, families: ['social'], file }), sent, 2);
    // the saved state is a plain social snapshot, as a loop before families wrote it
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    // (keeping the loop's own bookkeeping: the batch it claimed and whether it was sent)
    const socialOnly = { ...saved, generator: saved.generator.social ?? saved.generator };
    writeFileSync(file, JSON.stringify(socialOnly));
    const before = sent.length;
    await run(loop(sent, { seed: 8, families: ['social', 'marketplace'], file }), sent, 1);
    const next = sent[before];
    const reference = new EventGenerator({ users: 30, seed: 8 });
    const socialBatches = sent.map(() => reference.nextBatch());
    assert.deepEqual(
      strip([next.filter((e) => !isMarketplaceType(eventKind(e)))]),
      strip([socialBatches[before]]),
    );
    const first = next.find((e) => isMarketplaceType(eventKind(e)));
    assert.equal(eventKind(first), 'productUpserted');
  });
});
