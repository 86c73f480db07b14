// GET /health
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';

export const handler = route({ id: 'Health', query: QUERY.none }, async () => ({ status: 'ok' }));
