// JetPack preflight on recorded device outputs (test/fixtures/jetson/): JetPack 4's glibc 2.27 refuses
// the Node agent and offers the Python runtime; CUDA missing where the testbed asks for it; power mode
// and jetson_clocks warnings; a plain Linux host passes silently.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkJetson, isVersionBelow, jetsonProbeScript, parseCudaVersion, parseJetsonProbe, type JetsonExpectations } from '../../src/deploy/jetson-preflight.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/jetson/${name}`, import.meta.url), 'utf8');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

// What jetsonProbeScript prints on a device with these outputs.
function probeOutput(fields: { glibc?: string; release?: string; model?: string; nvpmodel?: string; clocks?: string; cuda?: string; gpu?: boolean }): string {
  return [
    `glibc=${fields.glibc ?? ''}`,
    ...(fields.release === undefined ? [] : [`tegraRelease=${b64(fields.release)}`]),
    ...(fields.model === undefined ? [] : [`model=${b64(fields.model)}`]),
    ...(fields.nvpmodel === undefined ? [] : [`nvpmodel=${b64(fields.nvpmodel)}`]),
    ...(fields.clocks === undefined ? [] : [`jetsonClocks=${b64(fields.clocks)}`]),
    ...(fields.cuda === undefined ? [] : [`cuda=${b64(fields.cuda)}`]),
    ...(fields.gpu === true ? ['gpuDevice=yes'] : []),
  ].join('\n');
}

const nodeCpu: JetsonExpectations = { runtime: 'node', executionProvider: 'auto', isCpuFallbackAllowed: false, powerMode: 'MAXN' };
const jetpack4 = { glibc: '2.27', release: fixture('nv_tegra_release-r32.txt'), model: 'NVIDIA Jetson Nano Developer Kit', nvpmodel: 'NV Power Mode: MAXN\n0\n',
  clocks: fixture('jetson-clocks-show-tx1-on.txt'), cuda: fixture('cuda-version-jp4.txt'), gpu: true };
const jetpack5 = { glibc: '2.31', release: fixture('nv_tegra_release-r35.txt'), model: 'NVIDIA Jetson Orin Nano Developer Kit', nvpmodel: 'NV Power Mode: 15W\n0\n',
  clocks: fixture('jetson-clocks-show-orin-nano.txt'), cuda: fixture('cuda-version-jp5.json'), gpu: true };

test('the probe of a JetPack 4 Nano parses: glibc, L4T, model, mode, clocks, CUDA', () => {
  const probe = parseJetsonProbe(probeOutput(jetpack4));
  assert.deepEqual({ ...probe, clocks: probe.clocks?.isJetsonClocksOn }, {
    glibc: '2.27', l4t: 'R32.7.4', model: 'NVIDIA Jetson Nano Developer Kit', powerMode: 'MAXN', clocks: true, cudaVersion: '10.2.300', hasGpuDevice: true,
  });
  assert.equal(parseCudaVersion(fixture('cuda-version-jp5.json')), '11.4.19');
});

test('JetPack 4 (glibc 2.27) cannot run the Node agent: the error says so and offers runtime: python', () => {
  const { problem } = checkJetson(parseJetsonProbe(probeOutput(jetpack4)), 'nano-1', nodeCpu);
  assert.equal(problem?.code, 'preflight-glibc');
  assert.match(problem!.message, /^device nano-1: glibc 2\.27 \(L4T R32\.7\.4, JetPack 4\) is older than 2\.28: Node ≥ 18, and so the Node agent, cannot run/);
  assert.match(problem!.hint ?? '', /runtime: python/);
  assert.equal(checkJetson(parseJetsonProbe(probeOutput(jetpack4)), 'nano-1', { ...nodeCpu, runtime: 'python' }).problem, undefined, 'the Python runtime is fine there');
});

test('JetPack 5 Orin Nano in 15W with jetson_clocks off: two warnings, no problem', () => {
  const { problem, warnings } = checkJetson(parseJetsonProbe(probeOutput(jetpack5)), 'orin-1', nodeCpu);
  assert.equal(problem, undefined);
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0]!, /power mode is 15W, the testbed expects MAXN/);
  assert.match(warnings[1]!, /jetson_clocks is off/);
  assert.deepEqual(checkJetson(parseJetsonProbe(probeOutput(jetpack5)), 'orin-1', { ...nodeCpu, powerMode: '15w' }).warnings.length, 1, 'the mode the testbed names (any case)');
});

test('cuda asked without CUDA: an error, or with allow_cpu_fallback a warning', () => {
  const noCuda = parseJetsonProbe(probeOutput({ ...jetpack5, cuda: undefined }));
  const cuda: JetsonExpectations = { ...nodeCpu, runtime: 'python', executionProvider: 'cuda' };
  const refused = checkJetson(noCuda, 'orin-1', cuda).problem;
  assert.equal(refused?.code, 'preflight-no-cuda');
  assert.match(refused!.message, /asks for execution_provider cuda, but the device has no CUDA toolkit/);
  const allowed = checkJetson(noCuda, 'orin-1', { ...cuda, isCpuFallbackAllowed: true });
  assert.equal(allowed.problem, undefined);
  assert.ok(allowed.warnings.some((w) => /will run on cpu/.test(w)));
  assert.ok(checkJetson(parseJetsonProbe(probeOutput(jetpack5)), 'orin-1', { ...nodeCpu, executionProvider: 'cuda' }).warnings.some((w) => /Node agent .* cpu only/.test(w)));
});

test('a plain Linux host (no tegra release) passes without warnings; unreadable clocks on a Jetson warn', () => {
  assert.deepEqual(checkJetson(parseJetsonProbe(probeOutput({ glibc: '2.36' })), 'pc', nodeCpu), { problem: undefined, warnings: [] });
  const noClocks = checkJetson(parseJetsonProbe(probeOutput({ ...jetpack5, clocks: 'jetson_clocks: must be run as root\n', nvpmodel: 'NV Power Mode: MAXN\n0\n' })), 'orin-1', nodeCpu);
  assert.deepEqual(noClocks.warnings.length, 1);
  assert.match(noClocks.warnings[0]!, /could not read the jetson_clocks state/);
});

test('version compare and the probe script', () => {
  assert.equal(isVersionBelow('2.27', '2.28'), true);
  assert.equal(isVersionBelow('2.28', '2.28'), false);
  assert.equal(isVersionBelow('2.3', '2.28'), true);
  assert.equal(isVersionBelow('2.31', '2.28'), false);
  assert.match(jetsonProbeScript(), /getconf GNU_LIBC_VERSION/);
  assert.match(jetsonProbeScript(), /nvpmodel -q/);
});
