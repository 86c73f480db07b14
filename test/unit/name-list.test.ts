// SortedNames (domain/name-list.ts) against brute force: any names, added in any groups (a group may
// repeat names or be added twice), answer every prefix count and every page exactly as a filter over
// the sorted set does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SortedNames } from '../../domain/name-list';

// Small alphabets, so prefixes and cursors hit and miss, including lone surrogates and astral characters.
const name = fc.string({
  unit: fc.constantFrom('a', 'b', 'ab', 'é', '\ud83d\ude00', '\ud800', 'Z'),
  minLength: 1,
  maxLength: 5,
});

function expected(all: Set<string>, prefix: string) {
  return [...all].sort().filter((n) => n.startsWith(prefix));
}

test('prefix counts and pages equal a filter over the sorted set, whatever the groups', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(name, { maxLength: 12 }), { maxLength: 6 }),
      fc.string({ unit: fc.constantFrom('a', 'b', 'é', '\ud83d', 'Z'), maxLength: 3 }),
      fc.integer({ min: 1, max: 5 }),
      fc.option(name, { nil: null }),
      (groups, prefix, limit, after) => {
        const list = new SortedNames();
        const all = new Set<string>();
        for (const g of groups) {
          list.add(g);
          if (g.length > 0) list.add(g.slice(0, 1)); // a group read twice adds nothing
          for (const n of g) all.add(n);
        }
        const want = expected(all, prefix);
        assert.equal(list.size, all.size);
        assert.equal(list.count(prefix), want.length);
        const rest = after === null ? want : want.filter((n) => n > after);
        const page = list.page(prefix, limit, after);
        assert.deepEqual(page.names, rest.slice(0, limit));
        assert.equal(page.more, rest.length > limit);
      },
    ),
    { numRuns: 500 },
  );
});

test('walking the pages with the last name as the cursor lists every match once', () => {
  const list = new SortedNames();
  const names = Array.from({ length: 250 }, (_, i) => `user${String((i * 37) % 1000).padStart(4, '0')}`);
  list.add(names.slice(0, 100));
  list.add(names.slice(100));
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = list.page('user0', 7, after);
    seen.push(...page.names);
    if (!page.more) break;
    after = page.names[page.names.length - 1];
  }
  assert.deepEqual(seen, expected(new Set(names), 'user0'));
});
