// Byte helpers shared by the codec, the stores and the runtime shims.

/**
 * `parts` as one buffer (the part itself when there is just one). `total`, their summed length,
 * saves a pass when the caller counted as it queued.
 */
export function concatBytes(parts: readonly Uint8Array[], total?: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let length = total ?? 0;
  if (total === undefined) for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
