// The child half of children.ts: read the JSON argument, talk over IPC.
import type { ChildMessage } from "./children.js";

// A child never outlives the bench: when the IPC channel closes (the parent
// exited or was killed), stop.
if (process.send) process.once("disconnect", () => process.exit(0));

export function childArg<T>(): T {
  const text = process.argv[2];
  if (text === undefined) throw new Error("missing JSON argument");
  return JSON.parse(text) as T;
}

export function sendToParent(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      console.log(JSON.stringify(message));
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

export function onParentMessage(handler: (m: ChildMessage) => void | Promise<void>): void {
  process.on("message", (m: unknown) => {
    if (m && typeof m === "object" && typeof (m as ChildMessage).type === "string") void handler(m as ChildMessage);
  });
}

/** Reports a failure to the parent and exits non-zero. */
export async function failToParent(error: unknown): Promise<never> {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  await sendToParent({ type: "error", message });
  process.exit(1);
}

/** Answers {type:"gc"} with the RSS after a full collection (needs --expose-gc). */
export function answerGc(): void {
  onParentMessage(async (m) => {
    if (m.type !== "gc") return;
    const g = (globalThis as { gc?: () => void }).gc;
    g?.();
    await new Promise((r) => setTimeout(r, 50));
    g?.();
    await sendToParent({ type: "gc-done", rss: process.memoryUsage().rss });
  });
}
