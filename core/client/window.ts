/**
 * Runs `start(i)` for i in [0, count) with at most `limit` unsettled at once, results in index order.
 * Starts are issued synchronously as permits free up, so requests queued in one tick can share a write.
 */
export function runWindowed<T>(count: number, limit: number, start: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  if (count === 0) return Promise.resolve(results);
  return new Promise((resolve, reject) => {
    let next = 0;
    let settled = 0;
    let failed = false;
    const launch = () => {
      const i = next++;
      start(i).then(
        (value) => {
          results[i] = value;
          if (++settled === count) resolve(results);
          else if (next < count && !failed) launch();
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
