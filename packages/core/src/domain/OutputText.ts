import { Buffer } from "node:buffer"

/**
 * What a program printed, as a result reports it. JSON text cannot carry arbitrary bytes, so each
 * stream is reported twice when needed: `text` is always valid UTF-8 (invalid sequences replaced by
 * U+FFFD; NUL and other control characters kept, JSON escapes them), and `base64` holds the exact
 * bytes only when the text is not them already. A client gets the exact bytes back with
 * `base64 !== null ? base64-decode(base64) : utf8-encode(text)`.
 */
export interface OutputText {
  readonly text: string
  readonly base64: string | null
}

// ignoreBOM: a leading byte-order mark is part of what the program printed, so the text keeps it.
const lossless = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
const replacing = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true })

/** The text and (when it differs from the bytes) the exact bytes of one output stream. */
export const outputText = (bytes: Uint8Array): OutputText => {
  try {
    return { text: lossless.decode(bytes), base64: null }
  } catch {
    return { text: replacing.decode(bytes), base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64") }
  }
}

/** The exact bytes of one output stream, from the text and base64 fields of a result. */
export const outputBytes = (text: string, base64: string | null): Uint8Array =>
  base64 !== null ? Buffer.from(base64, "base64") : Buffer.from(text, "utf8")
