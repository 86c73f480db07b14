// Worker side of the fold figure: runs benchFold in an isolate of its own, so its heap holds only the
// fold's items and graphs, as a processor Lambda's does, and not the emulators and SDK of bench/run.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { benchFold } from './fold';

parentPort?.postMessage(benchFold((workerData as { quick: boolean }).quick));
