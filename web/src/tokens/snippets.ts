// Ready-to-copy ways to use a personal access token from other tools.

export function openAiSnippet(origin: string, token: string, assistantId: string): string {
  return `import OpenAI from 'openai';

const client = new OpenAI({
  apiKey: '${token}',
  baseURL: '${origin}/api/openai/v1',
});

const answer = await client.chat.completions.create({
  model: '${assistantId}', // an assistant's id: GET /api/openai/v1/models lists yours
  messages: [{ role: 'user', content: 'What is our holiday policy?' }],
});
console.log(answer.choices[0].message.content);`;
}

export function mcpSnippet(origin: string, token: string): string {
  return JSON.stringify({ mcpServers: { atrium: { type: 'http', url: `${origin}/api/mcp`, headers: { Authorization: `Bearer ${token}` } } } }, null, 2);
}
