// ZooKeeper's PathUtils.validatePath rules, checked on UTF-16 code units as the Java server does.
import { ErrorCode, KeeperError } from "../errors.ts";

/** Why `path` is not a valid ZooKeeper path, or undefined when it is. */
export function pathProblem(path: string): string | undefined {
  if (typeof path !== "string") return "path must be a string";
  if (path.length === 0) return "path length must be > 0";
  if (path.charCodeAt(0) !== 0x2f) return "path must start with / character";
  if (path.length === 1) return undefined;
  if (path.charCodeAt(path.length - 1) === 0x2f) return "path must not end with / character";
  let segmentStart = 1;
  for (let i = 1; i <= path.length; i++) {
    const c = i < path.length ? path.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      const len = i - segmentStart;
      if (len === 0) return `empty node name specified @${i}`;
      if (len === 1 && path.charCodeAt(segmentStart) === 0x2e) return `relative paths not allowed @${i}`;
      if (len === 2 && path.charCodeAt(segmentStart) === 0x2e && path.charCodeAt(segmentStart + 1) === 0x2e) {
        return `relative paths not allowed @${i}`;
      }
      segmentStart = i + 1;
      continue;
    }
    if (c === 0) return `null character not allowed @${i}`;
    if ((c > 0 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || c >= 0xfff0) {
      return `invalid character @${i}`;
    }
  }
  return undefined;
}

/**
 * Returns `path` when ZooKeeper would accept it; a sequential create is checked as ZooKeeper does,
 * with a digit appended.
 * @throws {KeeperError} BadArguments, naming the rule the path breaks.
 */
export function validatePath(path: string, sequential = false): string {
  const problem = pathProblem(sequential ? path + "1" : path);
  if (problem !== undefined) {
    throw new KeeperError(ErrorCode.BadArguments, `Invalid path "${path}": ${problem}`, { path });
  }
  return path;
}

/** The parent of a valid path ("/" for a top-level node); the root has none. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** The last segment of a valid path ("" for the root). */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** `name` under `parent`. */
export function childPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}
