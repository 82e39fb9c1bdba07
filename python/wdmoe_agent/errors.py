# The Python agent's one error type and exit codes, mirroring src/core (WdmoeError: code, message, hint,
# exit code) so `__main__.py` prints the same `error[code]: message` / `hint: …` lines as the Node agent,
# which loopback and deploy read from the agent's log. Standard library only.
from __future__ import annotations

from typing import Optional

EXIT_RUN_FAILED = 1
EXIT_BAD_INPUT = 2


class AgentError(Exception):
    """A user-facing failure: `code` names it, `hint` says what to do."""

    def __init__(self, code: str, message: str, exit_code: int = EXIT_RUN_FAILED, hint: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code
        self.exit_code = exit_code
        self.hint = hint
