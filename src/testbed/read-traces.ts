// Finds every `trace:` a testbed file gives (defaults.link and each device's link, both directions) and
// reads it through channel/'s readers, like load.ts reads the token file: the outcome goes to the rules
// (a bad trace becomes a located issue at the YAML field naming trace-file:line) and to resolve-link.ts.
// Called by load.ts; imports channel/ (its trace readers) and testbed modules.
import { readTraceFile, traceFormatOf, type TraceReadResult } from '../channel/index.js';
import { formatField, type FieldPath } from './locate.js';
import { resolveUserPath } from './normalise.js';
import type { ParsedLink, ParsedTestbedFile, ParsedTrace } from './schema.js';

// One `trace:` of the file: where it is, what was written, and what reading it gave.
export interface TraceInput {
  readonly path: FieldPath; // to the `trace` node, e.g. ['devices', 2, 'link', 'downlink', 'trace']
  readonly written: string; // the file as written in the YAML
  readonly file: string; // absolute
  readonly result: TraceReadResult;
}

function readOne(yamlFile: string, path: FieldPath, trace: ParsedTrace): TraceInput {
  const spec = typeof trace === 'string' ? { file: trace } : trace;
  const file = resolveUserPath(yamlFile, spec.file);
  const format = spec.format ?? traceFormatOf(file);
  const result: TraceReadResult = spec.bin !== undefined && format === 'csv'
    ? { ok: false, line: 0, message: 'bin applies to Mahimahi traces only (a CSV trace gives its own steps)' }
    : readTraceFile(file, { format, binMs: spec.bin });
  return { path, written: spec.file, file, result };
}

// Reads every trace the file names, keyed by the formatted path of its `trace` node.
export function readTraces(yamlFile: string, parsed: ParsedTestbedFile): ReadonlyMap<string, TraceInput> {
  const traces = new Map<string, TraceInput>();
  const visit = (link: ParsedLink | undefined, at: FieldPath) => {
    for (const direction of ['downlink', 'uplink'] as const) {
      const trace = link?.[direction]?.trace;
      if (trace === undefined) continue;
      const path = [...at, direction, 'trace'];
      traces.set(formatField(path), readOne(yamlFile, path, trace));
    }
  };
  visit(parsed.defaults.link, ['defaults', 'link']);
  parsed.devices.forEach((device, index) => visit(device.link, ['devices', index, 'link']));
  return traces;
}
