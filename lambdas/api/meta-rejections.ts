// GET /meta/rejections?limit&cursor
import { encodePositionCursor } from '../../queries/cursor';
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route({ id: 'MetaRejections', query: QUERY.rejections }, async ({ query }) => {
  const page = await reader().rejections(query.cursor ?? null, query.limit);
  return { items: page.items, nextCursor: page.next === null ? null : encodePositionCursor(page.next) };
});
