/**
 * The per-session protocol state: what one command sets and a later one
 * reads (RFC 959's transfer parameters and their extensions). One record,
 * so that REIN and a new login reset it in one place and a handler's
 * effect on it is plain to see. The MODE/STRU settings live beside the
 * codecs (transfer-codecs.ts); login and FTPS state have their own owners.
 */
import { DEFAULT_MLSD_FACTS } from "../protocol/listing/mlsd.js";

export interface ProtocolState {
  /** Current virtual directory. */
  cwd: string;
  /** Representation type: "A" (ASCII, converted) or "I" (image/binary). */
  type: "A" | "I";
  /** Offset of the next RETR/STOR/APPE (REST); any other command but a few clears it. */
  restOffset: number;
  /** The path RNFR named, waiting for RNTO. */
  renameFrom: string | undefined;
  /** After EPSV ALL only EPSV may prepare a data connection (RFC 2428 §4). */
  epsvAll: boolean;
  /** The facts MLST/MLSD give (OPTS MLST, RFC 3659 §7.9). */
  mlstFacts: readonly string[];
}

/** The state right after the greeting. */
export function initialProtocolState(): ProtocolState {
  return { cwd: "/", type: "A", restOffset: 0, renameFrom: undefined, epsvAll: false, mlstFacts: DEFAULT_MLSD_FACTS };
}

/** What a change of user forgets (USER while logged in): the place in the tree and any half-done command pair. */
export function forgetUserState(state: ProtocolState): void {
  state.cwd = "/";
  state.restOffset = 0;
  state.renameFrom = undefined;
}

/** REIN (RFC 959 §4.1.1): back to the state after the greeting. */
export function reinitializeState(state: ProtocolState): void {
  Object.assign(state, initialProtocolState());
}
