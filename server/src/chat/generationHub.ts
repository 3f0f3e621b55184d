import type { Message } from '../db/generated/client.js';
import { AppError } from '../errors/appError.js';
import { approvalRequest, PendingApprovals, type ApprovalDecision } from '../tools/approvals.js';
import type { ToolCallRecord } from '../tools/toolCallRecord.js';
import type { ChatEvent, ConversationEvent } from './chatEvents.js';
import type { FlowStepRecord } from './flows/flowStep.js';

type Listener = (event: ChatEvent) => void;
type HubListener = (userId: string, event: ChatEvent | ConversationEvent) => void;

/**
 * An answer being written. It keeps the text so far, so a client that joins
 * late (a reconnect, a second tab, an SSE resume) gets one `start` holding
 * everything up to `seq` and then the chunks after it.
 */
export class Generation {
  readonly controller = new AbortController();
  /** Its "ask first" calls waiting for the owner's reply. */
  readonly approvals = new PendingApprovals();
  private text = '';
  private seq = 0;
  private readonly toolCalls = new Map<string, ToolCallRecord>();
  private readonly steps = new Map<number, FlowStepRecord>();
  private start: Extract<ChatEvent, { type: 'start' }> | null = null;
  private final: ChatEvent | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly settled: Promise<void>;
  private settle!: () => void;
  private readonly endListeners: (() => void)[] = [];

  constructor(
    readonly conversationId: string,
    readonly userId: string,
    readonly messageId: string,
    private readonly forward: (event: ChatEvent) => void,
  ) {
    this.settled = new Promise((resolve) => (this.settle = resolve));
  }

  get ended(): boolean {
    return this.final !== null;
  }

  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  /** Resolves when the answer is done, stopped or failed, saved, and accounted for. */
  finished(): Promise<void> {
    return this.settled;
  }

  begin(userMessage: Message | null, message: Message): void {
    this.publish({ type: 'start', conversationId: this.conversationId, userMessage, message, seq: 0 });
  }

  /** A tool call's progress; a late joiner gets the calls so far in the start event's message. */
  tool(call: ToolCallRecord): void {
    this.publish({ type: 'tool', conversationId: this.conversationId, messageId: this.messageId, call });
  }

  /**
   * Asks the owner about one call: the call shown as awaiting approval, an
   * `approval` event, then the wait for the reply, the time limit or the stop.
   */
  async askApproval(record: ToolCallRecord, timeoutMs: number): Promise<{ decision: ApprovalDecision; expiresAt: string }> {
    const expiresAt = new Date(Date.now() + timeoutMs).toISOString();
    const decided = this.approvals.wait(record.id, timeoutMs, this.controller.signal);
    this.tool({ ...record, status: 'awaiting_approval', approval: { decision: 'pending', expiresAt } });
    this.publish({ type: 'approval', conversationId: this.conversationId, messageId: this.messageId, approval: approvalRequest(record, expiresAt) });
    return { decision: await decided, expiresAt };
  }

  /** A flow step's progress; a late joiner gets the steps so far in the start event's message. */
  step(step: FlowStepRecord): void {
    this.publish({ type: 'step', conversationId: this.conversationId, messageId: this.messageId, step });
  }

  stepText(index: number, text: string): void {
    this.publish({ type: 'step_text', conversationId: this.conversationId, messageId: this.messageId, index, text });
  }

  chunk(text: string): void {
    this.publish({ type: 'chunk', conversationId: this.conversationId, messageId: this.messageId, seq: this.seq + 1, text });
  }

  /** Publishes the answer's end; `close` follows once its bookkeeping (quota, usage) is written. */
  end(event: Extract<ChatEvent, { type: 'done' | 'error' }>): void {
    this.publish(event);
    this.listeners.clear();
    for (const listener of this.endListeners.splice(0)) listener();
  }

  /** Runs once the end is published (before bookkeeping), or now if it was. */
  onEnd(listener: () => void): void {
    if (this.final) listener();
    else this.endListeners.push(listener);
  }

  close(): void {
    this.settle();
  }

  /** Mirrors an event another process published for this answer (scale-out): listeners get it as if written here. */
  replay(event: ChatEvent): void {
    if (event.type === 'done' || event.type === 'error') this.end(event);
    else this.publish(event);
  }

  get followed(): boolean {
    return this.listeners.size > 0;
  }

  /**
   * Sends `listener` the state so far (a start event holding the text up to
   * its seq, and the final event if there is one), then every later event.
   */
  subscribe(listener: Listener): () => void {
    if (this.start) {
      const toolCalls = this.toolCalls.size > 0 ? ([...this.toolCalls.values()] as Message['toolCalls']) : this.start.message.toolCalls;
      const steps = this.steps.size > 0 ? ([...this.steps.values()] as Message['steps']) : this.start.message.steps;
      listener({ ...this.start, message: { ...this.start.message, content: this.text, toolCalls, steps }, seq: this.seq });
    }
    if (this.final) {
      listener(this.final);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What a resuming client needs: the text so far and the seq it ends at. */
  snapshot(): { messageId: string; seq: number; text: string; toolCalls: ToolCallRecord[]; steps: FlowStepRecord[] } {
    return { messageId: this.messageId, seq: this.seq, text: this.text, toolCalls: [...this.toolCalls.values()], steps: [...this.steps.values()].map((step) => ({ ...step })) };
  }

  private publish(event: ChatEvent): void {
    if (event.type === 'start') this.start = event;
    if (event.type === 'chunk') {
      this.seq = event.seq;
      this.text += event.text;
    }
    if (event.type === 'tool') this.toolCalls.set(event.call.id, event.call);
    if (event.type === 'step') this.steps.set(event.step.index, { ...event.step });
    if (event.type === 'step_text') {
      const step = this.steps.get(event.index);
      if (step) step.text += event.text;
    }
    if (event.type === 'done' || event.type === 'error') this.final = event;
    for (const listener of this.listeners) listener(event);
    this.forward(event);
  }
}

export interface ConversationClaim {
  /** Turns the claim into the running answer. */
  open(userId: string, messageId: string): Generation;
  /** Gives the conversation back when the answer never started (a refused quota, a failed lookup). */
  release(): void;
}

/**
 * Where answers are shared between processes (Redis, with REDIS_URL:
 * scaleout/redisAnswers.ts). Absent with one process, so that path stays
 * in memory; the hub is the one interface chat code uses either way.
 */
export interface AnswerExchange {
  /** Marks the conversation busy for every process; throws a conflict when another holds it. */
  claim(conversationId: string): Promise<void>;
  opened(generation: Generation): void;
  publish(generation: Generation, event: ChatEvent): void;
  /** The conversation is free again (the answer ended, or never started). */
  released(conversationId: string): void;
  /** The answer being written in a conversation by any process; `pending` while one is being prepared. */
  running(conversationId: string): Promise<{ messageId: string; userId: string } | 'pending' | null>;
  /** The answer as another process wrote it so far; with `follow`, the mirror goes on receiving its events until the end. */
  mirror(conversationId: string, follow: boolean): Promise<Generation | undefined>;
  /** Asks the process writing the answer to stop it. */
  requestStop(conversationId: string): Promise<void>;
  /** Passes the owner's reply to an "ask first" call to the process writing the answer: whether it was waiting; undefined when no process answered. */
  relayApproval(reply: ApprovalReply): Promise<boolean | undefined>;
}

export interface ApprovalReply {
  conversationId: string;
  messageId: string;
  userId: string;
  callId: string;
  allow: boolean;
}

const PENDING = Symbol('pending');

/**
 * The answers being written, one per conversation at most. Transports
 * listen here: socket.io forwards every event to its user's room; an SSE
 * request subscribes to its own generation. With an exchange, answers other
 * processes write are found, followed and stopped from here too.
 */
export class GenerationHub {
  private readonly byConversation = new Map<string, Generation | typeof PENDING>();
  private readonly listeners = new Set<HubListener>();

  constructor(private readonly exchange?: AnswerExchange) {}

  /**
   * Claims a conversation before its answer is prepared, so two sends cannot
   * both pass the check; refused while another answer is being prepared or written.
   */
  async claim(conversationId: string): Promise<ConversationClaim> {
    if (this.byConversation.has(conversationId)) throw busyConflict();
    this.byConversation.set(conversationId, PENDING);
    if (this.exchange) {
      try {
        await this.exchange.claim(conversationId);
      } catch (error) {
        this.byConversation.delete(conversationId);
        throw error;
      }
    }
    let released = false;
    return {
      open: (userId, messageId) => {
        const exchange = this.exchange;
        const generation = new Generation(conversationId, userId, messageId, (event) => {
          this.emit(userId, event);
          exchange?.publish(generation, event);
        });
        this.byConversation.set(conversationId, generation);
        exchange?.opened(generation);
        // The conversation is free as soon as the client has heard the end, so it can ask again at once.
        generation.onEnd(() => {
          if (this.byConversation.get(conversationId) === generation) this.byConversation.delete(conversationId);
          exchange?.released(conversationId);
        });
        return generation;
      },
      release: () => {
        if (released) return;
        released = true;
        if (this.byConversation.get(conversationId) === PENDING) {
          this.byConversation.delete(conversationId);
          this.exchange?.released(conversationId);
        }
      },
    };
  }

  /** The answer being written in this process (tool approvals wait here). */
  active(conversationId: string): Generation | undefined {
    const entry = this.byConversation.get(conversationId);
    return entry === PENDING ? undefined : entry;
  }

  /** The answer being written in a conversation by any process, with its state so far (not followed). */
  async find(conversationId: string): Promise<Generation | undefined> {
    return this.active(conversationId) ?? (await this.exchange?.mirror(conversationId, false));
  }

  /** Which answer is being written in a conversation, by any process (no text: cheaper than `find`). */
  async writing(conversationId: string): Promise<{ messageId: string } | null> {
    const local = this.active(conversationId);
    if (local) return { messageId: local.messageId };
    const running = this.exchange ? await this.exchange.running(conversationId) : null;
    return running && running !== 'pending' ? { messageId: running.messageId } : null;
  }

  /** One answer being written, to follow to its end wherever it is written; undefined when it is not being written. */
  async follow(conversationId: string, messageId: string): Promise<Generation | undefined> {
    const local = this.active(conversationId);
    if (local) return local.messageId === messageId ? local : undefined;
    if (!this.exchange) return undefined;
    const running = await this.exchange.running(conversationId);
    if (!running || running === 'pending' || running.messageId !== messageId) return undefined;
    return this.exchange.mirror(conversationId, true);
  }

  /** Whether an answer is being prepared or written in the conversation, by any process. */
  async busy(conversationId: string): Promise<boolean> {
    if (this.byConversation.has(conversationId)) return true;
    return this.exchange ? (await this.exchange.running(conversationId)) !== null : false;
  }

  /** Stops the answer being written in a conversation and waits until it is saved; false when there is none (or it is not `userId`'s). */
  async stopAndWait(conversationId: string, userId?: string): Promise<boolean> {
    const local = this.active(conversationId);
    if (local) {
      if (userId && local.userId !== userId) return false;
      local.controller.abort();
      await local.finished();
      return true;
    }
    if (!this.exchange) return false;
    const running = await this.exchange.running(conversationId);
    if (!running || running === 'pending' || (userId && running.userId !== userId)) return false;
    await this.exchange.requestStop(conversationId);
    // The writer saves what it has and frees the conversation; wait for that, as a local stop does (bounded).
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const now = await this.exchange.running(conversationId);
      if (!now || now === 'pending' || now.messageId !== running.messageId) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return true;
  }

  /**
   * The owner's reply to an "ask first" call, wherever the answer is written:
   * `not_running` when no answer of theirs with that id is being written,
   * `not_waiting` when that call is not waiting (decided, timed out, stopped).
   */
  async decideApproval(reply: ApprovalReply): Promise<'decided' | 'not_waiting' | 'not_running'> {
    const local = this.decideHere(reply);
    if (local !== undefined) return local ? 'decided' : 'not_waiting';
    if (!this.exchange) return 'not_running';
    const running = await this.exchange.running(reply.conversationId);
    if (!running || running === 'pending' || running.messageId !== reply.messageId || running.userId !== reply.userId) return 'not_running';
    const decided = await this.exchange.relayApproval(reply);
    if (decided === undefined) return 'not_running';
    return decided ? 'decided' : 'not_waiting';
  }

  /** The reply applied to an answer written in this process; undefined when it is not written here. */
  decideHere(reply: ApprovalReply): boolean | undefined {
    const generation = this.active(reply.conversationId);
    if (!generation || generation.messageId !== reply.messageId || generation.userId !== reply.userId) return undefined;
    return generation.approvals.decide(reply.callId, reply.allow);
  }

  /** Stops the answer being written in a conversation in this process; false when there is none. */
  stop(conversationId: string): boolean {
    const generation = this.active(conversationId);
    if (!generation) return false;
    generation.controller.abort();
    return true;
  }

  /** Stops every answer (shutdown) and waits until each is saved. */
  async stopAll(): Promise<void> {
    const running = this.running();
    for (const generation of running) generation.controller.abort();
    await Promise.all(running.map((g) => g.finished()));
  }

  /** Stops every answer being written for one user in this process (their account was deactivated); returns how many. */
  stopForUser(userId: string): number {
    const theirs = this.running().filter((g) => g.userId === userId);
    for (const generation of theirs) generation.controller.abort();
    return theirs.length;
  }

  get size(): number {
    return this.running().length;
  }

  onEvent(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(userId: string, event: ChatEvent | ConversationEvent): void {
    for (const listener of this.listeners) listener(userId, event);
  }

  private running(): Generation[] {
    return [...this.byConversation.values()].filter((g): g is Generation => g !== PENDING);
  }
}

export function busyConflict(): AppError {
  return new AppError('conflict', 'An answer is still being written in this conversation; stop it or wait for it to finish');
}
