import { describe, expect, it } from "vitest"
import { OutputCapture } from "./OutputCapture.ts"

const frame = (type: number, text: string | Buffer): Buffer => {
  const payload = typeof text === "string" ? Buffer.from(text) : text
  const header = Buffer.alloc(8)
  header[0] = type
  header.writeUInt32BE(payload.length, 4)
  return Buffer.concat([header, payload])
}

describe("OutputCapture", () => {
  it("splits stdout and stderr frames, even when chunks cut headers and payloads", () => {
    const capture = new OutputCapture(1024, () => expect.fail("no cap"))
    const bytes = Buffer.concat([frame(1, "out one\n"), frame(2, "err\n"), frame(1, "out two\n")])
    for (let i = 0; i < bytes.length; i += 3) capture.push(bytes.subarray(i, i + 3))
    expect(capture.text("stdout")).toBe("out one\nout two\n")
    expect(capture.text("stderr")).toBe("err\n")
    expect(capture.truncated).toEqual({ stdout: false, stderr: false })
    expect(capture.capHit).toBe(false)
  })

  it("hands each kept piece to onOutput as its frame completes, nothing past the cap", () => {
    const seen: Array<[string, string]> = []
    const capture = new OutputCapture(
      6,
      () => {},
      (stream, bytes) => seen.push([stream, Buffer.from(bytes).toString()])
    )
    capture.push(frame(1, "abc"))
    expect(seen).toEqual([["stdout", "abc"]])
    const split = frame(2, "err")
    capture.push(split.subarray(0, 9))
    expect(seen).toHaveLength(1)
    capture.push(split.subarray(9))
    capture.push(frame(1, "defgh"))
    expect(seen).toEqual([
      ["stdout", "abc"],
      ["stderr", "err"],
      ["stdout", "def"]
    ])
  })

  it("keeps what came before the cap, marks the stream truncated and calls onCap once", () => {
    let calls = 0
    const capture = new OutputCapture(10, () => calls++)
    capture.push(frame(1, "12345"))
    capture.push(frame(1, "6789abcdef"))
    capture.push(frame(1, "more"))
    capture.push(frame(2, "e"))
    expect(capture.text("stdout")).toBe("123456789a")
    expect(capture.text("stderr")).toBe("e")
    expect(capture.truncated).toEqual({ stdout: true, stderr: false })
    expect(calls).toBe(1)
    expect(capture.capHit).toBe(true)
  })

  it("counts each stream against its own cap", () => {
    const capture = new OutputCapture(4, () => undefined)
    capture.push(frame(1, "abcd"))
    capture.push(frame(2, "wxyz"))
    expect(capture.capHit).toBe(false)
    capture.push(frame(2, "!"))
    expect(capture.truncated).toEqual({ stdout: false, stderr: true })
  })

  it("drops a character the cap cut in half instead of showing a replacement character", () => {
    const capture = new OutputCapture(5, () => undefined)
    capture.push(frame(1, "abcd\u00e9")) // é is two bytes: the cap keeps only its first
    expect(capture.text("stdout")).toBe("abcd")
    const whole = new OutputCapture(6, () => undefined)
    whole.push(frame(1, "abcd\u00e9!"))
    expect(whole.text("stdout")).toBe("abcd\u00e9")
  })

  it("keeps invalid bytes the program wrote itself as replacement characters", () => {
    const capture = new OutputCapture(100, () => undefined)
    capture.push(frame(1, Buffer.from([0x61, 0xff, 0x62])))
    expect(capture.text("stdout")).toBe("a\ufffdb")
  })
})
