// Imported for its effect, before dynalite (local/emulator-servers.ts): dynalite's in-memory store
// (memory-level) then keeps keys and values as strings instead of Buffers.
//
// With Buffers, every put allocates its key and value outside the JS heap. Left running with its
// generator, an in-memory stack's RSS grew 1.3-1.5 MB a minute while the stored data grew about 0.4 MB
// and every thread's heap stayed flat: the buffers of items rewritten every batch (user items, heads)
// were freed among lasting ones (rollup blocks, posts), and the allocator kept the holes. As strings
// they live in the V8 heap, which compacts (docs/performance.md, "The long run").
//
// String keys compare by UTF-16 code unit rather than by UTF-8 byte: the two orders differ only between
// characters past U+FFFF and those from U+E000 to U+FFFF, and no sort key of these tables holds either
// (they are digits, positions and fixed ASCII words). A data directory (classic-level) is not affected.
import { createRequire } from 'node:module';

interface MemoryLevelModule {
  MemoryLevel: new (options?: Record<string, unknown>) => object;
}

// `made` counts the stores made so (test/integration/emulator-bounds.test.ts reads it).
const STRING_STORE = Symbol.for('bacefook.dynaliteStringStore');
const memoryLevel = createRequire(import.meta.url)('memory-level') as MemoryLevelModule & {
  [STRING_STORE]?: { made: number };
};
if (memoryLevel[STRING_STORE] === undefined) {
  const count = { made: 0 };
  const Base = memoryLevel.MemoryLevel;
  memoryLevel.MemoryLevel = class StringStoreMemoryLevel extends Base {
    constructor(options?: Record<string, unknown>) {
      super({ storeEncoding: 'utf8', ...options });
      count.made++;
    }
  };
  memoryLevel[STRING_STORE] = count;
}
