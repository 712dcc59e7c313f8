import * as crypto from "node:crypto"

/** The header a receiver checks: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const signatureHeader = "X-CodeBox-Signature"

/**
 * Signs a callback body. The time is inside the signed text, so a receiver that refuses old
 * timestamps cannot be replayed an old delivery with a fresh header.
 */
export const sign = (secret: string, unixSeconds: number, body: string) =>
  `t=${unixSeconds},v1=${crypto.createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex")}`

/** Checks a header against a body (what a receiver does; used by the tests). */
export const verify = (secret: string, header: string, body: string, toleranceSeconds = 300, nowSeconds = Date.now() / 1000) => {
  const parts = Object.fromEntries(header.split(",").map((part) => part.split("=", 2) as [string, string]))
  const t = Number(parts.t)
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || parts.v1 === undefined) return false
  const expected = Buffer.from(sign(secret, t, body).split("v1=")[1]!, "hex")
  const given = Buffer.from(parts.v1, "hex")
  return given.length === expected.length && crypto.timingSafeEqual(given, expected)
}
