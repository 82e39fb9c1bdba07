// Policy parameters: checks the declared specs of a policy and resolves `key=value` strings from
// `--policy name:key=value,…` against them (types, ranges, defaults, did-you-mean). Pure.
import { closest, distance } from 'fastest-levenshtein';
import { PolicyError } from './errors.js';
import type { PolicyParamSpec, PolicyParams } from './types.js';

const TYPES = ['number', 'integer', 'boolean'] as const;

// Problems with a declared parameter spec (for custom modules): [] when it is well-formed.
export function checkParamSpec(name: string, spec: unknown): string[] {
  if (spec === null || typeof spec !== 'object') return [`params.${name} must be an object like { type: 'number', default: 0.5, description: '…' }`];
  const s = spec as Partial<PolicyParamSpec>;
  const problems: string[] = [];
  if (!TYPES.includes(s.type as never)) problems.push(`params.${name}.type must be one of ${TYPES.join(', ')}, got ${JSON.stringify(s.type)}`);
  if (s.type === 'boolean' ? typeof s.default !== 'boolean' : typeof s.default !== 'number' || !Number.isFinite(s.default)) {
    problems.push(`params.${name}.default must be a ${s.type === 'boolean' ? 'boolean' : 'finite number'}, got ${JSON.stringify(s.default)}`);
  }
  if (typeof s.description !== 'string') problems.push(`params.${name}.description must be a string`);
  for (const bound of ['min', 'max'] as const) {
    if (s[bound] !== undefined && (typeof s[bound] !== 'number' || !Number.isFinite(s[bound]))) problems.push(`params.${name}.${bound} must be a finite number`);
  }
  return problems;
}

function parseValue(policy: string, key: string, text: string, spec: PolicyParamSpec): number | boolean {
  const expected = spec.type === 'boolean' ? 'true or false' : `${spec.type === 'integer' ? 'an integer' : 'a number'}${spec.min !== undefined ? ` ≥ ${spec.min}` : ''}${spec.max !== undefined ? ` ≤ ${spec.max}` : ''}`;
  const fail = () => new PolicyError('bad-param', `policy ${policy}: ${key}=${text} is not valid: expected ${expected}`, `${key}: ${spec.description} (default ${String(spec.default)})`);
  if (spec.type === 'boolean') {
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    throw fail();
  }
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (spec.type === 'integer' && !Number.isInteger(value))) throw fail();
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) throw fail();
  return value;
}

// Every declared parameter, from `given` (strings as typed) or its default; unknown keys are refused.
export function resolveParams(policy: string, specs: Readonly<Record<string, PolicyParamSpec>>, given: Readonly<Record<string, string>>): PolicyParams {
  const known = Object.keys(specs);
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const guess = known.length > 0 ? closest(key, known) : undefined;
    const near = guess !== undefined && distance(key, guess) <= Math.max(2, Math.floor(guess.length / 3));
    throw new PolicyError('unknown-param', `policy ${policy} has no parameter "${key}"${known.length ? ` (it takes: ${known.join(', ')})` : ' (it takes none)'}`,
      near ? `did you mean ${guess}?` : known.length ? `set one of ${known.join(', ')}, e.g. ${policy}:${known[0]}=${String(specs[known[0]!]!.default)}` : `use plain ${policy}`);
  }
  const params: Record<string, number | boolean> = {};
  for (const [key, spec] of Object.entries(specs)) params[key] = given[key] === undefined ? spec.default : parseValue(policy, key, given[key]!, spec);
  return Object.freeze(params);
}
