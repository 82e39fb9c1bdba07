// Resolving --policy into ready policies: built-ins with parameters (defaults, ranges, did-you-mean), custom
// modules (the worked example, and modules that do not fit), and the per-call decision check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { resolvePolicies } from '../../src/policy/index.js';
import { context, device } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = path.join(ROOT, 'test/fixtures/policies');
const cwd = ROOT;

test('built-ins resolve with their defaults filled in and labels that name the parameters given', async () => {
  const [topk, wdmoe, custom] = await resolvePolicies(['topk,wdmoe', 'wdmoe:theta=0.25'], { cwd });
  assert.equal(topk!.label, 'topk');
  assert.deepEqual(topk!.params, {});
  assert.equal(wdmoe!.label, 'wdmoe');
  assert.deepEqual(wdmoe!.params, { theta: 0.1, rounds: 5, allocated_prices: false });
  assert.equal(custom!.label, 'wdmoe:theta=0.25');
  assert.deepEqual(custom!.params, { theta: 0.25, rounds: 5, allocated_prices: false });
  assert.deepEqual(custom!.source, { kind: 'builtin' });
});

const invalid: { name: string; values: string[]; code: string; message: RegExp; hint?: RegExp }[] = [
  { name: 'an unknown policy (with a suggestion)', values: ['wdmo'], code: 'policy-unknown', message: /unknown policy "wdmo"/, hint: /did you mean wdmoe\?/ },
  { name: 'an unknown parameter', values: ['wdmoe:thetta=0.3'], code: 'policy-unknown-param', message: /has no parameter "thetta"/, hint: /did you mean theta\?/ },
  { name: 'a parameter of a policy that takes none', values: ['topk:theta=1'], code: 'policy-unknown-param', message: /it takes none/ },
  { name: 'a value out of range', values: ['wdmoe:theta=1.5'], code: 'policy-bad-param', message: /theta=1\.5 is not valid: expected a number ≥ 0 ≤ 1/ },
  { name: 'a non-integer round count', values: ['wdmoe:rounds=2.5'], code: 'policy-bad-param', message: /expected an integer/ },
  { name: 'a non-number', values: ['wlr:theta=high'], code: 'policy-bad-param', message: /theta=high/ },
  { name: 'the same policy twice', values: ['topk,topk'], code: 'policy-duplicate', message: /given twice/ },
  { name: 'a missing module', values: ['./nope/missing.mjs'], code: 'policy-module-missing', message: /missing\.mjs: not found/ },
  { name: 'a module with a syntax error', values: [path.join(FIXTURES, 'syntax-error.mjs')], code: 'policy-module-load', message: /syntax-error\.mjs failed to load/ },
  { name: 'a module without create and with a bad default', values: [path.join(FIXTURES, 'no-create.mjs')], code: 'policy-module-shape', message: /create must be a function.*params\.theta\.default must be a finite number/ },
  { name: 'a module whose decision has plain arrays', values: [path.join(FIXTURES, 'wrong-arrays.mjs')], code: 'policy-misfit', message: /experts must be a Uint16Array/ },
  { name: 'a module that hands out more bandwidth than the BS has', values: [path.join(FIXTURES, 'too-much-bandwidth.mjs')], code: 'policy-misfit', message: /shares sum to 2\.000000, more than the BS has/ },
];
for (const c of invalid) {
  test(`resolving refuses ${c.name}`, async () => {
    await assert.rejects(resolvePolicies(c.values, { cwd }), (error: Error & { code?: string; hint?: string; exitCode?: number }) => {
      assert.equal(error.code, c.code, error.message);
      assert.match(error.message, c.message);
      if (c.hint) assert.match(error.hint ?? '', c.hint);
      assert.equal(error.exitCode, 2);
      return true;
    });
  });
}

test('a policy that throws during a run is named with its layer', async () => {
  const [late] = await resolvePolicies([path.join(FIXTURES, 'throws-late.mjs')], { cwd });
  const ctx = context([[0.7, 0.3]], { layer: 2 });
  assert.throws(() => late!.policy(ctx), (error: Error & { code?: string }) => error.code === 'policy-bad-decision' && /policy throws-late, layer 2: threw: out of ideas/.test(error.message));
});

test('the worked example loads with its sha256, takes parameters and drops experts on slow devices', async () => {
  const [example] = await resolvePolicies(['./examples/policies/latency-budget.mjs:budget_ms=1'], { cwd });
  assert.equal(example!.label, 'latency-budget:budget_ms=1');
  assert.equal(example!.source.kind, 'module');
  assert.match((example!.source as { sha256: string }).sha256, /^[0-9a-f]{64}$/);
  // Expert 1 lives on a 100 kbit/s device: one 16-byte row each way takes 2.56 ms > 1 ms there, so it is dropped.
  const ctx = context([[0.6, 0.4, 0, 0], [0.6, 0, 0.4, 0]], { devices: [device('fast0', 1e9), device('slow', 1e5), device('fast2', 1e9), device('fast3', 1e9)] });
  const decision = example!.policy(ctx);
  assert.deepEqual([...decision.experts], [0, 0xffff, 0, 2]);
  assert.deepEqual([...decision.weights], [1, 0, 0.6000000238418579, 0.4000000059604645]);
});

test('the worked example type-checks against the exported policy types', { timeout: 120_000 }, async () => {
  await execa('npx', ['tsc', '-p', 'tsconfig.types.json'], { cwd: ROOT });
  const result = await execa('npx', ['tsc', '--noEmit', '--allowJs', '--checkJs', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--strict', '--skipLibCheck', 'examples/policies/latency-budget.mjs'], { cwd: ROOT, reject: false });
  assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
});
