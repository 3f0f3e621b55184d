import type { Conversation, Message } from '../db/generated/client.js';
import type { ApprovalRequest } from '../tools/approvals.js';
import type { ToolCallRecord } from '../tools/toolCallRecord.js';
import type { FlowStepRecord } from './flows/flowStep.js';

// One event shape for every way an answer reaches a client (STYLE "one
// streaming contract"): socket.io emits `chat:<type>`, SSE sends
// `event: <type>`, with the same payload once presented
// (http/presenters/chatEvent.ts). Rows travel here; transports present them.

export interface ChatErrorInfo {
  code: string;
  message: string;
  details?: unknown;
}

export type ChatEvent =
  /** The answer began: the question as stored (null when regenerating) and the answer row so far. */
  | { type: 'start'; conversationId: string; userMessage: Message | null; message: Message; seq: number }
  /** `seq` counts chunks from 1, so a client that resumes knows which it already has. */
  | { type: 'chunk'; conversationId: string; messageId: string; seq: number; text: string }
  /** A tool call started or ended: the whole record each time, so the latest replaces what a client has under its id. */
  | { type: 'tool'; conversationId: string; messageId: string; call: ToolCallRecord }
  /** An "ask first" call waits for the answer's owner to allow or deny it (tool:approve, or the tool-approvals endpoint). */
  | { type: 'approval'; conversationId: string; messageId: string; approval: ApprovalRequest }
  /** A flow's step started or ended: the whole record (label, model, status, text so far, usage). */
  | { type: 'step'; conversationId: string; messageId: string; step: FlowStepRecord }
  /** Text of a flow step before the last (the last step's text comes as `chunk`: it is the answer). */
  | { type: 'step_text'; conversationId: string; messageId: string; index: number; text: string }
  /** The answer as stored: complete or stopped, with sources, usage, model and finish reason. */
  | { type: 'done'; conversationId: string; message: Message }
  /** The answer failed; `message` holds what was saved (partial text, status error). */
  | { type: 'error'; conversationId: string; messageId: string | null; error: ChatErrorInfo; message: Message | null };

/** Conversation changes worth pushing (a generated title). */
export interface ConversationEvent {
  type: 'conversation';
  conversation: Conversation;
}
