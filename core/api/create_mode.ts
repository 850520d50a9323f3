/** ZooKeeper create modes, valued as the wire's create flags. */
export const CreateMode = {
  Persistent: 0,
  Ephemeral: 1,
  PersistentSequential: 2,
  EphemeralSequential: 3,
  /** Deleted by the server some time after its last child is deleted. */
  Container: 4,
  PersistentWithTtl: 5,
  PersistentSequentialWithTtl: 6,
} as const;
export type CreateMode = (typeof CreateMode)[keyof typeof CreateMode];

/** True for modes that append a sequence suffix. */
export function isSequential(mode: CreateMode): boolean {
  return mode === 2 || mode === 3 || mode === 6;
}

/** True for modes whose node dies with its session. */
export function isEphemeral(mode: CreateMode): boolean {
  return mode === 1 || mode === 3;
}

/** True for modes that carry a time-to-live. */
export function isTtl(mode: CreateMode): boolean {
  return mode === 5 || mode === 6;
}

/** ephemeralOwner of a container node: 0x8000000000000000 as a signed long. */
export const CONTAINER_EPHEMERAL_OWNER: bigint = -(1n << 63n);

/** ephemeralOwner of a TTL node: 0xFF in the top byte, the TTL in the low 56 bits, signed. */
export function ttlEphemeralOwner(ttlMs: number): bigint {
  return BigInt.asIntN(64, (0xffn << 56n) | BigInt(ttlMs));
}

/** Largest TTL ZooKeeper accepts (2^40 - 1 ms). */
export const MAX_TTL_MS: number = 2 ** 40 - 1;
