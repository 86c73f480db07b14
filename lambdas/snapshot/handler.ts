// Snapshot Lambda (EventBridge schedule): folds committed journals into rollups. Wiring only; the
// logic is in snapshot-builder.ts.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { SNAPSHOT } from '../../lib/definitions';
import { RollupConflictError } from '../../storage/rollup-store';
import { depsFromEnv } from '../shared/deps';
import { makeLogger } from '../shared/logger';
import { SnapshotBuilder } from './snapshot-builder';

const logger = makeLogger('bacefook-snapshot');
const builder = new SnapshotBuilder(depsFromEnv(SNAPSHOT));
/** Time kept in hand for the last run's writes before the Lambda timeout. */
const RESERVE_MS = 30_000;

// No early timeout: a run must not keep writing after its invocation ended (see the processor handler).
export const handler = middy<unknown, { journals: number; caughtUp: boolean }>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event: unknown, context: Context) => {
    try {
      const s = await builder.runUntilCaughtUp(Date.now() + context.getRemainingTimeInMillis() - RESERVE_MS);
      // An idle run (nothing new) logs at debug: the local runtime runs the job every second.
      (s.journals > 0 ? logger.info : logger.debug).call(logger, 'snapshot built', {
        journals: s.journals,
        deltas: s.deltas,
        blocksWritten: s.blocksWritten,
        journalsDeleted: s.journalsDeleted,
        caughtUp: s.caughtUp,
        cursor: s.state.cursor,
        coveredUntil: s.state.coveredUntil,
      });
      return { journals: s.journals, caughtUp: s.caughtUp };
    } catch (err) {
      // Two overlapping runs: the one that lost the race stops; the next scheduled run carries on.
      if (err instanceof RollupConflictError) {
        logger.warn('snapshot run yielded to a concurrent run', { error: err.message });
        return { journals: 0, caughtUp: false };
      }
      throw err;
    }
  });
