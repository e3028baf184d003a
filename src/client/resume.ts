/**
 * How a retried transfer continues where the interrupted one stopped, so
 * that the result is byte-identical and nothing is sent twice:
 *
 * - download into a local path: REST at the length of the local file (it is
 *   written contiguously from its start, or from `start`); with an explicit
 *   `start`, at most `start` plus what the broken attempt received.
 * - upload from a local path or a Buffer: SIZE on the server, then
 *   REST + STOR from there (APPE when FEAT has no REST STREAM): the
 *   `resume` option of `upload()`.
 * - TYPE A (ascii) transfers restart from their beginning: the server's
 *   byte offsets count CRLFs the local file does not have.
 * - a caller's Readable already read from, a caller's Writable that already
 *   received bytes (or ended), an append: FtpNotResumableError, whose cause
 *   is the interruption. Untouched streams (the failure came before any byte
 *   moved) are simply tried again.
 */
import { stat as fsStat } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { FtpNotResumableError } from "../errors.js";
import type { AttemptInfo, DownloadDestination, DownloadOptions, UploadOptions, UploadSource } from "./file-transfers.js";

export interface PlannedAttempt<O> {
  readonly options: O;
  readonly attempt: AttemptInfo;
}

function notResumable(what: string, cause: unknown): FtpNotResumableError {
  const why = cause instanceof Error ? `: ${cause.message}` : "";
  return new FtpNotResumableError(`The transfer was interrupted and ${what} cannot be resumed${why}`, { cause });
}

export class DownloadResume {
  #resumes = 0;
  #start: number | undefined;
  readonly #destination: DownloadDestination;
  readonly #options: DownloadOptions;

  constructor(destination: DownloadDestination, options: DownloadOptions) {
    this.#destination = destination;
    this.#options = options;
    this.#start = options.start;
  }

  /**
   * Options for the next attempt. `previous` is the failure of the one
   * before (undefined for the first), `receivedBefore` the bytes it had
   * received.
   */
  async next(previous: unknown, receivedBefore: number): Promise<PlannedAttempt<DownloadOptions>> {
    if (previous === undefined) return { options: this.#options, attempt: { resumes: 0 } };
    this.#resumes++;
    const attempt = { resumes: this.#resumes };
    const destination = this.#destination;
    if (typeof destination !== "string") {
      if (isUntouchedWritable(destination)) return { options: this.#options, attempt };
      throw notResumable("a caller's Writable destination that already received bytes", previous);
    }
    if (this.#options.type === "ascii") return { options: this.#options, attempt };
    const onDisk = await fsStat(destination).then((s) => s.size, () => 0);
    if (this.#start === undefined) return { options: { ...this.#options, start: undefined, resume: true }, attempt };
    // Bytes past what this download wrote may be the file's old content: trust only what was received.
    this.#start = Math.min(onDisk, this.#start + receivedBefore);
    return { options: { ...this.#options, start: this.#start, resume: false }, attempt };
  }
}

export class UploadResume {
  #resumes = 0;
  readonly #source: UploadSource;
  readonly #options: UploadOptions;

  constructor(source: UploadSource, options: UploadOptions) {
    this.#source = source;
    this.#options = options;
  }

  next(previous: unknown): PlannedAttempt<UploadOptions> {
    if (previous === undefined) return { options: this.#options, attempt: { resumes: 0 } };
    this.#resumes++;
    const attempt = { resumes: this.#resumes };
    const source = this.#source;
    if (typeof source !== "string" && !(source instanceof Uint8Array)) {
      if (isUntouchedReadable(source)) return { options: this.#options, attempt };
      throw notResumable("a caller's Readable source that was already read from", previous);
    }
    // How much of an append arrived is unknowable: the remote file had its own length before.
    if (this.#options.append) throw notResumable("an append (APPE) upload", previous);
    if (this.#options.type === "ascii") return { options: { ...this.#options, resume: false }, attempt };
    return { options: { ...this.#options, resume: true }, attempt };
  }
}

function isUntouchedWritable(stream: Writable): boolean {
  return !stream.destroyed && !stream.writableEnded && stream.writableLength === 0 && !(stream as { bytesWritten?: number }).bytesWritten;
}

function isUntouchedReadable(stream: Readable): boolean {
  return !stream.destroyed && !stream.readableDidRead && !stream.readableEnded;
}
