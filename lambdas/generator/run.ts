// One run of the deployed generator: restore the seeded generator from its saved state (or start it),
// generate this run's batches, claim them by saving the advanced state, then send them in order.
//
// Claim first, send second: if two runs overlap (EventBridge delivers at least once), the conditional
// save lets exactly one of them through, so a batch is never sent twice. The price is that a send that
// fails after the save loses that run's batches; the generator then believes in friendships the graph
// never saw, which only turns some later events into noops: the processor decides every outcome.

import { type FamilyName, FEED_FAMILIES, MixedGenerator, parseFamilies } from '../../domain/family-generator';
import { ENV, GENERATOR } from '../../lib/definitions';
import { decodeSnapshot, encodeSnapshot } from './state-codec';
import type { StateStore } from './state-store';

export interface GeneratorConfig {
  /** Users registered by the first batch. */
  users: number;
  /** Growth stops here (applies to a restored generator too). */
  maxUsers: number;
  batchesPerRun: number;
  /** created_at distance between the batches of one run; the last one is stamped "now". */
  stepMs: number;
  seed: number;
  /** The event families each batch holds (default FEED_FAMILIES: every family). */
  families: readonly FamilyName[];
}

export interface SendSummary {
  events: number;
  records: number;
  bytes: number;
  lastSequenceNumber?: string;
}

export interface RunDeps {
  store: StateStore;
  /** Puts events into the stream in order (StreamProducer.send). */
  send(events: unknown[]): Promise<SendSummary>;
  config: GeneratorConfig;
  now?: () => number;
}

export interface RunResult {
  /** `lost-race`: another run saved first; this one sent nothing. */
  outcome: 'sent' | 'lost-race';
  restored: boolean;
  /** Batches emitted by the generator so far, this run's included. */
  batchIndex: number;
  batches: number;
  events: number;
  records: number;
  bytes: number;
  users: number;
  friendPairs: number;
  stateBytes: number;
  stateVersion: number;
  lastSequenceNumber?: string;
  durationsMs: { load: number; generate: number; save: number; send: number };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${raw} must be a positive integer`);
  return n;
}

/** The generator's settings from its environment (set by the stack), defaulting to GENERATOR. */
export function generatorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GeneratorConfig {
  return {
    users: positiveInt(env, ENV.generatorUsers, GENERATOR.users),
    maxUsers: positiveInt(env, ENV.generatorMaxUsers, GENERATOR.maxUsers),
    batchesPerRun: positiveInt(env, ENV.generatorBatchesPerRun, GENERATOR.batchesPerRun),
    stepMs: GENERATOR.stepMs,
    seed: positiveInt(env, ENV.generatorSeed, GENERATOR.seed),
    families: familiesFrom(env),
  };
}

/** BACEFOOK_GENERATOR_FAMILIES (`social,marketplace`), else every family. */
function familiesFrom(env: NodeJS.ProcessEnv): readonly FamilyName[] {
  const raw = env[ENV.generatorFamilies];
  if (raw === undefined || raw === '') return FEED_FAMILIES;
  try {
    return parseFamilies(raw);
  } catch (err) {
    throw new Error(`${ENV.generatorFamilies}=${raw}: ${(err as Error).message}`);
  }
}

export async function runGenerator(deps: RunDeps): Promise<RunResult> {
  const { config, store } = deps;
  const now = deps.now ?? Date.now;
  const t0 = Date.now();
  const loaded = await store.load();
  let generator: MixedGenerator;
  if (loaded) {
    const saved = decodeSnapshot(loaded.data);
    // maxUsers applies to a restored generator too; a family the saved state lacks starts afresh.
    const withMax =
      'kind' in saved
        ? { ...saved, social: { ...saved.social, maxUsers: config.maxUsers } }
        : { ...saved, maxUsers: config.maxUsers };
    generator = MixedGenerator.restore(withMax, { families: config.families, seed: config.seed });
  } else {
    generator = new MixedGenerator({
      users: config.users,
      seed: config.seed,
      maxUsers: config.maxUsers,
      stepMs: config.stepMs,
      families: config.families,
    });
  }
  const t1 = Date.now();

  const at = now();
  const events: unknown[] = [];
  for (let b = 0; b < config.batchesPerRun; b++) {
    const batch = generator.nextBatch(at - (config.batchesPerRun - 1 - b) * config.stepMs);
    for (const e of batch) events.push(e);
  }
  const state = encodeSnapshot(generator.snapshot());
  const t2 = Date.now();

  const summary = {
    users: generator.userCount,
    friendPairs: generator.friendPairCount,
    batchIndex: generator.batches,
  };
  const won = await store.save(state, loaded?.head ?? null, summary);
  const t3 = Date.now();
  const base = {
    restored: loaded !== null,
    batchIndex: generator.batches,
    batches: config.batchesPerRun,
    users: generator.userCount,
    friendPairs: generator.friendPairCount,
    stateBytes: state.length,
    stateVersion: (loaded?.head.version ?? 0) + (won ? 1 : 0),
  };
  if (!won) {
    return {
      ...base,
      outcome: 'lost-race',
      events: 0,
      records: 0,
      bytes: 0,
      durationsMs: { load: t1 - t0, generate: t2 - t1, save: t3 - t2, send: 0 },
    };
  }

  const sent = await deps.send(events);
  return {
    ...base,
    outcome: 'sent',
    events: sent.events,
    records: sent.records,
    bytes: sent.bytes,
    lastSequenceNumber: sent.lastSequenceNumber,
    durationsMs: { load: t1 - t0, generate: t2 - t1, save: t3 - t2, send: Date.now() - t3 },
  };
}
