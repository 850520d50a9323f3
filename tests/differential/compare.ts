// Compares transcripts of the same steps on several stores and describes the first divergence.
import type { Transcript } from "./execute.ts";
import type { Step } from "./steps.ts";

const show = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}n` : x));

/** Undefined when every transcript equals the reference; else a readable account of the first difference. */
export function firstDivergence(steps: Step[], reference: [string, Transcript], others: [string, Transcript][]): string | undefined {
  const [refName, ref] = reference;
  for (const [name, t] of others) {
    for (let i = 0; i < ref.observations.length; i++) {
      const a = show(ref.observations[i]);
      const b = show(t.observations[i]);
      if (a !== b) {
        return [
          `${name} diverges from ${refName} at step ${i}: ${show(steps[i])}`,
          `  ${refName}: ${a}`,
          `  ${name}: ${b}`,
        ].join("\n");
      }
    }
    const a = show(ref.tree);
    const b = show(t.tree);
    if (a !== b) return `${name} diverges from ${refName} in the final tree\n  ${refName}: ${a}\n  ${name}: ${b}`;
  }
  return undefined;
}
