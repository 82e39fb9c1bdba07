// Views of a resolved testbed for `wdmoe validate`: a plain-text summary (with each setting's source
// under `verbose`) and a JSON-able object (Maps become plain objects). Rendering only; no I/O.
// Called by cli/; imports only testbed modules.
import type { DeviceName, ExpertKey, SettingSource, Testbed } from './types.js';
import { formatDuration, formatRate } from './units.js';

// The expert keys `device` holds, layer-major.
export function expertsOnDevice(testbed: Testbed, device: DeviceName | string): ExpertKey[] {
  return [...testbed.placement].filter(([, holders]) => holders.includes(device as DeviceName)).map(([key]) => key);
}

function describeSource(source: SettingSource | undefined): string {
  if (!source) return '';
  if (source.kind === 'yaml') return `  (${source.file}:${source.line}:${source.col})`;
  if (source.kind === 'profile') return `  (profile ${source.name})`;
  return `  (default${source.note ? `: ${source.note}` : ''})`;
}

// Summarises experts held as "layer L: e, e" lines, or "all N experts of every layer".
function describeExperts(testbed: Testbed, device: DeviceName): string {
  const keys = expertsOnDevice(testbed, device);
  const byExpert = new Map<string, number[]>();
  for (const key of keys) {
    const [layer, expert] = key.split('.') as [string, string];
    byExpert.set(expert, [...(byExpert.get(expert) ?? []), Number(layer)]);
  }
  const everyLayer = [...byExpert].filter(([, layers]) => layers.length === testbed.model.numLayers).map(([expert]) => expert);
  const rest = keys.filter((key) => !everyLayer.includes(key.split('.')[1]!));
  const parts = [everyLayer.length ? `${everyLayer.join(',')} of every layer` : '', rest.join(',')].filter(Boolean);
  return parts.length ? `${parts.join('; ')} (${keys.length} experts)` : 'none';
}

// A plain-text summary of the resolved testbed; `verbose` adds where each setting came from.
export function renderTestbed(testbed: Testbed, options: { verbose?: boolean } = {}): string {
  const from = (field: string) => (options.verbose ? describeSource(testbed.sources.get(field)) : '');
  const lines = [
    `testbed ${testbed.name}  (${testbed.file})`,
    `  mode       ${testbed.mode}${from('mode')}`,
    `  model      ${testbed.modelDir}  (${testbed.model.numLayers} layers × ${testbed.model.numExperts} experts)${from('model')}`,
    `  shaping    ${testbed.shaping}${from('shaping')}`,
    `  bs         ${testbed.bs.host}, bandwidth ${formatRate(testbed.bs.bandwidthBitsPerSec)}${from('bs.bandwidth')}`,
    `  timeouts   connect ${formatDuration(testbed.timeouts.connectMs)}, request ${formatDuration(testbed.timeouts.requestMs)}`,
    `  auth       token of ${testbed.auth.token.length} characters${from('auth')}`,
    `  devices    ${testbed.devices.length}`,
  ];
  for (const device of testbed.devices) {
    const field = (name: string) => from(`devices[${device.name}].${name}`);
    const { uplink, downlink } = device.link;
    lines.push(`  - ${device.name}  ${device.host}:${device.port}  profile ${device.profile}${field('profile')}`);
    if (testbed.mode === 'ssh') lines.push(`      ssh       ${device.ssh.user}@${device.host}:${device.ssh.port}${device.ssh.keyPath ? ` key ${device.ssh.keyPath}` : ''}, agent in ${device.agentDir}`);
    for (const [name, direction] of [['downlink', downlink], ['uplink', uplink]] as const) {
      const detail = `${formatRate(direction.rateBitsPerSec)}, delay ${formatDuration(direction.delayMs)}, jitter ${formatDuration(direction.jitterMs)}, loss ${Number((direction.lossRate * 100).toFixed(4))}%`;
      lines.push(`      ${name.padEnd(9)} ${detail}${field(`link.${name}.rate`)}`);
    }
    lines.push(`      experts   ${describeExperts(testbed, device.name)}`);
  }
  const replicated = [...testbed.placement].filter(([, holders]) => holders.length > 1).length;
  lines.push(`  placement  ${testbed.placement.size} experts placed${replicated ? `, ${replicated} replicated` : ''}${from('placement')}`);
  return lines.join('\n');
}

// The testbed as plain JSON data (`wdmoe validate --json`): Maps become objects; the token is redacted.
export function testbedToJson(testbed: Testbed): Record<string, unknown> {
  return {
    file: testbed.file,
    name: testbed.name,
    mode: testbed.mode,
    modelDir: testbed.modelDir,
    model: testbed.model,
    shaping: testbed.shaping,
    auth: { token: '<redacted>', tokenLength: testbed.auth.token.length },
    bs: testbed.bs,
    devices: testbed.devices.map((device) => ({ ...device, experts: expertsOnDevice(testbed, device.name) })),
    placement: Object.fromEntries(testbed.placement),
    timeouts: testbed.timeouts,
    profiles: Object.fromEntries(testbed.profiles),
    sources: Object.fromEntries(testbed.sources),
  };
}
