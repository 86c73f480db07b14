// The processor's contract with a family: how a chunk of the stream's events of one family is loaded,
// folded and turned into writes. The commit protocol (batch-processor.ts) knows nothing else of a
// family: it hands each event to the family its kind belongs to, and writes what the families give back
// (items through the redo log, figure rows into the journal) under one checkpoint.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FamilyDef } from '../../domain/family';
import type { FigureRows } from '../../domain/figures';
import type { RedoPut } from '../../storage/pipeline-store';

/** A run of decoded events from one record, in order; `from` is the index of values[0] in the record. */
export interface Run {
  seq: string;
  from: number;
  values: unknown[];
  /** the record's arrival in the stream (epoch ms): the time of an event that carries none */
  arrivalMs: number;
}

export interface ChunkContext {
  doc: DynamoDBDocumentClient;
  tables: { graph: string; history: string; meta: string };
  /** position of the last committed event ('' before the first) */
  checkpoint: string;
  /** nothing has been committed yet, so no item of any family exists */
  emptyStore: boolean;
}

/** One family's part of a chunk, from its load to its commit. */
export interface FamilyChunk {
  /**
   * Decides and applies one event of the family (`kind` is one of its types) at stream position
   * (`seq`, `index`: its record's sequence number and its index in the record, domain/position.ts);
   * returns the outcome.
   */
  apply(kind: string, value: unknown, arrivalMs: number, seq: string, index: number): string;
  /** The time (epoch ms) the last apply placed its event at; meaningful unless it was malformed. */
  readonly eventAt: number;
  /**
   * What the chunk changed once every event is applied: the items to put (they go through the redo
   * log), the figure rows by set id, and family counters to add to the pipeline state.
   */
  finish(
    first: string,
    last: string,
  ): {
    puts: RedoPut[];
    sets: Record<string, FigureRows>;
    counters: Record<string, number>;
    /** The live topics the chunk changed and their new figures (queries/live.ts), each topic once. */
    live: [topic: string, data: unknown][];
  };
  /** Stats for the batch summary. */
  readonly stats: { itemsLoaded: number; itemsFromCache: number; itemsWritten: number };
}

export interface ProcessorFamily {
  def: FamilyDef;
  /**
   * Loads, as committed at `ctx.checkpoint`, what the chunk's events of this family need (`runs` are
   * the whole chunk's; the family picks its own events by kind). A family may keep what it folded for
   * the next chunk (a warm cache), valid only while the checkpoint is the one it committed.
   */
  begin(runs: readonly Run[], ctx: ChunkContext): Promise<FamilyChunk>;
  /** The chunk committed at `checkpoint` (the family may keep its folded state for the next one). */
  committed(chunk: FamilyChunk, checkpoint: string): void;
}
