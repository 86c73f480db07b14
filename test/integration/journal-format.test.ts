// Journals as stored (storage/pipeline-store.ts) on dynalite: this build writes them brotli-compressed
// in binary slices and reads them back as written; journals an older build committed (the JSON itself in
// string slices, and marketplace rows from before `centsHi`) are read too, with the set's width.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { P, PRODUCT_FIGURES } from '../../domain/marketplace/family';
import { SOCIAL_FIGURES } from '../../domain/social-family';
import { batchWrite, slices } from '../../storage/batch-io';
import { chunkKey, PipelineStore } from '../../storage/pipeline-store';
import { startDynamo, type TestDynamo } from '../support/dynamo';
import { scanAll } from '../support/pipeline-harness';

let dyn: TestDynamo;

before(async () => {
  dyn = await startDynamo();
});

after(async () => {
  await dyn?.stop();
});

const width = PRODUCT_FIGURES.columns.length;

/** Many product rows of the current width, with money in both parts. */
function productRows(n: number): (string | number)[] {
  const rows: (string | number)[] = [];
  for (let i = 0; i < n; i++) {
    const row: (string | number)[] = [1_750_000_000_000 + (i % 7) * 5_000, `product ${i}\u0001x`];
    for (let c = 0; c < width; c++) row.push(c === P.cents ? 9_999_999 : c === P.centsHi ? i * 1_000 : c + i);
    rows.push(...row);
  }
  return rows;
}

async function read(store: PipelineStore) {
  const out = [];
  for await (const j of store.committedJournals('', '~')) out.push(j);
  return out;
}

describe('journal items', () => {
  it('are written compressed in binary slices and read back as they were', async () => {
    const tables = await dyn.freshTables();
    const store = new PipelineStore(dyn.doc, tables);
    const sets = { [PRODUCT_FIGURES.id]: productRows(40_000), [SOCIAL_FIGURES.id]: [5_000, 'ann', 1, 2] };
    const writes = store.journalWrites({ first: 'a', last: 'b', sets });
    await batchWrite(dyn.doc, tables.history, writes);
    const items = await scanAll(dyn.doc, tables.history);
    assert.ok(items.length > 1, `${items.length} slices`);
    for (const it of items) {
      assert.ok(it.z instanceof Uint8Array);
      assert.equal(it.d, undefined);
    }
    const json = JSON.stringify({ s: sets }).length;
    const stored = items.reduce((n, it) => n + (it.z as Uint8Array).length, 0);
    assert.ok(stored * 4 < json, `${stored} bytes stored for ${json} of JSON`);
    assert.deepEqual(await read(store), [{ first: 'a', last: 'b', sets }]);
  });

  it("an older build's journal (JSON in string slices, rows without centsHi) reads with the set's width", async () => {
    const tables = await dyn.freshTables();
    const store = new PipelineStore(dyn.doc, tables);
    const old: (string | number)[] = [];
    const now: (string | number)[] = [];
    for (let i = 0; i < 5_000; i++) {
      const row = [5_000 * (i % 3), `p${i}`, 1, 2, 2 ** 50 + i, 0, 0, 0, 0, 0, 0, 0, 3];
      old.push(...row);
      now.push(...row, 0);
    }
    const parts = slices(JSON.stringify({ s: { [PRODUCT_FIGURES.id]: old } }));
    assert.ok(parts.length > 1);
    await batchWrite(
      dyn.doc,
      tables.history,
      parts.map((d, i) => ({
        PutRequest: {
          Item: { pk: 'journal', sk: chunkKey('a', i), first: 'a', last: 'b', n: parts.length, d },
        },
      })),
    );
    assert.deepEqual(await read(store), [{ first: 'a', last: 'b', sets: { [PRODUCT_FIGURES.id]: now } }]);
  });
});
