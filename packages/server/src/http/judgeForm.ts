import { CompareMode, InvalidTask, type TaskRequest } from "@codebox/core"
import { Effect, Schema } from "effect"
import { WireTestCases } from "../api/wire.ts"

/** The judge fields of a multipart form: `tests` is a JSON array, the others plain text. */
export interface JudgeFormFields {
  readonly tests?: string | undefined
  readonly compare?: string | undefined
  readonly float_tolerance?: string | undefined
  readonly stop_on_first_failure?: string | undefined
}

type JudgeRequest = Pick<TaskRequest, "tests" | "compare" | "float_tolerance" | "stop_on_first_failure">

const decodeTests = Schema.decodeUnknownEffect(Schema.fromJsonString(WireTestCases))
const decodeCompare = Schema.decodeUnknownEffect(CompareMode)
const decodeTolerance = Schema.decodeUnknownEffect(Schema.FiniteFromString.check(Schema.isGreaterThanOrEqualTo(0)))
const decodeFlag = Schema.decodeUnknownEffect(Schema.Literals(["true", "false"]))

const given = (value: string | undefined): value is string => value !== undefined && value.trim() !== ""

const invalid = (field: string) => (e: Schema.SchemaError) => new InvalidTask({ field, message: `${field}: ${e.message}` })

/** The judge part of a form as the engine's request, each bad field a 400 naming it. */
export const readJudgeForm = (form: JudgeFormFields): Effect.Effect<JudgeRequest, InvalidTask> =>
  Effect.gen(function* () {
    const request: { -readonly [K in keyof JudgeRequest]: JudgeRequest[K] } = {}
    if (given(form.tests))
      request.tests = yield* decodeTests(form.tests, { onExcessProperty: "error" }).pipe(Effect.mapError(invalid("tests")))
    if (given(form.compare)) request.compare = yield* decodeCompare(form.compare.trim()).pipe(Effect.mapError(invalid("compare")))
    if (given(form.float_tolerance)) {
      request.float_tolerance = yield* decodeTolerance(form.float_tolerance.trim()).pipe(Effect.mapError(invalid("float_tolerance")))
    }
    if (given(form.stop_on_first_failure)) {
      const flag = yield* decodeFlag(form.stop_on_first_failure.trim().toLowerCase()).pipe(
        Effect.mapError(invalid("stop_on_first_failure"))
      )
      request.stop_on_first_failure = flag === "true"
    }
    return request
  })
