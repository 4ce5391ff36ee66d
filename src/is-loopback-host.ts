import { BlockList, isIPv4, isIPv6 } from "node:net";

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * True when a bind address only accepts connections from this machine: `localhost`, 127.0.0.0/8,
 * `::1` (any spelling, bracketed or not) and IPv4-mapped loopback. Wildcards (`0.0.0.0`, `::`) and
 * host names other than `localhost` are not: they may reach beyond the machine.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (bare === "localhost") return true;
  if (isIPv4(bare)) return LOOPBACK.check(bare, "ipv4");
  if (isIPv6(bare)) return LOOPBACK.check(bare, "ipv6");
  return false;
}
