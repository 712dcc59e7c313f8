/**
 * Reads Docker's multiplexed attach stream (Tty off): frames of an 8-byte header — stream type
 * (1 stdout, 2 stderr), three zero bytes, a big-endian payload length — then the payload.
 * Keeps at most `capBytes` of each of stdout and stderr and calls `onCap` once when a program
 * writes past a cap, so the sandbox can kill it; what came before the cap is kept.
 */
export class OutputCapture {
  private pending: Buffer = Buffer.alloc(0)
  private readonly kept = { stdout: [] as Array<Buffer>, stderr: [] as Array<Buffer> }
  private readonly sizes = { stdout: 0, stderr: 0 }
  readonly truncated = { stdout: false, stderr: false }
  private capped = false
  private readonly capBytes: number
  private readonly onCap: () => void
  private readonly onOutput: ((stream: "stdout" | "stderr", bytes: Uint8Array) => void) | undefined

  /** `onOutput` sees each kept piece as it arrives (live output, SandboxStep.onOutput). */
  constructor(capBytes: number, onCap: () => void, onOutput?: (stream: "stdout" | "stderr", bytes: Uint8Array) => void) {
    this.capBytes = capBytes
    this.onCap = onCap
    this.onOutput = onOutput
  }

  /** Feeds raw bytes from the attach stream; frames may be split across chunks anywhere. */
  push(chunk: Uint8Array): void {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk])
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4)
      if (this.pending.length < 8 + size) break
      const type = this.pending[0]
      const payload = this.pending.subarray(8, 8 + size)
      // stdin echo (0) does not happen with Tty off; anything unknown is not the program's output.
      if (type === 1) this.append("stdout", payload)
      else if (type === 2) this.append("stderr", payload)
      this.pending = this.pending.subarray(8 + size)
    }
  }

  private append(stream: "stdout" | "stderr", payload: Buffer): void {
    const room = this.capBytes - this.sizes[stream]
    if (payload.length <= room) {
      this.keep(stream, Buffer.from(payload))
      return
    }
    if (room > 0) this.keep(stream, Buffer.from(payload.subarray(0, room)))
    this.truncated[stream] = true
    if (!this.capped) {
      this.capped = true
      this.onCap()
    }
  }

  private keep(stream: "stdout" | "stderr", bytes: Buffer): void {
    this.kept[stream].push(bytes)
    this.sizes[stream] += bytes.length
    this.onOutput?.(stream, bytes)
  }

  /** True once either stream went past its cap. */
  get capHit(): boolean {
    return this.capped
  }

  /** The exact bytes kept of a stream. */
  bytes(stream: "stdout" | "stderr"): Buffer {
    return Buffer.concat(this.kept[stream])
  }

  text(stream: "stdout" | "stderr"): string {
    return decodeKeepingWholeCharacters(Buffer.concat(this.kept[stream]), this.truncated[stream])
  }
}

/**
 * UTF-8 text of the kept bytes. A cap can cut a character in half; that partial character is
 * dropped rather than shown as a replacement character. Invalid bytes the program wrote itself
 * still decode to U+FFFD.
 */
const decodeKeepingWholeCharacters = (bytes: Buffer, cut: boolean): string => {
  let end = bytes.length
  if (cut) {
    // Step back over continuation bytes (10xxxxxx) to the lead byte of the last character.
    let lead = end - 1
    while (lead >= 0 && lead > end - 4 && (bytes[lead]! & 0xc0) === 0x80) lead--
    if (lead >= 0) {
      const byte = bytes[lead]!
      const length = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
      if (lead + length > end) end = lead
    }
  }
  return bytes.subarray(0, end).toString("utf8")
}
