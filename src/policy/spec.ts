// Parses `--policy` values: a comma-separated list of `name` or `name:key=value,key=value`, where a
// `key=value` item without a name continues the policy before it (`topk,wdmoe:theta=0.3,rounds=4,bw`).
// A name with `/` or ending in .mjs/.js is a custom policy module's path. Pure.
import { PolicyError } from './errors.js';

// One policy as the user asked for it.
export interface PolicySpec {
  readonly text: string; // as written, e.g. "wdmoe:theta=0.3,rounds=4"
  readonly target: string; // built-in name or module path
  readonly isModule: boolean;
  readonly params: Readonly<Record<string, string>>; // key → value as typed, in the order given
}

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

// True when `target` names a module file rather than a built-in policy.
export function isModuleTarget(target: string): boolean {
  return target.includes('/') || /\.(mjs|js|cjs)$/i.test(target);
}

function splitParam(item: string, spec: string): [string, string] {
  const at = item.indexOf('=');
  const key = item.slice(0, at).trim();
  const value = item.slice(at + 1).trim();
  if (at <= 0 || !KEY.test(key) || value === '') {
    throw new PolicyError('bad-spec', `--policy ${spec}: "${item}" is not key=value`, 'write parameters as name:key=value,key=value, e.g. wdmoe:theta=0.3');
  }
  return [key, value];
}

// The policies in `values` (each a --policy argument), in order.
export function parsePolicySpecs(values: readonly string[]): PolicySpec[] {
  const specs: { text: string[]; target: string; params: Map<string, string> }[] = [];
  for (const value of values) {
    for (const raw of value.split(',')) {
      const item = raw.trim();
      if (item === '') throw new PolicyError('bad-spec', `--policy ${value}: empty policy name`, 'separate policies with single commas, e.g. --policy topk,wdmoe');
      const colon = isModuleTarget(item) ? item.search(/\.(mjs|js|cjs):/i) : item.indexOf(':');
      const hasName = !item.includes('=') || (colon >= 0 && item.indexOf('=') > colon);
      if (!hasName) {
        const last = specs.at(-1);
        if (last === undefined) throw new PolicyError('bad-spec', `--policy ${value}: parameter "${item}" comes before any policy name`, 'write name:key=value, e.g. wdmoe:theta=0.3');
        const [key, v] = splitParam(item, value);
        if (last.params.has(key)) throw new PolicyError('bad-spec', `--policy ${value}: ${key} given twice for ${last.target}`, 'give each parameter once');
        last.params.set(key, v);
        last.text.push(item);
        continue;
      }
      const cut = colon < 0 ? -1 : isModuleTarget(item) ? item.indexOf(':', colon) : colon;
      const target = cut < 0 ? item : item.slice(0, cut);
      const params = new Map<string, string>();
      if (cut >= 0) {
        const first = item.slice(cut + 1);
        if (first === '') throw new PolicyError('bad-spec', `--policy ${value}: "${item}" has a colon but no parameters`, `write ${target} or ${target}:key=value`);
        const [key, v] = splitParam(first, value);
        params.set(key, v);
      }
      specs.push({ text: [item], target, params });
    }
  }
  return specs.map((spec) => ({ text: spec.text.join(','), target: spec.target, isModule: isModuleTarget(spec.target), params: Object.fromEntries(spec.params) }));
}
