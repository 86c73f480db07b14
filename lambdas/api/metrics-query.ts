// POST /metrics/query {name, params}: a figure of the catalogue, answered by its own route's handler
// (loaded on first use from the route record's entry, as the gateway loads it) with the proxy event of
// a GET of that route: `result` is exactly what the route answers, and a 4xx of the route is this
// route's answer, its parameters named as the catalogue names them.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { MAX_WRITE_BODY_BYTES } from '../../lib/definitions';
import { parseJsonBody } from '../../queries/catalogue';
import { metricMessage, metricRequest } from '../../queries/metrics';
import { QUERY } from '../../queries/params';
import { MetricsQueryBodySchema } from '../../queries/schemas';
import { Reply, requestText, route } from '../shared/http';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

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
    const answer = await (await handlerOf(req.route.entry))(inner, context);
    const body = JSON.parse(answer.body) as unknown;
    if (answer.statusCode === 200) return { name: data.name, params, result: body };
    const error = (body as { error?: { code: string; message: string } }).error;
    if (error === undefined || answer.statusCode >= 500)
      throw new Error(`${data.name}: ${answer.statusCode}`);
    return new Reply(answer.statusCode, {
      error: { code: error.code, message: metricMessage(req.route, error.message) },
    });
  },
);
