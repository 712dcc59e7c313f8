const types: Readonly<Record<string, string>> = {
  txt: "text/plain; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
  html: "text/html; charset=utf-8",
  xml: "application/xml",
  md: "text/markdown; charset=utf-8",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  pdf: "application/pdf",
  zip: "application/zip",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
}

/** Content type from the file extension; unknown types download as bytes. */
export const contentTypeOf = (name: string): string =>
  types[name.slice(name.lastIndexOf(".") + 1).toLowerCase()] ?? "application/octet-stream"

/**
 * Every content type an output file can be served with (without parameters such as charset), for
 * the API's description of its downloads.
 */
export const outputContentTypes: ReadonlyArray<string> = [
  ...new Set([...Object.values(types), "application/octet-stream"].map((t) => t.split(";")[0]!.trim()))
]
