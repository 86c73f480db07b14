// GET /posts/{id}: the post and its analysis, from its item (posts never change once written).
import { NotFoundError } from '../../queries/errors';
import { QUERY } from '../../queries/params';
import { postIdOfPath, postView } from '../../queries/posts';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route({ id: 'PostGet', query: QUERY.none, path: ['id'] }, async ({ path }) => {
  const postId = postIdOfPath(path.id);
  const post = await reader().post(postId);
  if (post === null) throw new NotFoundError(`post '${postId}' is not known`);
  return postView(post);
});
