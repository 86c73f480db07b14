// GET /meta/snapshots
import { QUERY } from '../../queries/params';
import { snapshotView } from '../../queries/snapshot';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route({ id: 'MetaSnapshots', query: QUERY.none }, async () =>
  snapshotView(await reader().snapshotState()),
);
