// Device profiles (`profiles/<name>.yaml`: compute speed and memory of a device kind) and link
// profiles (`profiles/links/<name>.yaml`: uplink/downlink a device's `link.profile` can name).
// Lookup searches the given directories in order, the bundled `profiles/` last. Profile files are
// validated like testbeds (located issues). Called by normalise.ts; later read by sim and policy.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { issueAt } from './locate.js';
import { parseWithSchema, parseYamlSource, type ParseResult } from './parse.js';
import { LinkDirectionSchema } from './schema.js';
import { parseDuration, type UnitResult } from '../core/index.js';
import type { DeviceProfile, LinkDirection, LinkProfile } from './types.js';

export type ProfileKind = 'device' | 'link';

// The profiles/ folder shipped with wdmoe (src/testbed and dist/testbed are both two levels down).
export const BUNDLED_PROFILES_DIR = fileURLToPath(new URL('../../profiles/', import.meta.url));

function durationMs(value: unknown, context: z.RefinementCtx): number {
  const result: UnitResult<number> = parseDuration(value);
  if (result.ok) return result.value;
  context.issues.push({ code: 'custom', message: result.message, input: value });
  return z.NEVER;
}

const DeviceProfileSchema = z.strictObject({
  name: z.string().min(1).describe('profile name; must match the file name'),
  description: z.string().default('').describe('what device this is'),
  fp32_gflops: z.number().positive().describe('sustained fp32 GFLOP/s for expert matmuls'),
  memory_gib: z.number().positive().describe('memory available to the agent, GiB'),
  compute_model: z
    .strictObject({
      fixed: z.unknown().transform(durationMs).describe('per-request overhead, e.g. 1.5ms'),
      per_token: z.unknown().transform(durationMs).describe('time per token per expert, e.g. 0.05ms'),
    })
    .describe('expert compute time = fixed + tokens × per_token'),
  estimate: z.boolean().default(false).describe('true while compute_model is an estimate (data sheet, FLOPs), not measured by `wdmoe profile`'),
  source: z.string().default('').describe('where the figures come from'),
  // What `wdmoe profile` measured (kept as written; docs/profiles.md).
  measured: z.record(z.string(), z.unknown()).optional().describe('the measurement behind compute_model, written by wdmoe profile'),
});

const LinkProfileSchema = z.strictObject({
  name: z.string().min(1).describe('profile name; must match the file name'),
  description: z.string().default('').describe('what link this models'),
  uplink: LinkDirectionSchema.describe('device → BS'),
  downlink: LinkDirectionSchema.describe('BS → device'),
});

function kindDirs(kind: ProfileKind, dirs: readonly string[]): string[] {
  return [...dirs, BUNDLED_PROFILES_DIR].map((dir) => (kind === 'link' ? join(dir, 'links') : dir));
}

// Names of every profile of `kind` found in `dirs` and the bundled folder, sorted.
export function listProfiles(kind: ProfileKind, dirs: readonly string[] = []): string[] {
  const names = new Set<string>();
  for (const dir of kindDirs(kind, dirs)) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) if (entry.endsWith('.yaml')) names.add(basename(entry, '.yaml'));
  }
  return [...names].sort();
}

// The file of profile `name`, or null when no directory has it.
export function findProfile(kind: ProfileKind, name: string, dirs: readonly string[] = []): string | null {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return null;
  for (const dir of kindDirs(kind, dirs)) {
    const file = join(dir, `${name}.yaml`);
    if (existsSync(file)) return file;
  }
  return null;
}

function readProfileFile<S extends z.ZodType<{ name: string }>>(file: string, schema: S): ParseResult<z.output<S>> {
  const source = parseYamlSource(file, readFileSync(file, 'utf8'));
  if (!source.ok) return source;
  const parsed = parseWithSchema(source.value, schema);
  if (parsed.ok && parsed.value.name !== basename(file, '.yaml')) {
    return { ok: false, issues: [issueAt(source.value, ['name'], `expected "${basename(file, '.yaml')}" (the file name), got "${parsed.value.name}"`)] };
  }
  return parsed;
}

// Reads and validates a device profile file.
export function readDeviceProfile(file: string): ParseResult<DeviceProfile> {
  const parsed = readProfileFile(file, DeviceProfileSchema);
  if (!parsed.ok) return parsed;
  const profile = parsed.value;
  return {
    ok: true,
    value: Object.freeze({
      name: profile.name, description: profile.description, fp32Gflops: profile.fp32_gflops, memoryGiB: profile.memory_gib,
      computeModel: Object.freeze({ fixedMs: profile.compute_model.fixed, perTokenMs: profile.compute_model.per_token }),
      isEstimate: profile.estimate,
      source: profile.source,
      file,
    }),
  };
}

function direction(parsed: z.output<typeof LinkDirectionSchema>): LinkDirection {
  return Object.freeze({
    rateBitsPerSec: parsed.rate ?? null, delayMs: parsed.delay ?? 0, jitterMs: parsed.jitter ?? 0, lossRate: parsed.loss ?? 0, trace: null,
  });
}

// Reads and validates a link profile file (unset fields: unlimited rate, 0 delay/jitter/loss). Profiles stay
// simple: no traces and no radio (those are written in the testbed itself).
export function readLinkProfile(file: string): ParseResult<LinkProfile> {
  const parsed = readProfileFile(file, LinkProfileSchema);
  if (!parsed.ok) return parsed;
  const { name, description, uplink, downlink } = parsed.value;
  return { ok: true, value: Object.freeze({ name, description, link: Object.freeze({ uplink: direction(uplink), downlink: direction(downlink), radio: null }), file }) };
}
