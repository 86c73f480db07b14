// GET /users/{name}/top-friends?limit
//
// Friends come from the user's item; their figures from the reader's in-memory index of all-time
// sums (lambdas/api/figure-index.ts) rather than one item read per friend.
import { QUERY } from '../../queries/params';
import { rankFriends } from '../../queries/user';
import { friendsOf } from '../../storage/user-item';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route(
  { id: 'UserTopFriends', query: QUERY.topFriends, path: ['name'] },
  async ({ path, query }) => {
    const r = reader();
    const [user, figures] = await Promise.all([r.requireUser(path.name), r.figures()]);
    const friends = friendsOf(user).map(([name]) => {
      const f = figures(name);
      return { name, networkStrength: f.strength, referralPoints: f.points };
    });
    return { items: rankFriends(friends, query.limit) };
  },
);
