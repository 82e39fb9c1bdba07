// One end of a --sweep range: a device count, a bandwidth with its unit (Hz, kHz, MHz, GHz), a distance in metres, or θ.
// Called by sweep.ts.
import { SimError } from './errors.js';

const FREQUENCY_UNITS: Readonly<Record<string, number>> = { hz: 1, khz: 1e3, mhz: 1e6, ghz: 1e9 };

// The number `text` stands for under `parameter` (bandwidth in Hz).
export function parseSpecValue(parameter: 'devices' | 'bandwidth' | 'distance' | 'theta', text: string, spec: string): number {
  const hint = 'e.g. --sweep devices=4..64, --sweep bandwidth=5..100MHz, --sweep distance=50..500, --sweep theta=0..0.9';
  if (parameter === 'bandwidth') {
    const match = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text.trim());
    const scale = match === null ? undefined : FREQUENCY_UNITS[match[2]!.toLowerCase()];
    if (match === null || scale === undefined) throw new SimError('sweep', `--sweep ${spec}: "${text}" is not a bandwidth like 5MHz`, hint);
    return Number(match[1]) * scale;
  }
  const value = Number(text);
  const ok = parameter === 'devices' ? Number.isInteger(value) && value > 0 : parameter === 'distance' ? value > 0 : value >= 0 && value <= 1;
  const expected = { devices: 'a positive integer', distance: 'a distance in metres above 0', theta: 'a θ in 0–1' }[parameter];
  if (!ok) throw new SimError('sweep', `--sweep ${spec}: "${text}" is not ${expected}`, hint);
  return value;
}
