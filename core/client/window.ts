/**
 * Runs `start(i)` for i in [0, count) with at most `limit` unsettled at once, results in index order.
 * Starts are issued synchronously as permits free up, so requests queued in one tick can share a write.
 * Once a result satisfies `stopAfter`, nothing more is started: the unstarted indexes stay empty
 * (`undefined`) and the promise settles when the started ones have.
 */
export function runWindowed<T>(
  count: number,
  limit: number,
  start: (index: number) => Promise<T>,
  stopAfter: (value: T) => boolean = () => false,
): Promise<(T | undefined)[]> {
  const results = new Array<T | undefined>(count).fill(undefined);
  if (count === 0) return Promise.resolve(results);
  return new Promise((resolve, reject) => {
    let next = 0;
    let settled = 0;
    let failed = false;
    let stopped = false;
    const launch = () => {
      const i = next++;
      start(i).then(
        (value) => {
          results[i] = value;
          settled++;
          if (stopAfter(value)) stopped = true;
          if (settled === next && (stopped || next === count)) resolve(results);
          else if (next < count && !failed && !stopped) launch();
        },
        (error) => {
          failed = true;
          reject(error);
        },
      );
    };
    const initial = Math.min(count, Math.max(1, limit));
    for (let k = 0; k < initial; k++) launch();
  });
}
