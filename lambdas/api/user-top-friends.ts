// GET /users/{name}/top-friends?limit
import { QUERY } from '../../queries/params';
import { topFriends } from '../../queries/user';
import { friendsOf } from '../../storage/user-item';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route({ query: QUERY.topFriends, path: ['name'] }, async ({ path, query }) => {
  const r = reader();
  const user = await r.requireUser(path.name);
  const friends = await r.figures(friendsOf(user).map(([name]) => name));
  return { items: topFriends(friends, query.limit) };
});
