// Generator Lambda (EventBridge schedule): feeds the stream the way `npm start`'s generator loop does
// locally. Wiring only; the run is in run.ts, the state in state-store.ts.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { GENERATOR, GENERATOR_METRICS, METRICS_NAMESPACE } from '../../lib/definitions';
import { StreamProducer } from '../../stream/producer';
import { depsFromEnv } from '../shared/deps';
import { makeLogger } from '../shared/logger';
import { generatorConfigFromEnv, type RunResult, runGenerator } from './run';
import { DynamoStateStore } from './state-store';

const logger = makeLogger('bacefook-generator');
const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE });
const deps = depsFromEnv(GENERATOR);
const producer = new StreamProducer(deps.kinesis, deps.config.streamName);
const store = new DynamoStateStore(deps.doc, deps.tables.meta, GENERATOR.ownPartition?.pk ?? 'generator');
const config = generatorConfigFromEnv();

export const handler = middy<unknown, RunResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async () => {
    const r = await runGenerator({ store, config, send: (events) => producer.send(events) });
    metrics.addMetric(GENERATOR_METRICS.events, MetricUnit.Count, r.events);
    metrics.addMetric(GENERATOR_METRICS.records, MetricUnit.Count, r.records);
    metrics.addMetric(GENERATOR_METRICS.users, MetricUnit.Count, r.users);
    if (r.outcome === 'lost-race') logger.warn('another generator run saved first; nothing sent', { ...r });
    else logger.info('generator run', { ...r });
    return r;
  });
