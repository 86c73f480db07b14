// POST /posts {user, content, postId?}: a `post` event through the stream (the processor stays the only
// writer), waiting for the processor to commit it as the catalogue writes do (catalogue-writer.ts).
// Without postId the post gets a random UUID; with an Idempotency-Key a retry gets the first answer,
// the same UUID included. 201 with the post when it is new, 200 when the same post (same user and
// content) was already stored (the event is a noop), 409 `duplicate_post` when the id holds another
// post (nothing is sent), 202 {postId, sequenceNumber} when the wait runs out.
import { randomUUID } from 'node:crypto';
import { MAX_POST_BODY_BYTES } from '../../lib/definitions';
import { parseJsonBody } from '../../queries/catalogue';
import { QUERY } from '../../queries/params';
import { DuplicatePostError, PostBodySchema, postEvent, postView } from '../../queries/posts';
import { readPost } from '../../storage/posts/items';
import { depsFromEnv } from '../shared/deps';
import { Reply, requestText, route } from '../shared/http';
import { CatalogueWriter } from './catalogue-writer';

const { kinesis, config, doc, tables } = depsFromEnv();
const writer = new CatalogueWriter('PostCreate', { kinesis, streamName: config.streamName, doc, tables });

export const handler = route(
  { id: 'PostCreate', query: QUERY.none, body: PostBodySchema },
  async ({ event }) => {
    const text = requestText(event, MAX_POST_BODY_BYTES);
    const key = writer.keyOf(event);
    const { data } = parseJsonBody(PostBodySchema, text);
    return writer.once(key, '/posts', text, async () => {
      const postId = data.postId ?? randomUUID();
      const same = (p: { user: string; content: string }) =>
        p.user === data.user && p.content === data.content;
      const duplicate = () =>
        new DuplicatePostError(`post '${postId}' already holds another user or content`);
      const before = await readPost(doc, tables.meta, postId);
      if (before !== null && !same(before)) throw duplicate();
      const sequenceNumber = await writer.send(postEvent(postId, data.user, data.content));
      if (!(await writer.committed(sequenceNumber))) return new Reply(202, { postId, sequenceNumber });
      const stored = await readPost(doc, tables.meta, postId);
      // Another post with this id committed between the read and this one: this one was rejected.
      if (stored === null || !same(stored)) throw duplicate();
      return new Reply(before === null ? 201 : 200, postView(stored));
    });
  },
);
