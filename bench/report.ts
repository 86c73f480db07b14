// The benchmark report: every figure with how it was measured, written as JSON and Markdown.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { type LocalRuntime, startLocalRuntime } from '../local/runtime';

/**
 * The handler modules of a process are loaded against one pair of emulator endpoints (see
 * local/runtime.ts), so every section that starts a runtime uses the same fixed ports.
 */
export const BENCH_EMULATOR_PORTS = { kinesisPort: 14_567, dynamoPort: 14_568 } as const;

/**
 * A local runtime as every bench section starts it: fixed emulator ports, nothing running on its own,
 * the processor on a thread of its own (as `npm start` runs it).
 */
export function startBenchRuntime(): Promise<LocalRuntime> {
  return startLocalRuntime({
    port: 0,
    ...BENCH_EMULATOR_PORTS,
    processorThread: 'worker',
    generator: false,
    quiet: true,
    snapshotEveryMs: false,
  });
}

export interface Figure {
  value: number;
  unit: string;
  target?: string;
  /** one sentence: how this number was obtained */
  how: string;
}

export type Section = Record<string, Figure | Record<string, Figure>>;

export interface Report {
  generatedAt: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string };
  sections: Record<string, Section>;
}

export function newReport(quick: boolean): Report {
  const c = cpus();
  return {
    generatedAt: new Date().toISOString(),
    quick,
    machine: {
      cpus: c.length,
      cpuModel: c[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    sections: {},
  };
}

/** The flat JSON the SPEC names (`fold.eventsPerSec`, `api.<route>.p95Ms`, ...), plus `how` texts. */
export function flatten(report: Report): Record<string, unknown> {
  const out: Record<string, unknown> = {
    generatedAt: report.generatedAt,
    quick: report.quick,
    machine: report.machine,
  };
  for (const [name, section] of Object.entries(report.sections)) {
    const s: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(section)) {
      if (isFigure(v)) s[k] = v.value;
      else s[k] = Object.fromEntries(Object.entries(v).map(([kk, f]) => [kk, f.value]));
    }
    out[name] = s;
  }
  out.how = Object.fromEntries(
    Object.entries(report.sections).flatMap(([name, section]) =>
      Object.entries(section).flatMap(([k, v]) =>
        isFigure(v)
          ? [[`${name}.${k}`, v.how]]
          : Object.entries(v).map(([kk, f]) => [`${name}.${k}.${kk}`, f.how]),
      ),
    ),
  );
  return out;
}

function isFigure(v: unknown): v is Figure {
  return typeof v === 'object' && v !== null && 'value' in v && 'how' in v;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function markdown(report: Report): string {
  const lines = [
    `# Benchmark report${report.quick ? ' (quick)' : ''}`,
    '',
    `${report.generatedAt} · ${report.machine.cpus} × ${report.machine.cpuModel} · ${report.machine.memoryGb} GiB · Node ${report.machine.node}`,
    '',
    '| figure | value | target | how it was measured |',
    '|---|---:|---|---|',
  ];
  for (const [name, section] of Object.entries(report.sections)) {
    for (const [k, v] of Object.entries(section)) {
      const rows: [string, Figure][] = isFigure(v)
        ? [[`${name}.${k}`, v]]
        : Object.entries(v).map(([kk, f]) => [`${name}.${k}.${kk}`, f]);
      for (const [id, f] of rows) {
        lines.push(`| \`${id}\` | ${fmt(f.value)} ${f.unit} | ${f.target ?? ''} | ${f.how} |`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

export function writeReport(report: Report, jsonPath: string, mdPath: string): void {
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(flatten(report), null, 2)}\n`);
  writeFileSync(mdPath, markdown(report));
}
