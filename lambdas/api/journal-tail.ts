// The committed journals the rollups do not hold yet, kept in memory for the ranged answers.
//
// The snapshot job folds the processor's journals into rollups once a second locally and once a minute
// on AWS; its state's `cursor` is the last journal it folded. A ranged answer (a leaderboard, a
// product's sales, a user's activity, the event frequencies) is the rollup blocks that tile its range
// plus the rows of the committed journals after that cursor, up to the pipeline's checkpoint: so it
// holds every committed batch, as the per-user answers do, whether the snapshot job has run since or
// not (queries/figures.ts tailStepSums decides, per row, whether the block read for its bucket already
// holds its journal, so a snapshot run under way is never counted twice).
//
// The tail follows: when the checkpoint moves it reads the journals after the last one it holds; when
// the snapshot cursor moves it drops the journals at or before it. Journals never change once
// committed. The snapshot job deletes the journals it has folded, a run after folding them, and marks
// how far in its state (`trimmedTo`) before it deletes any: a read of journals after a cursor older
// than that mark may have missed some, so the tail reads the mark after the journals and, when it has
// passed where the read began, says so (StaleCursorError): the caller reads the snapshot state again
// (its cursor is then past the mark, and those journals are in the rollups) and asks once more.
//
// Bounded: at most `maxValues` row values are kept (a snapshot job far behind, or stopped). A tail that
// reaches the bound stops following the checkpoint until the snapshot job catches up, and answers then
// hold a committed prefix of the stream (as old as the tail's last journal) instead of the latest.
import type { Journal } from '../../storage/pipeline-store';

export interface TailSource {
  /** The committed journals after the one starting at `after` ('' for all), up to `checkpoint`. */
  journals(after: string, checkpoint: string): AsyncIterable<Journal>;
  /** Where journals may have been deleted up to (the snapshot state's `trimmedTo`), read afresh. */
  trimmedTo(): Promise<string>;
}

/** The journals after a snapshot cursor, as one request uses them. */
export interface Tail {
  cursor: string;
  journals: readonly Journal[];
  /** names this tail exactly: the cursor and the last journal held */
  version: string;
}

/** The snapshot cursor a tail was asked for is older than the journals still stored. */
export class StaleCursorError extends Error {}

const DEFAULT_MAX_VALUES = 4_000_000;

function valuesOf(j: Journal): number {
  let n = 0;
  for (const rows of Object.values(j.sets)) n += rows.length;
  return n;
}

export class JournalTail {
  /** the kept journals are those after this one */
  private cursor = '';
  private journals: Journal[] = [];
  private values = 0;
  /** every journal committed at this checkpoint is held */
  private covered = '';
  /** the bound was reached: nothing more is read until the snapshot cursor moves */
  private full = false;
  private loading: Promise<void> | null = null;
  /** counts clear()s: a read that began before one keeps nothing */
  private epoch = 0;

  constructor(
    private readonly source: TailSource,
    private readonly maxValues = DEFAULT_MAX_VALUES,
  ) {}

  clear(): void {
    this.cursor = '';
    this.journals = [];
    this.values = 0;
    this.covered = '';
    this.full = false;
    this.epoch++;
  }

  /** The committed journals after snapshot cursor `cursor`, holding at least those at `checkpoint`. */
  async at(cursor: string, checkpoint: string): Promise<Tail> {
    for (;;) {
      if (this.loading !== null) {
        await this.loading;
        continue;
      }
      if (cursor < this.cursor) {
        // An older snapshot state than the one followed (a state read before a run ended, still in a
        // cache): its tail starts earlier. Start again from it.
        this.clear();
        this.cursor = cursor;
      } else if (cursor > this.cursor) {
        let drop = 0;
        while (drop < this.journals.length && this.journals[drop].first <= cursor) {
          this.values -= valuesOf(this.journals[drop]);
          drop++;
        }
        this.journals = this.journals.slice(drop);
        this.cursor = cursor;
        if (this.full && drop > 0) {
          this.full = false;
          this.covered = '';
        }
      }
      if (this.full || this.covered >= checkpoint) {
        const last = this.journals.at(-1)?.first ?? '';
        return { cursor, journals: this.journals, version: `${cursor}>${last}` };
      }
      this.loading = this.refresh(checkpoint).finally(() => {
        this.loading = null;
      });
    }
  }

  private async refresh(checkpoint: string): Promise<void> {
    const epoch = this.epoch;
    const after = this.journals.at(-1)?.first ?? this.cursor;
    const read: Journal[] = [];
    let values = this.values;
    let full = false;
    if (values < this.maxValues) {
      for await (const j of this.source.journals(after, checkpoint)) {
        read.push(j);
        values += valuesOf(j);
        if (values >= this.maxValues) {
          full = true;
          break;
        }
      }
    } else full = true;
    const trimmedTo = await this.source.trimmedTo();
    if (this.epoch !== epoch) return;
    if (trimmedTo > after) throw new StaleCursorError(`journals after ${after} were deleted (${trimmedTo})`);
    // Applied at once (no await in between): a request never sees a tail with a gap.
    this.journals = read.length === 0 ? this.journals : [...this.journals, ...read];
    this.values = values;
    if (full) this.full = true;
    else if (checkpoint > this.covered) this.covered = checkpoint;
  }
}
