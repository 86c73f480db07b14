// GET /meta/pipeline
import { QUERY } from '../../queries/params';
import { pipelineView } from '../../queries/pipeline';
import { route } from '../shared/http';
import { reader } from './reader';

// Through the shared reader: the state is reused for a few hundred milliseconds, so a dashboard
// polling it (or many) costs one read per interval, not one per request.
export const handler = route({ id: 'MetaPipeline', query: QUERY.none }, async () =>
  pipelineView(await reader().pipelineState()),
);
