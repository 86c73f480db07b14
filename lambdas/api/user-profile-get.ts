// GET /users/{name}/profile: the user's marketplace profile, for a registered user or for a name with
// a profile (SPEC 10: families are independent, a profile needs no registration); 404 for neither.
// The email only for a caller with the admin ability when tokens are on (SPEC 13).
import { callerMay } from '../../queries/access';
import { userOfPath, userProfileAnswer } from '../../queries/catalogue';
import { NotFoundError } from '../../queries/errors';
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route(
  { id: 'UserProfileGet', query: QUERY.none, path: ['name'] },
  async ({ path, event }) => {
    const name = userOfPath(path.name);
    const r = reader();
    const [profile, user] = await Promise.all([r.profile(name), r.user(name)]);
    if (profile === null && user === null) {
      throw new NotFoundError(`user '${name}' is not registered and has no profile`);
    }
    return userProfileAnswer(name, profile, callerMay(event.requestContext?.authorizer, 'admin'));
  },
);
