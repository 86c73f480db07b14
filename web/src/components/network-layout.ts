// Where each node of a user's network goes: the user at the origin, the referrer above, the users it
// referred on a ring, friends on a sunflower spiral around them (even density at any size, O(n), no
// simulation). Pure: unit-tested under Node.
import type { UserNetwork } from '../types';

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

export interface Point {
  x: number;
  y: number;
}

/** Positions of every node: self at the origin, referrer above, referred on a ring, friends on a spiral. */
export function layoutNetwork(net: UserNetwork): Map<string, Point> {
  const pos = new Map<string, Point>();
  const referred = net.nodes.filter((n) => n.relation === 'referred');
  const friends = net.nodes.filter((n) => n.relation === 'friend');
  const ring = Math.max(90, (referred.length * 34) / (2 * Math.PI));
  for (const n of net.nodes) {
    if (n.relation === 'self') pos.set(n.name, { x: 0, y: 0 });
    else if (n.relation === 'referrer') pos.set(n.name, { x: 0, y: -ring });
  }
  referred.forEach((n, i) => {
    // Spread over the ring, leaving the top (the referrer's place) free.
    const a = -Math.PI / 2 + ((i + 1) * 2 * Math.PI) / (referred.length + 1);
    pos.set(n.name, { x: ring * Math.cos(a), y: ring * Math.sin(a) });
  });
  // Sunflower spiral: evenly dense at any size; r = c·√(i + hole) leaves room for the inner ring.
  const c = 17;
  const hole = ((ring + 55) / c) ** 2;
  friends.forEach((n, i) => {
    const r = c * Math.sqrt(i + hole);
    const a = (i + hole) * GOLDEN_ANGLE;
    pos.set(n.name, { x: r * Math.cos(a), y: r * Math.sin(a) });
  });
  return pos;
}
