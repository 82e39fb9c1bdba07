// Loads a user's policy module (`--policy ./my-policy.mjs[:k=v]`): imports it, checks its default export
// fits PolicyDefinition (name, description, params, create) and records its sha256, so the run says exactly
// which code made its decisions. Errors name the file and what does not fit. Called by resolve.ts.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PolicyError } from './errors.js';
import { checkParamSpec } from './params.js';
import type { PolicyDefinition, PolicyParamSpec } from './types.js';

export interface LoadedModule {
  readonly file: string; // absolute
  readonly sha256: string;
  readonly definition: PolicyDefinition;
}

const HINT = 'export default { name, description, params: { … }, create(params, toolkit) { return (ctx) => decision } } — see examples/policies/ and docs/policies.md';

// Imports and checks the module at `target` (relative to `cwd`).
export async function loadPolicyModule(target: string, cwd: string): Promise<LoadedModule> {
  const file = path.resolve(cwd, target);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolicyError('module-missing', `policy module ${file}: ${code === 'ENOENT' ? 'not found' : (error as Error).message}`, 'give the path of a .mjs file (relative to the current folder)', error);
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PolicyError('module-load', `policy module ${file} failed to load: ${(error as Error).message}`, 'run it with `node --check` to find the mistake; it must be an ES module (.mjs)', error);
  }
  const exported = loaded['default'];
  const problems: string[] = [];
  if (exported === null || typeof exported !== 'object') problems.push('its default export must be an object');
  else {
    const d = exported as Partial<PolicyDefinition>;
    if (d.name !== undefined && (typeof d.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(d.name))) problems.push('name must be letters, digits, ".", "_" or "-"');
    if (d.description !== undefined && typeof d.description !== 'string') problems.push('description must be a string');
    if (typeof d.create !== 'function') problems.push('create must be a function (params) => policy');
    if (d.params !== undefined && (d.params === null || typeof d.params !== 'object')) problems.push('params must be an object of parameter specs');
    else for (const [name, spec] of Object.entries(d.params ?? {})) problems.push(...checkParamSpec(name, spec));
  }
  if (problems.length > 0) throw new PolicyError('module-shape', `policy module ${file} does not fit the policy interface: ${problems.join('; ')}`, HINT);
  const d = exported as Partial<PolicyDefinition> & { create: PolicyDefinition['create'] };
  const definition: PolicyDefinition = {
    name: d.name ?? path.basename(file).replace(/\.(mjs|js|cjs)$/i, ''),
    description: d.description ?? `custom policy from ${path.basename(file)}`,
    params: (d.params ?? {}) as Record<string, PolicyParamSpec>,
    create: (params, toolkit) => d.create(params, toolkit),
  };
  return { file, sha256: createHash('sha256').update(bytes).digest('hex'), definition };
}
