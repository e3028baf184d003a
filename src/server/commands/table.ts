/**
 * The one command table: verb → handler, whether it needs a login, its
 * argument rule, its HELP syntax and its FEAT line. Dispatch, FEAT and HELP
 * all read it, so a command is added in exactly one place.
 */
import type { Command } from "../../protocol/types.js";
import type { Session } from "../session.js";
import { INFO_COMMANDS } from "./info.js";
import { LISTING_COMMANDS } from "./listing.js";
import { LOGIN_COMMANDS } from "./login.js";
import { NAVIGATION_COMMANDS } from "./navigation.js";
import { PARAMETER_COMMANDS } from "./parameters.js";
import { SECURITY_COMMANDS } from "./security.js";
import { SITE_COMMANDS } from "./site.js";
import { TRANSFER_COMMANDS } from "./transfer.js";

export type CommandHandler = (session: Session, arg: string, command: Command) => void | Promise<void>;

export interface CommandSpec {
  readonly verb: string;
  /** Other verbs for the same command (RFC 775 X-forms). */
  readonly aliases?: readonly string[];
  readonly needsLogin: boolean;
  /** "none": an argument gets 501; "required": a missing one gets 501. */
  readonly arg: "none" | "required" | "optional";
  /** HELP text, e.g. "CWD <sp> pathname". */
  readonly syntax: string;
  /** The FEAT line (without the leading space), when the command is an extension to announce (undefined: not now). */
  readonly feat?: string | ((session: Session) => string | undefined);
  /** Changes storage: refused in a read-only session. */
  readonly writes?: boolean;
  /** Recognised but deliberately not implemented (502); listed apart in HELP. */
  readonly unimplemented?: boolean;
  readonly handler: CommandHandler;
}

function build(groups: ReadonlyArray<readonly CommandSpec[]>): ReadonlyMap<string, CommandSpec> {
  const table = new Map<string, CommandSpec>();
  for (const group of groups) {
    for (const spec of group) {
      for (const verb of [spec.verb, ...(spec.aliases ?? [])]) {
        if (table.has(verb)) throw new Error(`duplicate command ${verb}`);
        table.set(verb, spec);
      }
    }
  }
  return table;
}

export const COMMAND_TABLE: ReadonlyMap<string, CommandSpec> = build([
  LOGIN_COMMANDS,
  SECURITY_COMMANDS,
  NAVIGATION_COMMANDS,
  PARAMETER_COMMANDS,
  TRANSFER_COMMANDS,
  LISTING_COMMANDS,
  INFO_COMMANDS,
  SITE_COMMANDS,
]);
