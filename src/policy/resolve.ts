// Turns `--policy` values into ready policies: parse the specs, look built-ins up in the registry (with a
// did-you-mean) or load custom modules, resolve parameters, create each policy once and try it on a small
// probe layer, so a policy that does not fit fails at start with a clear message. Every resolved policy is
// wrapped so each decision is checked (check-decision.ts) and a throw names the policy and layer.
// Called by bench (and sim); records what ran (label, params, module sha256).
import { closest, distance } from 'fastest-levenshtein';
import { findDecisionProblem } from './check-decision.js';
import { PolicyDecisionError, PolicyError } from './errors.js';
import { loadPolicyModule } from './load-custom.js';
import { resolveParams } from './params.js';
import { POLICIES, POLICY_NAMES } from './registry.js';
import { parsePolicySpecs, type PolicySpec } from './spec.js';
import { POLICY_TOOLKIT } from './toolkit.js';
import type { Policy, PolicyContext, PolicyDefinition, PolicyParams } from './types.js';

// A policy ready to run, and what the run records about it.
export interface ResolvedPolicy {
  readonly label: string; // what results.jsonl calls it: "wdmoe", "wdmoe:theta=0.3", "my-policy:k=2"
  readonly name: string; // the definition's name
  readonly description: string;
  readonly source: { readonly kind: 'builtin' } | { readonly kind: 'module'; readonly file: string; readonly sha256: string };
  readonly params: PolicyParams; // every parameter, defaults filled in
  readonly policy: Policy; // checked on every call
}

function builtin(spec: PolicySpec): PolicyDefinition {
  const definition = (POLICIES as Record<string, PolicyDefinition>)[spec.target];
  if (definition !== undefined) return definition;
  const guess = closest(spec.target, POLICY_NAMES);
  const near = distance(spec.target, guess) <= Math.max(2, Math.floor(guess.length / 3));
  throw new PolicyError('unknown', `unknown policy "${spec.target}" (built-in: ${POLICY_NAMES.join(', ')}; or a path to a .mjs module)`,
    near ? `did you mean ${guess}?` : `choose one of ${POLICY_NAMES.join(', ')}, or give ./my-policy.mjs`);
}

// A small layer to try a new policy on: 3 tokens, 4 experts on 2 devices (one fixed-rate, one wireless link).
function probeContext(): PolicyContext {
  const fixed = { model: 'fixed', rateBitsPerSec: 100e6, poolBitsPerSec: 200e6, delayMs: 1, jitterMs: 0, lossRate: 0 } as const;
  const radio = { model: 'shannon', bandwidthHz: 20e6, snr: 1000, delayMs: 1, jitterMs: 0, lossRate: 0 } as const;
  const compute = { fixedMs: 0.1, perTokenMs: 0.01 };
  return {
    layer: 0, tokens: 3, numExperts: 4, topK: 2, normalizeTopK: true,
    gateProbs: new Float32Array([0.4, 0.3, 0.2, 0.1, 0.1, 0.2, 0.3, 0.4, 0.25, 0.25, 0.25, 0.25]),
    hiddenSize: 8, bytesPerValue: 4,
    devices: [
      { name: 'probe-0', downlink: fixed, uplink: fixed, compute, available: true },
      { name: 'probe-1', downlink: radio, uplink: radio, compute, available: true },
    ],
    expertDevices: [[0], [1], [0], [1]],
    random: () => 0.5,
  };
}

// Wraps `policy` so every decision is checked and a throw names the policy and layer.
function checked(label: string, policy: Policy): Policy {
  return (ctx) => {
    let decision;
    try {
      decision = policy(ctx);
    } catch (error) {
      throw new PolicyDecisionError(label, ctx.layer, `threw: ${(error as Error).message}`, error);
    }
    const problem = findDecisionProblem(ctx, decision);
    if (problem !== null) throw new PolicyDecisionError(label, ctx.layer, problem);
    return decision;
  };
}

async function resolveOne(spec: PolicySpec, cwd: string): Promise<ResolvedPolicy> {
  const module = spec.isModule ? await loadPolicyModule(spec.target, cwd) : null;
  const definition = module?.definition ?? builtin(spec);
  const params = resolveParams(definition.name, definition.params, spec.params);
  const given = Object.entries(spec.params).map(([key, value]) => `${key}=${value}`);
  const label = given.length > 0 ? `${definition.name}:${given.join(',')}` : definition.name;
  let created: unknown;
  try {
    created = definition.create(params, POLICY_TOOLKIT);
  } catch (error) {
    throw new PolicyError('create-failed', `policy ${label}: create(params) threw: ${(error as Error).message}`, 'check the module\'s create function and the parameters given', error);
  }
  if (typeof created !== 'function') throw new PolicyError('module-shape', `policy ${label}: create(params) returned ${typeof created}, not a function (ctx) => decision`, 'create must return the policy function');
  const policy = checked(label, created as Policy);
  try {
    policy(probeContext());
  } catch (error) {
    throw new PolicyError('misfit', `policy ${label} does not fit the policy interface on a probe layer: ${(error as Error).message}`, 'see docs/policies.md for PolicyContext and PolicyDecision, and examples/policies/ for a worked example', error);
  }
  return {
    label, name: definition.name, description: definition.description, params, policy,
    source: module === null ? { kind: 'builtin' } : { kind: 'module', file: module.file, sha256: module.sha256 },
  };
}

// The policies `values` (--policy arguments) ask for, in order; labels must be unique.
export async function resolvePolicies(values: readonly string[], options: { cwd: string }): Promise<ResolvedPolicy[]> {
  const specs = parsePolicySpecs(values);
  if (specs.length === 0) throw new PolicyError('none', 'no policy given', 'pass --policy topk (or a comma-separated list)');
  const resolved: ResolvedPolicy[] = [];
  for (const spec of specs) {
    const policy = await resolveOne(spec, options.cwd);
    if (resolved.some((other) => other.label === policy.label)) throw new PolicyError('duplicate', `policy ${policy.label} is given twice`, 'give each policy (with its parameters) once');
    resolved.push(policy);
  }
  return resolved;
}
