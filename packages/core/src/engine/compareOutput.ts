import type { CompareMode, FirstDifference } from "../domain/Judge.ts"

/**
 * Judging a case's output against its expected output. Every mode reports where the output first
 * differs (1-based line and column in the program's output, columns counted in characters), or
 * null when the output is accepted.
 */

/** Line and column (1-based) of a position given as a count of characters into `text`. */
const positionOf = (chars: ReadonlyArray<string>, index: number): FirstDifference => {
  let line = 1
  let column = 1
  for (let i = 0; i < index && i < chars.length; i++) {
    if (chars[i] === "\n") {
      line++
      column = 1
    } else {
      column++
    }
  }
  return { line, column }
}

/** Byte for byte (as text): the first character that differs, or where the shorter text ends. */
const compareExact = (actual: string, expected: string): FirstDifference | null => {
  if (actual === expected) return null
  const a = Array.from(actual)
  const e = Array.from(expected)
  let i = 0
  while (i < a.length && i < e.length && a[i] === e[i]) i++
  return positionOf(a, i)
}

/** Lines without trailing whitespace (a `\r` of CRLF included), without trailing empty lines. */
const normalizedLines = (text: string): Array<string> => {
  const lines = text.split("\n").map((line) => line.replace(/\s+$/u, ""))
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop()
  return lines
}

/** 1-based column of the first character where two lines differ (one past the shorter's end when one is a prefix). */
const firstDifferentColumn = (a: string, b: string): number => {
  const ac = Array.from(a)
  const bc = Array.from(b)
  let i = 0
  while (i < ac.length && i < bc.length && ac[i] === bc[i]) i++
  return i + 1
}

const compareLines = (actual: string, expected: string): FirstDifference | null => {
  const a = normalizedLines(actual)
  const e = normalizedLines(expected)
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    const al = a[i]
    const el = e[i]
    if (al === el) continue
    if (al === undefined) return { line: i + 1, column: 1 }
    return { line: i + 1, column: el === undefined ? 1 : firstDifferentColumn(al, el) }
  }
  return null
}

const numberPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const specialPattern = /^([+-]?)(inf|infinity|nan)$/i

/** A token as a number (as C's printf writes them, `inf` and `nan` included), or undefined. */
const parseNumber = (token: string): number | undefined => {
  if (numberPattern.test(token)) return Number.parseFloat(token)
  const special = specialPattern.exec(token)
  if (special === null) return undefined
  if (special[2]!.toLowerCase() === "nan") return Number.NaN
  return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
}

/** Two numbers are equal within `tolerance` absolutely or relatively to the larger magnitude. */
export const numbersMatch = (a: number, b: number, tolerance: number): boolean => {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b)
  if (a === b) return true
  // An infinity matches only itself (the relative test would accept any pair of infinities).
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false
  const difference = Math.abs(a - b)
  return difference <= tolerance || difference <= tolerance * Math.max(Math.abs(a), Math.abs(b))
}

const tokensMatch = (a: string, e: string, tolerance: number): boolean => {
  if (a === e) return true
  const an = parseNumber(a)
  const en = parseNumber(e)
  return an !== undefined && en !== undefined && numbersMatch(an, en, tolerance)
}

/** Whitespace-separated tokens of a line with their 1-based columns (in characters). */
const tokensOf = (line: string): Array<{ readonly token: string; readonly column: number }> => {
  const tokens: Array<{ token: string; column: number }> = []
  const chars = Array.from(line)
  let i = 0
  while (i < chars.length) {
    while (i < chars.length && /\s/u.test(chars[i]!)) i++
    const start = i
    while (i < chars.length && !/\s/u.test(chars[i]!)) i++
    if (i > start) tokens.push({ token: chars.slice(start, i).join(""), column: start + 1 })
  }
  return tokens
}

const compareFloat = (actual: string, expected: string, tolerance: number): FirstDifference | null => {
  const a = normalizedLines(actual)
  const e = normalizedLines(expected)
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    const al = a[i]
    const el = e[i]
    if (al === undefined) return { line: i + 1, column: 1 }
    if (el === undefined) return { line: i + 1, column: 1 }
    const at = tokensOf(al)
    const et = tokensOf(el)
    for (let t = 0; t < Math.max(at.length, et.length); t++) {
      const atok = at[t]
      const etok = et[t]
      if (atok === undefined) return { line: i + 1, column: Array.from(al).length + 1 }
      if (etok === undefined || !tokensMatch(atok.token, etok.token, tolerance)) return { line: i + 1, column: atok.column }
    }
  }
  return null
}

/** Where `actual` first differs from `expected` under `mode`, or null when it is accepted. */
export const compareOutput = (actual: string, expected: string, mode: CompareMode, tolerance: number): FirstDifference | null => {
  switch (mode) {
    case "exact":
      return compareExact(actual, expected)
    case "lines":
      return compareLines(actual, expected)
    case "float":
      return compareFloat(actual, expected, tolerance)
  }
}
