// GET /health
import { NoQuery, route } from '../shared/http';

export const handler = route({ query: NoQuery }, async () => ({ status: 'ok' }));
