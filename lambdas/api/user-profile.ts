// GET /users/{name}: the graph's figures, and the user's marketplace profile (null when none). The
// user item and the profile item are read in one coalesced call (lambdas/api/reader.ts). The profile's
// email only for a caller with the admin ability when tokens are on (SPEC 13).
import { callerMay } from '../../queries/access';
import { profileAnswer } from '../../queries/catalogue';
import { QUERY } from '../../queries/params';
import { profileView } from '../../queries/user';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route(
  { id: 'UserProfile', query: QUERY.none, path: ['name'] },
  async ({ path, event }) => {
    const r = reader();
    const [user, profile] = await Promise.all([r.requireUser(path.name), r.profile(path.name)]);
    return {
      ...profileView(user),
      profile: profileAnswer(profile, callerMay(event.requestContext?.authorizer, 'admin')),
    };
  },
);
