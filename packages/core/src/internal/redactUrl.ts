/** A connection URL with its password hidden, for error messages and logs. */
export const redactUrl = (url: string) => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(not a valid URL)"
  }
}

/** The message of the innermost cause (`connect ECONNREFUSED 127.0.0.1:5432`), what an operator can act on. */
export const innermostMessage = (error: unknown): string => {
  let current: unknown = error
  while (current instanceof Error && current.cause instanceof Error) current = current.cause
  return current instanceof Error ? current.message : String(current)
}
