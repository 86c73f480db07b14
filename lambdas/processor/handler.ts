// Processor Lambda: Kinesis event source mapping -> BatchProcessor. Wiring only.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { METRICS_NAMESPACE, PROCESSOR, PROCESSOR_METRICS } from '../../lib/definitions';
import { depsFromEnv } from '../shared/deps';
import { makeLogger } from '../shared/logger';
import { BatchProcessor } from './batch-processor';

const logger = makeLogger('bacefook-processor');
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'bacefook-processor',
});
const processor = new BatchProcessor(depsFromEnv(PROCESSOR));

// No early timeout (middy's default answers 5 ms before the deadline and lets the handler run on):
// a batch still being written must not keep writing once the invocation has ended, or the retry
// would race it. At the deadline Lambda kills the process, which is safe (see batch-processor.ts).
export const handler = middy<KinesisStreamEvent, KinesisStreamBatchResponse>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const records = event.Records.map((r) => ({
      sequenceNumber: r.kinesis.sequenceNumber,
      data: Buffer.from(r.kinesis.data, 'base64'),
      partitionKey: r.kinesis.partitionKey,
      arrivalMs: Math.round(r.kinesis.approximateArrivalTimestamp * 1000),
    }));
    const s = await processor.process(records);
    const last = event.Records.at(-1);
    const iteratorAgeMs = last ? Date.now() - last.kinesis.approximateArrivalTimestamp * 1000 : 0;
    metrics.addMetric(PROCESSOR_METRICS.applied, MetricUnit.Count, s.tally.applied);
    metrics.addMetric(PROCESSOR_METRICS.noop, MetricUnit.Count, s.tally.noop);
    metrics.addMetric(PROCESSOR_METRICS.rejected, MetricUnit.Count, s.tally.rejected);
    metrics.addMetric(PROCESSOR_METRICS.resent, MetricUnit.Count, s.resent);
    metrics.addMetric(
      PROCESSOR_METRICS.batchDuration,
      MetricUnit.Milliseconds,
      s.durationsMs.load + s.durationsMs.fold + s.durationsMs.write,
    );
    metrics.addMetric(PROCESSOR_METRICS.iteratorAge, MetricUnit.Milliseconds, Math.max(0, iteratorAgeMs));
    logger.info('batch folded', {
      firstSequenceNumber: event.Records[0]?.kinesis.sequenceNumber,
      lastSequenceNumber: last?.kinesis.sequenceNumber,
      ...s,
    });
    if (s.liveError !== undefined) logger.warn('live digest not written', { error: s.liveError });
    if (s.failedAtSequenceNumber !== null) {
      // Earlier chunks committed; only the tail from this record is redelivered.
      logger.error('batch partly committed', {
        failedAtSequenceNumber: s.failedAtSequenceNumber,
        error: s.error,
      });
      return { batchItemFailures: [{ itemIdentifier: s.failedAtSequenceNumber }] };
    }
    return { batchItemFailures: [] };
  });
