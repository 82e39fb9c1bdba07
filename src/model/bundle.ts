// Loads the parts of a model bundle one process needs: the BS graphs (embed, attention, router, head)
// or a device's experts. Every file is sha256-checked before onnxruntime sees it.
// Called by bs/ (BS side) and agent/ (device side, experts only).
import path from 'node:path';
import { type LoadedManifest, type ModelArchitecture, loadManifest, resolveRole } from './manifest.js';
import { type OnnxSession, createSession } from './onnx.js';
import { readVerified } from './verify.js';
import { ModelBundleError } from './errors.js';

// The BS side of a bundle: one session per role it runs.
export interface BsGraphs {
  readonly manifest: LoadedManifest;
  readonly arch: ModelArchitecture;
  readonly embed: OnnxSession;
  readonly attention: readonly OnnxSession[];
  readonly router: readonly OnnxSession[];
  readonly head: OnnxSession;
  release(): Promise<void>;
}

// Loads one role's graph after checking its sha256.
export async function loadRoleSession(manifest: LoadedManifest, role: string, intraOpThreads: number): Promise<OnnxSession> {
  const entry = resolveRole(manifest, role);
  const bytes = await readVerified(entry.absolutePath, entry.sha256);
  return createSession(bytes, entry.absolutePath, { intraOpThreads });
}

// Loads and verifies the graphs the BS runs.
export async function loadBsGraphs(dir: string, options: { intraOpThreads: number }): Promise<BsGraphs> {
  const manifest = await loadManifest(dir);
  const arch = manifest.manifest.architecture;
  if (arch.sharedExpert) {
    throw new ModelBundleError('bundle-invalid', path.join(manifest.dir, 'manifest.json'), 'has a shared expert (Qwen-MoE style), which this version does not run', {
      hint: 'export a family without shared experts (Mixtral, OLMoE); see docs/model.md',
    });
  }
  const load = (role: string) => loadRoleSession(manifest, role, options.intraOpThreads);
  const layers = Array.from({ length: arch.numLayers }, (_, layer) => layer);
  const [embed, head, attention, router] = await Promise.all([
    load('embed'),
    load('head'),
    Promise.all(layers.map((layer) => load(`attn.${layer}`))),
    Promise.all(layers.map((layer) => load(`router.${layer}`))),
  ]);
  const all = [embed, head, ...attention, ...router];
  return {
    manifest,
    arch,
    embed,
    attention,
    router,
    head,
    release: async () => {
      await Promise.all(all.map((session) => session.release()));
    },
  };
}

// Reads and verifies the tokenizer file of a bundle, returning its path.
export async function resolveTokenizerPath(manifest: LoadedManifest): Promise<string> {
  const file = path.resolve(manifest.dir, manifest.manifest.tokenizer.path);
  await readVerified(file, manifest.manifest.tokenizer.sha256);
  return file;
}

// Reads golden.json of a bundle (sha256-checked); undefined when the bundle has none.
export async function loadGolden(manifest: LoadedManifest): Promise<unknown> {
  const golden = manifest.manifest.golden;
  if (golden === undefined) return undefined;
  const file = path.resolve(manifest.dir, golden.path);
  const bytes = await readVerified(file, golden.sha256);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new ModelBundleError('bundle-invalid', file, 'is not JSON', { cause });
  }
}
