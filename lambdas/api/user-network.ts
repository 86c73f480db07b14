// GET /users/{name}/network
import { QUERY } from '../../queries/params';
import { networkView } from '../../queries/user';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route({ id: 'UserNetwork', query: QUERY.none, path: ['name'] }, async ({ path }) =>
  networkView(await reader().requireUser(path.name)),
);
