import { useCallback, useEffect, useRef, useState } from 'react';
import { deleteAttachment, fetchAttachments, uploadAttachments } from '../api/endpoints.js';
import { asApiError } from '../api/errors.js';
import type { Attachment } from '../api/types.js';
import { chatSocket } from './socket.js';

/** A chip in the composer: the client's own "uploading" until the server has the file, then the server's state. */
export interface AttachmentChip {
  key: string;
  name: string;
  state: 'uploading' | Attachment['state'];
  progress: number;
  error: string | null;
  attachment: Attachment | null;
}

let nextKey = 0;

/**
 * Files attached in the composer: uploaded at once into the conversation
 * (created first when the chat has none, by `ensureConversation`), followed
 * live through the socket's attachment:updated, removable until sent.
 */
export function useAttachments(ensureConversation: () => Promise<string>) {
  const [chips, setChips] = useState<AttachmentChip[]>([]);
  const latest = useRef(new Map<string, Attachment>());

  const update = useCallback((attachment: Attachment) => {
    latest.current.set(attachment.id, attachment);
    setChips((all) => all.map((c) => (c.attachment?.id === attachment.id ? fromServer(c.key, attachment) : c)));
  }, []);

  useEffect(() => {
    const socket = chatSocket();
    const onUpdate = (attachment: Attachment) => update(attachment);
    socket.on('attachment:updated', onUpdate);
    return () => void socket.off('attachment:updated', onUpdate);
  }, [update]);

  const add = useCallback(
    async (files: File[]) => {
      if (files.length === 0) return;
      const placeholders = files.map((f): AttachmentChip => ({ key: `a${nextKey++}`, name: f.name || 'pasted image', state: 'uploading', progress: 0, error: null, attachment: null }));
      setChips((all) => [...all, ...placeholders]);
      try {
        const conversationId = await ensureConversation();
        const { attachments, rejected } = await uploadAttachments(conversationId, files);
        // Events may have overtaken the upload's answer: the list says where each one is now.
        const now = new Map((await fetchAttachments(conversationId)).data.map((a) => [a.id, a]));
        setChips((all) =>
          all.map((c) => {
            const i = placeholders.findIndex((p) => p.key === c.key);
            if (i < 0) return c;
            const accepted = attachments.find((a) => a.name === c.name && !all.some((o) => o.attachment?.id === a.id));
            if (accepted) return fromServer(c.key, now.get(accepted.id) ?? latest.current.get(accepted.id) ?? accepted);
            const refused = rejected.find((r) => r.name === c.name);
            return { ...c, state: 'failed', error: refused?.reason ?? 'Not accepted' };
          }),
        );
      } catch (error) {
        const e = asApiError(error);
        const reasons = new Map(((e.details as { rejected?: { name: string; reason: string }[] } | undefined)?.rejected ?? []).map((r) => [r.name, r.reason]));
        setChips((all) => all.map((c) => (placeholders.some((p) => p.key === c.key) ? { ...c, state: 'failed', error: reasons.get(c.name) ?? e.message } : c)));
      }
    },
    [ensureConversation],
  );

  const remove = useCallback(async (chip: AttachmentChip) => {
    setChips((all) => all.filter((c) => c.key !== chip.key));
    if (chip.attachment) await deleteAttachment(chip.attachment.conversationId, chip.attachment.id).catch(() => undefined);
  }, []);

  /** After sending: the attachments stay with the conversation, the chips leave the composer. */
  const clear = useCallback(() => setChips([]), []);

  const busy = chips.some((c) => c.state === 'uploading' || c.state === 'reading');
  return { chips, add, remove, clear, busy };
}

function fromServer(key: string, a: Attachment): AttachmentChip {
  return { key, name: a.name, state: a.state, progress: a.progress, error: a.error, attachment: a };
}
