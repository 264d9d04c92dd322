import { isIPv4, isIPv6 } from "node:net";

/** Loopback, private, link-local, CGNAT and unspecified addresses: what a workflow must not reach by default. */
export function isPrivateAddress(ip: string): boolean {
  if (isIPv4(ip)) {
    const [a = 0, b = 0] = ip.split(".").map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  if (isIPv6(ip)) {
    const low = ip.toLowerCase();
    if (low === "::" || low === "::1") return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(low);
    if (mapped?.[1]) return isPrivateAddress(mapped[1]);
    return /^f[cd]/.test(low) || /^fe[89ab]/.test(low);
  }
  return true;
}
