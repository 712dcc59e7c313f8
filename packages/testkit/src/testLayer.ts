import { Effect, Layer } from "effect"
import type * as Context from "effect/Context"

/**
 * A layer for a service where only the methods a test needs are written; calling any other one
 * dies with a message naming it, so a test never passes on an accidental default.
 */
export const testLayer = <I, S extends object>(tag: Context.Key<I, S>, implemented: Partial<S>): Layer.Layer<I> =>
  Layer.succeed(
    tag,
    new Proxy(implemented as S, {
      get(target, prop, receiver) {
        if (prop in target) return Reflect.get(target, prop, receiver)
        if (typeof prop === "symbol" || prop === "then") return undefined
        return () => Effect.die(new Error(`${tag.key}.${prop} is not implemented in this test layer`))
      }
    })
  )
