// A handler for test/integration/function-thread.test.ts: echoes, writes output, fails and exits on
// request, and counts its invocations in module state (which a new thread starts afresh).
import type { Context } from 'aws-lambda';

let invocations = 0;

export async function handler(
  event: { do: 'echo' | 'log' | 'throw' | 'exit'; value?: unknown },
  context: Context,
): Promise<unknown> {
  invocations++;
  switch (event.do) {
    case 'echo':
      return {
        value: event.value,
        invocations,
        requestId: context.awsRequestId,
        remainingMs: context.getRemainingTimeInMillis(),
      };
    case 'log':
      console.log(JSON.stringify({ level: 'INFO', message: 'from the thread', value: event.value }));
      console.error('plain text on stderr');
      return { invocations };
    case 'throw': {
      const err = new Error('refused on purpose');
      err.name = 'FixtureError';
      throw err;
    }
    case 'exit':
      // In a worker thread this ends the thread, not the process: a crashed execution environment.
      process.exit(3);
  }
}
