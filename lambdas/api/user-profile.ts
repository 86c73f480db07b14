// GET /users/{name}: the graph's figures, and the user's marketplace profile (null when none). The
// user item and the profile item are read in one coalesced call (lambdas/api/reader.ts).
import { QUERY } from '../../queries/params';
import { profileView } from '../../queries/user';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route({ id: 'UserProfile', query: QUERY.none, path: ['name'] }, async ({ path }) => {
  const r = reader();
  const [user, profile] = await Promise.all([r.requireUser(path.name), r.profile(path.name)]);
  return {
    ...profileView(user),
    profile: profile === null ? null : { displayName: profile.displayName, email: profile.email },
  };
});
