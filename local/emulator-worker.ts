// Worker-thread entry: runs the emulator servers and answers the parent's stop and trim requests.
import { parentPort, workerData } from 'node:worker_threads';
import { type ServerOptions, startServers, type TrimMessage } from './emulator-servers';

const port = parentPort;
if (port === null) throw new Error('emulator-worker.ts must run in a worker thread');
try {
  const servers = await startServers(workerData as ServerOptions);
  port.on('message', async (msg: unknown) => {
    if (msg === 'stop') {
      await servers.stop();
      port.postMessage({ stopped: true });
      return;
    }
    const m = msg as Partial<TrimMessage>;
    if (m.type === 'trim' && m.trim !== undefined) {
      try {
        port.postMessage({ id: m.id, trimmed: await servers.trimStream(m.trim) });
      } catch (err) {
        port.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  });
  port.postMessage({ ports: servers.ports });
} catch (err) {
  port.postMessage({ error: err instanceof Error ? err.message : String(err) });
}
