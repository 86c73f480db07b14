// GET /openapi.json

import { openApiDocument } from '../../queries/openapi';
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';

const document = openApiDocument();

export const handler = route({ query: QUERY.none }, async () => document);
