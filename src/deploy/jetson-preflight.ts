// JetPack preflight (issue 13 item 3): what deploy checks on a device beyond preflight.ts — the glibc
// version (Node ≥ 18 needs 2.28, so JetPack 4 / L4T R32 with glibc 2.27 cannot run the Node agent: the
// Python runtime can), CUDA where the testbed asks for it, the nvpmodel power mode (warn unless the one
// the testbed names, MAXN by default) and whether jetson_clocks pins the clocks. The probe script runs
// over ssh and prints key=value lines (tool outputs base64-encoded); parsing and checks are pure and
// tested on recorded outputs. Called by deploy/deploy-device.ts.
import { parseJetsonClocksShow, parseL4tRelease, parseNvpmodelQuery, type JetsonClocksShow } from '../agent/index.js';
import { DeployError } from './errors.js';

// Node 18+ binaries are built against glibc 2.28.
export const NODE_MIN_GLIBC = '2.28';

// What the testbed expects of this device (from its DeviceSpec).
export interface JetsonExpectations {
  readonly runtime: 'node' | 'python';
  readonly executionProvider: 'auto' | 'cpu' | 'cuda';
  readonly isCpuFallbackAllowed: boolean;
  readonly powerMode: string;
}

export interface JetsonProbe {
  readonly glibc: string | null; // "2.31"
  readonly l4t: string | null; // "R35.4.1"; null: not a Jetson (no /etc/nv_tegra_release)
  readonly model: string | null;
  readonly powerMode: string | null;
  readonly clocks: JetsonClocksShow | null; // null: jetson_clocks absent or not allowed (needs root)
  readonly cudaVersion: string | null; // /usr/local/cuda's version file
  readonly hasGpuDevice: boolean; // /dev/nvhost-gpu, /dev/nvgpu/igpu0 or /dev/nvidia0
}

// The shell probe: one key=value per line; multi-line tool outputs base64 on one line.
export function jetsonProbeScript(): string {
  return [
    'echo "glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk \'{print $2}\')"',
    'if [ -f /etc/nv_tegra_release ]; then echo "tegraRelease=$(base64 -w0 /etc/nv_tegra_release)"; fi',
    'if [ -r /proc/device-tree/model ]; then echo "model=$(tr -d \'\\0\' < /proc/device-tree/model | base64 -w0)"; fi',
    'if command -v nvpmodel >/dev/null 2>&1; then echo "nvpmodel=$(nvpmodel -q 2>/dev/null | base64 -w0)"; fi',
    'if command -v jetson_clocks >/dev/null 2>&1; then echo "jetsonClocks=$( (jetson_clocks --show 2>/dev/null || sudo -n jetson_clocks --show 2>/dev/null) | base64 -w0)"; fi',
    'for F in /usr/local/cuda/version.txt /usr/local/cuda/version.json; do if [ -f "$F" ]; then echo "cuda=$(base64 -w0 "$F")"; break; fi; done',
    'if [ -e /dev/nvhost-gpu ] || [ -e /dev/nvgpu/igpu0 ] || [ -e /dev/nvidia0 ]; then echo "gpuDevice=yes"; fi',
    'exit 0',
  ].join('\n');
}

// The CUDA version from version.txt ("CUDA Version 10.2.300") or version.json ({"cuda": {"version": "11.4.19"}}).
export function parseCudaVersion(text: string): string | null {
  const match = /CUDA Version\s+([\d.]+)/.exec(text) ?? /"cuda"\s*:\s*\{[^}]*"version"\s*:\s*"([\d.]+)"/.exec(text);
  return match === null ? null : match[1]!;
}

// Parses jetsonProbeScript's output.
export function parseJetsonProbe(stdout: string): JetsonProbe {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  const decoded = (key: string) => {
    const value = values.get(key);
    return value === undefined || value === '' ? null : Buffer.from(value, 'base64').toString('utf8');
  };
  const release = decoded('tegraRelease');
  const mode = decoded('nvpmodel');
  const clocksText = decoded('jetsonClocks');
  const clocks = clocksText === null ? null : parseJetsonClocksShow(clocksText);
  const cuda = decoded('cuda');
  return {
    glibc: values.get('glibc') || null,
    l4t: release === null ? null : parseL4tRelease(release),
    model: decoded('model')?.trim() || null,
    powerMode: (mode === null ? null : parseNvpmodelQuery(mode)?.name) ?? clocks?.powerMode ?? null,
    clocks: clocks !== null && clocks.cpus.length > 0 ? clocks : null,
    cudaVersion: cuda === null ? null : parseCudaVersion(cuda),
    hasGpuDevice: values.get('gpuDevice') === 'yes',
  };
}

// a < b for dotted versions ("2.27" < "2.28").
export function isVersionBelow(a: string, b: string): boolean {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const [p, q] = [x[i] ?? 0, y[i] ?? 0];
    if (p !== q) return p < q;
  }
  return false;
}

// The device's problems (deploy stops on the first) and warnings (deploy prints them and goes on).
export function checkJetson(probe: JetsonProbe, device: string, expected: JetsonExpectations): { problem: DeployError | undefined; warnings: string[] } {
  const warnings: string[] = [];
  const board = probe.l4t === null ? '' : ` (L4T ${probe.l4t}${probe.l4t.startsWith('R32') ? ', JetPack 4' : ''})`;
  if (expected.runtime === 'node' && probe.glibc !== null && isVersionBelow(probe.glibc, NODE_MIN_GLIBC)) {
    return {
      problem: new DeployError('preflight-glibc', device, 'preflight', `glibc ${probe.glibc}${board} is older than ${NODE_MIN_GLIBC}: Node ≥ 18, and so the Node agent, cannot run on this device`, {
        hint: `set \`runtime: python\` for ${device} in the testbed (JetPack's python3 with torch runs the experts, on CUDA), or upgrade to JetPack 5+`,
      }),
      warnings,
    };
  }
  const hasCuda = probe.cudaVersion !== null && probe.hasGpuDevice;
  if (expected.executionProvider === 'cuda' && !hasCuda) {
    const why = probe.cudaVersion === null ? 'no CUDA toolkit in /usr/local/cuda' : 'no GPU device node (/dev/nvhost-gpu, /dev/nvgpu/igpu0, /dev/nvidia0)';
    if (!expected.isCpuFallbackAllowed) {
      return {
        problem: new DeployError('preflight-no-cuda', device, 'preflight', `the testbed asks for execution_provider cuda, but the device has ${why}`, {
          hint: 'install JetPack\'s CUDA (sudo apt install nvidia-jetpack), or set `allow_cpu_fallback: true` / `execution_provider: cpu`',
        }),
        warnings,
      };
    }
    warnings.push(`${why}: the experts will run on cpu (allow_cpu_fallback)`);
  }
  if (expected.executionProvider === 'cuda' && expected.runtime === 'node') {
    warnings.push('the Node agent (onnxruntime-node) runs on cpu only; use `runtime: python` for the GPU');
  }
  if (probe.l4t !== null) {
    if (probe.powerMode === null) warnings.push('could not read the power mode (nvpmodel -q)');
    else if (probe.powerMode.toUpperCase() !== expected.powerMode.toUpperCase()) {
      warnings.push(`power mode is ${probe.powerMode}, the testbed expects ${expected.powerMode}: timings and energy will differ (sudo nvpmodel -m <id>; \`nvpmodel -q --verbose\` lists the modes)`);
    }
    if (probe.clocks === null) warnings.push('could not read the jetson_clocks state (jetson_clocks --show needs root: allow it with sudo -n)');
    else if (probe.clocks.isJetsonClocksOn === false) warnings.push('jetson_clocks is off: clocks scale with load (DVFS), so latencies vary; run `sudo jetson_clocks` for stable timings');
  }
  return { problem: undefined, warnings };
}
