// The embedded runtime's event feed: a seeded generator batch every few seconds, stamped with the
// current time and sent into the stream (through the ordered producer). Never two sends at once.
// `families` chooses what the batches hold (domain/family-generator.ts): social alone by default, or
// the marketplace's events too (after each social batch, with the same created_at).
//
// With a data directory the generator's state (MixedGenerator.snapshot) is saved after every batch, and a
// restart continues from it: otherwise it would register user00001... again, and every event of the new
// run would be rejected or a noop. A state saved before families existed (a plain social snapshot) is
// continued too; a family asked for that the saved state lacks starts afresh (its catalogue first).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  DEFAULT_FAMILIES,
  type FamilyName,
  type FamilyOptions,
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
  /** The event families the batches hold (default: social only). */
  families?: readonly FamilyName[];
  /** Sends one batch of events into the stream, in order. */
  send: (events: unknown[]) => Promise<unknown>;
  /** Where to save the generator's state (e.g. `<dataDir>/generator.json`). */
  stateFile?: string;
  logger?: RuntimeLogger;
}

export interface GeneratorStats {
  batches: number;
  events: number;
  users: number;
  lastBatchEvents: number;
  errors: number;
}

interface SavedState {
  seed: number;
  generator: MixedGeneratorSnapshot | GeneratorSnapshot;
}

function readState(file: string | undefined): SavedState | null {
  if (!file) return null;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<SavedState>;
    if (Number.isInteger(s.seed) && typeof s.generator === 'object' && s.generator !== null) {
      return s as SavedState;
    }
  } catch {
    // no saved state yet
  }
  return null;
}

export class GeneratorLoop {
  private readonly opts: GeneratorLoopOptions;
  private gen: MixedGenerator | null = null;
  private seed = 0;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private stopped = true;
  private startup: Promise<void> | null = null;
  private readonly counters = { batches: 0, events: 0, lastBatchEvents: 0, errors: 0 };

  constructor(opts: GeneratorLoopOptions) {
    this.opts = opts;
  }

  /**
   * Restores a saved generator (replaying its batches) and sends the first batch at once; later ones
   * follow every `everyMs`. Resolves when the first batch has been handed to `send`.
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
        this.gen = MixedGenerator.restore(saved.generator, {
          families: this.opts.families ?? DEFAULT_FAMILIES,
          seed: saved.seed,
          marketplace: this.opts.marketplace,
        });
        this.seed = saved.seed;
        const social = 'kind' in saved.generator ? saved.generator.social : saved.generator;
        if (social.initialUsers !== this.opts.users) {
          this.opts.logger?.log('warn', 'generator', 'continuing the saved generator', {
            savedUsers: social.initialUsers,
            requestedUsers: this.opts.users,
          });
        }
        return;
      } catch (err) {
        this.opts.logger?.log('warn', 'generator', 'saved generator state unusable; starting a new one', {
          error: err,
        });
      }
    }
    this.seed = this.opts.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.gen = new MixedGenerator({
      users: this.opts.users,
      seed: this.seed,
      maxUsers: this.opts.maxUsers,
      families: this.opts.families ?? DEFAULT_FAMILIES,
      marketplace: this.opts.marketplace,
    });
  }

  stats(): GeneratorStats {
    return { ...this.counters, users: this.gen?.userCount ?? 0 };
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
  }

  /** Sends the next batch now; the one after comes `everyMs` after this one started. */
  private fire(): void {
    if (this.stopped) return;
    const started = Date.now();
    this.sending = this.sendBatch().finally(() => {
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

  private async sendBatch(): Promise<void> {
    const gen = this.gen;
    if (!gen || this.stopped) return;
    const events = gen.nextBatch(Date.now());
    try {
      await this.opts.send(events);
      this.counters.batches++;
      this.counters.events += events.length;
      this.counters.lastBatchEvents = events.length;
      this.opts.logger?.log('info', 'generator', 'batch sent', {
        batch: gen.batches,
        events: events.length,
        users: gen.userCount,
        families: gen.families,
      });
    } catch (err) {
      // The generator has moved on; this batch is lost (a producer retries throttling itself).
      this.counters.errors++;
      this.opts.logger?.log('warn', 'generator', 'sending a batch failed', { error: err });
    }
    this.save(gen);
  }

  private save(gen: MixedGenerator): void {
    const file = this.opts.stateFile;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    const state: SavedState = { seed: this.seed, generator: gen.snapshot() };
    writeFileSync(`${file}.tmp`, `${JSON.stringify(state)}\n`);
    renameSync(`${file}.tmp`, file);
  }
}
