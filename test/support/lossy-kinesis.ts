// A Kinesis client that loses replies: the PutRecords calls chosen by `lose` are applied by the real
// Kinesis (kinesalite) and then fail as a timed-out request does, so the caller cannot tell that the
// record was stored, and the ordered producer sends it again (a resend, SPEC 10).
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';

/** A timed-out request, as the SDK reports it: retryable, and silent about whether it was applied. */
export class LostReply extends Error {
  override name = 'TimeoutError';
}

/** `lose(n)`: whether the reply to the n-th PutRecords call (1-based) is lost. */
export function lossyKinesis(kinesis: KinesisClient, lose: (n: number) => boolean): KinesisClient {
  let puts = 0;
  const wrapper = Object.create(kinesis) as KinesisClient;
  wrapper.send = (async (cmd: unknown) => {
    const out = await (kinesis.send as (c: unknown) => Promise<unknown>)(cmd);
    if (cmd instanceof PutRecordsCommand && lose(++puts)) throw new LostReply('no reply within the timeout');
    return out;
  }) as KinesisClient['send'];
  return wrapper;
}
