// The social family (register, referral, addfriend, unfriend) as the shared layers see it. Its fold is
// domain/graph.ts; its figure set carries, per (bucket, user), the change of network strength and of
// referral points, which the leaderboards and top-friends sum.
import type { FamilyDef } from './family';
import type { FigureSet } from './figures';

export const SOCIAL_FIGURES: FigureSet = { id: 'social', columns: ['strength', 'points'], dense: true };
export const SOCIAL_STRENGTH = 0;
export const SOCIAL_POINTS = 1;

export const SOCIAL: FamilyDef = {
  name: 'social',
  types: ['register', 'referral', 'addfriend', 'unfriend'],
  reasons: ['duplicate_register', 'unknown_user', 'self_relation', 'already_referred', 'referral_cycle'],
  sets: [SOCIAL_FIGURES],
};
