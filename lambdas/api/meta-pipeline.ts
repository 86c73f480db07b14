// GET /meta/pipeline
import { pipelineView } from '../../queries/pipeline';
import { PipelineStore } from '../../storage/pipeline-store';
import { depsFromEnv } from '../shared/deps';
import { NoQuery, route } from '../shared/http';

const { doc, tables } = depsFromEnv();
const store = new PipelineStore(doc, tables);

export const handler = route({ query: NoQuery }, async () => pipelineView(await store.readState()));
