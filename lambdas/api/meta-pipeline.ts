// GET /meta/pipeline
import { pipelineView } from '../../queries/pipeline';
import { NoQuery, route } from '../shared/http';
import { reader } from './reader';

// Through the shared reader: the state is reused for a few hundred milliseconds, so a dashboard
// polling it (or many) costs one read per interval, not one per request.
export const handler = route({ query: NoQuery }, async () => pipelineView(await reader().pipelineState()));
