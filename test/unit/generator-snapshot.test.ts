// EventGenerator.snapshot()/restore(): a restored generator continues exactly where the original
// stopped, through JSON, and a corrupt snapshot is refused rather than producing nonsense events.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventGenerator, type GeneratorSnapshot } from '../../domain/generator';

function run(g: EventGenerator, batches: number): unknown[][] {
  return Array.from({ length: batches }, (_, i) => g.nextBatch(1_700_000_000_000 + i * 5_000));
}

describe('generator snapshot', () => {
  test('restore continues identically, at any batch, through JSON', () => {
    for (const cut of [0, 1, 2, 5]) {
      const original = new EventGenerator({ users: 120, seed: 17, growthRate: 0.05 });
      const resumed = new EventGenerator({ users: 120, seed: 17, growthRate: 0.05 });
      run(original, cut);
      run(resumed, cut);
      const saved = JSON.parse(JSON.stringify(resumed.snapshot())) as GeneratorSnapshot;
      const restored = EventGenerator.restore(saved);
      assert.equal(restored.userCount, original.userCount);
      assert.equal(restored.friendPairCount, original.friendPairCount);
      assert.equal(restored.batches, original.batches);
      assert.deepEqual(run(restored, 4), run(original, 4), `cut after ${cut} batches`);
    }
  });

  test('the snapshot holds users and friendships so far, and is a copy', () => {
    const g = new EventGenerator({ users: 50, seed: 3 });
    g.nextBatch();
    const s = g.snapshot();
    assert.equal(s.users, 50);
    assert.equal(s.batchIndex, 1);
    assert.equal(s.pairs.length, g.friendPairCount);
    s.pairs.length = 0;
    assert.notEqual(g.snapshot().pairs.length, 0);
  });

  test('maxUsers stops growth and survives a snapshot', () => {
    const g = new EventGenerator({ users: 10, seed: 4, growthRate: 0.5, maxUsers: 14 });
    run(g, 2);
    assert.equal(g.userCount, 14);
    const restored = EventGenerator.restore(g.snapshot());
    run(restored, 3);
    assert.equal(restored.userCount, 14);
    assert.equal(new EventGenerator({ users: 10, seed: 4 }).snapshot().maxUsers, null);
  });

  test('an inconsistent snapshot is refused', () => {
    const g = new EventGenerator({ users: 20, seed: 1 });
    g.nextBatch();
    const good = g.snapshot();
    const bad: Partial<GeneratorSnapshot>[] = [
      { version: 2 as 1 },
      { users: -1 },
      { rngState: 2 ** 32 },
      { batchIndex: 0 },
      { pairs: [...good.pairs, good.pairs[0]] },
      { pairs: [5 * 2 ** 26 + 3] },
      { pairs: [25] },
    ];
    for (const patch of bad) {
      assert.throws(() => EventGenerator.restore({ ...good, ...patch }), RangeError, JSON.stringify(patch));
    }
  });
});
