// Worker-thread entry: runs the emulator servers and answers the parent's stop request.
import { parentPort, workerData } from 'node:worker_threads';
import { type ServerOptions, startServers } from './emulator-servers';

const port = parentPort;
if (port === null) throw new Error('emulator-worker.ts must run in a worker thread');
try {
  const servers = await startServers(workerData as ServerOptions);
  port.on('message', async (msg: unknown) => {
    if (msg !== 'stop') return;
    await servers.stop();
    port.postMessage({ stopped: true });
  });
  port.postMessage({ ports: servers.ports });
} catch (err) {
  port.postMessage({ error: err instanceof Error ? err.message : String(err) });
}
