// The metrics catalogue (SPEC 11: GET /metrics, POST /metrics/query), driven by the route records: a
// GET route of ROUTES that carries a figure (lib/definitions.ts `figure(...)`) is in the catalogue,
// with its summary and its parameters as its OpenAPI entry declares them (path parameters under the
// figure's names for them, `productId` for a product's `{id}`), and a query of it is answered by that
// route's own handler. Adding a figure is adding its route with `figure(...)`: nothing here changes.
import { z } from 'zod';
import { ROUTES, type RouteDef } from '../lib/definitions';
import { BadRequestError } from './errors';
import { ROUTE_DOCS } from './openapi';

export interface MetricParam {
  name: string;
  type: 'string' | 'integer' | 'instant' | 'enum';
  required: boolean;
  description: string;
}

export interface MetricEntry {
  name: string;
  family: string;
  description: string;
  params: MetricParam[];
}

/** The routes that answer a figure, by figure name. */
export const METRIC_ROUTES: ReadonlyMap<string, RouteDef> = new Map(
  ROUTES.filter((r) => r.metric !== undefined && r.method === 'GET').map((r) => [
    (r.metric as NonNullable<RouteDef['metric']>).name,
    r,
  ]),
);

/** The route's path parameters, each with the name the figure gives it. */
export function pathParams(r: RouteDef): { param: string; name: string }[] {
  return [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    param: m[1],
    name: r.metric?.rename?.[m[1]] ?? m[1],
  }));
}

interface JsonProp {
  type?: string;
  enum?: unknown[];
  description?: string;
}

function paramType(name: string, prop: JsonProp): MetricParam['type'] {
  if (prop.enum !== undefined) return 'enum';
  if (name === 'from' || name === 'to') return 'instant';
  if (/^(limit|minRatings)$/.test(name)) return 'integer';
  return 'string';
}

/** The catalogue: every figure, in the order of ROUTES. */
export function metricsCatalogue(): { items: MetricEntry[] } {
  const items: MetricEntry[] = [];
  for (const [name, r] of METRIC_ROUTES) {
    const doc = ROUTE_DOCS[r.id];
    const params: MetricParam[] = pathParams(r).map((p) => ({
      name: p.name,
      type: 'string',
      required: true,
      description:
        p.name === 'productId'
          ? 'the product id (as a string)'
          : p.name === 'postId'
            ? 'the post id'
            : p.param === 'name'
              ? "the user's name"
              : p.param,
    }));
    const q = z.toJSONSchema(doc.query, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, JsonProp>;
      required?: string[];
    };
    for (const [pname, prop] of Object.entries(q.properties ?? {})) {
      const values = prop.enum === undefined ? '' : ` (one of ${prop.enum.join(', ')})`;
      params.push({
        name: pname,
        type: paramType(pname, prop),
        required: q.required?.includes(pname) ?? false,
        description: `${prop.description ?? pname}${values}`,
      });
    }
    items.push({
      name,
      family: (r.metric as NonNullable<RouteDef['metric']>).family,
      description: doc.summary,
      params,
    });
  }
  return { items };
}

/** What a figure's route is asked: its path (parameters filled in and encoded) and query string. */
export interface MetricRequest {
  route: RouteDef;
  path: string;
  pathParameters: Record<string, string>;
  query: Record<string, string>;
}

/** The request of figure `name` with `params` to its route; a 400 naming the name or a parameter. */
export function metricRequest(
  name: string,
  params: Record<string, string | number | boolean>,
): MetricRequest {
  const route = METRIC_ROUTES.get(name);
  if (route === undefined) {
    throw new BadRequestError(
      `body field 'name': '${name}' is no figure of this API (GET /metrics lists them)`,
    );
  }
  const query: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(params)) query[k] = String(v);
  const pathParameters: Record<string, string> = {};
  let path = route.path;
  for (const p of pathParams(route)) {
    const v = query[p.name];
    if (v === undefined) throw new BadRequestError(`param '${p.name}': required by ${name}`);
    delete query[p.name];
    pathParameters[p.param] = v;
    path = path.replace(`{${p.param}}`, encodeURIComponent(v));
  }
  return { route, path, pathParameters, query };
}

/**
 * An error message of the figure's route, its parameters named as the figure names them: "query
 * parameter 'limit'" and "path parameter 'id'" become "param 'limit'" and "param 'productId'".
 */
export function metricMessage(r: RouteDef, message: string): string {
  let out = message.replace(/query parameter(s?) '/g, "param$1 '");
  for (const p of pathParams(r)) out = out.split(`path parameter '${p.param}'`).join(`param '${p.name}'`);
  return out;
}
