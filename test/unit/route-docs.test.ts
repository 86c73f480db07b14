// The OpenAPI document and the handlers cannot drift: each route's handler validates its query (and
// its JSON body) with the very schema the document describes, and its path parameters are the ones of its path. And a
// function started without the name of a resource it uses fails at once, naming the variable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { needsOf } from '../../lambdas/shared/deps';
import type { RouteHandler } from '../../lambdas/shared/http';
import { ENV, FUNCTIONS, GENERATOR, PROCESSOR, ROUTES, SNAPSHOT } from '../../lib/definitions';
import { ROUTE_DOCS } from '../../queries/openapi';
import { configFromEnv, MissingEnvironmentError } from '../../storage/clients';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every name any function reads, set to a placeholder (no request is sent in these tests). */
const FULL_ENV = {
  [ENV.graphTable]: 'graph',
  [ENV.historyTable]: 'history',
  [ENV.metaTable]: 'meta',
  [ENV.streamName]: 'stream',
};

describe('routes and their documentation', () => {
  test('every handler validates with the query schema and path parameters its documentation shows', async () => {
    Object.assign(process.env, FULL_ENV);
    process.env.AWS_REGION ??= 'us-east-1';
    for (const r of ROUTES) {
      const mod = (await import(`../../${r.entry}`)) as { handler: RouteHandler<never> };
      const spec = mod.handler.spec;
      assert.equal(spec.id, r.id, `${r.entry} declares the id of its route`);
      assert.equal(
        spec.query,
        ROUTE_DOCS[r.id].query,
        `${r.id}: the documented query schema is the handler's`,
      );
      const body = ROUTE_DOCS[r.id].body;
      if (body !== true)
        assert.equal(spec.body, body, `${r.id}: the documented body schema is the handler's`);
      const placeholders = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      assert.deepEqual([...(spec.path ?? [])], placeholders, `${r.id}: path parameters`);
    }
  });
});

describe('a function needs the names of the resources it uses', () => {
  test('configFromEnv names every missing variable a function needs, and only those', () => {
    assert.throws(
      () => configFromEnv({ tables: ['graph', 'meta'], stream: true }, { [ENV.metaTable]: 'm' }),
      (err: unknown) =>
        err instanceof MissingEnvironmentError &&
        err.message.includes(ENV.graphTable) &&
        err.message.includes(ENV.streamName) &&
        !err.message.includes(ENV.metaTable),
    );
    // An empty value is as missing as an absent one.
    assert.throws(() => configFromEnv({ tables: ['history'] }, { [ENV.historyTable]: '' }), /HISTORY_TABLE/);
    const c = configFromEnv({ tables: ['meta'] }, { [ENV.metaTable]: 'm' });
    assert.equal(c.metaTable, 'm');
  });

  test("each function's needs are the resources its definition grants it", () => {
    assert.deepEqual(needsOf(PROCESSOR), { tables: ['graph', 'history', 'meta'], stream: true });
    assert.deepEqual(needsOf(SNAPSHOT), { tables: ['history', 'meta'], stream: false });
    assert.deepEqual(needsOf(GENERATOR), { tables: ['meta'], stream: true });
    for (const f of FUNCTIONS) {
      const needed = needsOf(f);
      const env = { ...FULL_ENV };
      for (const t of needed.tables ?? []) {
        const name = { graph: ENV.graphTable, history: ENV.historyTable, meta: ENV.metaTable }[t];
        assert.doesNotThrow(() => configFromEnv(needed, env));
        assert.throws(() => configFromEnv(needed, { ...env, [name]: undefined }), new RegExp(name), f.id);
      }
    }
  });

  for (const [entry, variable] of [
    [PROCESSOR.entry, ENV.graphTable],
    ['lambdas/api/user-profile.ts', ENV.graphTable],
    ['lambdas/api/post-events.ts', ENV.streamName],
  ] as const) {
    test(`${entry} fails as it loads when ${variable} is not set`, () => {
      const env: NodeJS.ProcessEnv = { ...process.env, ...FULL_ENV, AWS_REGION: 'us-east-1' };
      delete env[variable];
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', `await import('./${entry}');`],
        { cwd: ROOT, env, encoding: 'utf8' },
      );
      assert.notEqual(run.status, 0, 'the module loads without the variable');
      assert.match(run.stderr, new RegExp(`MissingEnvironmentError.*${variable}`));
      // With the variable set, the same module loads.
      const ok = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', `await import('./${entry}');`],
        { cwd: ROOT, env: { ...env, [variable]: 'x' }, encoding: 'utf8' },
      );
      assert.equal(ok.status, 0, ok.stderr);
    });
  }
});
