// docs/api.md is generated from the OpenAPI document and scripts/api-examples.ts: these tests fail
// when the committed page is stale, when a route has no example, and when an example is one its route
// would refuse or could never answer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ROUTES } from '../../lib/definitions';
import { ROUTE_DOCS, responseSchema, successStatuses } from '../../queries/openapi';
import { ErrorSchema } from '../../queries/schemas';
import { API_DOC_PATH, anchor, prettyJson, renderApiDoc } from '../../scripts/api-docs';
import { API_EXAMPLES } from '../../scripts/api-examples';

/** The route a request path belongs to, by its path template. */
function matches(template: string, path: string): boolean {
  const re = new RegExp(`^${template.replace(/\./g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`);
  return re.test(path);
}

describe('docs/api.md', () => {
  it('is what `npm run docs:api` generates (run it after changing a route or an example)', () => {
    const committed = readFileSync(API_DOC_PATH, 'utf8');
    assert.ok(committed === renderApiDoc(), 'docs/api.md is stale: run `npm run docs:api` and commit it');
  });

  it('has a section and an example for every route of ROUTES', () => {
    const text = renderApiDoc();
    for (const r of ROUTES) {
      const heading = `## ${r.method} ${r.path}`;
      assert.ok(text.includes(`\n${heading}\n`), `no section for ${r.id}`);
      assert.ok(text.includes(`(#${anchor(heading.slice(3))})`), `no link to ${r.id} in the route table`);
      assert.ok((API_EXAMPLES[r.id]?.examples.length ?? 0) > 0, `no example for ${r.id}`);
    }
  });

  it('refuses to generate when a route has no example', () => {
    const extra = { ...ROUTES[0], id: 'NotDocumented', path: '/not-documented' };
    assert.throws(() => renderApiDoc([...ROUTES, extra]), /no example .* for route NotDocumented/);
  });

  it('refuses to generate when an example explains a field the answer does not have', () => {
    const examples = {
      ...API_EXAMPLES,
      Health: { ...API_EXAMPLES.Health, fields: { uptime: 'not a field of the answer' } },
    };
    assert.throws(() => renderApiDoc(ROUTES, examples), /Health: .* uptime/);
  });

  it('documents no route that does not exist', () => {
    const ids = new Set(ROUTES.map((r) => r.id));
    assert.deepEqual(
      Object.keys(API_EXAMPLES).filter((id) => !ids.has(id)),
      [],
    );
  });

  it('has examples whose requests their route accepts and whose answers its schema accepts', () => {
    for (const r of ROUTES) {
      const doc = ROUTE_DOCS[r.id];
      for (const ex of API_EXAMPLES[r.id].examples) {
        const where = `${r.id} example ${ex.title ?? ex.request}`;
        const url = new URL(ex.request, 'http://x');
        assert.ok(matches(r.path, url.pathname), `${where}: ${url.pathname} is not ${r.path}`);
        assert.equal(
          ex.body !== undefined,
          doc.body !== undefined,
          `${where}: a body iff the route takes one`,
        );
        const status = ex.status ?? doc.status ?? 200;
        if (status < 400) {
          assert.ok(successStatuses(doc).includes(status), `${where}: ${r.id} never answers ${status}`);
          const query = doc.query.safeParse(Object.fromEntries(url.searchParams));
          assert.ok(query.success, `${where}: the route refuses its query: ${query.error?.message}`);
          if (doc.body !== undefined && doc.body !== true) {
            const body = doc.body.safeParse(JSON.parse(ex.body ?? 'null'));
            assert.ok(body.success, `${where}: the route refuses its body: ${body.error?.message}`);
          }
          const schema = responseSchema(doc, status);
          if (schema === null) assert.equal(ex.answer, null, `${where}: a ${status} has no body`);
          else {
            const answer = schema.safeParse(ex.answer);
            assert.ok(
              answer.success,
              `${where}: the answer does not fit the schema: ${answer.error?.message}`,
            );
          }
        } else {
          assert.ok(doc.errors.includes(status), `${where}: ${r.id} never answers ${status}`);
          assert.ok(ErrorSchema.safeParse(ex.answer).success, `${where}: not the error shape`);
        }
      }
    }
  });

  it('prints JSON compactly where it fits and indented where it does not', () => {
    assert.equal(prettyJson({ a: [1, 2] }), '{"a":[1,2]}');
    const long = { items: Array.from({ length: 3 }, (_, i) => ({ name: `user${i}`.padEnd(40, 'x') })) };
    const text = prettyJson(long);
    assert.deepEqual(JSON.parse(text), long);
    assert.equal(text.split('\n').length, 7);
  });
});
