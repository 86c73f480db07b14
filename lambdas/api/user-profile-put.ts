// PUT /users/{name}/profile: creates or replaces a user's profile as a profileUpserted event through
// the stream, and answers it once the processor has committed it (lambdas/api/catalogue-writer.ts).
// The user need not be registered (SPEC 10: families are independent).
import { MAX_WRITE_BODY_BYTES } from '../../lib/definitions';
import {
  ProfileBodySchema,
  parseJsonBody,
  profileOfBody,
  profileUpsertedEvent,
  userOfPath,
  userProfileAnswer,
} from '../../queries/catalogue';
import { QUERY } from '../../queries/params';
import { readProfile } from '../../storage/marketplace/items';
import { depsFromEnv } from '../shared/deps';
import { requestText, route } from '../shared/http';
import { CatalogueWriter } from './catalogue-writer';

const { kinesis, config, doc, tables } = depsFromEnv();
const writer = new CatalogueWriter('UserProfilePut', { kinesis, streamName: config.streamName, doc, tables });

export const handler = route(
  { id: 'UserProfilePut', query: QUERY.none, path: ['name'], body: ProfileBodySchema },
  async ({ path, event }) => {
    const user = userOfPath(path.name);
    const text = requestText(event, MAX_WRITE_BODY_BYTES);
    const key = writer.keyOf(event);
    const { raw, data } = parseJsonBody(ProfileBodySchema, text);
    return writer.once(key, `/users/${user}/profile`, text, () =>
      writer.upsert({
        event: profileUpsertedEvent(user, raw),
        read: () => readProfile(doc, tables.meta, user),
        written: profileOfBody(data),
        answer: (p) => userProfileAnswer(user, p),
      }),
    );
  },
);
