// Views of a resolved testbed for `wdmoe validate`: a plain-text summary (with each setting's source
// under `verbose`) and a JSON-able object (Maps become plain objects). Rendering only; no I/O.
// Called by cli/; imports testbed modules, channel types and core's unit formatters.
import type { CellParams, DeviceRadio, RateTrace } from '../channel/types.js';
import type { DeviceName, ExpertKey, LinkDirection, SettingSource, Testbed } from './types.js';
import { formatDuration, formatFrequency, formatRate } from '../core/index.js';

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

function describeCell(cell: CellParams): string {
  const bandwidth = cell.downlinkBandwidthHz === cell.uplinkBandwidthHz
    ? formatFrequency(cell.downlinkBandwidthHz)
    : `down ${formatFrequency(cell.downlinkBandwidthHz)} / up ${formatFrequency(cell.uplinkBandwidthHz)}`;
  const fading = cell.fading === 'rayleigh' ? `rayleigh every ${formatDuration(cell.coherenceMs)}` : 'no fading';
  return `${bandwidth}, BS ${cell.bsTxPowerDbm} dBm, noise ${cell.noisePsdDbmPerHz} dBm/Hz + ${cell.noiseFigureDb} dB, `
    + `path loss ${cell.pathLoss.interceptDb} + ${cell.pathLoss.slopeDb}·log10(d/km) dB, shadowing σ ${cell.shadowingSigmaDb} dB, ${fading}`;
}

function describeRadio(radio: DeviceRadio): string {
  const where = radio.distanceM !== null ? `${radio.distanceM} m from the BS` : `path gain ${radio.pathGainDb} dB`;
  return `${where}, ${radio.txPowerDbm} dBm`;
}

function describeTrace(trace: RateTrace): string {
  const low = trace.steps.reduce((min, step) => Math.min(min, step.rateBitsPerSec), Infinity);
  const high = trace.steps.reduce((max, step) => Math.max(max, step.rateBitsPerSec), 0);
  return `trace ${trace.file} (${trace.format}, ${trace.steps.length} steps over ${formatDuration(trace.durationMs)}, looping; `
    + `${formatRate(low)}–${formatRate(high)})`;
}

function describeDirection(direction: LinkDirection): string {
  const rate = direction.trace !== null ? describeTrace(direction.trace) : formatRate(direction.rateBitsPerSec);
  const delay = direction.trace?.steps.some((step) => step.delayMs !== null)
    ? `from the trace (else ${formatDuration(direction.delayMs)})`
    : formatDuration(direction.delayMs);
  return `${rate}, delay ${delay}, jitter ${formatDuration(direction.jitterMs)}, loss ${Number((direction.lossRate * 100).toFixed(4))}%`;
}

// A trace as JSON: where it is and its shape, not every step; the sha256 makes a changed file change the fingerprint.
function traceToJson(trace: RateTrace | null): Record<string, unknown> | null {
  if (trace === null) return null;
  return { file: trace.file, format: trace.format, sha256: trace.sha256 ?? null, binMs: trace.binMs ?? null, steps: trace.steps.length, durationMs: trace.durationMs };
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
    ...(testbed.bs.cell ? [`  channel    ${describeCell(testbed.bs.cell)}${from('bs.channel')}`] : []),
    ...(testbed.bs.cell || testbed.devices.some((device) => device.link.downlink.trace || device.link.uplink.trace)
      ? [`  clock      ${testbed.bs.clock.mode}${testbed.bs.clock.mode === 'item' ? `, ${formatDuration(testbed.bs.clock.itemIntervalMs)} per item` : ''}${from('bs.clock')}`]
      : []),
    `  timeouts   connect ${formatDuration(testbed.timeouts.connectMs)}, request ${formatDuration(testbed.timeouts.requestMs)}`,
    `  auth       token of ${testbed.auth.token.length} characters${from('auth')}`,
    `  devices    ${testbed.devices.length}`,
  ];
  for (const device of testbed.devices) {
    const field = (name: string) => from(`devices[${device.name}].${name}`);
    const { uplink, downlink } = device.link;
    lines.push(`  - ${device.name}  ${device.host}:${device.port}  profile ${device.profile}${field('profile')}`);
    if (device.runtime !== 'node') lines.push(`      runtime   ${device.runtime}${field('runtime')}, interpreter ${device.python ?? (testbed.mode === 'loopback' ? '$WDMOE_PYTHON, else python3' : 'python3')}${field('python')}`);
    if (testbed.mode === 'ssh') lines.push(`      ssh       ${device.ssh.user}@${device.host}:${device.ssh.port}${device.ssh.keyPath ? ` key ${device.ssh.keyPath}` : ''}, agent in ${device.agentDir}`);
    if (device.link.radio) {
      lines.push(`      channel   ${describeRadio(device.link.radio)}${field('link.channel.position')}`);
      for (const [name, direction] of [['downlink', downlink], ['uplink', uplink]] as const) {
        lines.push(`      ${name.padEnd(9)} from the channel, delay ${formatDuration(direction.delayMs)}, jitter ${formatDuration(direction.jitterMs)}, loss ${Number((direction.lossRate * 100).toFixed(4))}%`);
      }
    } else {
      for (const [name, direction] of [['downlink', downlink], ['uplink', uplink]] as const) {
        lines.push(`      ${name.padEnd(9)} ${describeDirection(direction)}${field(`link.${name}.rate`)}`);
      }
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
    devices: testbed.devices.map((device) => ({
      ...device,
      link: {
        ...device.link,
        downlink: { ...device.link.downlink, trace: traceToJson(device.link.downlink.trace) },
        uplink: { ...device.link.uplink, trace: traceToJson(device.link.uplink.trace) },
      },
      experts: expertsOnDevice(testbed, device.name),
    })),
    placement: Object.fromEntries(testbed.placement),
    timeouts: testbed.timeouts,
    profiles: Object.fromEntries(testbed.profiles),
    sources: Object.fromEntries(testbed.sources),
  };
}
