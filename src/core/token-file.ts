// Reads a shared-token file (testbed `auth.token_file`, `wdmoe agent --token-file`) and refuses one that
// other users can read or write: anyone who reads the token can authenticate as the BS or as an agent.
// Returns a result, never throws (the testbed pipeline turns a failure into a located issue, the agent
// command into an exit-2 error). Called by testbed/load.ts and cli/commands/agent.ts; node built-ins only.
import { readFileSync, statSync } from 'node:fs';

export type TokenFileResult = { readonly ok: true; readonly token: string } | { readonly ok: false; readonly message: string };

// Group and owner bits are left to the user (a lab group may share the file); "other" bits are refused.
const OTHER_ACCESS = 0o006;

// The token in `file` (trimmed), or why it cannot be used, naming the file and the fix.
export function readTokenFile(file: string): TokenFileResult {
  let token: string;
  let mode: number;
  try {
    mode = statSync(file).mode;
    token = readFileSync(file, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    return { ok: false, message: `cannot read token file ${file}: ${reason}` };
  }
  if (process.platform !== 'win32' && (mode & OTHER_ACCESS) !== 0) {
    const who = (mode & 0o004) !== 0 ? 'readable' : 'writable';
    return { ok: false, message: `token file ${file} is ${who} by every user (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); run \`chmod 600 ${file}\`` };
  }
  return token ? { ok: true, token } : { ok: false, message: `token file ${file} is empty` };
}
