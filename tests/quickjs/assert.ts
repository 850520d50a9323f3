// `node:assert/strict` for QuickJS (run.ts aliases the import here). Comparison follows node's
// strict mode: Object.is for primitives, same prototypes, Map/Set/typed arrays by content.
// Tests import only `node:assert/strict` (see STYLE); the loose flavour backs `notDeepEqual` semantics only.
import { inspect } from "./inspect.ts";

type Message = string | Error | undefined;
type Expected = RegExp | ((e: unknown) => unknown) | (new (...args: never[]) => unknown) | object;

export class AssertionError extends Error {
  override name = "AssertionError";
  readonly code = "ERR_ASSERTION";
  readonly actual: unknown;
  readonly expected: unknown;
  readonly operator: string;
  readonly generatedMessage: boolean;
  constructor(
    options: { message?: string; actual?: unknown; expected?: unknown; operator?: string; generated?: boolean },
  ) {
    super(options.message ?? "Assertion failed");
    this.actual = options.actual;
    this.expected = options.expected;
    this.operator = options.operator ?? "fail";
    this.generatedMessage = options.generated ?? false;
  }
}

function raise(message: Message, generated: string, actual: unknown, expected: unknown, operator: string): never {
  if (message instanceof Error) throw message;
  throw new AssertionError({
    message: message ?? generated,
    actual,
    expected,
    operator,
    generated: message === undefined,
  });
}

/** Deep equality; `strict` decides primitive comparison and whether prototypes must match. */
export function isDeepEqual(a: unknown, b: unknown, strict: boolean, seen: Map<object, object> = new Map()): boolean {
  if (strict ? Object.is(a, b) : a == b || (a !== a && b !== b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  // A pair already being compared higher up the stack is assumed equal (cycles).
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  try {
    return compareObjects(a, b, strict, seen);
  } finally {
    seen.delete(a);
  }
}

function compareObjects(a: object, b: object, strict: boolean, seen: Map<object, object>): boolean {
  const deep = (x: unknown, y: unknown) => isDeepEqual(x, y, strict, seen);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (a instanceof RegExp || b instanceof RegExp) {
    return a instanceof RegExp && b instanceof RegExp && String(a) === String(b);
  }
  if (a instanceof Error && b instanceof Error && (a.message !== b.message || a.name !== b.name)) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    // Typed arrays may also carry own non-index properties; fall through to compare those.
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [key, value] of a) {
      if (b.has(key)) {
        if (!deep(value, b.get(key))) return false;
        continue;
      }
      // Object keys match by content, as in node: look for an equal key/value pair.
      if (typeof key !== "object" || key === null) return false;
      let found = false;
      for (const [k2, v2] of b) {
        if (typeof k2 === "object" && !a.has(k2) && deep(key, k2) && deep(value, v2)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
  } else if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    for (const value of a) {
      if (b.has(value)) continue;
      if (typeof value !== "object" || value === null) return false;
      let found = false;
      for (const v2 of b) {
        if (typeof v2 === "object" && !a.has(v2) && deep(value, v2)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
  }
  const isIndexOfView = (k: string) => ArrayBuffer.isView(a) && /^\d+$/.test(k);
  const keysA = ownKeys(a, strict).filter((k) => !isIndexOfView(String(k)));
  const keysB = ownKeys(b, strict).filter((k) => !isIndexOfView(String(k)));
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) {
    if (!Object.prototype.propertyIsEnumerable.call(b, key)) return false;
    if (!deep((a as Record<PropertyKey, unknown>)[key], (b as Record<PropertyKey, unknown>)[key])) return false;
  }
  return true;
}

function ownKeys(o: object, strict: boolean): PropertyKey[] {
  const keys: PropertyKey[] = Object.keys(o);
  if (strict) {
    keys.push(...Object.getOwnPropertySymbols(o).filter((s) => Object.prototype.propertyIsEnumerable.call(o, s)));
  }
  return keys;
}

function matchesExpected(actual: unknown, expected: Expected | undefined, message: Message, operator: string): void {
  if (expected === undefined) return;
  if (expected instanceof RegExp) {
    if (!expected.test(String(actual))) {
      raise(message, `The error did not match ${expected}:\n${inspect(actual)}`, actual, expected, operator);
    }
    return;
  }
  if (typeof expected === "function") {
    const isErrorClass = expected === Error || Object.prototype.isPrototypeOf.call(Error, expected);
    if (expected.prototype !== undefined && actual instanceof (expected as new () => unknown)) return;
    if (isErrorClass) {
      raise(
        message,
        `The error is expected to be an instance of "${expected.name}":\n${inspect(actual)}`,
        actual,
        expected,
        operator,
      );
    }
    if ((expected as (e: unknown) => unknown).call({}, actual) !== true) {
      raise(
        message,
        `The validation function did not return true for:\n${inspect(actual)}`,
        actual,
        expected,
        operator,
      );
    }
    return;
  }
  // An object: every listed property must match (RegExp values test a string property).
  for (const [key, want] of Object.entries(expected)) {
    const got = (actual as Record<string, unknown> | null)?.[key];
    const ok = want instanceof RegExp && typeof got === "string" ? want.test(got) : isDeepEqual(got, want, true);
    if (!ok) {
      raise(message, `The error's "${key}" is ${inspect(got)}, expected ${inspect(want)}`, actual, expected, operator);
    }
  }
}

const NOT_THROWN = Symbol("not thrown");

/** Builds one flavour of the assert module; `.strict` is always the strict one, as in node. */
export function createAssert(strict: boolean): Assert & { strict: Assert } {
  const assert = buildAssert(strict);
  return Object.assign(assert, { strict: strict ? assert : buildAssert(true) });
}

type Assert = ReturnType<typeof buildAssert>;

function buildAssert(strict: boolean) {
  const loose = (a: unknown, b: unknown) => a == b || (a !== a && b !== b);
  const same = strict ? Object.is : loose;
  const word = strict ? "strictly " : "loosely ";
  const deepWord = strict ? "deep-strict" : "deep";

  function ok(value: unknown, message?: Message): asserts value {
    if (!value) {
      raise(message, `The expression evaluated to a falsy value:\n\n  ok(${inspect(value)})`, value, true, "==");
    }
  }
  const api = {
    AssertionError,
    ok,
    fail(message?: Message): never {
      raise(message, "Failed", undefined, undefined, "fail");
    },
    equal(actual: unknown, expected: unknown, message?: Message): void {
      if (!same(actual, expected)) {
        raise(
          message,
          `Expected values to be ${word}equal:\n\n${inspect(actual)} !== ${inspect(expected)}`,
          actual,
          expected,
          strict ? "strictEqual" : "==",
        );
      }
    },
    notEqual(actual: unknown, expected: unknown, message?: Message): void {
      if (same(actual, expected)) {
        raise(
          message,
          `Expected "actual" to be ${word}unequal to: ${inspect(expected)}`,
          actual,
          expected,
          "notStrictEqual",
        );
      }
    },
    strictEqual(actual: unknown, expected: unknown, message?: Message): void {
      if (!Object.is(actual, expected)) {
        raise(
          message,
          `Expected values to be strictly equal:\n\n${inspect(actual)} !== ${inspect(expected)}`,
          actual,
          expected,
          "strictEqual",
        );
      }
    },
    notStrictEqual(actual: unknown, expected: unknown, message?: Message): void {
      if (Object.is(actual, expected)) {
        raise(
          message,
          `Expected "actual" to be strictly unequal to: ${inspect(expected)}`,
          actual,
          expected,
          "notStrictEqual",
        );
      }
    },
    deepEqual(actual: unknown, expected: unknown, message?: Message): void {
      if (!isDeepEqual(actual, expected, strict)) {
        raise(
          message,
          `Expected values to be ${deepWord}-equal:\n\n${inspect(actual)}\n\nshould equal\n\n${inspect(expected)}`,
          actual,
          expected,
          "deepStrictEqual",
        );
      }
    },
    notDeepEqual(actual: unknown, expected: unknown, message?: Message): void {
      if (isDeepEqual(actual, expected, strict)) {
        raise(
          message,
          `Expected "actual" not to be ${deepWord}-equal to: ${inspect(expected)}`,
          actual,
          expected,
          "notDeepStrictEqual",
        );
      }
    },
    deepStrictEqual(actual: unknown, expected: unknown, message?: Message): void {
      if (!isDeepEqual(actual, expected, true)) {
        raise(
          message,
          `Expected values to be deep-strict-equal:\n\n${inspect(actual)}\n\nshould equal\n\n${inspect(expected)}`,
          actual,
          expected,
          "deepStrictEqual",
        );
      }
    },
    notDeepStrictEqual(actual: unknown, expected: unknown, message?: Message): void {
      if (isDeepEqual(actual, expected, true)) {
        raise(
          message,
          `Expected "actual" not to be deep-strict-equal to: ${inspect(expected)}`,
          actual,
          expected,
          "notDeepStrictEqual",
        );
      }
    },
    match(actual: string, pattern: RegExp, message?: Message): void {
      if (typeof actual !== "string" || !pattern.test(actual)) {
        raise(message, `The input did not match ${pattern}: ${inspect(actual)}`, actual, pattern, "match");
      }
    },
    doesNotMatch(actual: string, pattern: RegExp, message?: Message): void {
      if (typeof actual !== "string" || pattern.test(actual)) {
        raise(
          message,
          `The input was expected not to match ${pattern}: ${inspect(actual)}`,
          actual,
          pattern,
          "doesNotMatch",
        );
      }
    },
    throws(fn: () => unknown, expected?: Expected | string, message?: Message): void {
      if (typeof expected === "string") [message, expected] = [expected, undefined];
      let thrown: unknown = NOT_THROWN;
      try {
        fn();
      } catch (e) {
        thrown = e;
      }
      if (thrown === NOT_THROWN) raise(message, "Missing expected exception.", undefined, expected, "throws");
      matchesExpected(thrown, expected, message, "throws");
    },
    doesNotThrow(fn: () => unknown, message?: Message): void {
      try {
        fn();
      } catch (e) {
        raise(message, `Got unwanted exception: ${inspect(e)}`, e, undefined, "doesNotThrow");
      }
    },
    async rejects(
      promiseOrFn: Promise<unknown> | (() => Promise<unknown>),
      expected?: Expected | string,
      message?: Message,
    ): Promise<void> {
      if (typeof expected === "string") [message, expected] = [expected, undefined];
      let thrown: unknown = NOT_THROWN;
      try {
        await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
      } catch (e) {
        thrown = e;
      }
      if (thrown === NOT_THROWN) raise(message, "Missing expected rejection.", undefined, expected, "rejects");
      matchesExpected(thrown, expected, message, "rejects");
    },
    async doesNotReject(promiseOrFn: Promise<unknown> | (() => Promise<unknown>), message?: Message): Promise<void> {
      try {
        await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
      } catch (e) {
        raise(message, `Got unwanted rejection: ${inspect(e)}`, e, undefined, "doesNotReject");
      }
    },
    ifError(value: unknown): void {
      if (value !== null && value !== undefined) {
        raise(undefined, `ifError got unwanted exception: ${inspect(value)}`, value, null, "ifError");
      }
    },
  };
  // Like node's module: callable as `assert(value)`, with the methods attached.
  return Object.assign((value: unknown, message?: Message) => ok(value, message), api);
}
