// GET /users/{name}/friends?limit&cursor
import { QUERY } from '../../queries/params';
import { friendsPage } from '../../queries/user';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route(
  { id: 'UserFriends', query: QUERY.friends, path: ['name'] },
  async ({ path, query }) =>
    friendsPage(await reader().requireUser(path.name), query.limit, query.cursor ?? null),
);
