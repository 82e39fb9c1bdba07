// planUpload: skip what the remote manifest already holds with the same sha256 and size, upload the
// rest, list what is no longer wanted; a missing or foreign manifest uploads everything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BundleFile } from '../../src/deploy/bundle.js';
import { manifestOf, parseRemoteManifest, planUpload } from '../../src/deploy/plan.js';

const file = (remote: string, sha: string, bytes = 10): BundleFile => ({ remote, local: `/local/${remote}`, bytes, mode: 0o644, sha256: sha.repeat(64).slice(0, 64) });
const files = [file('app/dist/cli/main.js', 'a', 100), file('model/manifest.json', 'b', 20), file('model/expert.0.0.onnx', 'c', 1000)];

test('nothing on the device: every file is uploaded', () => {
  const plan = planUpload(files, undefined);
  assert.deepEqual(plan.upload.map((f) => f.remote), files.map((f) => f.remote));
  assert.equal(plan.uploadBytes, 1120);
  assert.deepEqual([plan.skip, plan.stale, plan.skipBytes], [[], [], 0]);
});

test('the same manifest as the last deploy: nothing is uploaded', () => {
  const plan = planUpload(files, manifestOf(files));
  assert.deepEqual([plan.upload.length, plan.uploadBytes, plan.skip.length, plan.skipBytes], [0, 0, 3, 1120]);
});

test('one changed shard is the only upload', () => {
  const changed = [files[0]!, files[1]!, file('model/expert.0.0.onnx', 'd', 1000)];
  const plan = planUpload(changed, manifestOf(files));
  assert.deepEqual(plan.upload.map((f) => f.remote), ['model/expert.0.0.onnx']);
  assert.equal(plan.uploadBytes, 1000);
});

test('same sha256 but another size (a torn record) is uploaded again', () => {
  const remote = manifestOf([files[0]!, files[1]!, file('model/expert.0.0.onnx', 'c', 999)]);
  assert.deepEqual(planUpload(files, remote).upload.map((f) => f.remote), ['model/expert.0.0.onnx']);
});

test('files the device no longer needs (placement changed) are listed as stale', () => {
  const remote = manifestOf([...files, file('model/expert.0.4.onnx', 'e')]);
  assert.deepEqual(planUpload(files, remote).stale, ['model/expert.0.4.onnx']);
});

test('a manifest that is not ours, or not JSON, counts as none', () => {
  assert.equal(parseRemoteManifest('{"formatVersion":2,"files":{}}'), undefined);
  assert.equal(parseRemoteManifest('not json'), undefined);
  assert.equal(parseRemoteManifest(undefined), undefined);
  assert.deepEqual(parseRemoteManifest(JSON.stringify(manifestOf(files))), manifestOf(files));
});
