# The proofs of the mutual handshake (docs/protocol.md "Handshake"): HMAC-SHA256(token, "wdmoe/1 <role>" ‖
# bsNonce ‖ agentNonce), a different label per role so a proof can never be reflected back. A port of
# src/transport/handshake.ts. Pure: hmac, hashlib and os only. Used by connection.py.
from __future__ import annotations

import hashlib
import hmac
import os

NONCE_BYTES = 32


def create_nonce() -> bytes:
    """A fresh random nonce."""
    return os.urandom(NONCE_BYTES)


def compute_proof(token: str, role: str, bs_nonce: bytes, agent_nonce: bytes) -> bytes:
    """HMAC-SHA256(token, "wdmoe/1 <role>" ‖ bsNonce ‖ agentNonce)."""
    mac = hmac.new(token.encode("utf-8"), digestmod=hashlib.sha256)
    mac.update(("wdmoe/1 %s" % role).encode("latin-1"))
    mac.update(bs_nonce)
    mac.update(agent_nonce)
    return mac.digest()


def verify_proof(token: str, role: str, bs_nonce: bytes, agent_nonce: bytes, proof: bytes) -> bool:
    """Constant-time check of a peer's proof."""
    return hmac.compare_digest(compute_proof(token, role, bs_nonce, agent_nonce), proof)
