/**
 * Passive ranges inside the kernel's ephemeral range (issue 11): every
 * outgoing connection of the machine, our own clients included, takes its
 * local port from `net.ipv4.ip_local_port_range`, so a passive range inside
 * it loses ports to them (109 of 1,000 in one probe) and PASV fails with 425
 * at random. `listen()` warns; it does not refuse, since the operator may
 * have reserved the range (`ip_local_reserved_ports`).
 */
import { readFileSync } from "node:fs";

/** Internal: the FtpServer member that reads the range (tests replace it; not exported from the package). */
export const READ_EPHEMERAL_RANGE = Symbol("ftpwire.readEphemeralRange");

export const EPHEMERAL_RANGE_FILE = "/proc/sys/net/ipv4/ip_local_port_range";

/** The kernel's ephemeral port range, or undefined where it cannot be read (not Linux). */
export function readEphemeralPortRange(file = EPHEMERAL_RANGE_FILE): readonly [number, number] | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const [low, high] = text.trim().split(/\s+/).map(Number);
  if (!Number.isInteger(low) || !Number.isInteger(high)) return undefined;
  return [low!, high!];
}

/** The warning text when `passive` overlaps `ephemeral`, else undefined. */
export function passiveRangeWarning(
  passive: readonly [number, number] | undefined,
  ephemeral: readonly [number, number] | undefined,
): string | undefined {
  if (!passive || !ephemeral) return undefined;
  const low = Math.max(passive[0], ephemeral[0]);
  const high = Math.min(passive[1], ephemeral[1]);
  if (low > high) return undefined;
  return (
    `passive.portRange ${passive[0]}-${passive[1]} overlaps the kernel's ephemeral port range ` +
    `${ephemeral[0]}-${ephemeral[1]} (net.ipv4.ip_local_port_range) in ${high - low + 1} ports: outgoing ` +
    `connections on this machine can take them and PASV/EPSV then fail with 425. Move the range below ` +
    `${ephemeral[0]} or reserve it (net.ipv4.ip_local_reserved_ports).`
  );
}
