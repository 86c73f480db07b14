// What a family of events declares to the layers that carry it (processor, journal, rollups, API).
//
// A family is a unit: its event kinds, the rejection reasons its rules can give (besides `malformed`,
// which every family shares), and the figure sets its fold reports per bucket. The layers below work
// from these declarations only, so adding a family means a folder per layer and one line in the
// registry (domain/families.ts), not edits to the shared mechanism.
import type { FigureSet } from './figures';

export interface FamilyDef {
  name: string;
  /** event kinds, as given in `type` (or `event_name`, or `event`) */
  types: readonly string[];
  /** rejection reasons besides `malformed`, in the order the family checks them */
  reasons: readonly string[];
  /** figure sets the family's fold reports per 5-second bucket */
  sets: readonly FigureSet[];
}
