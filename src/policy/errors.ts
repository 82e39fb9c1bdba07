// Errors of the policy piece: a bad --policy spec, an unknown name or parameter, a custom policy module
// that does not fit the interface, a decision that breaks the contract. Rendered by cli/main.ts.
import { EXIT_BAD_INPUT, EXIT_RUN_FAILED, WdmoeError } from '../core/index.js';

// A policy spec, name, parameter or module the user gave is wrong (exit 2).
export class PolicyError extends WdmoeError {
  constructor(code: string, message: string, hint: string, cause?: unknown) {
    super(`policy-${code}`, message, { hint, exitCode: EXIT_BAD_INPUT, cause });
  }
}

// A policy returned a decision that breaks the interface (docs/policies.md), or threw, during a run (exit 1).
export class PolicyDecisionError extends WdmoeError {
  constructor(label: string, layer: number, detail: string, cause?: unknown) {
    super('policy-bad-decision', `policy ${label}, layer ${layer}: ${detail}`, {
      hint: 'the decision must follow the PolicyDecision interface of docs/policies.md (check the policy module)',
      exitCode: EXIT_RUN_FAILED,
      cause,
    });
  }
}
