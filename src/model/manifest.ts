// The model bundle's manifest: schema, parsing and file lookup by role (docs/contracts.md, docs/model.md).
// Used by the BS, the agent (to find its expert files) and testbed rules (model shape).
// Must not import onnxruntime: reading a manifest is cheap and dependency-light.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ModelBundleError } from './errors.js';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a 64-digit lowercase hex sha256');

const fileEntry = z.object({
  role: z.string().regex(/^(embed|head|attn\.\d+|router\.\d+|expert\.\d+\.\d+)$/, 'embed | head | attn.L | router.L | expert.L.E'),
  path: z.string().min(1),
  sha256: sha256Hex,
  bytes: z.number().int().nonnegative().optional(),
});

const architecture = z.object({
  family: z.string(),
  hiddenSize: z.number().int().positive(),
  numLayers: z.number().int().positive(),
  numExperts: z.number().int().positive(),
  topK: z.number().int().positive(),
  vocabSize: z.number().int().positive(),
  intermediateSize: z.number().int().positive().optional(),
  numAttentionHeads: z.number().int().positive(),
  numKeyValueHeads: z.number().int().positive(),
  headDim: z.number().int().positive(),
  rmsNormEps: z.number().positive(),
  ropeTheta: z.number().positive(),
  maxPositionEmbeddings: z.number().int().positive(),
  bosTokenId: z.number().int().nonnegative().nullable().optional(),
  eosTokenId: z.number().int().nonnegative().nullable().optional(),
  padTokenId: z.number().int().nonnegative().nullable().optional(),
  routerNormalizeTopK: z.boolean().default(true),
  sharedExpert: z.boolean().default(false),
});

export const manifestSchema = z.object({
  format: z.literal('wdmoe-bundle'),
  formatVersion: z.literal(1),
  name: z.string(),
  architecture,
  dtype: z.enum(['float32', 'float16']),
  // addBosToken: prepend the BOS token to every prompt (the model was trained that way).
  tokenizer: z.object({ path: z.string(), sha256: sha256Hex, addBosToken: z.boolean().default(false) }),
  golden: z.object({ path: z.string(), sha256: sha256Hex }).optional(),
  files: z.array(fileEntry).min(1),
  source: z.record(z.string(), z.unknown()).optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ModelArchitecture = Manifest['architecture'];
export type ManifestFile = Manifest['files'][number];
export type FileRole = 'embed' | 'head' | `attn.${number}` | `router.${number}` | `expert.${number}.${number}`;

// A manifest read from disk, with the bundle directory it came from.
export interface LoadedManifest {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly byRole: ReadonlyMap<string, ManifestFile>;
}

// Reads and validates `<dir>/manifest.json`; checks that every role the architecture needs is listed.
export async function loadManifest(dir: string): Promise<LoadedManifest> {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ModelBundleError('bundle-missing', file, 'cannot be read (no model bundle here?)', {
      cause,
      hint: `point the testbed's "model" at a bundle directory (the default is models/tiny-mixtral)`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ModelBundleError('bundle-invalid', file, `is not JSON (${(cause as Error).message})`, { cause });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelBundleError('bundle-invalid', file, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const manifest = parsed.data;
  const byRole = new Map(manifest.files.map((entry) => [entry.role, entry]));
  for (const role of requiredRoles(manifest.architecture)) {
    if (!byRole.has(role)) throw new ModelBundleError('bundle-invalid', file, `lists no file for role ${role}`);
  }
  return { dir: path.resolve(dir), manifest, byRole };
}

// Every role a bundle of this architecture must provide.
export function requiredRoles(arch: ModelArchitecture): string[] {
  const roles = ['embed', 'head'];
  for (let layer = 0; layer < arch.numLayers; layer++) {
    roles.push(`attn.${layer}`, `router.${layer}`);
    for (let expert = 0; expert < arch.numExperts; expert++) roles.push(`expert.${layer}.${expert}`);
  }
  return roles;
}

// Absolute path and expected sha256 of the file with `role`.
export function resolveRole(loaded: LoadedManifest, role: string): ManifestFile & { absolutePath: string } {
  const entry = loaded.byRole.get(role);
  if (entry === undefined) {
    throw new ModelBundleError('bundle-invalid', path.join(loaded.dir, 'manifest.json'), `lists no file for role ${role}`);
  }
  return { ...entry, absolutePath: path.resolve(loaded.dir, entry.path) };
}
