// What deploy does differently for a device with `runtime: python` (no Node on the device, e.g. JetPack 4):
// the probe finds the interpreter (the testbed's `python`, else python3 on the ssh session's PATH), a
// second step asks it what it has (version, torch + CUDA, onnxruntime + providers, numpy, onnx) unless the
// same agent already runs, preflight checks Python ≥ 3.8 with numpy, onnx and torch or onnxruntime (and
// reports CUDA), the upload is python/wdmoe_agent instead of the Node app, the sha256 commit runs in
// Python, and the agent starts as `<python> -m wdmoe_agent`. Strings and pure checks only;
// deploy-device.ts runs them.
import { DeployError } from './errors.js';
import { REMOTE_MANIFEST, TEMP_SUFFIX, agentDirExpression, launchScript, remoteAgentCommand, shellQuote, type AgentLaunch } from './remote-scripts.js';

export const MIN_PYTHON = [3, 8] as const;
const DEFAULT_PYTHON = 'python3';

// What the device's interpreter reported (pythonFactsCommand's JSON).
export interface PythonFacts {
  readonly executable: string;
  readonly version: string;
  readonly torch: { readonly version: string; readonly cuda: boolean; readonly device: string | null } | { readonly error: string };
  readonly onnxruntime: { readonly version: string; readonly providers: readonly string[] } | { readonly error: string };
  readonly numpy: string | { readonly error: string };
  readonly onnx: string | { readonly error: string };
}

// Python 3.6-safe (so an old interpreter still reports its version): prints one JSON object.
const FACTS_PROGRAM = `
import json, sys, platform
facts = {"executable": sys.executable, "version": platform.python_version()}
def probe(name, read):
    try:
        module = __import__(name)
        facts[name] = read(module)
    except Exception as error:
        facts[name] = {"error": (type(error).__name__ + ": " + str(error))[:300]}
probe("numpy", lambda m: m.__version__)
probe("onnx", lambda m: m.__version__)
probe("onnxruntime", lambda m: {"version": m.__version__, "providers": list(m.get_available_providers())})
def torch_facts(m):
    cuda = bool(m.cuda.is_available())
    return {"version": m.__version__, "cuda": cuda, "device": m.cuda.get_device_name(0) if cuda else None}
probe("torch", torch_facts)
print(json.dumps(facts))
`;

// Probe line (appended to probeScript): python=<absolute path of the interpreter>, empty when there is
// none. `named` is the testbed's `python` (null: python3): a command is looked up on the PATH, `~/…` and a
// relative path are taken from the ssh user's home, and only an executable file counts.
export function pythonProbeLines(named: string | null): string[] {
  const written = named ?? DEFAULT_PYTHON;
  const expression = written.startsWith('~/') || written === '~' ? agentDirExpression(written) : shellQuote(written);
  return [
    `Y=$(command -v ${expression} 2>/dev/null); case "$Y" in /*) ;; ?*) Y="$PWD/$Y" ;; esac`,
    '{ [ -f "$Y" ] && [ -x "$Y" ]; } || Y=',
    'echo "python=$Y"',
  ];
}

// The facts step: the interpreter found by the probe prints PythonFacts as JSON (imports torch: seconds).
export function pythonFactsCommand(python: string): string {
  return `${shellQuote(python)} -c ${shellQuote(FACTS_PROGRAM)}`;
}

// Parses the facts step's stdout; undefined when it printed no facts object.
export function parsePythonFacts(stdout: string): PythonFacts | undefined {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const facts = JSON.parse(line) as Partial<PythonFacts> | null;
    return typeof facts === 'object' && facts !== null && typeof facts.version === 'string' && facts.torch !== undefined && facts.onnxruntime !== undefined ? (facts as PythonFacts) : undefined;
  } catch {
    return undefined;
  }
}

// The backend the agent will run with: torch when it imports, else onnxruntime.
export function pythonBackendOf(facts: PythonFacts): 'torch' | 'onnxruntime' {
  return 'version' in facts.torch ? 'torch' : 'onnxruntime';
}

// One line for the deploy's progress: interpreter, engine and whether CUDA is there.
export function describePython(facts: PythonFacts): string {
  if ('version' in facts.torch) return `python ${facts.version}, torch ${facts.torch.version}, CUDA ${facts.torch.cuda ? `yes (${facts.torch.device ?? 'GPU'})` : 'no: experts run on the CPU'}`;
  const ort = facts.onnxruntime as { version: string; providers: readonly string[] };
  return `python ${facts.version}, onnxruntime ${ort.version}, CUDA ${ort.providers.includes('CUDAExecutionProvider') ? 'yes (CUDAExecutionProvider)' : 'no: experts run on the CPU'}`;
}

// What the probe and the facts step found, for checkPythonPreflight.
export interface PythonFound {
  readonly named: string | null; // the testbed's `python` (null: python3 on the PATH)
  readonly path: string | null; // the probe's python= line (null: no such executable)
  readonly facts?: PythonFacts; // the facts step's answer (absent: it printed none)
  readonly factsError?: string; // the facts step's stderr, for the message when it printed none
}

// Checks the interpreter: found, answering, its version and packages. Returns the problem, or undefined
// when the agent can run.
export function checkPythonPreflight(found: PythonFound, device: string): DeployError | undefined {
  const { named, path, facts } = found;
  if (path === null && named !== null) {
    return new DeployError('preflight-no-python', device, 'preflight', `the testbed's python for this device, "${named}", is not an executable on the device (${named.includes('/') ? 'no such file, or not executable' : 'not on the ssh session\'s PATH'})`, {
      hint: `fix \`python:\` for ${device} (or in defaults) in the testbed: a path on the device such as ~/venv/bin/python or /usr/bin/python3.8 (relative paths start at the ssh user's home), or a command on its PATH; or create that environment on the device`,
    });
  }
  if (path === null) {
    return new DeployError('preflight-no-python', device, 'preflight', 'python3 is not installed (not on the ssh session\'s PATH)', {
      hint: `install Python ≥ ${MIN_PYTHON.join('.')} with numpy, onnx and torch (Jetson: JetPack's torch wheel) or onnxruntime, or name a venv's or conda's interpreter with \`python:\` in the testbed`,
    });
  }
  if (facts === undefined) {
    const why = (found.factsError ?? '').trim().split('\n').pop()?.slice(0, 300);
    return new DeployError('preflight-python-broken', device, 'preflight', `${path} did not answer the probe${why ? `: ${why}` : ''}`, { hint: `run ${path} -c 'import sys; print(sys.version)' on the device` });
  }
  const [major, minor] = facts.version.split('.').map(Number);
  if (!(major! > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor! >= MIN_PYTHON[1]))) {
    return new DeployError('preflight-old-python', device, 'preflight', `python ${facts.version} at ${path} is too old (need ≥ ${MIN_PYTHON.join('.')})`, {
      hint: named === null
        ? 'install Python ≥ 3.8 (JetPack 4 ships 3.6: apt-get install python3.8) and name it with `python:` in the testbed (e.g. python: /usr/bin/python3.8)'
        : `point \`python:\` for ${device} at an interpreter ≥ 3.8 (JetPack 4 ships 3.6: apt-get install python3.8)`,
    });
  }
  const missing = (['numpy', 'onnx'] as const).filter((name) => typeof facts[name] !== 'string');
  if (missing.length > 0) {
    return new DeployError('preflight-python-packages', device, 'preflight', `python ${facts.version} at ${path} cannot import ${missing.join(', ')}`, {
      hint: `install them for that interpreter: ${path} -m pip install ${missing.join(' ')}`,
    });
  }
  if (!('version' in facts.torch) && !('version' in facts.onnxruntime)) {
    return new DeployError('preflight-no-engine', device, 'preflight', `python ${facts.version} at ${path} has neither torch (${facts.torch.error}) nor onnxruntime`, {
      hint: `install torch (Jetson: the JetPack wheel from NVIDIA, which has CUDA) or onnxruntime-gpu / onnxruntime for ${path}, or name the venv or conda interpreter that has them with \`python:\` in the testbed`,
    });
  }
  return undefined;
}

// The sha256 commit of remote-scripts.ts COMMIT_PROGRAM, in Python for devices without node.
const COMMIT_PROGRAM = `
import errno, hashlib, json, os, sys
job = json.load(sys.stdin)
bad = []
for file in job["files"]:
    final = os.path.join(job["dir"], file["remote"])
    temp = final + ${JSON.stringify(TEMP_SUFFIX)}
    try:
        with open(temp, "rb") as handle:
            sha = hashlib.sha256(handle.read()).hexdigest()
    except OSError as error:
        sha = errno.errorcode.get(error.errno, "EIO")
    if sha != file["sha256"]:
        bad.append({"remote": file["remote"], "sha256": sha})
        if os.path.exists(temp):
            os.remove(temp)
        job["manifest"]["files"].pop(file["remote"], None)
        continue
    os.replace(temp, final)
for name in job["stale"]:
    try:
        os.remove(os.path.join(job["dir"], name))
    except OSError:
        pass
manifest = os.path.join(job["dir"], ${JSON.stringify(REMOTE_MANIFEST)})
with open(manifest + ".tmp", "w") as handle:
    json.dump(job["manifest"], handle)
os.replace(manifest + ".tmp", manifest)
sys.stdout.write(json.dumps({"bad": bad}))
`;

export function pythonCommitCommand(python: string): string {
  return `${shellQuote(python)} -c ${shellQuote(COMMIT_PROGRAM)}`;
}

// startScript for the Python agent: same pid/log files, ready line and exit codes 4 and 5. No engine check:
// the facts step (pythonFactsCommand) imported torch, onnxruntime, numpy and onnx moments before, and
// `backend` is the one it found.
export function pythonStartScript(launch: Omit<AgentLaunch, 'node'> & { readonly python: string; readonly backend: 'torch' | 'onnxruntime' }): string {
  const python = shellQuote(launch.python);
  return launchScript(launch, {
    environment: 'PYTHONPATH="$D/app/python" PYTHONUNBUFFERED=1',
    command: remoteAgentCommand(`${python} -m wdmoe_agent`, launch, ['--backend', launch.backend]),
  });
}
