// Shared command-line handling for the scripts: strict node:util parseArgs, typed value checks, and a
// runner that turns errors into one clear line on stderr and an exit code (2 for usage, 1 otherwise).
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** A usage error: bad or missing options. The runner prints it with the usage text. */
export class CliError extends Error {}

/** Parses `argv` (without node and script) strictly: unknown options and positionals are errors. */
export function parseCli<const O extends OptionSpec>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}

/** An integer option within [min, max]; `fallback` when absent (undefined fallback = required). */
export function intOption(
  name: string,
  raw: string | undefined,
  o: { min?: number; max?: number; fallback?: number } = {},
): number {
  if (raw === undefined) {
    if (o.fallback === undefined) throw new CliError(`--${name} is required`);
    return o.fallback;
  }
  const v = Number(raw);
  const min = o.min ?? Number.MIN_SAFE_INTEGER;
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  if (raw.trim() === '' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new CliError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return v;
}

/** One of the allowed values; `fallback` when absent. */
export function choiceOption<const T extends string>(
  name: string,
  raw: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new CliError(`--${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** Where a script writes and what it reads from its environment: the process, or a test's capture. */
export interface Io {
  stdout: Pick<NodeJS.WriteStream, 'write'>;
  stderr: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

export type ScriptMain = (argv: string[], io: Io) => Promise<void>;

/**
 * Runs a script's main and returns its exit code: 0; 2 for a usage error (printed with the usage text);
 * 1 for any other error, printed as one line (plus the stack when $DEBUG is set).
 */
export async function execute(
  script: string,
  usage: string,
  main: ScriptMain,
  argv: string[],
  io: Io,
): Promise<number> {
  try {
    await main(argv, io);
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`${script}: ${err.message}\n\n${usage}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`${script}: ${message}\n`);
    if (io.env.DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

/** True when the module with this import.meta.url is the script node was asked to run. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && moduleUrl === pathToFileURL(resolve(entry)).href;
}

/** The command-line entry: runs main on this process's arguments and sets the exit code. */
export function runCli(script: string, usage: string, main: ScriptMain): void {
  void execute(script, usage, main, process.argv.slice(2), processIo()).then((code) => {
    process.exitCode = code;
  });
}

/** Fails fast, with a hint, when nothing listens at a local endpoint (instead of the SDK's retries). */
export async function checkReachable(endpoint: string, service: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new CliError(`--endpoint is not a URL: "${endpoint}"`);
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port, timeout: 3_000 });
    const fail = (why: string) => {
      socket.destroy();
      reject(
        new Error(`cannot reach ${service} at ${endpoint} (${why}); is the local stack running (npm start)?`),
      );
    };
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    socket.once('timeout', () => fail('timed out'));
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
  });
}
