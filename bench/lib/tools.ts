// External client tools (curl, lftp) run through bash so that `times` can
// report the CPU the tool used (its user+system time as a reaped child).
import { spawn } from "node:child_process";
import { commandExists } from "../../test/support/tools.js";

export interface ToolRun {
  stdout: string;
  /** Wall time of the whole process, ms. */
  ms: number;
  /** User + system CPU seconds of the tool (from bash `times`). */
  cpu: number;
}

/** Why a tool cannot run here, or undefined. */
export async function toolMissing(tool: string): Promise<string | undefined> {
  return (await commandExists(tool)) ? undefined : `${tool} is not installed (run .ci/install-peers.sh)`;
}

const TIMES_MARK = "__BENCH_TIMES__";

function seconds(text: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}

/** Runs `command args…`; rejects on non-zero exit or after `timeoutMs` (the tool is killed). */
export function runTool(command: string, args: readonly string[], timeoutMs: number): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const script = `"$@"; rc=$?; echo ${TIMES_MARK}; times; exit $rc`;
    const t0 = performance.now();
    const child = spawn("bash", ["-c", script, "bash", command, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString("utf8")).slice(-4096)));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      const [out = "", timesText = ""] = stdout.split(`${TIMES_MARK}\n`);
      // `times` prints the shell's own times, then its children's.
      const childLine = timesText.trim().split("\n")[1] ?? "";
      const [user = "", sys = ""] = childLine.split(/\s+/);
      if (code !== 0) {
        const why = signal ? `killed (${signal}) after ${Math.round(ms)} ms` : `exit ${code}`;
        reject(new Error(`${command} ${why}: ${stderr.trim().split("\n").slice(-2).join(" | ")}`));
        return;
      }
      resolve({ stdout: out, ms, cpu: seconds(user) + seconds(sys) });
    });
  });
}
