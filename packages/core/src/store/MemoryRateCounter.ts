import { Effect, Layer } from "effect"
import { RateCounter } from "../RateCounter.ts"

interface Counted {
  readonly start: number
  readonly end: number
  count: number
}

/** RateCounter in process memory: each process counts alone (the embedded default, and tests). */
export const layer = Layer.sync(RateCounter, () => {
  const counts = new Map<string, Counted>()
  let lastSweep = 0

  // Forget windows that are over, at most once a second, so memory follows the active clients.
  const sweep = (now: number) => {
    if (now - lastSweep < 1000) return
    lastSweep = now
    for (const [key, counted] of counts) if (counted.end <= now) counts.delete(key)
  }

  return RateCounter.of({
    take: (key, window, amount, limit) =>
      Effect.sync(() => {
        sweep(window.start)
        let counted = counts.get(key)
        if (counted === undefined || counted.start !== window.start) {
          counted = { start: window.start, end: window.start + window.lengthMs, count: 0 }
          counts.set(key, counted)
        }
        if (amount > limit || counted.count + amount > limit) return { allowed: false, count: counted.count }
        counted.count += amount
        return { allowed: true, count: counted.count }
      })
  })
})
