// Messages form a tree: regenerating an answer adds a sibling answer, and
// editing a question adds a sibling question. The branch shown is stored on
// the conversation as its last message (the active leaf): every new answer
// becomes it, and choosing a version at a fork moves it to the newest leaf
// under that version. Without one (or when it is gone) the newest leaf wins.

export interface TreeNode {
  id: string;
  parentId: string | null;
  createdAt: Date;
}

/**
 * The branch shown, root first: the one through `activeId` (any message; the
 * branch continues to the newest leaf under it), else the one ending in the
 * newest message that has no replies.
 */
export function activePath<T extends TreeNode>(messages: readonly T[], activeId?: string | null): T[] {
  const leaf = newestLeaf(messages, activeId ?? null);
  return leaf ? pathTo(messages, leaf.id) : [];
}

/**
 * The newest message with no replies under `fromId` (itself included), or in
 * the whole tree when `fromId` is null or not in it: "version k and the most
 * recent continuation of it".
 */
export function newestLeaf<T extends TreeNode>(messages: readonly T[], fromId: string | null): T | undefined {
  const children = new Map<string | null, T[]>();
  for (const m of messages) children.set(m.parentId, [...(children.get(m.parentId) ?? []), m]);
  const start = fromId === null ? undefined : messages.find((m) => m.id === fromId);
  // Orphans (parent gone) count as roots, as pathTo treats them.
  const ids = new Set(messages.map((m) => m.id));
  let frontier = start ? [start] : messages.filter((m) => m.parentId === null || !ids.has(m.parentId));
  let leaf: T | undefined;
  const seen = new Set<string>();
  while (frontier.length) {
    const next: T[] = [];
    for (const m of frontier) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      const replies = children.get(m.id) ?? [];
      if (replies.length === 0) {
        if (!leaf || newer(m, leaf)) leaf = m;
      } else next.push(...replies);
    }
    frontier = next;
  }
  return leaf;
}

/** Root first, ending in `id`. */
export function pathTo<T extends TreeNode>(messages: readonly T[], id: string): T[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  const path: T[] = [];
  const seen = new Set<string>();
  for (let m = byId.get(id); m && !seen.has(m.id); m = m.parentId ? byId.get(m.parentId) : undefined) {
    seen.add(m.id);
    path.unshift(m);
  }
  return path;
}

export interface BranchPosition {
  /** 1-based, oldest version first. */
  index: number;
  count: number;
  /** The neighbouring versions, for moving between them (null at the ends). */
  previousId: string | null;
  nextId: string | null;
}

/** For each message on `path`: its place among the versions that share its parent. */
export function branchPositions<T extends TreeNode>(messages: readonly T[], path: readonly T[]): Map<string, BranchPosition> {
  const siblings = new Map<string | null, T[]>();
  for (const m of messages) siblings.set(m.parentId, [...(siblings.get(m.parentId) ?? []), m]);
  return new Map(
    path.map((m) => {
      const versions = (siblings.get(m.parentId) ?? [m]).sort((a, b) => (newer(a, b) ? 1 : -1));
      const at = versions.findIndex((v) => v.id === m.id);
      return [m.id, { index: at + 1, count: versions.length, previousId: versions[at - 1]?.id ?? null, nextId: versions[at + 1]?.id ?? null }];
    }),
  );
}

const newer = (a: TreeNode, b: TreeNode) => a.createdAt.getTime() > b.createdAt.getTime() || (a.createdAt.getTime() === b.createdAt.getTime() && a.id > b.id);
