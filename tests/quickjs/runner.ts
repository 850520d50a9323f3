// The subset of `node:test` our tests use, for running them inside QuickJS (run.ts aliases
// "node:test" to this file). Suites are collected when the test file is evaluated and run by
// `runRegistered()`; everything is promise-based because QuickJS has no timers.

type Fn = (context: TestContext) => unknown;
type Options = { skip?: boolean | string; todo?: boolean | string; only?: boolean };

/** What a test function receives as `t`; only the parts that need no runner support. */
export interface TestContext {
  readonly name: string;
  diagnostic(message: string): void;
}

interface Test {
  name: string;
  fn: Fn;
  skip: boolean;
}

interface Suite {
  name: string;
  parent: Suite | undefined;
  skip: boolean;
  children: (Test | Suite)[];
  before: Fn[];
  after: Fn[];
  beforeEach: Fn[];
  afterEach: Fn[];
}

/** One finished test, as the host prints it. */
export interface Outcome {
  name: string;
  status: "pass" | "fail" | "skip";
  error?: string;
}

const root: Suite = newSuite("", undefined, false);
let current: Suite = root;

function newSuite(name: string, parent: Suite | undefined, skip: boolean): Suite {
  return { name, parent, skip, children: [], before: [], after: [], beforeEach: [], afterEach: [] };
}

// node:test accepts (name, fn), (name, options, fn), (fn) and (options, fn).
function parseArgs(args: unknown[]): { name: string; options: Options; fn: Fn | undefined } {
  const name = typeof args[0] === "string" ? (args.shift() as string) : "<anonymous>";
  const options = typeof args[0] === "object" && args[0] !== null ? (args.shift() as Options) : {};
  const fn = typeof args[0] === "function" ? (args[0] as Fn) : undefined;
  return { name, options, fn };
}

function skipped(options: Options): boolean {
  return Boolean(options.skip) || Boolean(options.todo);
}

export function describe(...args: unknown[]): void {
  const { name, options, fn } = parseArgs(args);
  const suite = newSuite(name, current, skipped(options) || fn === undefined);
  current.children.push(suite);
  current = suite;
  try {
    const result = fn?.({ name, diagnostic() {} });
    if (result instanceof Promise) throw new Error(`describe("${name}"): async suite bodies are not supported`);
  } finally {
    current = suite.parent ?? root;
  }
}

export function it(...args: unknown[]): void {
  const { name, options, fn } = parseArgs(args);
  current.children.push({ name, fn: fn ?? (() => {}), skip: skipped(options) || fn === undefined });
}

export const test: typeof it = it;
export const suite: typeof describe = describe;

function withModifiers<T extends (...args: unknown[]) => void>(base: T) {
  return Object.assign(base, {
    skip: (...args: unknown[]) => base(...withOption(args, { skip: true })),
    todo: (...args: unknown[]) => base(...withOption(args, { todo: true })),
    // `only` needs --test-only under node; here it simply runs.
    only: (...args: unknown[]) => base(...args),
  });
}

function withOption(args: unknown[], extra: Options): unknown[] {
  const { name, options, fn } = parseArgs([...args]);
  return [name, { ...options, ...extra }, fn];
}

withModifiers(describe);
withModifiers(it);

export function before(fn: Fn): void {
  current.before.push(fn);
}
export function after(fn: Fn): void {
  current.after.push(fn);
}
export function beforeEach(fn: Fn): void {
  current.beforeEach.push(fn);
}
export function afterEach(fn: Fn): void {
  current.afterEach.push(fn);
}

export const mock: never = new Proxy({}, {
  get() {
    throw new Error("node:test mock is not available in the QuickJS harness (inject fakes instead)");
  },
}) as never;

export default it;

function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `thrown non-error: ${String(e)}`;
  const text = `${e.name}: ${e.message}${e.stack ? `\n${e.stack}` : ""}`;
  // fast-check wraps the real failure (often a ReferenceError here) in `cause`.
  return e.cause === undefined ? text : `${text}\nCaused by: ${describeError(e.cause)}`;
}

async function call(fn: Fn, name: string): Promise<void> {
  await fn({ name, diagnostic() {} });
}

function chain(suite: Suite | undefined, pick: (s: Suite) => Fn[]): Fn[] {
  const hooks: Fn[] = [];
  for (let s = suite; s; s = s.parent) hooks.unshift(...pick(s));
  return hooks;
}

async function runSuite(suite: Suite, prefix: string, out: Outcome[], report: (o: Outcome) => void): Promise<void> {
  const record = (o: Outcome) => {
    out.push(o);
    report(o);
  };
  const skipAll = (s: Suite, p: string) => {
    for (const child of s.children) {
      if ("fn" in child) record({ name: p + child.name, status: "skip" });
      else skipAll(child, `${p}${child.name} > `);
    }
  };
  if (suite.skip) return skipAll(suite, prefix);
  try {
    for (const hook of suite.before) await call(hook, suite.name);
  } catch (e) {
    // node fails every test of a suite whose `before` hook failed.
    record({ name: `${prefix}<before hook>`, status: "fail", error: describeError(e) });
    return;
  }
  for (const child of suite.children) {
    if (!("fn" in child)) {
      await runSuite(child, `${prefix}${child.name} > `, out, report);
      continue;
    }
    const name = prefix + child.name;
    if (child.skip) {
      record({ name, status: "skip" });
      continue;
    }
    let error: string | undefined;
    try {
      for (const hook of chain(suite, (s) => s.beforeEach)) await call(hook, child.name);
      await call(child.fn, child.name);
    } catch (e) {
      error = describeError(e);
    }
    // afterEach runs innermost first, even after a failure, as in node.
    for (const hook of chain(suite, (s) => s.afterEach).reverse()) {
      try {
        await call(hook, child.name);
      } catch (e) {
        error ??= `afterEach: ${describeError(e)}`;
      }
    }
    record(error === undefined ? { name, status: "pass" } : { name, status: "fail", error });
  }
  for (const hook of suite.after) {
    try {
      await call(hook, suite.name);
    } catch (e) {
      record({ name: `${prefix}<after hook>`, status: "fail", error: describeError(e) });
    }
  }
}

/** Runs everything registered so far; `report` sees each outcome as it happens. */
export async function runRegistered(report: (o: Outcome) => void): Promise<Outcome[]> {
  const out: Outcome[] = [];
  await runSuite(root, "", out, report);
  return out;
}
