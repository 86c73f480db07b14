// The registry of event families: the one list a new family is added to.
import type { FamilyDef } from './family';
import { EVENT_FIGURES, type FigureSet } from './figures';
import { MARKETPLACE } from './marketplace/family';
import { POSTS } from './posts/family';
import { SOCIAL } from './social-family';

export const FAMILIES: readonly FamilyDef[] = [SOCIAL, MARKETPLACE, POSTS];

/** Family index by event kind. */
export const FAMILY_OF_TYPE: ReadonlyMap<string, number> = new Map(
  FAMILIES.flatMap((f, i) => f.types.map((t) => [t, i] as const)),
);

/** Every rejection reason, `malformed` first, then each family's in registry order. */
export const REJECT_REASONS: readonly string[] = [
  'malformed',
  ...new Set(FAMILIES.flatMap((f) => f.reasons)),
];

/** Every figure set by id. */
export const FIGURE_SETS: ReadonlyMap<string, FigureSet> = new Map(
  [EVENT_FIGURES, ...FAMILIES.flatMap((f) => f.sets)].map((s) => [s.id, s] as const),
);

/** The figure set `id`; throws for an id no family declares (a journal from another build). */
export function figureSet(id: string): FigureSet {
  const set = FIGURE_SETS.get(id);
  if (set === undefined) throw new Error(`unknown figure set '${id}'`);
  return set;
}

/** Every kind of every family, in registry order: a kind's index in the fold's counters. */
export const KINDS: readonly { kind: string; family: number }[] = FAMILIES.flatMap((f, family) =>
  f.types.map((kind) => ({ kind, family })),
);

/** Kind index (into KINDS) by kind. */
export const KIND_INDEX: ReadonlyMap<string, number> = new Map(KINDS.map((k, i) => [k.kind, i]));
