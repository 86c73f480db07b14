// The live functions' own environment: the connections table's name (and, for the fan-out, API
// Gateway's management endpoint), failing at cold start when missing.
import { CONNECTIONS_TABLE } from '../../lib/definitions';

export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`${name} is not set`);
  return v;
}

export function connectionsTable(env: NodeJS.ProcessEnv = process.env): string {
  return requiredEnv(CONNECTIONS_TABLE.env, env);
}
