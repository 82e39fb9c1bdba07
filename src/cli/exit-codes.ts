// The exit codes of wdmoe, in one table (documented in --help).
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_RUN_FAILED } from '../core/index.js';

export const EXIT_CODES = {
  ok: EXIT_OK,
  runFailed: EXIT_RUN_FAILED,
  badInput: EXIT_BAD_INPUT,
  sigint: 130,
  sigterm: 143,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    the run failed (device lost or timed out, agent error, port in use)
  2    bad usage, invalid testbed, model bundle or dataset
  130  interrupted (SIGINT); 143 terminated (SIGTERM); a second signal exits at once`;
