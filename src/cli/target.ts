/**
 * Where to connect, from what a person types: `ftp://`, `ftps://` (implicit
 * TLS) and `ftpes://` (explicit TLS) URLs, or the bare `[user[:pw]@]host[:port]`
 * of ftp(1). The password comes from the URL, then $FTPWIRE_PASSWORD, then
 * ~/.netrc; nothing found means "ask" (a terminal) or anonymous.
 */
import { readFileSync } from "node:fs";
import { parseFtpUrl, type ClientOptions } from "../index.js";
import { UsageError } from "./exit-codes.js";
import { loadNetrc, netrcLookup } from "./netrc.js";

export interface Target {
  /** host, port, secure and the URL's path; no user or password. */
  readonly options: ClientOptions;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly account: string | undefined;
  /** The path part of a URL ("" when none), percent-decoded. */
  readonly path: string;
}

/** TLS choices from the command line (shared by `open` and the one-shot commands). */
export interface TlsFlags {
  /** A PEM CA file for a server with a private or self-signed certificate. */
  readonly ca?: string;
  /** Skip certificate verification (-k): only for tests and one-off rescues. */
  readonly insecure?: boolean;
}

export function parseTarget(text: string, port?: number): Target {
  if (text === "") throw new UsageError("no host given");
  const url = text.includes("://") ? text : `ftp://${text}`;
  const parsed = parseFtpUrl(url); // throws FtpInvalidOptionError (exit 1) with a redacted message
  const { user, password, account, path, ...options } = parsed;
  if (port !== undefined) options.port = port;
  return { options, user, password, account, path: path ?? "" };
}

/** Fills user and password from $FTPWIRE_PASSWORD and ~/.netrc where the URL left them out. */
export async function withCredentials(target: Target, env: NodeJS.ProcessEnv): Promise<Target> {
  if (target.user !== undefined && target.password !== undefined) return target;
  const envPassword = env.FTPWIRE_PASSWORD;
  if (target.user !== undefined && envPassword !== undefined) return { ...target, password: envPassword };
  const entry = netrcLookup(await loadNetrc(env), target.options.host);
  if (entry && (target.user === undefined || entry.login === undefined || entry.login === target.user)) {
    return {
      ...target,
      user: target.user ?? entry.login,
      password: target.password ?? entry.password,
      account: target.account ?? entry.account,
    };
  }
  return target;
}

export function tlsOptions(target: Target, flags: TlsFlags): Partial<ClientOptions> {
  if (!target.options.secure) {
    if (flags.ca || flags.insecure) throw new UsageError("--ca and --insecure need an ftps:// or ftpes:// URL");
    return {};
  }
  const tls: NonNullable<ClientOptions["tls"]> = {};
  if (flags.ca) {
    try {
      tls.ca = readFileSync(flags.ca);
    } catch (error) {
      throw new UsageError(`cannot read --ca ${flags.ca}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  if (flags.insecure) tls.rejectUnauthorized = false;
  return { tls };
}
