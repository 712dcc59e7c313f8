import type { LanguagePlugin } from "@codebox/core"
import { c } from "@codebox/lang-c"
import { javascript } from "@codebox/lang-javascript"
import { php } from "@codebox/lang-php"
import { python } from "@codebox/lang-python"

/** The languages this server offers: add or remove a plugin package here. */
export const plugins: ReadonlyArray<LanguagePlugin> = [python, c, javascript, php]
