// The marker for an unused (token, slot) pair in a decision; equal to the wire protocol's "no expert".
export const NO_EXPERT_SLOT = 0xffff;
