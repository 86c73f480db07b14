// `npm run token`'s arguments and where it writes: usage errors before any network call (exit 2),
// and the table of each target (the local runtime's, a flag, the environment, the deploy's outputs).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ENV, META_TABLE } from '../../lib/definitions';
import { execute, type Io } from '../../scripts/cli-args';
import { LOCAL_DYNAMODB_ENDPOINT, resolveTokenTarget, TOKEN_USAGE, tokenMain } from '../../scripts/token';

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const io: Io = {
    stdout: { write: () => true },
    stderr: {
      write: (s: string | Uint8Array) => {
        err += String(s);
        return true;
      },
    },
    env: {},
  };
  const code = await execute('token', TOKEN_USAGE, (a, i) => tokenMain(a, i), argv, io);
  return { code, err };
}

describe('npm run token: usage', () => {
  for (const [argv, message] of [
    [[], /give a command/],
    [['mint'], /unknown command 'mint'/],
    [['create', '--abilities', 'read'], /--name/],
    [['create', '--name', 'x'], /--abilities/],
    [['create', '--name', 'x', '--abilities', 'read,write'], /unknown ability 'write'/],
    [['create', '--name', ' bad', '--abilities', 'read'], /token name/],
    [['revoke'], /one token id or name/],
    [['list', 'extra'], /unexpected argument/],
    [['list', '--target', 'gcp'], /--target must be one of local, aws/],
    [['list', '--nope'], /nope/],
  ] as const) {
    it(`${argv.join(' ') || '(nothing)'} is a usage error`, async () => {
      const r = await run([...argv]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, message);
    });
  }
});

describe('npm run token: targets', () => {
  it('local: the runtime dynalite and table, or the environment and flags', () => {
    assert.deepEqual(resolveTokenTarget({}, 'local', {}), {
      endpoint: LOCAL_DYNAMODB_ENDPOINT,
      table: META_TABLE.localName,
      label: `${META_TABLE.localName} at ${LOCAL_DYNAMODB_ENDPOINT}`,
    });
    const t = resolveTokenTarget({ [ENV.dynamodbEndpoint]: 'http://127.0.0.1:9' }, 'local', { table: 'm' });
    assert.equal(t.endpoint, 'http://127.0.0.1:9');
    assert.equal(t.table, 'm');
  });

  it("aws: --table, else $META_TABLE, else the deploy's MetaTableName output", () => {
    const dir = mkdtempSync(join(tmpdir(), 'bacefook-token-'));
    try {
      const outputs = join(dir, 'outputs.json');
      writeFileSync(outputs, JSON.stringify({ Bacefook: { MetaTableName: 'Bacefook-MetaTable-1' } }));
      assert.equal(resolveTokenTarget({}, 'aws', { outputs }).table, 'Bacefook-MetaTable-1');
      assert.equal(resolveTokenTarget({ [ENV.metaTable]: 'env' }, 'aws', { outputs }).table, 'env');
      assert.equal(resolveTokenTarget({}, 'aws', { outputs, table: 'flag' }).table, 'flag');
      assert.throws(() => resolveTokenTarget({}, 'aws', { outputs, stack: 'Other' }), /MetaTableName/);
      assert.throws(() => resolveTokenTarget({}, 'aws', { outputs: join(dir, 'none.json') }), /--table/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
