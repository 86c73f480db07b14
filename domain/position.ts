// A stream position: the Kinesis sequence number of a record and the index of an event inside it.
// Encoded as a fixed-width string so that string order is stream order (DynamoDB sort keys, guards).

const SEQ_WIDTH = 64;
const SUB_WIDTH = 8;

export function position(sequenceNumber: string, index: number): string {
  return `${sequenceNumber.padStart(SEQ_WIDTH, '0')}.${index.toString().padStart(SUB_WIDTH, '0')}`;
}

/** The position before every event. */
export const ORIGIN = '';

export function indexOf(pos: string): number {
  return Number(pos.slice(SEQ_WIDTH + 1));
}
