// Writes a measured device profile (profiles/<name>.yaml, the format testbed/profiles.ts reads): the fitted
// compute model, the fields of the profile it replaces (description, GFLOP/s, memory), `estimate: false`,
// and what was measured (samples, residual, R², link check). Called by profile-run.ts.
import { writeFileAtomicSync } from '../core/index.js';
import path from 'node:path';
import { Document, isScalar, isSeq, visit } from 'yaml';
import type { DeviceProfile } from '../testbed/index.js';
import type { ComputeFit, ComputeSample } from './profile-fit.js';
import type { LinkCheck } from './profile-links.js';

export interface MeasuredProfile {
  readonly name: string;
  readonly base: DeviceProfile | undefined; // the profile in use before
  readonly fit: ComputeFit;
  readonly samples: readonly { device: string; samples: readonly ComputeSample[] }[];
  readonly model: string; // bundle name: a compute model holds for one model's experts
  readonly host: string;
  readonly tool: string;
  readonly links: readonly LinkCheck[];
}

const ms = (value: number) => `${Number(value.toPrecision(4))}ms`;

// The YAML text of the profile.
export function renderProfileYaml(profile: MeasuredProfile, at: Date): string {
  const { base, fit } = profile;
  const document = {
    name: profile.name,
    description: base?.description || `measured by wdmoe profile on ${profile.host}`,
    fp32_gflops: base?.fp32Gflops ?? 100,
    memory_gib: base?.memoryGiB ?? 16,
    compute_model: { fixed: ms(fit.fixedMs), per_token: ms(fit.perTokenMs) },
    estimate: false,
    source: `wdmoe profile, ${at.toISOString()}, ${profile.host}, model ${profile.model}`,
    measured: {
      at: at.toISOString(),
      host: profile.host,
      tool: profile.tool,
      model: profile.model,
      residual_ms: Number(fit.residualMs.toPrecision(4)),
      r2: Number(fit.r2.toFixed(4)),
      devices: profile.samples.map(({ device, samples }) => ({ device, tokens: samples.map((s) => s.tokens), median_ms: samples.map((s) => Number(s.ms.toPrecision(4))) })),
      links: profile.links.map((l) => ({ device: l.device, rows: l.rows, expected_ms: Number(l.expectedMs.toPrecision(4)), measured_ms: Number(l.measuredMs.toPrecision(4)), overhead_ms: Number(l.overheadMs.toPrecision(4)), error: Number(l.error.toFixed(4)) })),
    },
  };
  const yaml = new Document(document);
  // Lists of numbers on one line each ([1, 2, 4, …]), maps in block style.
  visit(yaml, { Seq: (_, node) => { if (isSeq(node) && node.items.every((item) => isScalar(item))) node.flow = true; } });
  return `# Device profile measured by \`wdmoe profile\` (docs/profiles.md): expert compute time = fixed + tokens × per_token\n# for the experts of model ${profile.model}, fitted by least squares. Re-run wdmoe profile to refresh it.\n${yaml.toString({ lineWidth: 0 })}`;
}

// Writes `<dir>/<name>.yaml` atomically (temp + rename); returns the file.
export function writeProfile(dir: string, profile: MeasuredProfile, at = new Date()): string {
  const file = path.join(dir, `${profile.name}.yaml`);
  writeFileAtomicSync(file, renderProfileYaml(profile, at));
  return file;
}
