import { describe, expect, it } from "vitest"
import { isSafeFileName, sanitizeFileName, sanitizeFileNames } from "./names.ts"

describe("upload names", () => {
  it("keeps only a safe base name", () => {
    expect(sanitizeFileName("../../etc/passwd")).toBe("passwd")
    expect(sanitizeFileName("/abs/path/data.csv")).toBe("data.csv")
    expect(sanitizeFileName("C:\\Users\\x\\photo.png")).toBe("photo.png")
    expect(sanitizeFileName("..")).toBe("file")
    expect(sanitizeFileName(".hidden")).toBe("hidden")
    expect(sanitizeFileName("a b;rm -rf $(x).txt")).toBe("a_b_rm_-rf_x_.txt")
    expect(sanitizeFileName("naïve\u0000\n.txt")).toBe("na_ve_.txt")
    expect(sanitizeFileName("")).toBe("file")
    expect(sanitizeFileName(`${"x".repeat(300)}.txt`).length).toBe(100)
  })

  it("makes names distinct in order", () => {
    expect(sanitizeFileNames(["a.txt", "dir/a.txt", "a.txt", "b"])).toEqual(["a.txt", "a_2.txt", "a_3.txt", "b"])
  })

  it("tells safe names from unsafe ones", () => {
    expect(isSafeFileName("out.png")).toBe(true)
    expect(isSafeFileName("../x")).toBe(false)
    expect(isSafeFileName("")).toBe(false)
  })
})
