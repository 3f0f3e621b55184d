// `{{name}}` placeholders of a saved prompt (the same rule as the server's
// server/src/prompts/promptVariables.ts): the chat app asks for each value
// before it puts the prompt in the composer.
const VARIABLE = /\{\{\s*([\p{L}\p{N}_.-]+)\s*\}\}/gu;

/** The distinct variable names, in order of first appearance. */
export function promptVariables(text: string): string[] {
  return [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1]!))];
}

/** The prompt with every `{{name}}` replaced by its value; a name without a value stays as written. */
export function fillPrompt(text: string, values: Record<string, string>): string {
  return text.replace(VARIABLE, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}
