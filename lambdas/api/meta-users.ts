// GET /meta/users?prefix&limit&cursor
import { encodeNameCursor } from '../../queries/cursor';
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route({ id: 'MetaUsers', query: QUERY.metaUsers }, async ({ query }) => {
  const page = await reader().userNames(query.prefix ?? null, query.limit, query.cursor ?? null);
  return {
    total: page.total,
    items: page.names,
    nextCursor: page.next === null ? null : encodeNameCursor(page.next),
  };
});
