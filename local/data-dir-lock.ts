// One runtime per data directory: `<dataDir>/runtime.lock` holds the pid of the runtime using it.
// A second runtime on the same directory would open the same LevelDB stores (which refuse with an
// error from deep inside the emulators) and read and write the same checkpoint and generator files,
// so it stops at once with one clear sentence instead. A lock left by a process that no longer runs
// (killed, crashed) is taken over.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'runtime.lock';

/** The data directory is in use by another live process. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the data dir ${dataDir} is in use by another runtime (pid ${pid}); stop that one first, or start with another --data-dir`,
    );
    this.name = 'DataDirInUseError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Takes the directory's lock for this process, or throws DataDirInUseError naming the live process
 * holding it. Returns the release function (which removes the file only while it is still ours).
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  const mine = `${process.pid}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, mine, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 3) throw err;
    }
    const pid = holder(file);
    if (pid !== null && pid !== process.pid && alive(pid)) throw new DataDirInUseError(dataDir, pid);
    // Stale (its process is gone) or half written: replace it, then check that we won.
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, mine);
    renameSync(tmp, file);
    if (holder(file) === process.pid) break;
  }
  return () => {
    if (holder(file) === process.pid) rmSync(file, { force: true });
  };
}
