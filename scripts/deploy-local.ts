// npm run deploy:local [-- --endpoint URL] [--stack NAME] [--region R] [-c key=value ...] [--dry-run]
//                      [--no-bootstrap] [--destroy]
//
// Deploys the stack to LocalStack (docker-compose.localstack.yml) with cdklocal: checks that LocalStack
// answers, bootstraps the environment, deploys the LocalStack variant of the stack (context
// target=localstack: see lib/bacefook-stack.ts), and prints the API and web dashboard URLs and the other
// outputs.
// --destroy removes the stack instead. --dry-run prints the commands without running anything.
//
// cdklocal (aws-cdk-local) wraps the project's own CDK CLI. It drops every AWS_* variable except those
// named in AWS_ENVAR_ALLOWLIST, so a profile in the shell can never send this deploy to real AWS; the
// region is passed through that allowlist. The cloud assembly goes to cdk.local.out, so a LocalStack
// deploy never overwrites cdk.out.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CliError, execute, type Io, isMain, processIo } from './cli-args';

export const DEPLOY_LOCAL_USAGE = `usage: npm run deploy:local -- [options]
  --endpoint URL   LocalStack's edge (default http://localhost.localstack.cloud:4566)
  --stack NAME     stack name (default Bacefook)
  --region R       region (default us-east-1)
  -c key=value     CDK context, e.g. -c generator=false -c apiKey=true (repeatable)
  --no-bootstrap   skip cdklocal bootstrap (already done for this LocalStack)
  --destroy        remove the stack instead of deploying it
  --dry-run        print the commands, run nothing`;

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** LocalStack's account: every resource it creates lives there. */
export const LOCALSTACK_ACCOUNT = '000000000000';
export const DEFAULT_ENDPOINT = 'http://localhost.localstack.cloud:4566';
export const LOCAL_OUTDIR = 'cdk.local.out';
export const OUTPUTS_FILE = join(LOCAL_OUTDIR, 'outputs.json');

export interface DeployLocalOptions {
  endpoint: string;
  stack: string;
  region: string;
  /** Extra context, as key=value. */
  context: string[];
  bootstrap: boolean;
  destroy: boolean;
}

export interface Step {
  label: string;
  command: string;
  args: string[];
  /** Variables added to (or, when undefined, removed from) the caller's environment. */
  env: Record<string, string | undefined>;
}

/** The environment cdklocal needs: LocalStack's endpoints, and the region let through its allowlist. */
export function localstackEnv(endpoint: string, region: string): Record<string, string> {
  const url = new URL(endpoint);
  // S3 asset uploads use virtual-hosted buckets under s3.<host>; a bare IP or localhost has no such
  // subdomains, so path-style addressing is forced there.
  const named = url.hostname.includes('.') && !/^[\d.]+$/.test(url.hostname);
  const s3 = named ? `${url.protocol}//s3.${url.host}` : endpoint;
  return {
    AWS_ENDPOINT_URL: endpoint.replace(/\/$/, ''),
    AWS_ENDPOINT_URL_S3: s3,
    ...(named ? {} : { AWS_S3_FORCE_PATH_STYLE: '1' }),
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // cdklocal strips every other AWS_* variable, path-style switch included.
    AWS_ENVAR_ALLOWLIST: named
      ? 'AWS_REGION,AWS_DEFAULT_REGION'
      : 'AWS_REGION,AWS_DEFAULT_REGION,AWS_S3_FORCE_PATH_STYLE',
  };
}

/** The cdklocal command lines of a local deploy (or destroy), in order. */
export function deployLocalPlan(o: DeployLocalOptions): Step[] {
  const command = join(ROOT, 'node_modules', '.bin', 'cdklocal');
  const env = localstackEnv(o.endpoint, o.region);
  const context = ['target=localstack', `stackName=${o.stack}`, ...o.context].flatMap((c) => ['-c', c]);
  const common = ['--output', LOCAL_OUTDIR, ...context];
  if (o.destroy) {
    return [{ label: 'destroy', command, args: ['destroy', o.stack, '--force', ...common], env }];
  }
  const steps: Step[] = [];
  if (o.bootstrap) {
    steps.push({
      label: 'bootstrap',
      command,
      args: ['bootstrap', `aws://${LOCALSTACK_ACCOUNT}/${o.region}`, ...common],
      env,
    });
  }
  steps.push({
    label: 'deploy',
    command,
    args: [
      'deploy',
      o.stack,
      '--require-approval',
      'never',
      '--outputs-file',
      OUTPUTS_FILE,
      // One line per CloudFormation event: readable in any terminal and in CI logs.
      '--progress',
      'events',
      ...common,
    ],
    env,
  });
  return steps;
}

export function parseDeployLocalArgs(argv: string[]): DeployLocalOptions & { dryRun: boolean } {
  let v: Record<string, string | boolean | string[] | undefined>;
  try {
    v = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        endpoint: { type: 'string' },
        stack: { type: 'string' },
        region: { type: 'string' },
        context: { type: 'string', short: 'c', multiple: true },
        'no-bootstrap': { type: 'boolean' },
        destroy: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  const context = (v.context as string[] | undefined) ?? [];
  for (const c of context) {
    if (!/^[\w:.-]+=/.test(c)) throw new CliError(`-c takes key=value, got "${c}"`);
    if (c.startsWith('target=')) throw new CliError('deploy:local always deploys target=localstack');
  }
  const endpoint = String(v.endpoint ?? DEFAULT_ENDPOINT);
  try {
    new URL(endpoint);
  } catch {
    throw new CliError(`--endpoint must be a URL, got "${endpoint}"`);
  }
  const stack = String(v.stack ?? 'Bacefook');
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(stack))
    throw new CliError(`--stack must be a CloudFormation stack name`);
  return {
    endpoint,
    stack,
    region: String(v.region ?? 'us-east-1'),
    context,
    bootstrap: !v['no-bootstrap'],
    destroy: v.destroy === true,
    dryRun: v['dry-run'] === true,
  };
}

/** A command line as a person would type it (for --dry-run and progress lines). */
export function shellLine(step: Step): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const env = Object.entries(step.env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${quote(String(v))}`);
  return [...env, 'npx', 'cdklocal', ...step.args.map(quote)].join(' ');
}

/** LocalStack's health endpoint answers (the container is up). */
async function localstackUp(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/_localstack/health', endpoint), { signal: AbortSignal.timeout(3_000) });
    return res.ok;
  } catch {
    return false;
  }
}

function run(step: Step, io: Io): Promise<void> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...io.env };
    for (const [k, v] of Object.entries(step.env)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const child = spawn(step.command, step.args, { cwd: ROOT, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`cdklocal ${step.label} failed (exit ${code ?? 'signal'})`)),
    );
  });
}

/** The stack's outputs from cdklocal's --outputs-file. */
export function readOutputs(file: string, stack: string): Record<string, string> {
  const all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
  return all[stack] ?? {};
}

export async function deployLocalMain(argv: string[], io: Io): Promise<void> {
  const o = parseDeployLocalArgs(argv);
  const steps = deployLocalPlan(o);
  if (o.dryRun) {
    for (const s of steps) io.stdout.write(`${shellLine(s)}\n`);
    return;
  }
  if (!existsSync(steps[0].command)) throw new Error(`${steps[0].command} is missing: run npm ci`);
  if (!(await localstackUp(o.endpoint))) {
    throw new Error(
      `LocalStack does not answer at ${o.endpoint}. Start it with\n` +
        '  docker compose -f docker-compose.localstack.yml up -d\n' +
        'and run this again (the README says which image tag, and how to pass LOCALSTACK_AUTH_TOKEN).',
    );
  }
  for (const s of steps) {
    io.stderr.write(`\n▶ ${s.label}: ${shellLine(s)}\n`);
    await run(s, io);
  }
  if (o.destroy) {
    io.stdout.write(`\nStack ${o.stack} removed from LocalStack.\n`);
    return;
  }
  const outputs = readOutputs(join(ROOT, OUTPUTS_FILE), o.stack);
  const api = outputs.ApiUrl ?? '(no ApiUrl output)';
  io.stdout.write(
    [
      '',
      `Deployed ${o.stack} to LocalStack at ${o.endpoint}`,
      '',
      `  API        ${api}`,
      `             try: curl ${api}health   and   curl ${api}meta/pipeline`,
      `  Dashboard  ${outputs.WebDashboardUrl ?? '(no WebDashboardUrl output)'}`,
      `  Stream     ${outputs.StreamName ?? '?'}`,
      `  Tables     ${[outputs.GraphTableName, outputs.HistoryTableName, outputs.MetaTableName].join(', ')}`,
      `  Logs       npm run logs -- processor --target localstack --stack ${o.stack} --follow`,
      `  Outputs    ${OUTPUTS_FILE}`,
      '',
    ].join('\n'),
  );
}

if (isMain(import.meta.url)) {
  void execute('deploy:local', DEPLOY_LOCAL_USAGE, deployLocalMain, process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
