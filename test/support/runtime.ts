// The local runtime as the integration and browser tests start it: ephemeral ports for the API and
// both emulators, no generator, no log output, snapshots only when a test asks for one.
import { STATE_TTL_MS } from '../../lambdas/api/reader';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '../../local/runtime';

export function startTestRuntime(extra: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  return startLocalRuntime({
    port: 0,
    kinesisPort: 0,
    dynamoPort: 0,
    generator: false,
    quiet: true,
    snapshotEveryMs: false,
    ...extra,
  });
}

/**
 * Resolves once the API readers' state cache (STATE_TTL_MS) can no longer hold a state read before
 * the caller's last commit: an answer asked for after this shows that commit.
 */
export function pastStateCache(): Promise<void> {
  return new Promise((r) => setTimeout(r, STATE_TTL_MS + 50));
}

/**
 * GET /meta/pipeline past the API's state cache: every answer after a drain() that must show that
 * drain goes through here.
 */
export async function pipelineAfterCommit<T = Record<string, unknown>>(rt: LocalRuntime): Promise<T> {
  await pastStateCache();
  const res = await fetch(`${rt.apiUrl}/meta/pipeline`);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET /meta/pipeline answered ${res.status}: ${body}`);
  return JSON.parse(body) as T;
}
