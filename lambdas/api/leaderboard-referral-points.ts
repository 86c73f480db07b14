// PLACEHOLDER until the route is built (issue 4): answers 501 in the SPEC's error shape.

import { z } from 'zod';
import { Reply, route } from '../shared/http';

export const handler = route(
  { query: z.object({}) },
  async () => new Reply(501, { error: { code: 'not_implemented', message: 'This route is not built yet.' } }),
);
