// POST /metrics/query {name, params}: a figure of the catalogue, answered by its own route's handler
// (loaded on first use from the route record's entry, as the gateway loads it) with the proxy event of
// a GET of that route: `result` is exactly what the route answers, and a 4xx of the route is this
// route's answer, its parameters named as the catalogue names them.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MAX_WRITE_BODY_BYTES } from '../../lib/definitions';
import { parseJsonBody } from '../../queries/catalogue';
import { AppError } from '../../queries/errors';
import { metricMessage, metricRequest } from '../../queries/metrics';
import { QUERY } from '../../queries/params';
import { MetricsQueryBodySchema } from '../../queries/schemas';
import { Reply, type RouteHandler, requestText, route } from '../shared/http';

type Handler = Pick<RouteHandler<never>, 'answer'>;

const handlers = new Map<string, Promise<Handler>>();

/** The handler of a route of lambdas/api (bundled with this one: esbuild follows the glob import). */
function handlerOf(entry: string): Promise<Handler> {
  const file = entry.replace(/^lambdas\/api\//, '').replace(/\.ts$/, '');
  let h = handlers.get(file);
  if (h === undefined) {
    h = import(`./${file}.ts`).then((m: { handler: Handler }) => m.handler);
    handlers.set(file, h);
    h.catch(() => handlers.delete(file));
  }
  return h;
}

export const handler = route(
  { id: 'MetricsQuery', query: QUERY.none, body: MetricsQueryBodySchema },
  async ({ event }, context) => {
    const { data } = parseJsonBody(MetricsQueryBodySchema, requestText(event, MAX_WRITE_BODY_BYTES));
    const params = data.params ?? {};
    const req = metricRequest(data.name, params);
    const query = Object.keys(req.query).length > 0 ? { ...req.query } : null;
    const inner: APIGatewayProxyEvent = {
      ...event,
      resource: req.route.path,
      path: req.path,
      httpMethod: 'GET',
      pathParameters: Object.keys(req.pathParameters).length > 0 ? req.pathParameters : null,
      queryStringParameters: query,
      multiValueQueryStringParameters:
        query === null ? null : Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
      body: null,
      isBase64Encoded: false,
      requestContext: {
        ...event.requestContext,
        httpMethod: 'GET',
        resourcePath: req.route.path,
        path: req.path,
      },
    };
    // The route's own answer, unserialized: `result` is what its JSON body would be.
    const route = await handlerOf(req.route.entry);
    let result: unknown;
    try {
      result = await route.answer(inner, context);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return new Reply(err.status, {
        error: { code: err.code, message: metricMessage(req.route, err.message) },
      });
    }
    if (result instanceof Reply) {
      const error = (result.body as { error?: { code: string; message: string } } | null)?.error;
      if (result.status === 200) return { name: data.name, params, result: result.body };
      if (error === undefined || result.status >= 500) throw new Error(`${data.name}: ${result.status}`);
      return new Reply(result.status, {
        error: { code: error.code, message: metricMessage(req.route, error.message) },
      });
    }
    return { name: data.name, params, result };
  },
);
