// The channel piece's errors: a bad cell/radio parameter handed in by code (ChannelError) and a rate
// trace that cannot be read (TraceError, naming file:line and what was expected). User mistakes in a
// testbed are reported by testbed/ as located issues; these are for callers that read traces or build
// channel states outside a testbed. Imports core only.
import { EXIT_BAD_INPUT, WdmoeError } from '../core/index.js';

// A channel parameter that cannot work (negative bandwidth, unknown direction, …).
export class ChannelError extends WdmoeError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('channel-invalid', message, { hint: hint ?? 'check the bs.channel and link.channel keys: docs/channel.md', exitCode: EXIT_BAD_INPUT, cause });
  }
}

// A rate trace that cannot be read: `file:line: message` (line 0 = the file as a whole).
export class TraceError extends WdmoeError {
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, message: string, cause?: unknown) {
    super('trace-invalid', `${line > 0 ? `${file}:${line}` : file}: ${message}`, {
      hint: 'trace formats: CSV `t_ms,rate_bps[,delay_ms]` or a Mahimahi packet-delivery trace (docs/channel.md)',
      exitCode: EXIT_BAD_INPUT,
      cause,
    });
    this.file = file;
    this.line = line;
  }
}
