// What a fault test opened (clients, proxies, API handles), closed last first when the test ends,
// even when it failed: `await using scope = new Scope()`.
export class Scope {
  readonly #items: { close(): Promise<void> }[] = [];

  add<T extends { close(): Promise<void> }>(item: T): T {
    this.#items.push(item);
    return item;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const item of this.#items.reverse()) await item.close().catch(() => {});
  }
}
