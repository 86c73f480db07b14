// `npm start`: the embedded default. Boots the local runtime, prints the URLs, then one status line
// every few seconds. Ctrl-C stops everything cleanly (a second Ctrl-C exits at once).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FaultPlan } from './faults';

const HELP = `Usage: npm start -- [options]

  --port N          API and dashboard port (default 3000)
  --data-dir DIR    keep the stream, tables, checkpoint and logs in DIR (default: in memory)
  --no-generator    do not feed the stream with generated events
  --auth            require access tokens on every route but /health and /openapi.json, as a
                    deployed stack does (create one: npm run token -- create --name NAME --abilities read)
  --users N         users registered by the generator's first batch (default 500)
  --max-users N     the generator stops adding users past N (default 2 × --users)
  --every MS        time between generated batches (default 5000)
  --families LIST   event families the generator feeds, comma-separated (default: all of them,
                    social,marketplace,posts)
  --retention MIN   keep a record in the local stream MIN minutes once the pipeline has processed
                    it (default 15; an unprocessed record is always kept)
  --kinesis-port N  kinesalite port (default 4567)
  --dynamo-port N   dynalite port (default 4568)
  --faults SPEC     inject faults into the processor, e.g. throttle=0.05,crash=0.1,seed=7
                    (throttle, error, lost, unprocessed, giveup, crash, timeout, duplicate,
                    redeliver: rates 0..1; crashMaxWrites, timeoutMaxMs, seed: integers)
  -h, --help        this help
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${HELP}`);
  process.exit(2);
}

function int(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer ≥ ${min} (got '${value}')`);
  return n;
}

function parse() {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'no-generator': { type: 'boolean' },
        auth: { type: 'boolean' },
        users: { type: 'string' },
        'max-users': { type: 'string' },
        every: { type: 'string' },
        families: { type: 'string' },
        retention: { type: 'string' },
        'kinesis-port': { type: 'string' },
        'dynamo-port': { type: 'string' },
        faults: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}

const fmt = new Intl.NumberFormat('en-US');
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Newest modification time under a folder (0 when it does not exist). */
function newest(dir: string): number {
  let max = 0;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      max = Math.max(max, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
    }
  } catch {
    // missing folder
  }
  return max;
}

/** Builds the dashboard (web/dist) when it is missing or older than its sources: `npm ci && npm start` shows it. */
async function ensureDashboard(): Promise<string | null> {
  const built = (() => {
    try {
      return statSync(join(ROOT, 'web', 'dist', 'index.html')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const sources = Math.max(newest(join(ROOT, 'web', 'src')), newest(join(ROOT, 'web', 'public')));
  if (sources === 0 || built >= sources) return null;
  try {
    const { buildWeb } = await import('../scripts/build-web');
    await buildWeb();
    return null;
  } catch (err) {
    return `the dashboard could not be built: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function main(): Promise<void> {
  const args = parse();
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  const generator = !args['no-generator'];
  const users = int('users', args.users, 1);
  const { FEED_FAMILIES, parseFamilies } = await import('../domain/family-generator');
  let families: ReturnType<typeof parseFamilies> | undefined;
  if (args.families !== undefined) {
    try {
      families = parseFamilies(args.families);
    } catch (err) {
      fail(`--${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const { startLocalRuntime, DEFAULT_GENERATOR_USERS, DEFAULT_GENERATOR_EVERY_MS, defaultGeneratorMaxUsers } =
    await import('./runtime');
  // Imported here, as the runtime is: the SDK loads after the environment above is set.
  const { formatFaultPlan, parseFaultSpec } = await import('./faults');
  let faults: FaultPlan | undefined;
  if (args.faults !== undefined) {
    try {
      faults = parseFaultSpec(args.faults);
    } catch (err) {
      fail(`--faults: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const dashboardProblem = await ensureDashboard();
  const rt = await startLocalRuntime({
    port: int('port', args.port, 0),
    kinesisPort: int('kinesis-port', args['kinesis-port'], 0),
    dynamoPort: int('dynamo-port', args['dynamo-port'], 0),
    dataDir: args['data-dir'],
    generator,
    generatorUsers: users,
    generatorMaxUsers: int('max-users', args['max-users'], 1),
    generatorEveryMs: int('every', args.every, 100),
    generatorFamilies: families,
    streamRetentionMinutes: int('retention', args.retention, 1),
    faults,
    auth: args.auth === true,
    // The processor on a thread of its own keeps the dashboard and the API responsive while a large
    // batch folds; the fault switch reaches it only on the main thread.
    processorThread: faults === undefined ? 'worker' : 'main',
  });
  // Since the process started: tsx's own start-up included.
  const bootS = process.uptime().toFixed(1);

  const lines = [
    `Bacefook Analytics: embedded runtime ready in ${bootS} s`,
    '',
    `  API        ${rt.apiUrl}   (try ${rt.apiUrl}/meta/pipeline)`,
    `  Dashboard  ${rt.dashboard ? `${rt.apiUrl}/` : (dashboardProblem ?? 'not built (web/dist is missing)')}`,
    `  Kinesis    ${rt.endpoints.kinesis}   kinesalite, stream ${rt.streamName}`,
    `  DynamoDB   ${rt.endpoints.dynamodb}   dynalite, tables ${Object.values(rt.tables).join(', ')}`,
    `  Data       ${rt.dataDir ?? 'in memory (use --data-dir DIR to keep it)'}`,
    `  Tokens     ${
      rt.auth
        ? 'required (Authorization: Bearer <token>); npm run token -- create --name NAME --abilities read'
        : 'off: the API is open on this machine (--auth turns tokens on)'
    }`,
    `  Logs       ${rt.logDir}`,
    ...(faults ? [`  Faults     ${formatFaultPlan(faults)} (into the processor; see local/faults.ts)`] : []),
    `  Generator  ${
      generator
        ? `${fmt.format(users ?? DEFAULT_GENERATOR_USERS)} users (growing to ${fmt.format(
            int('max-users', args['max-users'], 1) ??
              defaultGeneratorMaxUsers(users ?? DEFAULT_GENERATOR_USERS),
          )}), a batch every ${(int('every', args.every, 100) ?? DEFAULT_GENERATOR_EVERY_MS) / 1000} s, ${(
            families ?? FEED_FAMILIES
          ).join(' + ')} events`
        : 'off'
    }`,
    '',
    'Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));

  // One status line every few seconds: rewritten in place on a terminal, printed when it changes otherwise.
  const tty = process.stdout.isTTY === true;
  const outcomes = (p: { applied: number; noop: number; rejected: number }) =>
    p.applied + p.noop + p.rejected;
  // The rate counts from now (a data directory may hold earlier events).
  let last = { at: Date.now(), events: outcomes(await rt.pipeline()) };
  let lastLine = '';
  let busy = false;
  const status = async () => {
    if (busy) return;
    busy = true;
    try {
      const p = await rt.pipeline();
      const events = outcomes(p);
      const now = Date.now();
      const rate = ((events - last.events) * 1000) / Math.max(1, now - last.at);
      last = { at: now, events };
      const s = rt.stats();
      const failures =
        s.eventSourceMapping.failures > 0 ? ` · ${s.eventSourceMapping.failures} failed batches` : '';
      const line =
        `${new Date().toISOString().slice(11, 19)}  ${fmt.format(p.applied)} applied · ${fmt.format(p.noop)} noop · ` +
        `${fmt.format(p.rejected)} rejected · ${fmt.format(Math.round(rate))} events/s · ${fmt.format(p.users)} users` +
        failures;
      if (tty) process.stdout.write(`\r\x1b[2K${line}`);
      else if (line.slice(10) !== lastLine.slice(10)) process.stdout.write(`${line}\n`);
      lastLine = line;
    } catch {
      // The status line is best effort (e.g. while stopping).
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void status(), 3_000);

  // A Ctrl-C in a terminal reaches this process twice at once (from the terminal and forwarded by
  // npm): a repeat within a second is the same Ctrl-C. A later one forces the exit.
  let stoppingSince = 0;
  const stop = async (signal: string) => {
    if (stoppingSince > 0) {
      if (Date.now() - stoppingSince < 1_000) return;
      process.stdout.write('\nForced exit.\n');
      process.exit(130);
    }
    stoppingSince = Date.now();
    clearInterval(timer);
    process.stdout.write(`${tty ? '\n' : ''}${signal}: stopping...\n`);
    try {
      await rt.stop();
      process.stdout.write('Stopped.\n');
      process.exitCode = 0;
    } catch (err) {
      process.stderr.write(`Stopping failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
    // Everything is closed, so the process ends by itself; if some socket lingers, do not hang on it.
    setTimeout(() => process.exit(), 2_000).unref();
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
