// Parsers for what Jetson tools print: `nvpmodel -q`, `jetson_clocks --show`, `/etc/nv_tegra_release`
// and tegrastats lines (power rails, temperatures). Pure functions over text, so they are tested on
// recorded outputs (test/fixtures/jetson/). Used by agent/device-monitor.ts, agent/energy-sampler.ts
// and deploy/jetson-preflight.ts. Node built-ins only; must not import bs, deploy, report or cli.

// The power mode name from `nvpmodel -q` ("NV Power Mode: MAXN" then the mode id); null if absent.
export function parseNvpmodelQuery(text: string): { name: string; id: number | null } | null {
  const match = /NV Power Mode:\s*([^\r\n]+)\r?\n?\s*(\d+)?/.exec(text);
  if (match === null) return null;
  return { name: match[1]!.trim(), id: match[2] === undefined ? null : Number(match[2]) };
}

// What `jetson_clocks --show` says about the CPU cores, GPU and EMC (memory bus) clocks.
export interface JetsonClocksShow {
  cpus: Array<{ name: string; isOnline: boolean; minKHz: number; maxKHz: number; curKHz: number }>;
  gpu: { minHz: number; maxHz: number; curHz: number } | null;
  emc: { minHz: number; maxHz: number; curHz: number } | null;
  powerMode: string | null;
  // jetson_clocks pins each online core and the GPU at its maximum: min == max == current.
  isJetsonClocksOn: boolean | null;
}

const number = (text: string, key: string): number | null => {
  const match = new RegExp(`\\b${key}=(\\d+)`).exec(text);
  return match === null ? null : Number(match[1]);
};

// Parses `jetson_clocks --show` (JetPack 4–6 formats; the TX1's "Gonvernor" typo included).
export function parseJetsonClocksShow(text: string): JetsonClocksShow {
  const cpus: JetsonClocksShow['cpus'] = [];
  let gpu: JetsonClocksShow['gpu'] = null;
  let emc: JetsonClocksShow['emc'] = null;
  for (const line of text.split(/\r?\n/)) {
    const cpu = /^\s*(cpu\d+):(.*)$/.exec(line);
    const clock = (rest: string) => {
      const [minHz, maxHz, curHz] = [number(rest, 'MinFreq'), number(rest, 'MaxFreq'), number(rest, 'CurrentFreq')];
      return minHz === null || maxHz === null || curHz === null ? null : { minHz, maxHz, curHz };
    };
    if (cpu !== null) {
      const found = clock(cpu[2]!);
      if (found !== null) cpus.push({ name: cpu[1]!, isOnline: number(cpu[2]!, 'Online') !== 0, minKHz: found.minHz, maxKHz: found.maxHz, curKHz: found.curHz });
    } else if (/^\s*GPU\s/.test(line)) gpu = clock(line);
    else if (/^\s*EMC\s/.test(line)) emc = clock(line);
  }
  const online = cpus.filter((c) => c.isOnline);
  const isPinned = (c: { minKHz: number; maxKHz: number } | { minHz: number; maxHz: number }) => ('minKHz' in c ? c.minKHz === c.maxKHz : c.minHz === c.maxHz);
  const isJetsonClocksOn = online.length === 0 ? null : online.every(isPinned) && (gpu === null || isPinned(gpu));
  return { cpus, gpu, emc, powerMode: parseNvpmodelQuery(text)?.name ?? null, isJetsonClocksOn };
}

// The L4T release from /etc/nv_tegra_release ("# R35 (release), REVISION: 4.1, …" → "R35.4.1").
export function parseL4tRelease(text: string): string | null {
  const match = /#\s*R(\d+)\s*\(release\),\s*REVISION:\s*([\d.]+)/.exec(text);
  return match === null ? null : `R${match[1]}.${match[2]}`;
}

// One tegrastats line: instantaneous power per rail (mW) and temperatures (°C).
export interface TegrastatsSample {
  railsMilliwatts: Record<string, number>;
  temperaturesC: Record<string, number>;
}

// Rails print as `NAME cur/avg` (JetPack 4: bare mW numbers) or `NAME curmW/avgmW` (JetPack 5+).
const RAIL = /(?:^|\s)([A-Z][A-Z0-9_]*) (\d+)(?:mW)?\/(\d+)(?:mW)?(?=\s|$)/g;
// Temperatures print as `name@45.5C`; -256C is a sensor that is off.
const TEMPERATURE = /(?:^|\s)([A-Za-z][A-Za-z0-9_-]*)@(-?\d+(?:\.\d+)?)C(?=\s|$)/g;

// Parses one tegrastats output line; null if it has no power rail and no temperature.
export function parseTegrastatsLine(line: string): TegrastatsSample | null {
  const railsMilliwatts: Record<string, number> = {};
  const temperaturesC: Record<string, number> = {};
  for (const match of line.matchAll(RAIL)) {
    if (match[1] === 'RAM' || match[1] === 'SWAP') continue;
    railsMilliwatts[match[1]!] = Number(match[2]);
  }
  for (const match of line.matchAll(TEMPERATURE)) {
    const value = Number(match[2]);
    if (value > -255) temperaturesC[match[1]!] = value;
  }
  if (Object.keys(railsMilliwatts).length === 0 && Object.keys(temperaturesC).length === 0) return null;
  return { railsMilliwatts, temperaturesC };
}

// The rail that measures the whole module input, by the names boards use; null where the board has
// none (AGX Orin: VDD_GPU_SOC, VDD_CPU_CV, VIN_SYS_5V0 are parts; the BS then sums the rails).
export function pickTotalRail(rails: readonly string[]): string | null {
  for (const name of ['VDD_IN', 'POM_5V_IN']) if (rails.includes(name)) return name;
  return null;
}
