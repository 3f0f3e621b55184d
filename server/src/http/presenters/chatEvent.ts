import type { ChatEvent, ConversationEvent } from '../../chat/chatEvents.js';
import { presentConversation } from './conversation.js';
import { presentMessage } from './message.js';

/** The payload of a chat event as clients see it, for socket.io and SSE alike. */
export function presentChatEvent(event: ChatEvent): Record<string, unknown> {
  switch (event.type) {
    case 'start':
      return {
        conversationId: event.conversationId,
        userMessage: event.userMessage && presentMessage(event.userMessage),
        message: presentMessage(event.message),
        seq: event.seq,
      };
    case 'chunk':
      return { conversationId: event.conversationId, messageId: event.messageId, seq: event.seq, text: event.text };
    case 'tool':
      return { conversationId: event.conversationId, messageId: event.messageId, call: event.call };
    case 'approval':
      return { conversationId: event.conversationId, messageId: event.messageId, approval: event.approval };
    case 'step':
      return { conversationId: event.conversationId, messageId: event.messageId, step: event.step };
    case 'step_text':
      return { conversationId: event.conversationId, messageId: event.messageId, index: event.index, text: event.text };
    case 'done':
      return { conversationId: event.conversationId, message: presentMessage(event.message) };
    case 'error':
      return { conversationId: event.conversationId, messageId: event.messageId, error: event.error, message: event.message && presentMessage(event.message) };
  }
}

export function presentConversationEvent(event: ConversationEvent): Record<string, unknown> {
  return { conversation: presentConversation(event.conversation) };
}
