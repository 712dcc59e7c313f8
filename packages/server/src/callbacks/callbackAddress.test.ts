import { describe, expect, it } from "vitest"
import { blockedReason, checkCallbackUrl, emptyAllowList, type Lookup, parseAllowList, resolveCallbackHost } from "./callbackAddress.ts"
import { sign, verify } from "./signature.ts"

/** No test connects anywhere: addresses are classified, and names resolve through a fake lookup. */
const allowOf = (entries: ReadonlyArray<string>) => {
  const allow = parseAllowList(entries)
  if (typeof allow === "string") throw new Error(allow)
  return allow
}
const fakeLookup =
  (answers: Record<string, ReadonlyArray<string>>): Lookup =>
  async (host) => {
    const addresses = answers[host]
    if (addresses === undefined) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" })
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }))
  }

describe("callback addresses", () => {
  it.each([
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.0.1",
    "100.100.100.200",
    "100.64.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "255.255.255.255",
    "198.18.0.1",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::127.0.0.1",
    "64:ff9b::a00:1",
    "fd00:ec2::254",
    "fc00::1",
    "fe80::1",
    "ff02::1",
    "2002:a00:1::"
  ])("refuses the internal address %s", (address) => {
    expect(blockedReason(address)).toBeTypeOf("string")
  })

  it.each(["8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "192.169.0.1", "100.128.0.1", "2606:4700:4700::1111", "2a00:1450::1"])(
    "allows the public address %s",
    (address) => {
      expect(blockedReason(address)).toBeUndefined()
    }
  )

  it("refuses what is not http(s), holds credentials, or names an internal host, before any DNS", () => {
    const refused = (url: string) => "refused" in checkCallbackUrl(url, emptyAllowList)
    for (const url of [
      "file:///etc/passwd",
      "gopher://example.com/",
      "ftp://example.com/",
      "not a url",
      "http://user:pw@example.com/",
      "http://127.0.0.1/",
      "http://2130706433/", // 127.0.0.1 as one number
      "http://0x7f.1/",
      "http://[::1]/",
      "http://[::ffff:7f00:1]/",
      "http://169.254.169.254/latest/meta-data/",
      "http://[fd00:ec2::254]/",
      "http://localhost/",
      "http://api.localhost/"
    ])
      expect(refused(url), url).toBe(true)
    expect(refused("https://example.com/hook")).toBe(false)
    expect(refused("http://93.184.216.34:8080/x")).toBe(false)
  })

  it("allows listed hosts and CIDRs only: 127.0.0.1 does not open 127.0.0.2, ::1 or localhost", async () => {
    const allow = allowOf(["127.0.0.1"])
    expect("url" in checkCallbackUrl("http://127.0.0.1:9/", allow)).toBe(true)
    for (const url of ["http://127.0.0.2:9/", "http://[::1]:9/", "http://0.0.0.0:9/", "http://localhost:9/"])
      expect("refused" in checkCallbackUrl(url, allow), url).toBe(true)
    const cidr = allowOf(["10.0.0.0/8", "hooks.internal"])
    expect("url" in checkCallbackUrl("http://10.9.8.7/", cidr)).toBe(true)
    expect("url" in checkCallbackUrl("http://11.0.0.1/", cidr)).toBe(true)
    expect("refused" in checkCallbackUrl("http://192.168.0.1/", cidr)).toBe(true)
    const lookup = fakeLookup({ "hooks.internal": ["192.168.5.5"], "app.corp": ["10.2.3.4"], "mixed.example": ["10.2.3.4", "192.168.0.1"] })
    expect("addresses" in (await resolveCallbackHost(new URL("http://hooks.internal/"), cidr, lookup))).toBe(true)
    expect("addresses" in (await resolveCallbackHost(new URL("http://app.corp/"), cidr, lookup))).toBe(true)
    expect("refused" in (await resolveCallbackHost(new URL("http://mixed.example/"), cidr, lookup))).toBe(true)
  })

  it("refuses a name when any address it resolves to is internal (metadata, private, link-local)", async () => {
    const lookup = fakeLookup({
      "public.example": ["93.184.216.34", "2606:2800:220:1::1"],
      "metadata.example": ["169.254.169.254"],
      "split.example": ["93.184.216.34", "10.0.0.5"],
      "v6local.example": ["fe80::1"]
    })
    const resolve = (host: string) => resolveCallbackHost(new URL(`https://${host}/hook`), emptyAllowList, lookup)
    expect(await resolve("public.example")).toEqual({ addresses: expect.any(Array) })
    for (const host of ["metadata.example", "split.example", "v6local.example", "missing.example"])
      expect(await resolve(host), host).toEqual({ refused: expect.any(String) })
  })

  it("refuses malformed allow entries", () => {
    expect(parseAllowList(["10.0.0.0/33"])).toBeTypeOf("string")
    expect(parseAllowList(["http://x/"])).toBeTypeOf("string")
    expect(parseAllowList([" example.com ", "::1", "[::1]", "fd00::/8"])).not.toBeTypeOf("string")
  })
})

describe("callback signatures", () => {
  it("signs t.body with HMAC-SHA256 and verifies within the tolerance only", () => {
    const header = sign("s3cret", 1_800_000_000, '{"a":1}')
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/)
    expect(verify("s3cret", header, '{"a":1}', 300, 1_800_000_010)).toBe(true)
    expect(verify("s3cret", header, '{"a":2}', 300, 1_800_000_010)).toBe(false)
    expect(verify("other", header, '{"a":1}', 300, 1_800_000_010)).toBe(false)
    expect(verify("s3cret", header, '{"a":1}', 300, 1_800_001_000)).toBe(false)
  })
})
