import * as crypto from "node:crypto"

/** A form part: a text field, or a file with its name. */
export type Part =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly fileName: string; readonly data: Uint8Array }

const quoted = (text: string) => `"${text.replace(/[\r\n"\\]/g, (c) => encodeURIComponent(c))}"`

/**
 * A multipart/form-data body written by hand: FormData turns every line break of a text field into
 * CRLF (as browsers must), which would change the program's source and its stdin.
 */
export const multipartBody = (parts: ReadonlyArray<Part>) => {
  const boundary = `codebox-${crypto.randomUUID()}`
  const chunks: Array<Uint8Array> = []
  for (const part of parts) {
    const disposition =
      "value" in part
        ? `form-data; name=${quoted(part.name)}`
        : `form-data; name=${quoted(part.name)}; filename=${quoted(part.fileName)}\r\nContent-Type: application/octet-stream`
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`))
    chunks.push("value" in part ? Buffer.from(part.value, "utf8") : part.data)
    chunks.push(Buffer.from("\r\n"))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}
