import { describe, expect, it } from "vitest"
import { compareOutput, numbersMatch } from "./compareOutput.ts"

describe("compareOutput", () => {
  describe("lines (the default)", () => {
    it("ignores trailing whitespace on each line, CRLF and trailing empty lines", () => {
      expect(compareOutput("1 2  \r\n3\t\n\n\n", "1 2\n3", "lines", 0)).toBeNull()
      expect(compareOutput("", "\n\n", "lines", 0)).toBeNull()
    })

    it("does not ignore leading whitespace or whitespace inside a line", () => {
      expect(compareOutput(" 1\n", "1\n", "lines", 0)).toEqual({ line: 1, column: 1 })
      expect(compareOutput("1  2\n", "1 2\n", "lines", 0)).toEqual({ line: 1, column: 3 })
    })

    it("reports the first differing line and column", () => {
      expect(compareOutput("abc\nabd\nzzz\n", "abc\nabc\nzzz\n", "lines", 0)).toEqual({ line: 2, column: 3 })
    })

    it("reports a missing line, an extra line, and a line that is a prefix of the expected one", () => {
      expect(compareOutput("a\n", "a\nb\n", "lines", 0)).toEqual({ line: 2, column: 1 })
      expect(compareOutput("a\nb\n", "a\n", "lines", 0)).toEqual({ line: 2, column: 1 })
      expect(compareOutput("ab\n", "abc\n", "lines", 0)).toEqual({ line: 1, column: 3 })
    })

    it("counts columns in characters, not bytes or UTF-16 units", () => {
      expect(compareOutput("é😀x\n", "é😀y\n", "lines", 0)).toEqual({ line: 1, column: 3 })
    })
  })

  describe("exact", () => {
    it("accepts only the same text", () => {
      expect(compareOutput("1\n2\n", "1\n2\n", "exact", 0)).toBeNull()
      expect(compareOutput("1\n2", "1\n2\n", "exact", 0)).toEqual({ line: 2, column: 2 })
      expect(compareOutput("1 \n", "1\n", "exact", 0)).toEqual({ line: 1, column: 2 })
      expect(compareOutput("1\r\n", "1\n", "exact", 0)).toEqual({ line: 1, column: 2 })
    })

    it("reports the position in the program's output", () => {
      expect(compareOutput("ab\ncd\nef", "ab\ncd\neg", "exact", 0)).toEqual({ line: 3, column: 2 })
    })
  })

  describe("float", () => {
    it("accepts numbers within the absolute or relative tolerance", () => {
      expect(compareOutput("3.1415927\n", "3.14159265\n", "float", 1e-6)).toBeNull()
      expect(compareOutput("1000000.5\n", "1000000\n", "float", 1e-6)).toBeNull()
      expect(compareOutput("1e-9 2E3\n", "0 2000.0000001\n", "float", 1e-6)).toBeNull()
    })

    it("refuses numbers outside the tolerance and names the token's column", () => {
      expect(compareOutput("1 2.001 3\n", "1 2 3\n", "float", 1e-6)).toEqual({ line: 1, column: 3 })
      expect(compareOutput("1 2.001 3\n", "1 2 3\n", "float", 1e-2)).toBeNull()
    })

    it("compares other tokens exactly and ignores the amount of whitespace between tokens", () => {
      expect(compareOutput("x =  1.0000001\n", "x = 1\n", "float", 1e-6)).toBeNull()
      expect(compareOutput("X = 1\n", "x = 1\n", "float", 1e-6)).toEqual({ line: 1, column: 1 })
      expect(compareOutput("1.0abc\n", "1.0\n", "float", 1)).toEqual({ line: 1, column: 1 })
    })

    it("reports a missing token at the end of the line and a missing line", () => {
      expect(compareOutput("1 2\n", "1 2 3\n", "float", 1e-6)).toEqual({ line: 1, column: 4 })
      expect(compareOutput("1\n", "1\n2\n", "float", 1e-6)).toEqual({ line: 2, column: 1 })
    })

    it("treats NaN as equal only to NaN, and infinities exactly", () => {
      expect(numbersMatch(Number.NaN, Number.NaN, 1e-6)).toBe(true)
      expect(numbersMatch(Number.NaN, 1, 1e-6)).toBe(false)
      expect(numbersMatch(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 1e-6)).toBe(true)
      expect(numbersMatch(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-6)).toBe(false)
    })
  })
})

describe("compareOutput, float specials", () => {
  it("reads inf and nan as printf writes them", () => {
    expect(compareOutput("inf -inf nan\n", "inf -inf nan\n", "float", 1e-6)).toBeNull()
    expect(compareOutput("inf\n", "nan\n", "float", 1e-6)).toEqual({ line: 1, column: 1 })
    expect(compareOutput("-inf\n", "inf\n", "float", 1e-6)).toEqual({ line: 1, column: 1 })
  })
})
