// The local runtime as the integration and browser tests start it: ephemeral ports for the API and
// both emulators, no generator, no log output, snapshots only when a test asks for one.
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
