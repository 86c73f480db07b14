// GET /users/{name}
import { QUERY } from '../../queries/params';
import { profileView } from '../../queries/user';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route({ id: 'UserProfile', query: QUERY.none, path: ['name'] }, async ({ path }) =>
  profileView(await reader().requireUser(path.name)),
);
