import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { PlaceholderError } from "../domain/Errors.ts"
import { quoteJson } from "../LanguagePlugin.ts"
import { type PlaceholderContext, rewritePlaceholders } from "./Placeholders.ts"

const ctx: PlaceholderContext = {
  inputPaths: ["/box/in/a.csv", "/box/in/b.png"],
  outDir: "/box/out",
  quote: quoteJson,
  syntax: { lineComments: ["#", "//"], blockComments: [["/*", "*/"]], strings: ['"""', '"', "'", "`"] }
}
const rewrite = (source: string, c: PlaceholderContext = ctx) => Effect.runSync(rewritePlaceholders(source, c))
const failure = (source: string, c: PlaceholderContext = ctx) => {
  const exit = Effect.runSyncExit(rewritePlaceholders(source, c))
  if (Exit.isSuccess(exit)) throw new Error("expected a PlaceholderError")
  const error = exit.cause.reasons[0]
  if (error?._tag !== "Fail" || !(error.error instanceof PlaceholderError)) throw new Error("not a PlaceholderError")
  return error.error
}

describe("rewritePlaceholders", () => {
  it("quotes placeholders in code and leaves bare paths inside strings and comments", () => {
    expect(rewrite(`open(IN_1)`).source).toBe(`open("/box/in/a.csv")`)
    expect(rewrite(`open("IN_1")`).source).toBe(`open("/box/in/a.csv")`)
    expect(rewrite(`open('IN_2')`).source).toBe(`open('/box/in/b.png')`)
    expect(rewrite(`print("reading IN_1 now")`).source).toBe(`print("reading /box/in/a.csv now")`)
    expect(rewrite(`x = 1 # uses IN_2\ny = IN_1`).source).toBe(`x = 1 # uses /box/in/b.png\ny = "/box/in/a.csv"`)
    expect(rewrite(`/* IN_1 */ f(IN_1)`).source).toBe(`/* /box/in/a.csv */ f("/box/in/a.csv")`)
    expect(rewrite(`s = """\nIN_1\n"""`).source).toBe(`s = """\n/box/in/a.csv\n"""`)
  })

  it("replaces several inputs and repeated placeholders", () => {
    const out = rewrite(`a = IN_1; b = IN_2; c = IN_1; save(OUT_r.txt); save("OUT_r.txt"); save(OUT_img-2.png)`)
    expect(out.source).toBe(
      `a = "/box/in/a.csv"; b = "/box/in/b.png"; c = "/box/in/a.csv"; save("/box/out/r.txt"); save("/box/out/r.txt"); save("/box/out/img-2.png")`
    )
    expect(out.outputs).toEqual(["r.txt", "img-2.png"])
  })

  it("leaves alone tokens that are part of a longer word", () => {
    expect(rewrite(`MY_IN_1 = IN_1x; xOUT_a.txt; $OUT_a.txt; OUTPUT_x`).source).toBe(`MY_IN_1 = IN_1x; xOUT_a.txt; $OUT_a.txt; OUTPUT_x`)
  })

  it("takes every dot-separated extension, up to a method call", () => {
    const out = rewrite(`open(OUT_result.tar.gz, "w"); f(OUT_data.json); g(OUT_a.txt) ; h = OUT_b.txt;`)
    expect(out.source).toBe(`open("/box/out/result.tar.gz", "w"); f("/box/out/data.json"); g("/box/out/a.txt") ; h = "/box/out/b.txt";`)
    expect(out.outputs).toEqual(["result.tar.gz", "data.json", "a.txt", "b.txt"])
    expect(rewrite(`OUT_a.txt.upper(); OUT_x.tar.gz.encode("u").strip()`).source).toBe(
      `"/box/out/a.txt".upper(); "/box/out/x.tar.gz".encode("u").strip()`
    )
    expect(rewrite(`OUT_a.txt.__len__()`).outputs).toEqual(["a.txt"])
    expect(rewrite(`OUT_v1.2.3.tar.gz`).outputs).toEqual(["v1.2.3.tar.gz"])
    // A dot that does not start another run of letters or digits ends the token: prose, or `x.`.
    expect(rewrite(`# writes OUT_a.txt.\nOUT_b.csv..x`).source).toBe(`# writes /box/out/a.txt.\n"/box/out/b.csv"..x`)
  })

  it("refuses an OUT_ word without an extension, in code, strings and comments, with line and column", () => {
    const code = failure(`x = 1\nopen(OUT_noext, "w")`)
    expect([code.placeholder, code.line, code.column]).toEqual(["OUT_noext", 2, 6])
    expect(code.message).toMatch(/OUT_noext needs an extension, e.g. OUT_noext.txt/)
    expect(failure(`OUT_DIR = "/box/out"`).placeholder).toBe("OUT_DIR")
    expect(failure(`s = "see OUT_log"`).column).toBe(10)
    expect(failure(`/* writes OUT_report */`).placeholder).toBe("OUT_report")
    expect(failure(`f(OUT_)`).message).toMatch(/OUT_ needs a name/)
    expect(failure(`OUT_a.open()`).message).toMatch(/needs an extension/)
  })

  it("does not end a string at an escaped quote", () => {
    expect(rewrite(`s = "a\\" IN_1"`).source).toBe(`s = "a\\" /box/in/a.csv"`)
  })

  it("refuses IN_0 with its line and column", () => {
    const e = failure(`x = 1\n  y = IN_0`)
    expect([e.placeholder, e.line, e.column]).toEqual(["IN_0", 2, 7])
    expect(e.message).toContain("line 2, column 7")
  })

  it("refuses an index past the inputs and leading zeros", () => {
    expect(failure(`IN_3`).message).toMatch(/2 input file\(s\), so IN_1..IN_2 are valid/)
    expect(failure(`IN_1`, { ...ctx, inputPaths: [] }).message).toMatch(/no input files/)
    expect(failure(`IN_01`).message).toMatch(/without leading zeros/)
  })

  it("refuses malformed OUT_ names", () => {
    expect(failure(`OUT_.txt`).message).toMatch(/needs a name/)
    expect(failure(`f(OUT_name.)`).message).toMatch(/needs an extension/)
    expect(failure(`OUT_a.b_c`).message).toMatch(/extension may hold only/)
    expect(failure(`OUT_a.tar-gz`).message).toMatch(/extension may hold only/)
    expect(failure(`OUT_a.${"x".repeat(10)}.${"y".repeat(6)}`).message).toMatch(/at most 16/)
    expect(failure(`OUT_${"x".repeat(65)}.txt`).message).toMatch(/longer than 64/)
  })

  it("checks placeholders inside comments and strings too", () => {
    expect(failure(`# IN_9`).line).toBe(1)
  })

  it("counts an escaped newline inside a string as a line, and keeps the string open across it", () => {
    const e = failure(`s = "a\\\nIN_1 OUT_x"`)
    expect([e.placeholder, e.line, e.column]).toEqual(["OUT_x", 2, 6])
    expect(rewrite(`s = "a\\\nIN_1"`).source).toBe(`s = "a\\\n/box/in/a.csv"`)
  })
})
