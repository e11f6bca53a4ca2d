/**
 * Whether a request's `Host` names this machine. DNS rebinding works by pointing an attacker's
 * domain at 127.0.0.1: the browser then sends that domain as the Host, so a loopback client is
 * trusted only while the Host is a name no outsider can make a browser use for loopback.
 */

/** `localhost` and its subdomains (RFC 6761: they always resolve to loopback). */
const LOCALHOST = /^(?:[a-z0-9-]+\.)*localhost\.?$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The machine's own name, when the runtime may read it without prompting (`--allow-sys`).
 * Cached: it does not change while the process runs.
 */
let machineName: string | null | undefined;

function ownHostname(): string | null {
  if (machineName !== undefined) return machineName;
  try {
    const granted = Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state ===
      "granted";
    machineName = granted ? Deno.hostname().toLowerCase() : null;
  } catch {
    machineName = null;
  }
  return machineName;
}

/** The host name of a `Host` header value, lower-cased, without port or IPv6 brackets. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined);
  const colon = h.lastIndexOf(":");
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** True when `name` (from `hostName`) matches an entry of `names` (`*.example.com` allowed). */
function listed(name: string, names: readonly string[]): boolean {
  for (const raw of names) {
    const entry = raw.trim().toLowerCase();
    if (entry === name) return true;
    if (entry.startsWith("*.") && name.endsWith(entry.slice(1))) return true;
  }
  return false;
}

/**
 * True when `host` (a `Host` header value) is a local name: an IP literal (rebinding needs a
 * domain name, so any address is safe), `localhost` or a `*.localhost` name, the machine's own
 * hostname, or one of `extra` (the config's `localHosts`).
 */
export function isLocalHost(host: string | null, extra: readonly string[] = []): boolean {
  if (!host) return false;
  const name = hostName(host);
  if (name === "") return false;
  if (IPV4.test(name) || name.includes(":")) return true;
  if (LOCALHOST.test(name)) return true;
  const own = ownHostname();
  if (own !== null && (name === own || name === `${own}.`)) return true;
  return listed(name, extra);
}
