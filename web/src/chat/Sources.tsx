import { downloadAttachment } from '../api/endpoints.js';
import type { FileSource, Source } from '../api/types.js';
import { FileIcon, MemoryIcon } from '../ui/icons.js';

const PREVIEW_CHARS = 140;

function where(s: FileSource): string {
  return [s.page !== null ? `page ${s.page}` : null, s.section].filter(Boolean).join(' · ');
}

/** The element id of a source, so a citation in the answer can open it. */
export const sourceElementId = (messageId: string, index: number) => `source-${messageId}-${index}`;

/** The passages an answer was written from, and the user's own memories it used; each opens to its full text. */
export function Sources({ messageId, conversationId, sources }: { messageId: string; conversationId?: string; sources: Source[] }) {
  if (sources.length === 0) return null;
  return (
    <section className="sources" aria-label="Sources">
      <h3 className="sources__title">Sources</h3>
      <ol className="sources__list">
        {sources.map((s) => {
          const preview = s.text.length > PREVIEW_CHARS ? `${s.text.slice(0, PREVIEW_CHARS).trimEnd()}…` : s.text;
          if (s.kind === 'memory') {
            return (
              <li key={`${s.index}-${s.memoryId}`} className="source source--memory">
                <details id={sourceElementId(messageId, s.index)}>
                  <summary>
                    <MemoryIcon />
                    <span className="source__name">Your memory:</span>
                    <span className="source__preview">{preview}</span>
                  </summary>
                  <blockquote className="source__text">{s.text}</blockquote>
                </details>
              </li>
            );
          }
          return (
            <li key={`${s.index}-${s.fileId}`} className="source">
              <details id={sourceElementId(messageId, s.index)}>
                <summary>
                  <span className="source__index">{s.index}</span>
                  <FileIcon />
                  <span className="source__name">{s.fileName}</span>
                  {s.attachmentId && <span className="source__where">attached</span>}
                  {where(s) && <span className="source__where">{where(s)}</span>}
                  <span className="source__preview">{preview}</span>
                </summary>
                <blockquote className="source__text">{s.text}</blockquote>
                {s.attachmentId && conversationId && (
                  <button type="button" className="button button--ghost source__download" onClick={() => void downloadAttachment(conversationId, s.attachmentId!, s.fileName).catch(() => undefined)}>
                    Download {s.fileName}
                  </button>
                )}
              </details>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
