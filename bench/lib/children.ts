// Node child processes of the bench (servers under bench/servers/, clients
// under bench/clients/): bundled to plain JavaScript, forked with an IPC
// channel, one JSON argument, typed messages back. Each runs in its own process so that its
// CPU time and RSS can be read from /proc without the bench's own.
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { onCleanup, originalTmpdir } from "./workdir.js";

export interface ChildMessage {
  type: string;
  [field: string]: unknown;
}

export interface NodeChild {
  readonly pid: number;
  readonly child: ChildProcess;
  /** The next message of this type (earlier unread ones included); rejects when the child exits first or on timeout. */
  next<T extends ChildMessage>(type: string, timeoutMs: number): Promise<T>;
  send(message: ChildMessage): void;
  /** stderr tail, for error messages. */
  output(): string;
  /** SIGTERM, SIGKILL after 2 s. Idempotent. */
  stop(): Promise<void>;
  readonly exited: Promise<void>;
}

const BENCH_DIR = fileURLToPath(new URL("../", import.meta.url));
/** Inside the repository (so node_modules resolve), gitignored, one per bench process. */
const BUILD_DIR = `${BENCH_DIR}.work/js-${process.pid}/`;
const ENTRY_POINTS = ["servers/ftpwire.ts", "servers/ftp-srv.ts", "clients/worker.ts", "clients/loopback.ts"];

let buildNote = "";

let building: Promise<"js" | "tsx"> | undefined;

/**
 * The children run as plain JavaScript bundled by esbuild (tsx's own
 * dependency) so that their RSS and CPU do not include tsx: under tsx a Node
 * process carries ~40 MiB more and an esbuild service child. Falls back to
 * tsx when esbuild cannot be loaded, and says so in the results.
 */
function ensureBuilt(): Promise<"js" | "tsx"> {
  building ??= build();
  return building;
}

async function build(): Promise<"js" | "tsx"> {
  try {
    const esbuild = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
    rmSync(BUILD_DIR, { recursive: true, force: true });
    mkdirSync(BUILD_DIR, { recursive: true });
    onCleanup(() => rmSync(BUILD_DIR, { recursive: true, force: true }));
    const common = {
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      logLevel: "silent",
    } as const;
    // ftpwire itself is bundled on its own: while it does not build (work in
    // progress), its rows become n/a and the baseline rows still run.
    try {
      esbuild.buildSync({ ...common, entryPoints: [`${BENCH_DIR}../src/index.ts`], outfile: `${BUILD_DIR}ftpwire.mjs` });
    } catch (e) {
      const why = (e instanceof Error ? e.message : String(e)).split("\n").slice(0, 3).join(" ");
      writeFileSync(`${BUILD_DIR}ftpwire.mjs`, `throw new Error(${JSON.stringify(`ftpwire API not ready (does not build: ${why})`)});\n`);
    }
    await esbuild.build({
      ...common,
      entryPoints: ENTRY_POINTS.map((e) => `${BENCH_DIR}${e}`),
      outbase: BENCH_DIR,
      outdir: BUILD_DIR,
      outExtension: { ".js": ".mjs" },
      plugins: [
        {
          name: "ftpwire-external",
          setup(build) {
            // Every entry point sits one folder below BUILD_DIR.
            build.onResolve({ filter: /\/src\/index\.js$/ }, () => ({ path: "../ftpwire.mjs", external: true }));
          },
        },
      ],
    });
    return "js";
  } catch (e) {
    buildNote = `children ran under tsx (esbuild bundle failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)})`;
    return "tsx";
  }
}

/** Empty, or why the child processes ran under tsx (their RSS/CPU then include tsx). */
export function childRuntimeNote(): string {
  return buildNote;
}

/** Forks `bench/<script>` (relative to bench/) with `arg` as JSON in argv[2]. */
export async function forkChild(script: string, arg: unknown, execArgv: readonly string[] = []): Promise<NodeChild> {
  const js = (await ensureBuilt()) === "js" && ENTRY_POINTS.includes(script);
  const path = js ? `${BUILD_DIR}${script.replace(/\.ts$/, ".mjs")}` : `${BENCH_DIR}${script}`;
  const child = fork(path, [JSON.stringify(arg)], {
    execArgv: [...(js ? [] : ["--import", "tsx"]), ...execArgv],
    stdio: ["ignore", "inherit", "pipe", "ipc"],
    // The bench's TMPDIR points into its tmpfs work dir (for the peers); children keep the original.
    env: { ...process.env, DEBUG: "", TMPDIR: originalTmpdir() },
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString("utf8")).slice(-8192);
  });
  const inbox: ChildMessage[] = [];
  const waiters = new Set<() => void>();
  let exitedFlag = false;
  let exitText = "";
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exitedFlag = true;
      exitText = `exited with ${code ?? signal}`;
      for (const w of [...waiters]) w();
      resolve();
    });
    child.once("error", (e) => {
      exitedFlag = true;
      exitText = `could not start: ${e.message}`;
      for (const w of [...waiters]) w();
      resolve();
    });
  });
  child.on("message", (m: unknown) => {
    if (m && typeof m === "object" && typeof (m as ChildMessage).type === "string") {
      inbox.push(m as ChildMessage);
      for (const w of [...waiters]) w();
    }
  });
  const describe = (): string => {
    const tail = stderr.trim().split("\n").slice(-6).join(" | ");
    return `${script} ${exitText}${tail ? `: ${tail}` : ""}`;
  };
  const next = <T extends ChildMessage>(type: string, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const err = inbox.findIndex((m) => m.type === "error");
        if (err >= 0) {
          const m = inbox.splice(err, 1)[0]!;
          done();
          reject(new Error(String(m.message)));
          return;
        }
        const i = inbox.findIndex((m) => m.type === type);
        if (i >= 0) {
          const m = inbox.splice(i, 1)[0]!;
          done();
          resolve(m as T);
        } else if (exitedFlag) {
          done();
          reject(new Error(describe()));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${script}: no "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitedFlag) return;
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 2000);
      await exited;
      clearTimeout(t);
    })();
    return stopping;
  };
  return {
    pid: child.pid ?? -1,
    child,
    next,
    send: (m) => {
      if (child.connected) child.send(m);
    },
    output: () => stderr,
    stop,
    exited,
  };
}

/** Runs a one-shot client job and returns its "result" message (the child then exits). */
export async function runJob<T extends ChildMessage>(
  job: unknown,
  timeoutMs: number,
  script = "clients/worker.ts",
): Promise<T> {
  const c = await forkChild(script, job);
  try {
    return await c.next<T>("result", timeoutMs);
  } finally {
    await c.stop();
  }
}
