// archiver 8 ships no type declarations; this is the part of its API the server uses.
declare module "archiver" {
  import { type Readable, Transform } from "node:stream"

  export interface ArchiverOptions {
    readonly zlib?: { readonly level?: number }
    readonly store?: boolean
  }

  export interface EntryData {
    readonly name: string
    readonly date?: Date
    readonly mode?: number
  }

  export class ZipArchive extends Transform {
    constructor(options?: ArchiverOptions)
    append(source: Buffer | Readable | string, data: EntryData): this
    finalize(): Promise<void>
    abort(): this
    pointer(): number
  }
}
