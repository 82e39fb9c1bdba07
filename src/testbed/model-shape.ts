// Reads the two numbers the testbed needs from a model bundle: layers and experts per layer.
// Kept to one small function so it can be swapped for model/'s `loadManifest` once that exists;
// until then it reads `<bundle>/manifest.json` directly. Called by load.ts; imports node:fs and zod.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ModelShape } from './types.js';

const ManifestShapeSchema = z.object({
  architecture: z.object({ numLayers: z.number().int().positive(), numExperts: z.number().int().positive() }),
});

export type ModelShapeResult = { readonly ok: true; readonly shape: ModelShape } | { readonly ok: false; readonly message: string };

// The bundle's numLayers/numExperts, or a message naming the path that is missing or wrong.
export function readModelShape(modelDir: string): ModelShapeResult {
  if (!existsSync(modelDir) || !statSync(modelDir).isDirectory()) {
    return { ok: false, message: `model bundle directory not found: ${modelDir}` };
  }
  const manifestPath = join(modelDir, 'manifest.json');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message;
    return { ok: false, message: `cannot read model manifest ${manifestPath}: ${reason}` };
  }
  const parsed = ManifestShapeSchema.safeParse(data);
  if (!parsed.success) {
    return { ok: false, message: `model manifest ${manifestPath} has no valid architecture.numLayers/numExperts` };
  }
  return { ok: true, shape: parsed.data.architecture };
}
