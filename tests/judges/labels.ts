// Values that legitimately differ between servers (zxids, session ids) are replaced by labels in the
// order they first appear, so two transcripts are equal exactly when the same values repeat in the
// same places: a pZxid equal to a child's cZxid stays visibly equal, a fresh zxid stays fresh.
export function createLabeler(kind: string): (value: string) => string {
  const seen = new Map<string, string>();
  return (value) => {
    let label = seen.get(value);
    if (label === undefined) seen.set(value, (label = `<${kind}-${seen.size + 1}>`));
    return label;
  };
}
