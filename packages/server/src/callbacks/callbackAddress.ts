import * as dns from "node:dns"
import * as net from "node:net"

/**
 * Where a callback may go. A client chooses the URL, and the server connects from inside the
 * operator's network, so a URL aimed at an internal host (the database, a cloud metadata service,
 * an admin page on loopback) would let any client probe and talk to it (SSRF). Only addresses
 * routed on the public internet are allowed, unless the operator lists hosts or CIDRs.
 */

/** Ranges never reached unless allowed: the IANA special-purpose registries, cloud metadata inside them. */
const blockedRanges: ReadonlyArray<readonly [address: string, prefix: number, family: "ipv4" | "ipv6", why: string]> = [
  ["0.0.0.0", 8, "ipv4", "unspecified"],
  ["10.0.0.0", 8, "ipv4", "private"],
  ["100.64.0.0", 10, "ipv4", "shared (carrier NAT; Alibaba's metadata service)"],
  ["127.0.0.0", 8, "ipv4", "loopback"],
  ["169.254.0.0", 16, "ipv4", "link-local (cloud metadata services)"],
  ["172.16.0.0", 12, "ipv4", "private"],
  ["192.0.0.0", 24, "ipv4", "IETF protocol assignments"],
  ["192.0.2.0", 24, "ipv4", "documentation"],
  ["192.88.99.0", 24, "ipv4", "6to4 relay"],
  ["192.168.0.0", 16, "ipv4", "private"],
  ["198.18.0.0", 15, "ipv4", "benchmarking"],
  ["198.51.100.0", 24, "ipv4", "documentation"],
  ["203.0.113.0", 24, "ipv4", "documentation"],
  ["224.0.0.0", 4, "ipv4", "multicast"],
  ["240.0.0.0", 4, "ipv4", "reserved or broadcast"],
  ["::", 128, "ipv6", "unspecified"],
  ["::1", 128, "ipv6", "loopback"],
  // Forms that carry an IPv4 address inside (mapped, compatible, NAT64, 6to4, Teredo): refused
  // whole rather than unwrapped, since each could name a private IPv4 host.
  ["::", 96, "ipv6", "IPv4-compatible"],
  ["::ffff:0:0", 96, "ipv6", "IPv4-mapped"],
  ["64:ff9b::", 96, "ipv6", "NAT64"],
  ["64:ff9b:1::", 48, "ipv6", "NAT64"],
  ["100::", 64, "ipv6", "discard"],
  ["2001::", 32, "ipv6", "Teredo"],
  ["2001:db8::", 32, "ipv6", "documentation"],
  ["2002::", 16, "ipv6", "6to4"],
  ["fc00::", 7, "ipv6", "unique local (private; AWS's IPv6 metadata service)"],
  ["fe80::", 10, "ipv6", "link-local"],
  ["fec0::", 10, "ipv6", "site-local"],
  ["ff00::", 8, "ipv6", "multicast"]
]

/** Why an address may not be reached, or undefined when it is a public address. */
export const blockedReason = (address: string): string | undefined => {
  const family = net.isIPv4(address) ? "ipv4" : net.isIPv6(address) ? "ipv6" : undefined
  if (family === undefined) return "not an IP address"
  for (const [range, prefix, rangeFamily, why] of blockedRanges) {
    if (rangeFamily !== family) continue
    const list = new net.BlockList()
    list.addSubnet(range, prefix, rangeFamily)
    if (list.check(address, family)) return why
  }
  return undefined
}

/** The operator's exceptions (CODEBOX_CALLBACK_ALLOW): host names, addresses and CIDRs. */
export interface CallbackAllowList {
  readonly hosts: ReadonlySet<string>
  readonly addresses: net.BlockList
}

/** Parses `host, 10.0.0.0/8, ::1` entries; an entry that is neither a name nor an address/CIDR is an error. */
export const parseAllowList = (entries: ReadonlyArray<string>): CallbackAllowList | string => {
  const hosts = new Set<string>()
  const addresses = new net.BlockList()
  for (const raw of entries) {
    const entry = raw
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, "$1")
    if (entry === "") continue
    const [address, prefix, ...rest] = entry.split("/")
    const family = net.isIPv4(address!) ? "ipv4" : net.isIPv6(address!) ? "ipv6" : undefined
    if (family !== undefined) {
      const bits = prefix === undefined ? (family === "ipv4" ? 32 : 128) : Number(prefix)
      if (rest.length > 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === "ipv4" ? 32 : 128)) {
        return `"${raw}" is not a valid CIDR`
      }
      addresses.addSubnet(address!, bits, family)
    } else if (prefix === undefined && /^[a-z0-9.-]+$/.test(entry)) {
      hosts.add(entry)
    } else {
      return `"${raw}" is neither a host name nor an address or CIDR`
    }
  }
  return { hosts, addresses }
}

export const emptyAllowList: CallbackAllowList = { hosts: new Set(), addresses: new net.BlockList() }

/**
 * The allow list of settings already validated at start (config.ts refuses an entry that does not
 * parse), for the request check and the delivery; should one not parse, nothing is allowed.
 */
export const allowListOf = (entries: ReadonlyArray<string>): CallbackAllowList => {
  const parsed = parseAllowList(entries)
  return typeof parsed === "string" ? emptyAllowList : parsed
}

/** Why this resolved address of `host` may not be reached, or undefined when it may. */
const addressRefusal = (allow: CallbackAllowList, address: string): string | undefined => {
  const family = net.isIPv4(address) ? "ipv4" : "ipv6"
  if (allow.addresses.check(address, family)) return undefined
  const why = blockedReason(address)
  return why === undefined ? undefined : `${address} is a ${why} address`
}

/** A URL's host without IPv6 brackets, lower case. */
const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1")

/** The checks that need no DNS: a parsable http(s) URL, without credentials, not a loopback name. */
export const checkCallbackUrl = (raw: string, allow: CallbackAllowList): { readonly url: URL } | { readonly refused: string } => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { refused: "is not a URL" }
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { refused: `must be an http or https URL, not ${url.protocol}` }
  if (url.username !== "" || url.password !== "") return { refused: "must not hold a user name or password" }
  const host = hostOf(url)
  if (host === "") return { refused: "has no host" }
  if (allow.hosts.has(host)) return { url }
  if (net.isIP(host) !== 0) {
    const why = addressRefusal(allow, host)
    return why === undefined ? { url } : { refused: `${why}; callbacks go only to public addresses (see CODEBOX_CALLBACK_ALLOW)` }
  }
  // RFC 6761: every *.localhost name is loopback, whatever a resolver says.
  if (host === "localhost" || host.endsWith(".localhost")) {
    return { refused: `${host} is a loopback name; callbacks go only to public addresses (see CODEBOX_CALLBACK_ALLOW)` }
  }
  return { url }
}

export type Lookup = (host: string) => Promise<ReadonlyArray<{ readonly address: string; readonly family: number }>>

export const systemLookup: Lookup = (host) => dns.promises.lookup(host, { all: true, verbatim: true })

/**
 * The addresses a URL's host may be reached at, or why not: a name is resolved, and refused if any
 * of its addresses is internal (a name that resolves to one public and one private address would
 * otherwise be a coin toss). Used at create and, through `pinnedLookup`, at each delivery.
 */
export const resolveCallbackHost = async (
  url: URL,
  allow: CallbackAllowList,
  lookup: Lookup = systemLookup
): Promise<{ readonly addresses: ReadonlyArray<{ readonly address: string; readonly family: number }> } | { readonly refused: string }> => {
  const host = hostOf(url)
  if (net.isIP(host) !== 0) return { addresses: [{ address: host, family: net.isIP(host) }] }
  let found: ReadonlyArray<{ readonly address: string; readonly family: number }>
  try {
    found = await lookup(host)
  } catch (cause) {
    return { refused: `${host} does not resolve (${(cause as { code?: string }).code ?? String(cause)})` }
  }
  if (found.length === 0) return { refused: `${host} does not resolve` }
  if (allow.hosts.has(host)) return { addresses: found }
  for (const { address } of found) {
    const why = addressRefusal(allow, address)
    if (why !== undefined)
      return { refused: `${host} resolves to ${why}; callbacks go only to public addresses (see CODEBOX_CALLBACK_ALLOW)` }
  }
  return { addresses: found }
}
