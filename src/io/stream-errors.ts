/**
 * Streams that ftpwire did not make itself (a FileSystem's readers and
 * writers, sockets between setup and transfer) must never be destroyed,
 * ended or piped while nothing listens for 'error': Node turns an 'error'
 * event with no listener into an uncaught exception, and that ends the
 * whole server process. Every such stream is guarded as soon as ftpwire
 * holds it, and discarded through `discard()`.
 */
import type { Duplex, Readable, Writable } from "node:stream";
import { abortable } from "./abortable.js";

type AnyStream = Readable | Writable | Duplex;

/** The first error a guarded stream emitted (later ones are ignored). */
export interface StreamGuard {
  readonly error: unknown;
}

const GUARDS = new WeakMap<AnyStream, { error: unknown }>();

/**
 * Listens for 'error' on `stream` for as long as it lives, remembering the
 * first one. Idempotent: a stream is guarded once.
 */
export function guardErrors(stream: AnyStream): StreamGuard {
  let guard = GUARDS.get(stream);
  if (guard) return guard;
  const record: { error: unknown } = { error: undefined };
  guard = record;
  GUARDS.set(stream, record);
  stream.on("error", (error) => {
    record.error ??= error;
  });
  return guard;
}

/** Destroys a stream that is no longer wanted, without letting its 'error' escape. */
export function discard(stream: AnyStream, error?: Error): void {
  guardErrors(stream);
  if (!stream.destroyed) stream.destroy(error);
}

/**
 * Waits for `opening` (a storage call that yields a stream) unless `signal`
 * fires first. A stream that arrives after the abort is discarded; a late
 * rejection is swallowed. Resolves `undefined` when aborted.
 */
export function openUnlessAborted<S extends AnyStream>(opening: Promise<S>, signal: AbortSignal): Promise<S | undefined> {
  const guarded = opening.then((stream) => {
    guardErrors(stream);
    return stream;
  });
  return abortable(guarded, signal, { reason: () => ABORTED, discard: (late) => discard(late) }).catch((error: unknown) => {
    if (error === ABORTED) return undefined;
    throw error;
  });
}

/** The rejection `openUnlessAborted` turns into `undefined`. */
const ABORTED = Symbol("aborted");
