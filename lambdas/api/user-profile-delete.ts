// DELETE /users/{name}/profile: removes a user's profile as a profileDeleted event through the
// stream, and answers 204 once the processor has committed it (a noop when there was none). See
// lambdas/api/catalogue-writer.ts.
import { profileDeletedEvent, userOfPath } from '../../queries/catalogue';
import { QUERY } from '../../queries/params';
import { depsFromEnv } from '../shared/deps';
import { route } from '../shared/http';
import { CatalogueWriter } from './catalogue-writer';

const { kinesis, config, doc, tables } = depsFromEnv();
const writer = new CatalogueWriter('UserProfileDelete', {
  kinesis,
  streamName: config.streamName,
  doc,
  tables,
});

export const handler = route(
  { id: 'UserProfileDelete', query: QUERY.none, path: ['name'] },
  async ({ path, event }) => {
    const user = userOfPath(path.name);
    const key = writer.keyOf(event);
    return writer.once(key, `/users/${user}/profile`, '', () => writer.delete(profileDeletedEvent(user)));
  },
);
