// Response shapes of the Atrium API as the chat app reads them. They mirror
// the server's zod presenters (server/src/http/presenters/*); the server's
// OpenAPI document at /api/v1/openapi.json is the full reference.

export type Role = 'admin' | 'manager' | 'user';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  mustChangePassword: boolean;
}

export interface Session {
  accessToken: string;
  expiresIn: number;
  user: User;
}

export interface Assistant {
  id: string;
  name: string;
  description: string;
  avatarUrl: string | null;
  model: { id: string; name: string; displayName: string | null } | null;
  knowledgeOnly: boolean;
  /** Users may attach files and images to conversations with it. */
  attachmentsEnabled?: boolean;
  /** No chat model can answer for it yet: it answers with the best passages of its knowledge. */
  searchMode: boolean;
}

/** GET /api/v1/setup/checklist (admins): the first-run steps, each ticked by what exists. */
export interface SetupChecklist {
  steps: { id: string; title: string; done: boolean; /** The console's hash route for the step. */ link: string; hint?: string }[];
  complete: boolean;
}

export interface Conversation {
  id: string;
  assistantId: string;
  title: string;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  lastMessageAt: string;
  snippet?: string;
  /** chat, or api / mcp for conversations started by other tools (not in the sidebar). */
  source?: string;
}

export interface FileSource {
  kind: 'file';
  index: number;
  fileId: string;
  /** Set when the passage is from one of the conversation's attachments. */
  attachmentId?: string;
  fileName: string;
  page: number | null;
  section: string | null;
  text: string;
  score: number;
}

/** One of the user's own memories the answer used (shown only to them). */
export interface MemorySource {
  kind: 'memory';
  index: number;
  memoryId: string;
  text: string;
  score: number;
}

export type Source = FileSource | MemorySource;

export interface MemorySettings {
  enabled: boolean;
  /** False when an administrator turned memory off for one of the user's groups. */
  allowed: boolean;
  active: boolean;
}

export interface Memory {
  id: string;
  text: string;
  status: 'kept' | 'proposed';
  origin: 'explicit' | 'manual' | 'proposed';
  conversationId: string | null;
  createdAt: string;
  updatedAt: string;
}

export type MessageStatus = 'streaming' | 'complete' | 'stopped' | 'error';

export interface ToolCall {
  id: string;
  tool: string;
  /** The tool's own name on its MCP server (`tool` is the name the model used); absent for built-in tools. */
  displayName?: string;
  /** The MCP server that ran it; null for a built-in tool. */
  server: string | null;
  /** awaiting_approval: an "ask first" call waiting for the user; denied: the user said no or did not answer in time. */
  status: 'awaiting_approval' | 'running' | 'done' | 'failed' | 'denied';
  /** Only for "ask first" calls. */
  approval?: { decision: 'pending' | 'allowed' | 'denied' | 'timed_out' | 'stopped'; expiresAt: string };
  arguments: unknown;
  result: string | null;
  error: string | null;
  durationMs: number | null;
  step: number;
  /** Characters of the answer's text written before the call. */
  offset: number;
}

/** A step of a flow answer as it ran; the last step's text is the answer. */
export interface FlowStepRun {
  index: number;
  label: string;
  model: string | null;
  status: 'pending' | 'running' | 'done' | 'failed' | 'stopped';
  text: string;
  promptTokens: number | null;
  completionTokens: number | null;
}

export interface Message {
  id: string;
  conversationId: string;
  parentId: string | null;
  role: 'system' | 'user' | 'assistant';
  content: string;
  status: MessageStatus;
  model: string | null;
  /** The assistant's own model when it failed before answering and `model`, its fallback, answered. */
  fallbackFrom: string | null;
  usage: { promptTokens: number; completionTokens: number } | null;
  finishReason: string | null;
  latencyMs: number | null;
  sources: Source[];
  error: string | null;
  editHistory: { content: string; editedAt: string }[];
  /** The answer's tool calls in order; `offset` places each in the text. */
  toolCalls?: ToolCall[];
  /** A flow's steps (empty or absent when one model answered). */
  steps?: FlowStepRun[];
  /** Its place among the versions of the same turn, and its neighbours for the ‹ › switch. */
  branch?: { index: number; count: number; previousId: string | null; nextId: string | null };
  /** The signed-in user's own thumbs up or down on an answer. */
  feedback?: Feedback | null;
  createdAt: string;
}

export type FeedbackReason = 'wrong' | 'outdated' | 'not_found_in_documents' | 'unsafe' | 'other';

export interface Feedback {
  rating: 'up' | 'down';
  reasons: FeedbackReason[];
  comment: string | null;
  updatedAt: string;
}

/** A saved prompt: the caller's own, or one published to a group they belong to. */
export interface SavedPrompt {
  id: string;
  title: string;
  text: string;
  variables: string[];
  owner: { id: string; name: string };
  mine: boolean;
  groups: { id: string; name: string }[];
  createdAt: string;
  updatedAt: string;
}

export interface ConversationDetail extends Conversation {
  messages: Message[];
  streaming: { messageId: string } | null;
}

export interface Page<T> {
  data: T[];
  total: number;
  page: number;
  pageSize: number;
}

export type LimitName = 'requestsPerMinute' | 'requestsPerHour' | 'tokensPerDay' | 'tokensPerMonth' | 'costPerDay' | 'costPerMonth';

export interface LimitStanding {
  limit: LimitName;
  period: 'minute' | 'hour' | 'day' | 'month';
  limitValue: number;
  used: number;
  remaining: number;
  usedPct: number;
  resetsAt: string;
  scope?: 'global' | 'group' | 'user' | 'assistant';
  scopeName?: string | null;
}

export interface MyUsage {
  timeZone: string;
  limits: LimitStanding[];
  today: { requests: number; tokens: number; cost: number; resetsAt: string };
  thisMonth: { requests: number; tokens: number; cost: number; resetsAt: string };
}

/** The API's one error shape, also used in socket acks and chat:error. */
export interface ErrorInfo {
  code: string;
  message: string;
  details?: unknown;
}

/** GET /api/v1/public/sign-in: branding and whether sign-up is open (public). */
export interface SignInConfig {
  productName: string;
  accentColor: string;
  logoUrl: string | null;
  registration: { open: boolean };
}

export interface RegisterResult {
  status: 'verification_sent' | 'pending_approval';
}

/** A personal access token as listed (never the token itself). */
export interface PersonalToken {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The answer to creating a token: the only time the token is shown. */
export interface CreatedPersonalToken extends PersonalToken {
  token: string;
}

/** One of the caller's shares of a conversation (a read-only snapshot). */
export interface ConversationShare {
  id: string;
  conversationId: string;
  title: string;
  audience: 'user' | 'group' | 'link';
  user: { id: string; name: string; email: string } | null;
  group: { id: string; name: string } | null;
  /** Opens the snapshot at /s/{token}: for anyone signed in when a link, else only for its recipients. */
  token: string;
  viewers: number;
  createdAt: string;
}

export interface SharedWithMe {
  id: string;
  token: string;
  title: string;
  owner: { id: string; name: string };
  assistant: { id: string; name: string };
  via: 'user' | 'group' | 'link';
  group: { id: string; name: string } | null;
  sharedAt: string;
}

/** A source in a shared conversation: `text` is null when the viewer may not read that knowledge. */
export interface SharedSource {
  index: number;
  fileName: string;
  page: number | null;
  section: string | null;
  text: string | null;
}

export interface SharedConversation {
  id: string;
  title: string;
  owner: { id: string; name: string };
  assistant: { id: string; name: string };
  sharedAt: string;
  messages: { id: string; role: 'system' | 'user' | 'assistant'; content: string; status: MessageStatus; model: string | null; sources: SharedSource[]; createdAt: string }[];
  passagesReadable: boolean;
  can: { continue: boolean; revoke: boolean };
}

/** A file or image attached to a conversation (docs/attachments.md). */
export interface Attachment {
  id: string;
  conversationId: string;
  name: string;
  mimeType: string;
  kind: 'document' | 'image';
  sizeBytes: number;
  state: 'reading' | 'ready' | 'failed';
  status: string;
  progress: number;
  error: string | null;
}
