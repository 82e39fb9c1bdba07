// The proofs of the mutual handshake (docs/protocol.md "Handshake"): each side shows it knows the
// testbed's shared token by an HMAC-SHA256 over both sides' fresh nonces, with a different label per
// role so a proof can never be reflected back. The token itself never crosses the wire.
// Pure: node:crypto only. Used by client.ts (BS side) and agent/server.ts.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { NONCE_BYTES } from './frame-types.js';

export type HandshakeRole = 'agent' | 'bs';

// A fresh random nonce.
export function createNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

// HMAC-SHA256(token, "wdmoe/1 <role>" ‖ bsNonce ‖ agentNonce).
export function computeProof(token: string, role: HandshakeRole, bsNonce: Buffer, agentNonce: Buffer): Buffer {
  return createHmac('sha256', token).update(`wdmoe/1 ${role}`, 'latin1').update(bsNonce).update(agentNonce).digest();
}

// Constant-time check of a peer's proof.
export function verifyProof(token: string, role: HandshakeRole, bsNonce: Buffer, agentNonce: Buffer, proof: Buffer): boolean {
  const expected = computeProof(token, role, bsNonce, agentNonce);
  return proof.length === expected.length && timingSafeEqual(proof, expected);
}
