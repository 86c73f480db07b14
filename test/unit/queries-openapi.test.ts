import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROUTES } from '../../lib/definitions';
import { openApiDocument, ROUTE_DOCS } from '../../queries/openapi';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { parameters: { name: string; in: string }[] }>>;
};

describe('OpenAPI document', () => {
  const doc = openApiDocument() as unknown as Doc;

  it('has every route of ROUTES, and nothing else', () => {
    const fromRoutes = ROUTES.map((r) => `${r.method.toLowerCase()} ${r.path}`).sort();
    const fromDoc = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    assert.deepEqual(fromDoc, fromRoutes);
    assert.equal(doc.openapi.slice(0, 2), '3.');
  });

  it('documents every route (schemas, parameters) and no route that does not exist', () => {
    assert.deepEqual(Object.keys(ROUTE_DOCS).sort(), ROUTES.map((r) => r.id).sort());
    for (const r of ROUTES) {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      assert.deepEqual(
        op.parameters.filter((p) => p.in === 'path').map((p) => p.name),
        pathParams,
      );
      assert.deepEqual(
        op.parameters.filter((p) => p.in === 'query').map((p) => p.name),
        Object.keys(ROUTE_DOCS[r.id].query.shape),
      );
    }
  });

  it('is plain JSON', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });
});
