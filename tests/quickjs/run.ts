// Runs core's unit tests inside QuickJS compiled to WebAssembly: an engine with no host APIs at
// all (no timers, no TextEncoder), which is the strictest check that core is plain ECMAScript.
//
//   node_modules/.bin/tsx tests/quickjs/run.ts [TEST_FILE...]     (default: core/**/*_test.ts)
//
// Each file is bundled by esbuild into one script, with "node:test" and "node:assert" replaced by
// the small implementations beside this file, and evaluated in a fresh QuickJS runtime. A test
// file that cannot work there starts with `// quickjs: skip <reason>`.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { getQuickJS, type QuickJSContext, type QuickJSHandle, shouldInterruptAfterDeadline } from "quickjs-emscripten";
import type { Outcome } from "./runner.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const FILE_DEADLINE_MS = 120_000;
const MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;
const SKIP_MARK = /^\/\/\s*quickjs:\s*skip\b\s*(.*)$/;

const ALIASES: Record<string, string> = {
  "node:test": join(HERE, "runner.ts"),
  "node:assert/strict": join(HERE, "assert_strict.ts"),
};

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith("_test.ts") ? [path] : [];
  }).sort();
}

/** One IIFE script: the test file registers its tests, then the runner reports each outcome. */
async function bundle(file: string): Promise<string> {
  const entry = [
    `import ${JSON.stringify(file)};`,
    `import { runRegistered } from ${JSON.stringify(join(HERE, "runner.ts"))};`,
    `runRegistered((o) => __quickjsReport(JSON.stringify(o))).then(`,
    `  () => { globalThis.__quickjsDone = "ok"; },`,
    `  (e) => { globalThis.__quickjsDone = String((e && e.stack) || e); });`,
  ].join("\n");
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: "quickjs-entry.js", loader: "js" },
    bundle: true,
    write: false,
    format: "iife",
    platform: "neutral",
    // fast-check and friends are found through package.json `exports` / `module`.
    mainFields: ["module", "main"],
    conditions: ["import"],
    // Lets a scratch test outside the repo import fast-check too.
    nodePaths: [join(ROOT, "node_modules")],
    target: "es2022",
    // package.json says "sideEffects": false, which would let esbuild drop the bare
    // `import "<test file>"` above, and with it every test.
    ignoreAnnotations: true,
    logLevel: "silent",
    plugins: [{
      name: "quickjs-node-builtins",
      setup(build) {
        build.onResolve({ filter: /^node:/ }, (args) => {
          const path = ALIASES[args.path];
          if (path) return { path };
          return { errors: [{ text: `"${args.path}" does not exist in QuickJS (imported by ${args.importer})` }] };
        });
      },
    }],
  });
  return result.outputFiles[0]!.text;
}

interface FileResult {
  outcomes: Outcome[];
  /** Set when the file as a whole failed: bundling, loading, or tests that never settled. */
  error?: string;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

// fast-check reads `setTimeout`/`clearTimeout` when it loads (for its optional time limits), so
// the names must exist. Calling them fails loudly: tests get time from an injected clock.
const PRELUDE = `
globalThis.setTimeout = function setTimeout() {
  throw new Error("setTimeout does not exist in QuickJS; inject a Clock (FakeClock) instead");
};
globalThis.clearTimeout = function clearTimeout() {};
`;

function installConsole(ctx: QuickJSContext): void {
  const consoleHandle = ctx.newObject();
  for (const level of ["log", "info", "warn", "error", "debug"]) {
    const fn = ctx.newFunction(level, (...args: QuickJSHandle[]) => {
      const parts = args.map((a) => (ctx.typeof(a) === "string" ? ctx.getString(a) : JSON.stringify(ctx.dump(a))));
      print(`    console.${level}: ${parts.join(" ")}`);
    });
    ctx.setProp(consoleHandle, level, fn);
    fn.dispose();
  }
  ctx.setProp(ctx.global, "console", consoleHandle);
  consoleHandle.dispose();
}

async function runFile(code: string, filename: string): Promise<FileResult> {
  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(MEMORY_LIMIT_BYTES);
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + FILE_DEADLINE_MS));
  const ctx = runtime.newContext();
  const outcomes: Outcome[] = [];
  try {
    installConsole(ctx);
    const report = ctx.newFunction("__quickjsReport", (json) => {
      const outcome = JSON.parse(ctx.getString(json)) as Outcome;
      outcomes.push(outcome);
    });
    ctx.setProp(ctx.global, "__quickjsReport", report);
    report.dispose();

    ctx.unwrapResult(ctx.evalCode(PRELUDE, "prelude.js")).dispose();
    const loaded = ctx.evalCode(code, filename);
    if (loaded.error) {
      const error = formatVmError(ctx.dump(loaded.error));
      loaded.error.dispose();
      return { outcomes, error: `load failed: ${error}` };
    }
    loaded.value.dispose();

    // QuickJS runs promise jobs only when asked. With no timers in the VM, an empty job queue
    // while the runner is unfinished means a test awaits something that can never happen.
    for (;;) {
      const done = ctx.getProp(ctx.global, "__quickjsDone");
      const state: unknown = ctx.dump(done);
      done.dispose();
      if (state === "ok") return { outcomes };
      if (typeof state === "string") return { outcomes, error: `runner failed: ${state}` };
      const jobs = runtime.executePendingJobs();
      if (jobs.error) {
        const error = formatVmError(ctx.dump(jobs.error));
        jobs.error.dispose();
        return { outcomes, error: `job failed: ${error}` };
      }
      if (jobs.value === 0) {
        return {
          outcomes,
          error: "stalled: a test awaits a promise that nothing will settle (timers do not exist here)",
        };
      }
    }
  } finally {
    ctx.dispose();
    runtime.dispose();
  }
}

function formatVmError(dumped: unknown): string {
  if (dumped && typeof dumped === "object") {
    const e = dumped as { name?: string; message?: string; stack?: string };
    return `${e.name ?? "Error"}: ${e.message ?? JSON.stringify(dumped)}${e.stack ? `\n${e.stack}` : ""}`;
  }
  return String(dumped);
}

// Frames point into the bundle, not the source; a few are enough to see where it broke.
function shortStack(text: string): string {
  let frames = 0;
  return text.split("\n").filter((line) => {
    frames = /^\s+at /.test(line) ? frames + 1 : 0;
    return frames <= 3;
  }).join("\n");
}

function indent(text: string, prefix: string): string {
  return text.trimEnd().split("\n").map((l) => prefix + l).join("\n");
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const files = args.length > 0 ? args.map((f) => resolve(f)) : findTests(join(ROOT, "core"));
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const name = relative(process.cwd(), file);
    const firstLine = readFileSync(file, "utf8").split("\n", 1)[0] ?? "";
    const skip = SKIP_MARK.exec(firstLine);
    if (skip) {
      print(`skip ${name}: ${skip[1] || "(no reason given)"}`);
      continue;
    }
    let result: FileResult;
    try {
      result = await runFile(await bundle(file), name);
    } catch (e) {
      const messages = (e as esbuild.BuildFailure).errors?.map((m) => m.text) ?? [String(e)];
      result = { outcomes: [], error: `bundle failed: ${messages.join("; ")}` };
    }
    const pass = result.outcomes.filter((o) => o.status === "pass").length;
    const fail = result.outcomes.filter((o) => o.status === "fail").length + (result.error ? 1 : 0);
    const skipped = result.outcomes.length - pass - (fail - (result.error ? 1 : 0));
    passed += pass;
    failed += fail;
    const counts = `${pass} passed, ${fail} failed${skipped ? `, ${skipped} skipped` : ""}`;
    print(`${fail ? "FAIL" : "ok  "} ${name} (${counts})`);
    for (const o of result.outcomes) {
      if (o.status === "fail") print(`  FAIL ${o.name}\n${indent(shortStack(o.error ?? ""), "       ")}`);
    }
    if (result.error) print(indent(shortStack(result.error), "       "));
  }
  print(`quickjs: ${passed} passed, ${failed} failed`);
  return failed > 0 || passed === 0 ? 1 : 0;
}

process.exitCode = await main();
