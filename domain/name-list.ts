// The registered names in code-unit order, for /meta/users: prefix counts and pages by binary search.
// Pure; storage/name-index.ts keeps one up to date from the processor's registration groups.

/** Code-unit order, the order of every name listing in the API. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class SortedNames {
  private names: string[] = [];

  get size(): number {
    return this.names.length;
  }

  /** Adds names not yet present (a name is registered once, but a group may be read twice). */
  add(fresh: readonly string[]): void {
    if (fresh.length === 0) return;
    const incoming = [...new Set(fresh)].sort(compareNames);
    const old = this.names;
    const out: string[] = new Array(old.length + incoming.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < old.length || j < incoming.length) {
      if (j === incoming.length || (i < old.length && old[i] < incoming[j])) out[k++] = old[i++];
      else if (i === old.length || incoming[j] < old[i]) out[k++] = incoming[j++];
      else {
        out[k++] = old[i++];
        j++;
      }
    }
    out.length = k;
    this.names = out;
  }

  /** Index of the first name >= s (strict: first name > s). */
  private bound(s: string, strict: boolean): number {
    const a = this.names;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] < s || (strict && a[mid] === s)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** [start, end) of the names beginning with `prefix`: they are contiguous in code-unit order. */
  private range(prefix: string): [number, number] {
    const a = this.names;
    const start = this.bound(prefix, false);
    let lo = start;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid].startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    return [start, lo];
  }

  count(prefix: string): number {
    const [start, end] = this.range(prefix);
    return end - start;
  }

  /** Up to `limit` names with the prefix after `after` (exclusive), and whether more follow. */
  page(prefix: string, limit: number, after: string | null): { names: string[]; more: boolean } {
    const [start, end] = this.range(prefix);
    const from = after === null ? start : Math.max(start, this.bound(after, true));
    const to = Math.min(end, from + limit);
    return { names: this.names.slice(from, to), more: to < end };
  }
}
