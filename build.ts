// Builds the npm package into dist/ and checks what the compiler cannot: manifest agreement,
// the sans-I/O boundary of core/, the browser entry's freedom from node:, and the JSR dry run. Run: node_modules/.bin/tsx build.ts
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import ts from "typescript";

const ROOT = dirname(fileURLToPath(import.meta.url));
const BIN = join(ROOT, "node_modules", ".bin");
const CLI_SOURCE = "runtimes/node/cli/kmeta.ts";
const STEPS = 8;
const WEB_SOURCE = "runtimes/web/mod.ts";
let step = 0;

class BuildError extends Error {}

function done(summary: string): void {
  console.log(`build: [${++step}/${STEPS}] ${summary}`);
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, file), "utf8")) as Record<string, unknown>;
}

/** Where an export key's bundle lands: "." -> core, "./node" -> node. */
function distName(key: string): string {
  return key === "." ? "core" : key.slice(2);
}

// (a) One version, one export map. JSR reads deno.json, npm reads package.json; they must
// describe the same package, and npm's entries must be where this script writes them.
function checkManifests(): Record<string, string> {
  const pkg = readJson("package.json");
  const deno = readJson("deno.json");
  const problems: string[] = [];
  if (pkg.version !== deno.version) {
    problems.push(`version differs: package.json "${pkg.version}", deno.json "${deno.version}"`);
  }
  const denoExports = (deno.exports ?? {}) as Record<string, string>;
  const npmExports = (pkg.exports ?? {}) as Record<string, { types?: string; default?: string }>;
  const npmKeys = Object.keys(npmExports).filter((k) => k !== "./package.json").sort();
  const denoKeys = Object.keys(denoExports).sort();
  if (npmKeys.join() !== denoKeys.join()) {
    problems.push(`export keys differ: package.json [${npmKeys}], deno.json [${denoKeys}]`);
  }
  for (const [key, source] of Object.entries(denoExports)) {
    const npm = npmExports[key];
    if (!npm) continue;
    const js = `./dist/${distName(key)}/mod.js`;
    const types = `./dist/types/${source.slice(2).replace(/\.ts$/, ".d.ts")}`;
    if (npm.default !== js) problems.push(`package.json exports["${key}"].default should be "${js}"`);
    if (npm.types !== types) problems.push(`package.json exports["${key}"].types should be "${types}"`);
    if (!existsSync(join(ROOT, source))) problems.push(`deno.json exports["${key}"]: "${source}" does not exist`);
  }
  if (problems.length > 0) throw new BuildError(`manifests disagree:\n  ${problems.join("\n  ")}`);
  done(`manifests agree: version ${pkg.version}, exports ${denoKeys.join(" ")}`);
  return denoExports;
}

// (b) A neutral bundle with nothing external fails on any node:/npm: import reachable from core.
async function checkNeutralCore(): Promise<void> {
  try {
    const result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: ["core/mod.ts"],
      bundle: true,
      platform: "neutral",
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    done(`core bundles for platform "neutral" (${result.outputFiles[0]?.contents.length ?? 0} bytes, no imports)`);
  } catch (e) {
    const errors = (e as esbuild.BuildFailure).errors ?? [];
    const lines = errors.map((m) => `${m.location?.file}:${m.location?.line}: ${m.text}`);
    throw new BuildError(`core is not runtime-neutral:\n  ${lines.join("\n  ") || String(e)}`);
  }
}

// (b2) The browser entry bundles for platform "browser" with nothing external: no node: module and
// no dependency (Connect's node:http2 transport) may be reachable from it.
async function checkWebEntry(): Promise<void> {
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: [WEB_SOURCE],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
  } catch (e) {
    const errors = (e as esbuild.BuildFailure).errors ?? [];
    const lines = errors.map((m) => `${m.location?.file}:${m.location?.line}: ${m.text}`);
    throw new BuildError(`${WEB_SOURCE} does not bundle for a browser:\n  ${lines.join("\n  ") || String(e)}`);
  }
  const foreign = Object.keys(result.metafile.inputs).filter((f) => f.startsWith("node:") || f.includes("node_modules"));
  if (foreign.length > 0) throw new BuildError(`${WEB_SOURCE} reaches beyond core and fetch:\n  ${foreign.join("\n  ")}`);
  done(`${WEB_SOURCE} bundles for platform "browser" (${result.outputFiles[0]?.contents.length ?? 0} bytes, no node: module, no dependency)`);
}

// (c) Built-ins the ES lib declares, so core/tsconfig.json cannot reject them, but which read
// the outside world (clock, randomness) or a host. Walking the AST ignores comments and strings.
const BANNED_CALLS = new Set(["setTimeout", "setInterval", "queueMicrotask", "fetch", "require"]);
const BANNED_CALLS_ON: Record<string, string> = { Date: "now", Math: "random" };
const BANNED_OBJECTS = new Set(["process", "Deno", "Bun", "globalThis"]);

function coreSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return coreSources(path);
    const isSource = entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts");
    return isSource && !entry.name.endsWith("_test.ts") ? [path] : [];
  });
}

/** False for names that are not reads of a global: `x.process`, `{ process: 1 }`, `let process`. */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent)) return parent.expression === node;
  if (ts.isQualifiedName(parent)) return parent.left === node;
  return !("name" in parent && parent.name === node && !ts.isShorthandPropertyAssignment(parent));
}

function checkCoreGlobals(): void {
  const files = coreSources(join(ROOT, "core"));
  const hits: string[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const report = (node: ts.Node, what: string) => {
      const { line, character } = source.getLineAndCharacterOfPosition(node.getStart());
      hits.push(`${relative(ROOT, file)}:${line + 1}:${character + 1}: ${what}`);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        if (ts.isIdentifier(callee) && BANNED_CALLS.has(callee.text)) report(node, `${callee.text}(`);
        if (
          ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) &&
          BANNED_CALLS_ON[callee.expression.text] === callee.name.text
        ) report(node, `${callee.expression.text}.${callee.name.text}(`);
      } else if (ts.isNewExpression(node)) {
        const argless = node.arguments === undefined || node.arguments.length === 0;
        if (ts.isIdentifier(node.expression) && node.expression.text === "Date" && argless) report(node, "new Date()");
      } else if (ts.isIdentifier(node) && BANNED_OBJECTS.has(node.text) && isReference(node)) {
        report(node, node.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  if (hits.length > 0) {
    throw new BuildError(`core reads time, randomness or a host (pass it in instead):\n  ${hits.join("\n  ")}`);
  }
  done(`core/ uses no clock, randomness or host globals (${files.length} files)`);
}

// (d) One split build: core lands in a shared chunk, so an error class thrown through ./node
// is the same class a user imports from ".".
async function bundle(exportsMap: Record<string, string>): Promise<void> {
  rmSync(join(ROOT, "dist"), { recursive: true, force: true });
  const entryPoints = Object.entries(exportsMap).map(([key, source]) => ({ in: source, out: `${distName(key)}/mod` }));
  const hasCli = existsSync(join(ROOT, CLI_SOURCE));
  if (hasCli) entryPoints.push({ in: CLI_SOURCE, out: "cli/kmeta" });
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints,
    outdir: "dist",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "neutral",
    // Runtime dependencies stay imports, so an app holds one copy of Connect and protobuf.
    external: ["node:*", ...Object.keys((readJson("package.json").dependencies ?? {}) as Record<string, string>)],
    target: "es2022",
    // No source maps: they would point at core/ and runtimes/ sources the npm package does not ship
    // (they were 58 % of the tarball). JSR users get the .ts sources themselves.
    sourcemap: false,
    chunkNames: "chunks/[name]-[hash]",
    logLevel: "error",
  });
  if (hasCli) addShebang(join(ROOT, "dist/cli/kmeta.js"));
  done(`bundled ${entryPoints.map((e) => e.out.replace(/\/mod$/, "")).join(", ")} into dist/`);
}

// esbuild keeps a hashbang only if the source has one; add it here.
function addShebang(file: string): void {
  const code = readFileSync(file, "utf8");
  if (!code.startsWith("#!")) writeFileSync(file, `#!/usr/bin/env node\n${code}`);
  chmodSync(file, 0o755);
}

function run(what: string, command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8" });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  if (result.error) throw new BuildError(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new BuildError(`${what} failed (exit ${result.status}):\n${output}`);
  return output;
}

// (e) Declarations only: the JS came from esbuild.
function declarations(): void {
  run("tsc -p tsconfig.build.json", join(BIN, "tsc"), ["-p", "tsconfig.build.json"]);
  done("declarations written to dist/types/");
}

// (f) Packaging mistakes: missing files, wrong export conditions, types not published.
async function lintPackage(): Promise<void> {
  const { messages, pkg } = await publint({ pkgDir: ROOT, level: "suggestion", strict: true, pack: "npm" });
  const errors = messages.filter((m) => m.type !== "suggestion");
  const suggestions = messages.filter((m) => m.type === "suggestion");
  const format = (m: (typeof messages)[number]) => `${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`;
  if (errors.length > 0) throw new BuildError(`publint:\n  ${messages.map(format).join("\n  ")}`);
  for (const m of suggestions) console.log(`  publint ${format(m)}`);
  done(`publint passed (${suggestions.length} suggestions)`);
}

// (g) JSR's own checks (slow types, license, file list) without uploading anything.
function jsrDryRun(): void {
  const output = run("deno publish --dry-run", join(BIN, "deno"), ["publish", "--dry-run", "--allow-dirty"]);
  const files = output.split("\n").filter((line) => /^\s+file:\/\//.test(line)).length;
  done(`deno publish --dry-run passed${files ? ` (${files} files)` : ""}`);
}

try {
  const exportsMap = checkManifests();
  await checkNeutralCore();
  await checkWebEntry();
  checkCoreGlobals();
  await bundle(exportsMap);
  declarations();
  await lintPackage();
  jsrDryRun();
} catch (e) {
  console.error(`build: failed at step ${step + 1}/${STEPS}: ${e instanceof BuildError ? e.message : e}`);
  process.exit(1);
}
