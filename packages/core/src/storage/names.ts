/**
 * Upload names come from clients: keep only a safe base name, so nothing can point outside a
 * task's area and every name is a valid bare path in every language's string literal.
 */
export const sanitizeFileName = (raw: string): string => {
  const base = raw.replace(/\\/g, "/").split("/").pop() ?? ""
  const cleaned = base
    .normalize("NFKC")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^[.]+/, "")
    .slice(-100)
  return cleaned === "" || cleaned === "_" ? "file" : cleaned
}

/** Sanitises a list of names and makes them distinct (`a.txt`, `a_2.txt`), keeping their order. */
export const sanitizeFileNames = (raw: ReadonlyArray<string>): ReadonlyArray<string> => {
  const taken = new Set<string>()
  return raw.map((name) => {
    const clean = sanitizeFileName(name)
    let candidate = clean
    for (let n = 2; taken.has(candidate); n++) {
      const dot = clean.lastIndexOf(".")
      candidate = dot > 0 ? `${clean.slice(0, dot)}_${n}${clean.slice(dot)}` : `${clean}_${n}`
    }
    taken.add(candidate)
    return candidate
  })
}

/** True when a stored name is exactly what sanitizeFileName would keep (guards reads by name). */
export const isSafeFileName = (name: string): boolean => name.length > 0 && sanitizeFileName(name) === name
