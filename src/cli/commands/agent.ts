// `wdmoe agent`: the device-side server. The token comes from --token-file or WDMOE_TOKEN, never argv.
// --runtime python runs the Python agent (python/wdmoe_agent: PyTorch on CUDA or CPU, or onnxruntime) instead.
import { Command, InvalidArgumentError } from 'commander';
import { EXIT_BAD_INPUT, WdmoeError, formatDuration, parseDuration, readTokenFile } from '../../core/index.js';
import { AGENT_DEFAULTS, runAgent, runPythonAgent, type PythonAccelerator, type PythonBackend } from '../../agent/index.js';
import type { Action, CommandContext } from '../context.js';

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

// The shared token from --token-file or $WDMOE_TOKEN; a missing, empty or world-readable file is a user mistake (exit 2).
function readToken(device: string, tokenFile: string | undefined): string | undefined {
  if (tokenFile === undefined) return process.env['WDMOE_TOKEN'];
  const result = readTokenFile(tokenFile);
  if (!result.ok) {
    throw new WdmoeError('agent-no-token', `device ${device}: ${result.message}`, {
      exitCode: EXIT_BAD_INPUT,
      hint: /chmod 600/.test(result.message) ? 'only the agent\'s user may read the token file' : 'pass the file holding the testbed\'s auth token, or set WDMOE_TOKEN',
    });
  }
  return result.token;
}

// A duration flag (5s, 10m, 250ms) in whole milliseconds; `allowZero` for "0 = off".
function durationMs(allowZero: boolean): (value: string) => number {
  return (value: string) => {
    const parsed = parseDuration(value);
    if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
    const ms = Math.round(parsed.value);
    if (ms < (allowZero ? 0 : 1) || ms > 0x7fff_ffff) throw new InvalidArgumentError(allowZero ? 'expected 0 (off) or a duration up to 24 days' : 'expected a duration from 1ms up to 24 days');
    return ms;
  };
}

function parseChoice<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
    return value as T;
  };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port number 0–65535');
  return port;
}

export function registerAgent(program: Command, context: CommandContext, action: Action): void {
  program
    .command('agent')
    .description('serve this device\'s experts over the wdmoe protocol (started by `loopback up` or bench on this machine, by hand on a device)')
    .requiredOption('--model <dir>', 'model bundle directory')
    .requiredOption('--device <name>', 'this device\'s name in the testbed')
    .option('--experts <list>', 'experts to load: "all" or layer.expert keys, comma-separated (e.g. 0.1,1.1)', 'all')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .requiredOption('--port <port>', 'TCP port to listen on (0 = any free port)', parsePort)
    .option('--threads <n>', 'CPU threads for the expert compute (onnxruntime-node, or torch / onnxruntime with --runtime python)', parsePositive, 1)
    .option('--parent-pid <pid>', 'exit when this process is gone (used by bench for the agents it starts)', parsePositive)
    .option('--token-file <file>', 'file holding the testbed\'s shared auth token, not readable by other users (default: $WDMOE_TOKEN)')
    .option('--handshake-timeout <duration>', 'close a connection that has not authenticated within this time', durationMs(false), AGENT_DEFAULTS.handshakeTimeoutMs)
    .option('--idle-timeout <duration>', 'close an authenticated connection with no request for this long, 0 = never', durationMs(true), AGENT_DEFAULTS.idleTimeoutMs)
    .option('--max-connections <n>', 'BS connections served at once; more get ERROR busy', parsePositive, AGENT_DEFAULTS.maxConnections)
    .option('--max-queued <n>', 'RUN requests queued per connection before the agent stops reading it', parsePositive, AGENT_DEFAULTS.maxQueuedRequests)
    .option('--runtime <runtime>', 'node (onnxruntime-node, CPU) or python (PyTorch on CUDA when present, else CPU; see docs/runtime-python.md)', parseChoice(['node', 'python'] as const), 'node')
    .option('--backend <backend>', 'python runtime only: torch or onnxruntime (CUDA execution provider when onnxruntime-gpu has it)', parseChoice(['torch', 'onnxruntime'] as const))
    .option('--accelerator <kind>', 'python runtime only: auto (CUDA when available), cuda (fail without it) or cpu', parseChoice(['auto', 'cuda', 'cpu'] as const))
    .option('--python <exe>', 'python runtime only: the interpreter (default: $WDMOE_PYTHON, else python3)')
    .option('--sysfs-root <dir>', 'read thermal zones, clocks and power rails under DIR instead of / (tests, recorded trees; default: $WDMOE_SYSFS_ROOT, else /)')
    .addHelpText('after', `\nDefaults: --handshake-timeout ${formatDuration(AGENT_DEFAULTS.handshakeTimeoutMs)}, --idle-timeout ${formatDuration(AGENT_DEFAULTS.idleTimeoutMs)}, --max-connections ${AGENT_DEFAULTS.maxConnections}, --max-queued ${AGENT_DEFAULTS.maxQueuedRequests} (and at most ${AGENT_DEFAULTS.maxQueuedBytes / 1048576} MiB of queued RUNs per connection).\nDurations take a unit: 250ms, 5s, 10m. Frames are checked before anything is allocated; a bad one gets an ERROR and closes only its own connection (docs/protocol.md).`)
    .action(
      action(async (flags: {
        model: string; device: string; experts: string; host: string; port: number; threads: number; tokenFile?: string; parentPid?: number; sysfsRoot?: string;
        runtime: 'node' | 'python'; backend?: PythonBackend; accelerator?: PythonAccelerator; python?: string;
        handshakeTimeout: number; idleTimeout: number; maxConnections: number; maxQueued: number;
      }) => {
        if (flags.runtime === 'node') {
          const pythonOnly = (['backend', 'accelerator', 'python'] as const).filter((flag) => flags[flag] !== undefined);
          if (pythonOnly.length > 0) {
            throw new WdmoeError('agent-bad-flags', `device ${flags.device}: --${pythonOnly.join(', --')} only apply to --runtime python`, {
              exitCode: EXIT_BAD_INPUT,
              hint: 'add --runtime python, or drop the flag',
            });
          }
        }
        const token = readToken(flags.device, flags.tokenFile);
        if (token === undefined || token === '') {
          throw new WdmoeError('agent-no-token', `device ${flags.device}: no auth token`, { exitCode: EXIT_BAD_INPUT, hint: 'pass --token-file FILE or set WDMOE_TOKEN' });
        }
        const options = Object.freeze({
          modelDir: flags.model,
          device: flags.device,
          experts: flags.experts === 'all' ? ('all' as const) : flags.experts.split(',').filter((key) => key !== ''),
          host: flags.host,
          port: flags.port,
          token,
          intraOpThreads: flags.threads,
          parentPid: flags.parentPid,
          sysfsRoot: flags.sysfsRoot ?? process.env.WDMOE_SYSFS_ROOT ?? '/',
          bounds: Object.freeze({
            handshakeTimeoutMs: flags.handshakeTimeout, idleTimeoutMs: flags.idleTimeout, maxConnections: flags.maxConnections,
            maxQueuedRequests: flags.maxQueued, maxQueuedBytes: AGENT_DEFAULTS.maxQueuedBytes,
          }),
        });
        if (flags.runtime === 'python') {
          const python = flags.python ?? process.env['WDMOE_PYTHON'] ?? 'python3';
          const pythonOptions = Object.freeze({ ...options, python, backend: flags.backend ?? 'torch', accelerator: flags.accelerator ?? 'auto', environment: process.env });
          await runPythonAgent(pythonOptions, { signal: context.signal });
          return;
        }
        await runAgent(options, { signal: context.signal, onReady: (ready) => process.stdout.write(`${JSON.stringify(ready)}\n`) });
      }),
    );
}
