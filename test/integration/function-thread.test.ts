// A function on a thread of its own (local/function-thread.ts), and the runtime running its processor
// there: answers and errors come back to the caller, output goes to the function's log, a crashed
// thread fails only its invocation and the next one starts a fresh thread; the pipeline's graph with
// the processor on its thread equals the reference, and LocalRuntime.reset() starts it from nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { generateEvents } from '../../domain/generator';
import { FunctionThread } from '../../local/function-thread';
import { makeLambdaContext } from '../../local/lambda';
import type { LocalRuntime } from '../../local/runtime';
import { makeDynamoClient } from '../../storage/clients';
import { ReferenceModel } from '../reference/model';
import { committedGraph, modelGraph } from '../support/pipeline-harness';
import { pipelineAfterCommit, startTestRuntime } from '../support/runtime';
import { streamRecords } from '../support/runtime-check';

type FixtureEvent = { do: 'echo' | 'log' | 'throw' | 'exit'; value?: unknown };

describe('FunctionThread', () => {
  const output: { text: string; stream: string }[] = [];
  let thread: FunctionThread<FixtureEvent, Record<string, unknown>>;
  const fn = { id: 'Fixture', entry: 'test/support/thread-fixture-handler.ts', timeoutSeconds: 30 };
  before(async () => {
    thread = await FunctionThread.start({
      fn,
      emulatorEndpoints: [],
      output: (text, stream) => output.push({ text, stream }),
    });
  });
  after(async () => {
    await thread?.stop();
  });

  it('answers, keeps module state between invocations, and passes the request id and deadline', async () => {
    const ctx = makeLambdaContext(fn);
    const a = await thread.handler({ do: 'echo', value: { n: [1, 2] } }, ctx);
    assert.deepEqual(a.value, { n: [1, 2] });
    assert.equal(a.requestId, ctx.awsRequestId);
    assert.ok((a.remainingMs as number) > 25_000 && (a.remainingMs as number) <= 30_000);
    const b = await thread.handler({ do: 'echo' }, makeLambdaContext(fn));
    assert.equal(b.invocations, (a.invocations as number) + 1);
  });

  it("sends the handler's output to the function's log, and its error to the caller", async () => {
    await thread.handler({ do: 'log', value: 7 }, makeLambdaContext(fn));
    // Output messages are posted before the answer, so they have arrived.
    assert.ok(output.some((o) => o.stream === 'stdout' && o.text.includes('"from the thread"')));
    assert.ok(output.some((o) => o.stream === 'stderr' && o.text.includes('plain text on stderr')));
    await assert.rejects(thread.handler({ do: 'throw' }, makeLambdaContext(fn)), (e: Error) => {
      return e.name === 'FixtureError' && e.message === 'refused on purpose';
    });
  });

  it('a thread that dies fails its invocation; the next one runs on a fresh thread', async () => {
    await assert.rejects(thread.handler({ do: 'exit' }, makeLambdaContext(fn)), /exited \(code 3\)/);
    const fresh = await thread.handler({ do: 'echo' }, makeLambdaContext(fn));
    assert.equal(fresh.invocations, 1, 'module state starts afresh');
  });
});

async function postEvents(rt: LocalRuntime, items: unknown[]): Promise<void> {
  const res = await fetch(`${rt.apiUrl}/events`, { method: 'POST', body: JSON.stringify(items) });
  assert.equal(res.status, 202);
  await res.arrayBuffer();
  await rt.drain();
}

async function graphOf(rt: LocalRuntime) {
  const doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  try {
    return await committedGraph(doc, rt.tables);
  } finally {
    doc.destroy();
  }
}

describe('the runtime with its processor on a thread', () => {
  let rt: LocalRuntime;
  before(async () => {
    rt = await startTestRuntime({ processorThread: 'worker' });
  });
  after(async () => {
    await rt?.stop();
  });

  it("folds into the reference's graph, logging to Processor.log", async () => {
    const items = generateEvents({ users: 80, batches: 4, seed: 9 });
    items.splice(30, 0, {
      type: 'addfriend',
      user1_name: 'nobody',
      user2_name: 'user00001',
      created_at: '20250718T205400Z',
    });
    await postEvents(rt, items);
    assert.deepEqual(await graphOf(rt), modelGraph(ReferenceModel.fromItems(items)));
    const log = readFileSync(`${rt.logDir}/Processor.log`, 'utf8');
    assert.match(log, /"message":"batch folded"/);
  });

  it('reset() empties the stream and the tables; the next events fold from nothing', async () => {
    const before = generateEvents({ users: 80, batches: 4, seed: 9 });
    await rt.reset();
    assert.equal((await streamRecords(rt)).length, 0, 'the reset stream is empty');
    assert.deepEqual(
      await graphOf(rt),
      modelGraph(ReferenceModel.fromItems([])),
      'the reset tables are empty',
    );
    const next = generateEvents({ users: 40, batches: 2, seed: 6 });
    await postEvents(rt, next);
    assert.deepEqual(await graphOf(rt), modelGraph(ReferenceModel.fromItems(next)));
    const p = await pipelineAfterCommit<Record<string, number>>(rt);
    assert.equal(p.applied + p.noop + p.rejected, next.length);
    const gone = before.find(
      (e) => e.type === 'register' && !next.some((x) => x.type === 'register' && x.name === e.name),
    );
    assert.ok(gone && gone.type === 'register');
    assert.equal((await fetch(`${rt.apiUrl}/users/${gone.name}`)).status, 404);
  });

  it('refuses the fault switch, which reaches a processor on the main thread only', async () => {
    await assert.rejects(
      startTestRuntime({ processorThread: 'worker', faults: 'throttle=0.1' }),
      /main thread only/,
    );
  });
});
