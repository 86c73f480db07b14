// The embedded runtime's event feed: a seeded generator batch every few seconds, stamped with the
// current time and sent into the stream (through the ordered producer). Never two sends at once.
// `families` chooses what the batches hold (domain/family-generator.ts): every family by default
// (FEED_FAMILIES: the social batch, then the marketplace's events for it, with the same created_at).
//
// With a state file (`<dataDir>/generator.json`) a restart continues the same generator: otherwise it
// would register user00001... again, and every event of the new run would be rejected or a noop. And
// it survives a kill at any moment, sending every batch exactly once:
// 1. before a batch is sent, the state file is saved with the generator as it was before the batch
//    and the batch's time (`pending`): that is enough to make the very same batch again;
// 2. the batch is sent;
// 3. a small second file (`<stateFile>.sent`) records that batch number as sent in full.
// A restart that finds a pending batch not marked as sent makes it again and asks the stream how much
// of it already landed (`landed`: records after the last sequence number the previous batch ended
// at), and sends only the rest. A send that fails while running is finished the same way before the
// next batch. The deployed generator claims its batches before sending too (lambdas/generator/run.ts),
// but it may lose a claimed batch whose send failed; here nothing is lost. A state saved before
// families existed (a plain social snapshot) is continued too; a family asked for that the saved
// state lacks starts afresh (its catalogue first).
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type FamilyName,
  type FamilyOptions,
  FEED_FAMILIES,
  MixedGenerator,
  type MixedGeneratorSnapshot,
} from '../domain/family-generator';
import type { GeneratorSnapshot } from '../domain/generator';
import type { RuntimeLogger } from './logs';

export interface GeneratorLoopOptions extends FamilyOptions {
  users: number;
  /** Later batches stop registering users past this many (default: unlimited). */
  maxUsers?: number;
  everyMs: number;
  seed?: number;
  /** The event families the batches hold (default: FEED_FAMILIES, every family). */
  families?: readonly FamilyName[];
  /** Stop after this many batches in all, counting those of earlier runs (default: never). */
  maxBatches?: number;
  /** Sends one batch of events into the stream, in order. */
  send: (events: unknown[]) => Promise<{ lastSequenceNumber?: string } | undefined>;
  /**
   * How many leading events of `events` are already in the stream, looking only after the record
   * `after` (the end of the previous batch; undefined: from the trim horizon). Without it a batch
   * cut short is sent again whole.
   */
  landed?: (events: unknown[], after: string | undefined) => Promise<number>;
  /** Where to save the generator's state (e.g. `<dataDir>/generator.json`). */
  stateFile?: string;
  logger?: RuntimeLogger;
  /**
   * Called after each step of a batch (tests: a kill at an exact point): `saved` once the batch is
   * claimed in the state file, `sent` once it is in the stream, `marked` once that is on disk.
   */
  onStep?: (step: GeneratorStep, batch: number) => void;
}

export type GeneratorStep = 'saved' | 'sent' | 'marked';

export interface GeneratorStats {
  /** batches sent by this run */
  batches: number;
  /** batches the generator has made in all, earlier runs' included */
  made: number;
  /** whether a batch is made but not yet known to be in the stream */
  pending: boolean;
  events: number;
  users: number;
  lastBatchEvents: number;
  errors: number;
}

/** The state file. `generator` is the generator before `pending` when a batch is pending. */
interface SavedState {
  seed: number;
  generator: MixedGeneratorSnapshot | GeneratorSnapshot;
  /** Sequence number of the last record the generator put (undefined: none yet). */
  after?: string;
  /** The batch being sent: its number (1-based) and its created_at. */
  pending?: { batch: number; at: number };
}

/** `<stateFile>.sent`: the last batch sent in full, and where it ended. */
interface SentMark {
  batch: number;
  after?: string;
}

function readJson<T>(file: string | undefined): T | null {
  if (!file) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

function readState(file: string | undefined): SavedState | null {
  const s = readJson<Partial<SavedState>>(file);
  if (s && Number.isInteger(s.seed) && typeof s.generator === 'object' && s.generator !== null) {
    return s as SavedState;
  }
  return null;
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value)}\n`);
  renameSync(`${file}.tmp`, file);
}

export class GeneratorLoop {
  private readonly opts: GeneratorLoopOptions;
  private gen: MixedGenerator | null = null;
  private seed = 0;
  /** Sequence number of the last record put by the last batch sent in full. */
  private after: string | undefined;
  /** A batch made but not known to be sent in full: its number and events. */
  private pending: { batch: number; events: unknown[] } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private stopped = true;
  private startup: Promise<void> | null = null;
  private readonly counters = { batches: 0, events: 0, lastBatchEvents: 0, errors: 0 };

  constructor(opts: GeneratorLoopOptions) {
    this.opts = opts;
  }

  /**
   * Restores a saved generator (and finishes a batch a kill cut short) and sends the next batch at
   * once; later ones follow every `everyMs`. Resolves when the first batch has been handed to `send`.
   */
  start(): Promise<void> {
    if (this.startup) return this.startup;
    this.stopped = false;
    this.startup = this.restore().then(() => this.fire());
    return this.startup;
  }

  private async restore(): Promise<void> {
    const saved = readState(this.opts.stateFile);
    if (saved) {
      try {
        const families = this.opts.families ?? FEED_FAMILIES;
        const savedFamilies =
          'kind' in saved.generator ? saved.generator.families : (['social'] as FamilyName[]);
        let gen = MixedGenerator.restore(saved.generator, {
          families,
          seed: saved.seed,
          marketplace: this.opts.marketplace,
        });
        this.seed = saved.seed;
        this.after = saved.after;
        const social = 'kind' in saved.generator ? saved.generator.social : saved.generator;
        if (social.initialUsers !== this.opts.users) {
          this.opts.logger?.log('warn', 'generator', 'continuing the saved generator', {
            savedUsers: social.initialUsers,
            requestedUsers: this.opts.users,
          });
        }
        if (saved.pending) {
          // The pending batch is made again as it was made: by the families of the saved state. Only
          // then do families added since join (each starting from its first batch, the catalogue's).
          const maker = MixedGenerator.restore(saved.generator, {
            families: savedFamilies,
            seed: saved.seed,
            marketplace: this.opts.marketplace,
          });
          const events = maker.nextBatch(saved.pending.at);
          gen = MixedGenerator.restore(maker.snapshot(), {
            families,
            seed: saved.seed,
            marketplace: this.opts.marketplace,
          });
          const sent = readJson<SentMark>(this.sentFile());
          if (sent?.batch === saved.pending.batch) {
            this.after = sent.after;
          } else {
            this.pending = { batch: saved.pending.batch, events };
            this.opts.logger?.log('warn', 'generator', 'finishing a batch an earlier run did not finish', {
              batch: saved.pending.batch,
              events: events.length,
            });
          }
        }
        this.gen = gen;
        return;
      } catch (err) {
        this.opts.logger?.log('warn', 'generator', 'saved generator state unusable; starting a new one', {
          error: err,
        });
      }
    }
    this.seed = this.opts.seed ?? Math.floor(Math.random() * 2 ** 31);
    // A mark left by another generator would pass for this one's batch of the same number.
    const sent = this.sentFile();
    if (sent) rmSync(sent, { force: true });
    this.gen = new MixedGenerator({
      users: this.opts.users,
      seed: this.seed,
      maxUsers: this.opts.maxUsers,
      families: this.opts.families ?? FEED_FAMILIES,
      marketplace: this.opts.marketplace,
    });
  }

  stats(): GeneratorStats {
    return {
      ...this.counters,
      made: this.gen?.batches ?? 0,
      pending: this.pending !== null,
      users: this.gen?.userCount ?? 0,
    };
  }

  /** Waits for the start (a replay) and for a batch being sent. */
  async idle(): Promise<void> {
    await this.startup?.catch(() => undefined);
    while (this.sending) await this.sending;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.idle();
    // A clean stop leaves the plain state: the generator after its last batch, nothing pending.
    if (this.gen && !this.pending) {
      this.save({ seed: this.seed, generator: this.gen.snapshot(), after: this.after });
    }
  }

  /** Sends the next batch now; the one after comes `everyMs` after this one started. */
  private fire(): void {
    if (this.stopped) return;
    const started = Date.now();
    this.sending = this.step().finally(() => {
      this.sending = null;
      this.schedule(Math.max(0, started + this.opts.everyMs - Date.now()));
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fire();
    }, delayMs);
  }

  private sentFile(): string | undefined {
    return this.opts.stateFile ? `${this.opts.stateFile}.sent` : undefined;
  }

  /** Finishes a pending batch, else makes, saves and sends the next one. */
  private async step(): Promise<void> {
    const gen = this.gen;
    if (!gen || this.stopped) return;
    try {
      if (this.pending) {
        await this.finish(this.pending, true);
        return;
      }
      if (this.opts.maxBatches !== undefined && gen.batches >= this.opts.maxBatches) return;
      const before = gen.snapshot();
      const at = Date.now();
      const batch = gen.batches + 1;
      // Claim first: once this is on disk a restart makes this very batch again.
      this.save({ seed: this.seed, generator: before, after: this.after, pending: { batch, at } });
      this.opts.onStep?.('saved', batch);
      const pending = { batch, events: gen.nextBatch(at) };
      this.pending = pending;
      await this.finish(pending, false);
    } catch (err) {
      // The batch stays pending: the next step finds out how much of it landed and sends the rest.
      this.counters.errors++;
      this.opts.logger?.log('warn', 'generator', 'sending a batch failed; the rest goes next time', {
        error: err,
      });
    }
  }

  /** Sends what of the pending batch is not in the stream yet, then marks it sent. */
  private async finish(p: { batch: number; events: unknown[] }, mayHaveLanded: boolean): Promise<void> {
    const landed = mayHaveLanded && this.opts.landed ? await this.opts.landed(p.events, this.after) : 0;
    const rest = landed === 0 ? p.events : p.events.slice(landed);
    const result = rest.length > 0 ? await this.opts.send(rest) : undefined;
    const after = result?.lastSequenceNumber ?? this.after;
    this.opts.onStep?.('sent', p.batch);
    const sent = this.sentFile();
    if (sent) writeJson(sent, { batch: p.batch, after } satisfies SentMark);
    this.pending = null;
    this.after = after;
    this.opts.onStep?.('marked', p.batch);
    this.counters.batches++;
    this.counters.events += p.events.length;
    this.counters.lastBatchEvents = p.events.length;
    this.opts.logger?.log('info', 'generator', 'batch sent', {
      batch: p.batch,
      events: p.events.length,
      ...(landed > 0 ? { alreadyInStream: landed } : {}),
      users: this.gen?.userCount ?? 0,
      families: this.gen?.families,
    });
  }

  private save(state: SavedState): void {
    if (this.opts.stateFile) writeJson(this.opts.stateFile, state);
  }
}
