// `{{name}}` placeholders in a saved prompt: the chat app asks for each before
// it fills the composer. Names are letters, digits, `_`, `-` and `.`; spaces
// inside the braces are allowed (`{{ customer }}`).
const VARIABLE = /\{\{\s*([\p{L}\p{N}_.-]+)\s*\}\}/gu;

/** The distinct variable names of a prompt, in order of first appearance. */
export function promptVariables(text: string): string[] {
  return [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1]!))];
}
