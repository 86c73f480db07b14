// npm run token -- create --name NAME --abilities read,ingest [--target local|aws] ...
//                  list [--json] | revoke ID_OR_NAME
//
// Personal access tokens (README, "Access tokens"): `create` prints the new token once, on stdout
// alone (so `TOKEN=$(npm run -s token -- create ...)` keeps it), and stores only its SHA-256 in the
// meta table; `list` shows every token without it; `revoke` marks one revoked, by id or name.
//
// --target local (default): the running embedded runtime's dynalite (`npm start`), at --endpoint,
//   else $BACEFOOK_DYNAMODB_ENDPOINT, else http://127.0.0.1:4568; table bacefook-meta.
// --target aws: the default AWS credential chain and region; the table from --table, $META_TABLE, or
//   the MetaTableName output of `npm run deploy` (cdk.out/outputs.json, stack --stack). --endpoint
//   points it elsewhere (LocalStack).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ABILITIES, AUTHORIZER_CACHE_SECONDS, ENV, META_TABLE } from '../lib/definitions';
import { newToken, parseAbilities, tokenHash } from '../queries/access';
import { makeDynamoClient } from '../storage/clients';
import { checkTokenName, type TokenRecord, TokenStore } from '../storage/token-store';
import { CliError, checkReachable, choiceOption, type Io, isMain, runCli } from './cli-args';

export const TOKEN_USAGE = `usage: npm run token -- <command> [options]

  create --name NAME --abilities LIST   a new token, printed once (abilities: ${ABILITIES.join(', ')})
  list [--json]                         every token: id, name, abilities, created, revoked
  revoke ID_OR_NAME                     revoke a token (by its id, or the name of a live token)

  --target T      local (default: the running npm start) or aws (a deployed stack)
  --endpoint URL  DynamoDB endpoint (default local: $${ENV.dynamodbEndpoint} or http://127.0.0.1:4568)
  --table NAME    the meta table (default local: ${META_TABLE.localName}; aws: $${ENV.metaTable} or the
                  MetaTableName output in cdk.out/outputs.json)
  --stack NAME    aws: the stack whose outputs to read (default Bacefook)
  --outputs FILE  aws: the deploy's outputs file (default cdk.out/outputs.json)`;

export const LOCAL_DYNAMODB_ENDPOINT = 'http://127.0.0.1:4568';
const DEFAULT_STACK = 'Bacefook';
const DEFAULT_OUTPUTS = 'cdk.out/outputs.json';

export interface TokenDeps {
  /** A DynamoDB document client for the target (tests); default: one made from the options. */
  doc?: DynamoDBDocumentClient;
  now?: () => Date;
}

interface Target {
  endpoint?: string;
  table: string;
  label: string;
}

/** The meta table's name from a deploy's outputs file ({stack: {MetaTableName: ...}}). */
function tableFromOutputs(file: string, stack: string): string | undefined {
  let outputs: unknown;
  try {
    outputs = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const o = (outputs as Record<string, Record<string, unknown>>)?.[stack];
  const name = o?.[`${META_TABLE.id}Name`];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

export function resolveTokenTarget(
  env: NodeJS.ProcessEnv,
  kind: 'local' | 'aws',
  o: { endpoint?: string; table?: string; stack?: string; outputs?: string },
): Target {
  if (kind === 'local') {
    const endpoint = o.endpoint ?? (env[ENV.dynamodbEndpoint] || LOCAL_DYNAMODB_ENDPOINT);
    const table = o.table ?? META_TABLE.localName;
    return { endpoint, table, label: `${table} at ${endpoint}` };
  }
  const table =
    o.table ??
    (env[ENV.metaTable] || undefined) ??
    tableFromOutputs(o.outputs ?? DEFAULT_OUTPUTS, o.stack ?? DEFAULT_STACK);
  if (!table) {
    throw new CliError(
      `--target aws needs --table NAME, $${ENV.metaTable}, or the MetaTableName output in ${o.outputs ?? DEFAULT_OUTPUTS} (npm run deploy writes it)`,
    );
  }
  return { endpoint: o.endpoint, table, label: o.endpoint ? `${table} at ${o.endpoint}` : `${table} on AWS` };
}

function describe(t: TokenRecord): string {
  return `${t.id}  ${t.name}  ${t.abilities.join(',')}  created ${t.createdAt}${
    t.revokedAt ? `  revoked ${t.revokedAt}` : ''
  }`;
}

/** The token command (argv without node and script). */
export async function tokenMain(argv: string[], io: Io, deps: TokenDeps = {}): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        abilities: { type: 'string' },
        target: { type: 'string' },
        endpoint: { type: 'string' },
        table: { type: 'string' },
        stack: { type: 'string' },
        outputs: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  }
  try {
    parsed = parse();
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.stdout.write(`${TOKEN_USAGE}\n`);
    return;
  }
  const [command, ...rest] = positionals;
  if (command !== 'create' && command !== 'list' && command !== 'revoke') {
    throw new CliError(command === undefined ? 'give a command' : `unknown command '${command}'`);
  }
  if (command !== 'revoke' && rest.length > 0) throw new CliError(`unexpected argument '${rest[0]}'`);
  if (command === 'revoke' && rest.length !== 1) throw new CliError('revoke takes one token id or name');

  let abilities: ReturnType<typeof parseAbilities> = [];
  if (command === 'create') {
    if (!v.name) throw new CliError('create needs --name NAME');
    if (!v.abilities) throw new CliError(`create needs --abilities (some of ${ABILITIES.join(', ')})`);
    try {
      checkTokenName(v.name);
      abilities = parseAbilities(v.abilities);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  }
  const kind = choiceOption('target', v.target, ['local', 'aws'], 'local');
  const target = resolveTokenTarget(io.env, kind, v);
  let doc = deps.doc;
  if (doc === undefined) {
    if (kind === 'local' && target.endpoint) await checkReachable(target.endpoint, 'DynamoDB');
    doc = makeDynamoClient({ endpoint: target.endpoint });
  }
  const store = new TokenStore(doc, target.table);
  const now = deps.now ?? (() => new Date());
  try {
    if (command === 'create') {
      const token = newToken();
      const record = await store.create(tokenHash(token), v.name as string, abilities, now());
      io.stderr.write(
        `created token '${record.name}' (id ${record.id}, abilities ${record.abilities.join(',')}) in ${target.label}.\n` +
          'It is shown this once and only its SHA-256 is kept: store it now. Send it as Authorization: Bearer <token>.\n',
      );
      io.stdout.write(`${token}\n`);
    } else if (command === 'list') {
      const all = await store.list();
      if (v.json) io.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      else if (all.length === 0) io.stdout.write(`no tokens in ${target.label}\n`);
      else io.stdout.write(`${all.map(describe).join('\n')}\n`);
    } else {
      const t = await store.revoke(rest[0], now());
      io.stdout.write(`revoked ${describe(t)}\n`);
      io.stderr.write(
        `API Gateway (and the local gateway) keep an authorizer's answer up to ${AUTHORIZER_CACHE_SECONDS} s: ` +
          'a caller who used the token in that time is still let in until it runs out.\n',
      );
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'ResourceNotFoundException') {
      throw new Error(`no table ${target.label}; is the stack or the local runtime running?`);
    }
    throw err;
  } finally {
    if (deps.doc === undefined) doc.destroy();
  }
}

if (isMain(import.meta.url)) runCli('token', TOKEN_USAGE, (argv, io) => tokenMain(argv, io));
