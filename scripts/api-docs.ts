// `npm run docs:api`: writes docs/api.md from the OpenAPI document (queries/openapi.ts: every route of
// ROUTES, its parameters and the schema of its answer) and the examples of scripts/api-examples.ts.
// `--check` writes nothing and fails when docs/api.md differs from what would be written.
// test/unit/api-docs.test.ts fails when the committed page is stale or a route has no example.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_POST_BYTES, ROUTES, type RouteDef } from '../lib/definitions';
import { openApiDocument, ROUTE_DOCS } from '../queries/openapi';
import { API_EXAMPLES, type ApiExample, EXAMPLE_EVENTS, type RouteExamples } from './api-examples';
import { type Io, isMain, parseCli, runCli } from './cli-args';

export const API_DOC_PATH = fileURLToPath(new URL('../docs/api.md', import.meta.url));

type Json = Record<string, unknown>;

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: Json;
}

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  parameters: Parameter[];
  responses: Record<string, Json>;
  requestBody?: Json;
}

const BASE = 'http://127.0.0.1:3000';

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
export function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

function heading(route: RouteDef): string {
  return `${route.method} ${route.path}`;
}

/** Markdown table cells must not hold a raw pipe or a line break. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A short name for a JSON schema's type: `integer`, `string or null`, `` one of `a`, `b` ``. */
function typeName(schema: Json): string {
  let t: string;
  if (Array.isArray(schema.enum)) t = `one of ${schema.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  else if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const alts = (schema.anyOf ?? schema.oneOf) as Json[];
    t = alts.map(typeName).join(' or ');
  } else if (schema.type === 'array') t = `array of ${typeName((schema.items ?? {}) as Json)}`;
  else if (schema.type === 'object' && schema.properties === undefined && schema.additionalProperties) {
    t = `object of ${typeName(schema.additionalProperties as Json)}`;
  } else if (typeof schema.type === 'string') t = schema.type;
  else t = 'any JSON value';
  return schema.nullable === true ? `${t} or null` : t;
}

/** The fields of an answer, flattened: `items[].name`. */
function fields(schema: Json, prefix = ''): { path: string; type: string; description: string }[] {
  const out: { path: string; type: string; description: string }[] = [];
  const props = schema.properties as Record<string, Json> | undefined;
  if (props === undefined) return out;
  for (const [name, prop] of Object.entries(props)) {
    const path = `${prefix}${name}`;
    const items = prop.type === 'array' ? (prop.items as Json | undefined) : undefined;
    const nested = items?.properties !== undefined ? items : prop.properties !== undefined ? prop : undefined;
    out.push({
      path,
      type: nested === undefined ? typeName(prop) : prop.type === 'array' ? 'array' : 'object',
      description: typeof prop.description === 'string' ? prop.description : '',
    });
    if (nested !== undefined) out.push(...fields(nested, prop.type === 'array' ? `${path}[].` : `${path}.`));
  }
  return out;
}

/** JSON indented by two, with any object or array that fits in `width` columns kept on one line. */
export function prettyJson(v: unknown, indent = '', width = 100): string {
  const flat = JSON.stringify(v);
  if (flat === undefined) return 'null';
  if (v === null || typeof v !== 'object' || indent.length + flat.length <= width) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + prettyJson(x, inner, width)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as Json);
  if (entries.length === 0) return '{}';
  const body = entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${prettyJson(x, inner, width)}`);
  return `{\n${body.join(',\n')}\n${indent}}`;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function renderExample(route: RouteDef, ex: ApiExample, successStatus: number): string[] {
  const out: string[] = [];
  const status = ex.status ?? successStatus;
  out.push(`#### ${ex.title ?? 'Example'}`, '');
  const headers = Object.entries(ex.headers ?? {})
    .map(([k, v]) => `-H ${shellQuote(`${k}: ${v}`)} `)
    .join('');
  if (ex.body !== undefined && ROUTE_DOCS[route.id]?.body === true) {
    out.push(
      '```sh',
      `curl -s ${headers}${shellQuote(BASE + ex.request)} --data-binary @body.ndjson`,
      '```',
      '',
    );
    out.push('`body.ndjson`:', '', '```json', ex.body, '```', '');
  } else if (ex.body !== undefined) {
    const method = route.method === 'POST' ? '' : `-X ${route.method} `;
    out.push(
      '```sh',
      `curl -s ${method}${headers}${shellQuote(BASE + ex.request)} -H 'content-type: application/json' -d ${shellQuote(ex.body)}`,
      '```',
      '',
    );
  } else {
    const method = route.method === 'GET' ? '' : `-X ${route.method} `;
    out.push('```sh', `curl -s ${method}${headers}${shellQuote(BASE + ex.request)}`, '```', '');
  }
  if (status === 204) out.push('Answer `204`, no body.', '');
  else out.push(`Answer \`${status}\`:`, '', '```json', prettyJson(ex.answer), '```', '');
  if (ex.note !== undefined) out.push(ex.note, '');
  return out;
}

function renderRoute(route: RouteDef, op: Operation, entry: RouteExamples): string[] {
  const out: string[] = [`## ${heading(route)}`, '', `${op.summary}.`, ''];
  if (op.description !== undefined) out.push(op.description, '');
  if (op.requestBody !== undefined) {
    const content = (op.requestBody.content ?? {}) as Record<string, Json>;
    const types = Object.keys(content);
    const bodySchema = content['application/json']?.schema as Json | undefined;
    if (bodySchema?.type === 'object') {
      // A JSON object body: its fields.
      const required = new Set((bodySchema.required ?? []) as string[]);
      out.push('Body: a JSON object (`application/json`):', '');
      out.push('| field | type | required | meaning |', '|---|---|---|---|');
      for (const f of fields(bodySchema)) {
        out.push(
          `| \`${f.path}\` | ${cell(f.type)} | ${required.has(f.path) ? 'yes' : 'no'} | ${cell(f.description)} |`,
        );
      }
      out.push('');
    } else {
      out.push(`Body: ${types.map((t) => `\`${t}\``).join(' or ')}.`, '');
    }
  }
  // Every GET route takes If-None-Match: the introduction says how, once.
  const params = op.parameters.filter((p) => !(p.in === 'header' && p.name === 'If-None-Match'));
  if (params.length > 0) {
    out.push('| parameter | in | required | meaning |', '|---|---|---|---|');
    for (const p of params) {
      const meaning =
        p.description ??
        (p.in === 'path' ? `${String(p.schema.minLength)}–${String(p.schema.maxLength)} characters` : '');
      out.push(`| \`${p.name}\` | ${p.in} | ${p.required ? 'yes' : 'no'} | ${cell(meaning)} |`);
    }
    out.push('');
  }
  const statuses = Object.keys(op.responses);
  const success = String(ROUTE_DOCS[route.id]?.status ?? statuses.find((s) => s.startsWith('2')) ?? '200');
  const content = op.responses[success].content as Json | undefined;
  const schema = ((content?.['application/json'] as Json | undefined)?.schema ?? {}) as Json;
  const rows = fields(schema);
  const meanings = entry.fields ?? {};
  const unknown = Object.keys(meanings).filter((k) => !rows.some((f) => f.path === k));
  if (unknown.length > 0) {
    throw new Error(
      `${route.id}: scripts/api-examples.ts explains fields the answer has not: ${unknown.join(', ')}`,
    );
  }
  if (rows.length > 0) {
    out.push(`Answer \`${success}\`:`, '', '| field | type | meaning |', '|---|---|---|');
    for (const f of rows) {
      const meaning = [meanings[f.path], f.description].filter((x) => x !== undefined && x !== '').join('; ');
      out.push(`| \`${f.path}\` | ${cell(f.type)} | ${cell(meaning)} |`);
    }
    out.push('');
  }
  if (content === undefined) out.push(`Answer \`${success}\`: no body.`, '');
  // Every GET route answers a 304 to a matching If-None-Match: the introduction says so, once.
  const others = statuses.filter((s) => s !== success && s.startsWith('2'));
  if (others.length > 0) {
    out.push('Other answers:', '');
    for (const s of others) out.push(`- \`${s}\`: ${String(op.responses[s].description)}.`);
    out.push('');
  }
  const errors = statuses.filter((s) => s !== success && !s.startsWith('2') && !s.startsWith('3'));
  out.push(`Errors: ${errors.map((s) => `\`${s}\``).join(', ')}.`, '');
  out.push(
    route.access === 'open'
      ? 'Access: open, with or without access tokens.'
      : `Access: where tokens are on, a token with the \`${route.access}\` ability.`,
    '',
  );
  for (const ex of entry.examples) out.push(...renderExample(route, ex, Number(success)));
  return out;
}

const INTRO = `# HTTP API

<!-- Generated by \`npm run docs:api\` from the OpenAPI document (queries/openapi.ts) and the examples
in scripts/api-examples.ts: edit those, not this page. test/unit/api-docs.test.ts fails when this page
differs from what they generate, or when a route has no example. -->

The same paths answer locally (\`${BASE}\` under \`npm start\`) and behind API Gateway (the stack's
\`ApiUrl\` output, which ends in the stage: \`https://<id>.execute-api.<region>.amazonaws.com/prod/\`).
The OpenAPI 3.0 document this page is generated from is served at \`GET /openapi.json\`. What the
figures mean (network strength, referral points, ranges, intervals) is in
[semantics.md](semantics.md).

- **JSON** in and out. Every answer allows any origin (\`access-control-allow-origin: *\`).
- **Times** in answers are ISO 8601 in UTC with milliseconds. \`from\` and \`to\` accept ISO 8601 with a
  time zone, epoch milliseconds, or the compact form \`YYYYMMDDTHHMMSS[mmm]Z\`.
- **Query parameters** are checked strictly: an unknown parameter, a repeated one, or a bad value is
  a 400 whose message names it.
- **Pages**: a paginated answer carries \`nextCursor\`; pass it as \`cursor\` for the next page. It is
  \`null\` on the last page. Cursors are opaque.
- **\`{name}\`** is a user's name, URL-encoded (1–128 characters).
- **Caching**: every GET answer carries an \`ETag\` naming that exact answer, and
  \`Cache-Control: no-cache\` (keep it, but ask again before using it). Send the tag back in
  \`If-None-Match\` (one, a comma-separated list, \`W/\` forms compared weakly, or \`*\`) and an answer
  that is still the same is a \`304\` with no body. Answers change only when a batch commits or a
  snapshot run finishes, and only the answers that batch or run changed get a new tag. Errors carry no
  tag. CORS exposes \`ETag\`; a browser revalidates this way by itself.
`;

function renderErrors(doc: Json): string[] {
  const responses = ((doc.components as Json).responses ?? {}) as Record<string, Json>;
  const out = [
    '## Errors',
    '',
    'Every error has the same shape, `{"error":{"code":"...","message":"..."}}`. A 4xx message says what',
    'was wrong; a 500 carries a generic message only (the details go to the log).',
    '',
    '| status | when |',
    '|---|---|',
  ];
  for (const [key, r] of Object.entries(responses)) {
    out.push(`| \`${key.replace(/^E/, '')}\` | ${cell(String(r.description))} |`);
  }
  out.push(
    '',
    `\`POST /events\` refuses a body over ${MAX_POST_BYTES.toLocaleString('en-US')} bytes with a 413. A`,
    'deployed API answers a 429 when its throttling limits are reached (see',
    '[operations.md](operations.md)).',
    '',
    'A deployed stack (and `npm start -- --auth`) requires `Authorization: Bearer <token>` on every',
    'route but `GET /health` and `GET /openapi.json`; each route below names the ability its token',
    'needs. Without a valid token the answer is a 401, with a token that lacks the ability a 403',
    '(see the README, "Access tokens").',
    '',
  );
  return out;
}

/** docs/api.md as it should be. Throws when a route has no example. */
export function renderApiDoc(
  routes: readonly RouteDef[] = ROUTES,
  examples: Record<string, RouteExamples> = API_EXAMPLES,
): string {
  const doc = openApiDocument(routes);
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const missing = routes.filter((r) => (examples[r.id]?.examples ?? []).length === 0).map((r) => r.id);
  if (missing.length > 0) {
    throw new Error(`no example in scripts/api-examples.ts for route ${missing.join(', ')}`);
  }
  const out: string[] = [INTRO, '## Routes', '', '| route | what it answers |', '|---|---|'];
  for (const r of routes) {
    const op = paths[r.path][r.method.toLowerCase()];
    out.push(`| [\`${heading(r)}\`](#${anchor(heading(r))}) | ${cell(op.summary)} |`);
  }
  out.push('', ...renderErrors(doc));
  out.push(
    '## The examples',
    '',
    'Every example below is a real answer of the local runtime after this stream was posted to',
    '`POST /events` and a snapshot ran. test/integration/api-examples.test.ts replays them and fails when',
    'an answer differs (values that depend on the clock or on the sequence numbers are compared by type).',
    '',
    '```json',
    ...EXAMPLE_EVENTS.map((e) => JSON.stringify(e)),
    '```',
    '',
  );
  for (const r of routes) out.push(...renderRoute(r, paths[r.path][r.method.toLowerCase()], examples[r.id]));
  return `${out.join('\n').trimEnd()}\n`;
}

export const API_DOCS_USAGE = `Usage: npm run docs:api [-- --check]

Writes docs/api.md from the OpenAPI document and scripts/api-examples.ts.
  --check   write nothing; fail when docs/api.md is not up to date
`;

export async function apiDocsMain(argv: string[], io: Io): Promise<void> {
  const opts = parseCli(argv, { check: { type: 'boolean' } });
  const text = renderApiDoc();
  if (opts.check) {
    let current = '';
    try {
      current = readFileSync(API_DOC_PATH, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== text) throw new Error('docs/api.md is not up to date: run `npm run docs:api`');
    io.stdout.write('docs/api.md is up to date\n');
    return;
  }
  writeFileSync(API_DOC_PATH, text);
  io.stdout.write(`wrote docs/api.md (${ROUTES.length} routes)\n`);
}

if (isMain(import.meta.url)) runCli('docs:api', API_DOCS_USAGE, apiDocsMain);
