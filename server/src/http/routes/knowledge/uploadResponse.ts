import type { UploadOutcome } from '../../../commands/knowledge/uploadKnowledgeFiles.js';
import { AppError } from '../../../errors/appError.js';
import type { Services } from '../../../services.js';
import { presentKnowledgeFile } from '../../presenters/knowledgeFile.js';

/** An upload's answer, the same for a base and an assistant's own base: the files taken (new or already there) and those refused; nothing taken is a 400 naming why. */
export async function uploadResponse(s: Pick<Services, 'prisma'>, outcome: UploadOutcome) {
  if (outcome.accepted.length === 0) {
    throw new AppError('validation_failed', outcome.rejected.map((r) => `${r.name}: ${r.reason}`).join('; '), { rejected: outcome.rejected });
  }
  const rows = await s.prisma.knowledgeFile.findMany({ where: { id: { in: outcome.accepted.map((a) => a.fileId) } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const files = outcome.accepted.map((a) => ({ ...presentKnowledgeFile(byId.get(a.fileId)!), duplicate: a.duplicate }));
  return { status: 201 as const, body: { files, rejected: outcome.rejected } };
}
