// Runs test/support/crash-child.ts in a process of its own and kills it with SIGKILL when asked: the
// honest crash (no finally block, no flush, no stop()), as a power cut or the OOM killer would.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../local/runtime';

export interface Step {
  phase: string;
  at: number;
  [k: string]: unknown;
}

export interface ChildRun {
  child: ChildProcess;
  steps: Step[];
  /** Resolves with the first step of that phase (rejects if the child ends first). */
  reached(phase: string): Promise<Step>;
  /** Resolves when the process has ended: its exit code, or the signal that ended it. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(): Promise<void>;
}

export function runChild(args: string[], env: Record<string, string> = {}): ChildRun {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'test/support/crash-child.ts'), ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const steps: Step[] = [];
  const waiters: { phase: string; resolve: (s: Step) => void; reject: (e: Error) => void }[] = [];
  let stderr = '';
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const step = JSON.parse(line) as Step;
      steps.push(step);
      for (const w of waiters.filter((x) => x.phase === step.phase)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(step);
      }
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      child.once('exit', (code, signal) => {
        for (const w of waiters.splice(0)) {
          w.reject(new Error(`the child ended (${code ?? signal}) before '${w.phase}': ${stderr}`));
        }
        resolve({ code, signal, stderr });
      });
    },
  );
  return {
    child,
    steps,
    ended,
    reached: (phase) => {
      const seen = steps.find((s) => s.phase === phase);
      if (seen) return Promise.resolve(seen);
      if (child.exitCode !== null || child.signalCode !== null) {
        return Promise.reject(new Error(`the child ended before '${phase}': ${stderr}`));
      }
      return new Promise((resolve, reject) => waiters.push({ phase, resolve, reject }));
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await ended;
    },
  };
}

/** Runs a child to its end; throws with its output unless it exited 0. */
export async function runToEnd(args: string[], env: Record<string, string> = {}): Promise<Step[]> {
  const run = runChild(args, env);
  const end = await run.ended;
  if (end.code !== 0) {
    const failed = run.steps.find((s) => s.phase === 'failed');
    throw new Error(
      `crash-child ${args.join(' ')} exited ${end.code ?? end.signal}: ${
        failed ? String(failed.message) : end.stderr.slice(-4000)
      }`,
    );
  }
  return run.steps;
}
