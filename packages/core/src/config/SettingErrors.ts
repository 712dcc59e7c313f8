import { Schema } from "effect"

/** A setting has a value the app cannot use; the message names the setting and says what is wrong. */
export class InvalidSetting extends Schema.TaggedError<InvalidSetting>()(
  "InvalidSetting",
  { setting: Schema.String, message: Schema.String },
  { httpApiStatus: 500 }
) {}

/** The profile needs settings that are not set; each one is named, with what it is for. */
export class MissingSettings extends Schema.TaggedError<MissingSettings>()(
  "MissingSettings",
  { profile: Schema.String, missing: Schema.Array(Schema.String), message: Schema.String },
  { httpApiStatus: 500 }
) {}
