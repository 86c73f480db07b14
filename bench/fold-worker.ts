// Worker side of the fold figures: runs one of them in an isolate of its own, so its heap holds only the
// fold's items and state, as a processor Lambda's does, and not the emulators and SDK of bench/run.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { benchFold, benchMixedFold } from './fold';

const d = workerData as { quick: boolean; mixed?: boolean };
parentPort?.postMessage(d.mixed === true ? await benchMixedFold(d.quick) : benchFold(d.quick));
