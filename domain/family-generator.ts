// The seeded generator of a mixed stream (SPEC section 6, `--families`): the social batches of
// EventGenerator (domain/generator.ts) and, after each one, the events every other chosen family adds
// for the same batch, with the same created_at placement. `social` alone is the default and gives
// exactly EventGenerator's events. Without `social` in the list, the social generator still runs (its
// users are the ones the other families name) but its events are left out.
//
// Adding a family (issue 16 adds `posts`): write its FamilyGenerator in its folder, add its name to
// FAMILY_NAMES and one entry to FAMILY_GENERATORS below. Nothing else here changes.
import { EventGenerator, type GeneratorOptions, type GeneratorSnapshot } from './generator';
import {
  MarketplaceGenerator,
  type MarketplaceGeneratorOptions,
  type MarketplaceGeneratorSnapshot,
} from './marketplace/generator';
import { PostsGenerator, type PostsGeneratorOptions, type PostsGeneratorSnapshot } from './posts/generator';
import { toCompact } from './time';

/** What a family generator learns about the batch it adds to. */
export interface BatchContext {
  /** The batch's created_at (epoch ms) and its compact form, as the social batch carries it. */
  atMs: number;
  createdAt: string;
  /** Registered users after the social batch (user00001 …). */
  users: number;
  /** Events in the social batch (emitted or not). */
  socialEvents: number;
}

/** One family's share of the generator. Deterministic: all randomness from its own seeded PRNG. */
export interface FamilyGenerator {
  readonly family: string;
  /** Appends this family's events for one batch to `out`, in stream order. */
  batch(ctx: BatchContext, out: unknown[]): void;
  /** JSON-safe state; the family's `restore` continues from it identically. */
  snapshot(): unknown;
}

export const FAMILY_NAMES = ['social', 'marketplace', 'posts'] as const;
export type FamilyName = (typeof FAMILY_NAMES)[number];
export const DEFAULT_FAMILIES: readonly FamilyName[] = ['social'];
/**
 * What the project's own feeds send by default (the embedded default's generator loop, `npm start`,
 * and the deployed generator Lambda): every family the processor folds, so a newcomer sees every
 * family's figures move. `npm run generate` keeps DEFAULT_FAMILIES (the public generator's stream).
 */
export const FEED_FAMILIES: readonly FamilyName[] = FAMILY_NAMES;

/** Per-family options of the generator (a family without options takes none). */
export interface FamilyOptions {
  marketplace?: MarketplaceGeneratorOptions;
  posts?: PostsGeneratorOptions;
}

export interface MixedGeneratorOptions extends GeneratorOptions, FamilyOptions {
  /** Families in the stream. Default ['social']. */
  families?: readonly FamilyName[];
}

type OtherFamily = Exclude<FamilyName, 'social'>;

/** How each family but social makes and restores its generator: the one place a new family plugs in. */
const FAMILY_GENERATORS: {
  [F in OtherFamily]: {
    create(seed: number, users: number, o: FamilyOptions): FamilyGenerator;
    restore(state: unknown): FamilyGenerator;
  };
} = {
  marketplace: {
    create: (seed, users, o) => new MarketplaceGenerator(seed, users, o.marketplace),
    restore: (state) => MarketplaceGenerator.restore(state as MarketplaceGeneratorSnapshot),
  },
  posts: {
    create: (seed, _users, o) => new PostsGenerator(seed, o.posts),
    restore: (state) => PostsGenerator.restore(state as PostsGeneratorSnapshot),
  },
};

/** `social,marketplace` → the families, in FAMILY_NAMES order. Throws a RangeError naming a bad one. */
export function parseFamilies(list: string): FamilyName[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new RangeError(`families: give at least one of ${FAMILY_NAMES.join(', ')}`);
  for (const n of names) {
    if (!(FAMILY_NAMES as readonly string[]).includes(n)) {
      throw new RangeError(`families: unknown family '${n}' (known: ${FAMILY_NAMES.join(', ')})`);
    }
  }
  return FAMILY_NAMES.filter((f) => names.includes(f));
}

/** A mixed generator's state as plain data (JSON-safe). */
export interface MixedGeneratorSnapshot {
  version: 1;
  kind: 'mixed';
  seed: number;
  families: FamilyName[];
  social: GeneratorSnapshot;
  /** the state of each family generator but social's */
  others: Partial<Record<OtherFamily, unknown>>;
}

/** A saved generator's parts, for MixedGenerator.restore. */
interface Restored {
  social: EventGenerator;
  others: Partial<Record<OtherFamily, unknown>>;
}

export class MixedGenerator {
  readonly families: readonly FamilyName[];
  private readonly social: EventGenerator;
  private readonly others: { name: OtherFamily; gen: FamilyGenerator }[];
  private readonly withSocial: boolean;
  private readonly seed: number;
  private readonly startMs: number;
  private readonly stepMs: number;

  constructor(o: MixedGeneratorOptions, restored?: Restored) {
    const families = o.families ?? DEFAULT_FAMILIES;
    this.families = FAMILY_NAMES.filter((f) => families.includes(f));
    if (this.families.length === 0) throw new RangeError('families: give at least one family');
    this.social = restored?.social ?? new EventGenerator(o);
    const s = this.social.snapshot();
    this.seed = o.seed;
    this.startMs = s.startMs;
    this.stepMs = s.stepMs;
    this.withSocial = this.families.includes('social');
    this.others = this.families
      .filter((f): f is OtherFamily => f !== 'social')
      .map((name) => {
        const saved = restored?.others[name];
        const gen =
          saved === undefined
            ? FAMILY_GENERATORS[name].create(o.seed, o.users, o)
            : FAMILY_GENERATORS[name].restore(saved);
        return { name, gen };
      });
  }

  /**
   * Continues a saved generator. A plain social snapshot (a generator saved before families existed)
   * is accepted too. With `families`, a family the snapshot lacks starts afresh (its first batch comes
   * next) and one it has but the list lacks is dropped; `seed` seeds the fresh ones when the snapshot
   * carries none.
   */
  static restore(
    s: MixedGeneratorSnapshot | GeneratorSnapshot,
    o: FamilyOptions & { families?: readonly FamilyName[]; seed?: number } = {},
  ): MixedGenerator {
    const mixed = (s as MixedGeneratorSnapshot).kind === 'mixed' ? (s as MixedGeneratorSnapshot) : null;
    const socialSnap = mixed === null ? (s as GeneratorSnapshot) : mixed.social;
    return new MixedGenerator(
      {
        ...o,
        users: socialSnap.initialUsers,
        seed: mixed?.seed ?? o.seed ?? 0,
        families: o.families ?? mixed?.families ?? DEFAULT_FAMILIES,
      },
      { social: EventGenerator.restore(socialSnap), others: mixed?.others ?? {} },
    );
  }

  /** Registered users so far. */
  get userCount(): number {
    return this.social.userCount;
  }

  /** Batches emitted so far. */
  get batches(): number {
    return this.social.batches;
  }

  /** Friend pairs of the social generator so far. */
  get friendPairCount(): number {
    return this.social.friendPairCount;
  }

  snapshot(): MixedGeneratorSnapshot {
    const others: MixedGeneratorSnapshot['others'] = {};
    for (const { name, gen } of this.others) others[name] = gen.snapshot();
    return {
      version: 1,
      kind: 'mixed',
      seed: this.seed,
      families: [...this.families],
      social: this.social.snapshot(),
      others,
    };
  }

  /**
   * The next batch, in stream order: the social events (when social is in the list), then each other
   * family's events for the same batch. `createdAtMs` overrides the default startMs + batch × stepMs.
   */
  nextBatch(createdAtMs?: number): unknown[] {
    const atMs = createdAtMs ?? this.startMs + this.social.batches * this.stepMs;
    const socialEvents: unknown[] = this.social.nextBatch(atMs);
    if (this.others.length === 0) return socialEvents;
    const out = this.withSocial ? socialEvents : [];
    const ctx: BatchContext = {
      atMs,
      createdAt: toCompact(atMs),
      users: this.social.userCount,
      socialEvents: socialEvents.length,
    };
    for (const { gen } of this.others) gen.batch(ctx, out);
    return out;
  }
}

/** All events of `batches` consecutive mixed batches, in stream order. */
export function generateMixedEvents(o: MixedGeneratorOptions & { batches: number }): unknown[] {
  const g = new MixedGenerator(o);
  const out: unknown[] = [];
  for (let b = 0; b < o.batches; b++) {
    const batch = g.nextBatch();
    for (let i = 0; i < batch.length; i++) out.push(batch[i]);
  }
  return out;
}
