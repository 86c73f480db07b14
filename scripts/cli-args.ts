// Shared command-line parsing for the scripts: node:util parseArgs with a clear error and --help.
import { type ParseArgsConfig, parseArgs } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export class CliError extends Error {}

/** Parses `argv` (without node and script) strictly: unknown options and positionals are errors. */
export function parseCli<const O extends OptionSpec>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}
