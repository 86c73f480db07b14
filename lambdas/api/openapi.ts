// GET /openapi.json

import { openApiDocument } from '../../queries/openapi';
import { QUERY } from '../../queries/params';
import { JsonText, route } from '../shared/http';

// Built and serialized once per cold start: it only changes with a deployment.
const document = new JsonText(JSON.stringify(openApiDocument()));

export const handler = route({ id: 'OpenApi', query: QUERY.none }, async () => document);
