// The processor's families, in the order of domain/families.ts: the one list a new family joins.
import { FAMILIES } from '../../domain/families';
import type { ProcessorFamily } from './family-chunk';
import { MarketplaceFamily } from './marketplace-chunk';
import { PostsFamily } from './posts-chunk';
import { SocialFamily } from './social-chunk';

export interface FamilyOptions {
  /** the social family's warm-cache budget (entries) */
  cacheEntries?: number;
}

export function processorFamilies(o: FamilyOptions = {}): ProcessorFamily[] {
  const families: ProcessorFamily[] = [
    new SocialFamily(o.cacheEntries),
    new MarketplaceFamily(),
    new PostsFamily(),
  ];
  // Same order as the domain's registry: a family's index is its position in both.
  families.forEach((f, i) => {
    if (FAMILIES[i]?.name !== f.def.name)
      throw new Error(`processor family ${f.def.name} out of registry order`);
  });
  if (families.length !== FAMILIES.length)
    throw new Error('every family of the registry needs its processor part');
  return families;
}
