// A short `util.inspect` for assertion messages inside QuickJS, where node:util does not exist.

const MAX_DEPTH = 4;
const MAX_ITEMS = 32;

export function inspect(value: unknown, depth = 0, seen: object[] = []): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "bigint":
      return `${value}n`;
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "function":
      return `[Function: ${value.name || "(anonymous)"}]`;
    case "symbol":
    case "boolean":
    case "undefined":
      return String(value);
  }
  if (value === null) return "null";
  const obj = value as object;
  if (seen.includes(obj)) return "[Circular]";
  if (depth > MAX_DEPTH) return Array.isArray(obj) ? "[Array]" : "[Object]";
  const next = (v: unknown) => inspect(v, depth + 1, [...seen, obj]);
  const list = (items: Iterable<unknown>, show: (v: unknown) => string) => {
    const all = [...items];
    const shown = all.slice(0, MAX_ITEMS).map(show);
    if (all.length > MAX_ITEMS) shown.push(`... ${all.length - MAX_ITEMS} more`);
    return shown.join(", ");
  };
  if (obj instanceof Error) return `${obj.name}: ${obj.message}`;
  if (obj instanceof Date) return `Date(${obj.getTime()})`;
  if (obj instanceof RegExp) return String(obj);
  if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) {
    const items = obj as unknown as ArrayLike<unknown>;
    return `${obj.constructor.name}(${items.length}) [${list(Array.from(items), next)}]`;
  }
  if (Array.isArray(obj)) return `[${list(obj, next)}]`;
  if (obj instanceof Map) {
    return `Map(${obj.size}) {${
      list(obj, (e) => {
        const [k, v] = e as [unknown, unknown];
        return `${next(k)} => ${next(v)}`;
      })
    }}`;
  }
  if (obj instanceof Set) return `Set(${obj.size}) {${list(obj, next)}}`;
  const ctor = Object.getPrototypeOf(obj)?.constructor?.name;
  const prefix = ctor && ctor !== "Object" ? `${ctor} ` : "";
  const entries = Object.entries(obj).map(([k, v]) =>
    `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${next(v)}`
  );
  return `${prefix}{${entries.length ? ` ${entries.join(", ")} ` : ""}}`;
}
