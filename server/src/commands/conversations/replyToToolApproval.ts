import { AppError } from '../../errors/appError.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';
import { ownConversation } from './conversationAccess.js';

// The user's reply to an "ask first" tool call (issue 16): allowed or denied,
// for that one call. Only the person whose answer it is may reply: anyone
// else finds no such conversation. The answer loop audits the decision.

export interface ToolApprovalReply {
  conversationId: string;
  messageId: string;
  callId: string;
  allow: boolean;
}

export async function replyToToolApproval(s: Services, actor: Actor, reply: ToolApprovalReply): Promise<{ callId: string; decision: 'allowed' | 'denied' }> {
  await ownConversation(s, actor, reply.conversationId);
  // The answer may be written by another API process (scale-out): the hub passes the reply on.
  const outcome = await s.generations.decideApproval({ ...reply, userId: actor.id });
  if (outcome === 'not_running') throw new AppError('conflict', 'This answer is not waiting for an approval (it has ended)');
  if (outcome === 'not_waiting') {
    throw new AppError('conflict', 'This tool call is not waiting for an approval (it was already decided, timed out or stopped)');
  }
  return { callId: reply.callId, decision: reply.allow ? 'allowed' : 'denied' };
}
