// The figure index (lambdas/api/figure-index.ts) over a store whose snapshot job deletes the journals
// it has folded: an index that fell behind the deletions, or whose journals are deleted while it reads
// them, starts again from the total block and answers exactly; it never adds journals past a gap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type FigureBase,
  FigureIndex,
  type FigureSource,
  type Figures,
} from '../../lambdas/api/figure-index';
import type { Journal } from '../../storage/pipeline-store';

const pos = (i: number) => `p${String(i).padStart(4, '0')}`;

/** Journal i gives ann i strength and bob 1 point. */
const journal = (i: number): Journal => ({
  first: pos(i),
  last: pos(i),
  sets: { social: [0, 'ann', i, 0, 0, 'bob', 0, 1] },
});

/** What journals 1..n sum to. */
const expected = (n: number): { ann: Figures; bob: Figures } => ({
  ann: { strength: (n * (n + 1)) / 2, points: 0 },
  bob: { strength: 0, points: n },
});

/**
 * A store as the snapshot job leaves it: journals 1..committed, the total block holding 1..folded,
 * and the journals at or before `trimmedTo` deleted. `duringRead` runs after the first journal a read
 * yields (a snapshot run deleting journals while the index reads them).
 */
function store() {
  const s = {
    committed: 0,
    folded: 0,
    trimmed: 0,
    duringRead: null as (() => void) | null,
    reads: 0,
  };
  const snapshotRun = (foldTo: number) => {
    s.folded = foldTo;
    s.trimmed = foldTo;
  };
  const source: FigureSource = {
    base: async (): Promise<FigureBase> => {
      const sums = new Map<string, Figures>();
      if (s.folded > 0) {
        const e = expected(s.folded);
        sums.set('ann', { ...e.ann });
        sums.set('bob', { ...e.bob });
      }
      return { upTo: s.folded > 0 ? pos(s.folded) : '', namesId: 'n', sums };
    },
    journals: async function* (after: string, checkpoint: string) {
      s.reads++;
      let yielded = 0;
      for (let i = 1; i <= s.committed; i++) {
        const j = journal(i);
        if (i <= s.trimmed || j.first <= after || j.first > checkpoint) continue;
        yield j;
        if (++yielded === 1 && s.duringRead) {
          const f = s.duringRead;
          s.duringRead = null;
          f();
        }
      }
    },
    trimmedTo: async () => (s.trimmed > 0 ? pos(s.trimmed) : ''),
  };
  return { s, snapshotRun, source };
}

async function figuresAt(index: FigureIndex, n: number) {
  const f = await index.at(pos(n), 'n');
  return { ann: f('ann'), bob: f('bob') };
}

test('an index left behind the deleted journals starts again from the total block', async () => {
  const { s, snapshotRun, source } = store();
  const index = new FigureIndex(source);
  s.committed = 3;
  assert.deepEqual(await figuresAt(index, 3), expected(3));
  // Meanwhile: journals 4..6 committed, folded by the snapshot job and deleted; 7 committed.
  s.committed = 7;
  snapshotRun(6);
  assert.deepEqual(await figuresAt(index, 7), expected(7));
});

test('journals deleted while the index reads them are never skipped', async () => {
  const { s, snapshotRun, source } = store();
  const index = new FigureIndex(source);
  s.committed = 2;
  assert.deepEqual(await figuresAt(index, 2), expected(2));
  s.committed = 8;
  // After the index has read journal 3, a snapshot run folds 1..6 and deletes them: 4..6 go unread.
  s.duringRead = () => snapshotRun(6);
  assert.deepEqual(await figuresAt(index, 8), expected(8));
  assert.ok(s.reads >= 3, 'the index read the journals again after the total block');
});

test('a request served while a refresh reads never sees part of what it read', async () => {
  const { s, snapshotRun, source } = store();
  const index = new FigureIndex(source);
  s.committed = 2;
  assert.deepEqual(await figuresAt(index, 2), expected(2));
  s.committed = 8;
  let seen: { ann: Figures; bob: Figures } | null = null;
  s.duringRead = () => {
    snapshotRun(6);
    // A request for the old checkpoint, answered from the map as it is now.
    void figuresAt(index, 2).then((f) => {
      seen = f;
    });
  };
  const fresh = await figuresAt(index, 8);
  assert.deepEqual(fresh, expected(8));
  assert.ok(seen !== null);
  // Either the old state or a complete newer one, never 1..3 without 4..6.
  const ok = [expected(2), expected(8)].some((e) => JSON.stringify(e) === JSON.stringify(seen));
  assert.ok(ok, `a request saw ${JSON.stringify(seen)}`);
});
