import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { Redacted } from "effect"

/**
 * API keys as the settings give them: the key itself, or `sha256:<salt>:<hex>` where hex is
 * SHA-256 of salt followed by the key, so a leaked configuration does not leak the keys. Keys are
 * long random strings, so one salted hash is enough (a slow hash would cost every request).
 */
const hashedEntry = /^sha256:([^:]+):([0-9a-f]{64})$/i

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest()

/** Compares in time that depends on the lengths only, never on where the first difference is. */
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && timingSafeEqual(a, b)

const matches = (entry: string, key: string): boolean => {
  const hashed = hashedEntry.exec(entry)
  if (hashed !== null) return sameBytes(sha256(`${hashed[1]}${key}`), Buffer.from(hashed[2]!, "hex"))
  // Hashing both sides makes the comparison constant-length, so a key's length is not revealed either.
  return sameBytes(sha256(entry), sha256(key))
}

/** True when `key` is one of `entries`. Every entry is compared, so the time does not say which matched. */
export const keyMatches = (entries: ReadonlyArray<Redacted.Redacted<string>>, key: string | undefined): boolean => {
  if (key === undefined) return false
  let found = false
  for (const entry of entries) found = matches(Redacted.value(entry), key) || found
  return found
}

/** The settings entry for a key (docs/http-api.md shows the one-line command that prints it). */
export const hashKey = (key: string, salt: string = randomBytes(12).toString("hex")): string =>
  `sha256:${salt}:${sha256(`${salt}${key}`).toString("hex")}`

/**
 * The tenant a key stands for, as stored with its tasks: derived from the key (the same on every
 * replica, whichever form the settings give it in), never the key itself.
 */
export const tenantOf = (key: string): string => `key-${sha256(`codebox-tenant:${key}`).toString("hex").slice(0, 32)}`
