// Messages form a tree: regenerating an answer adds a sibling answer, and
// editing a question adds a sibling question. The branch shown is the one
// ending in the newest leaf, so the latest regenerate or edit wins without a
// "current branch" pointer to keep in step.

export interface TreeNode {
  id: string;
  parentId: string | null;
  createdAt: Date;
}

/** The branch ending in the newest message that has no replies, root first. */
export function activePath<T extends TreeNode>(messages: readonly T[]): T[] {
  const parents = new Set(messages.map((m) => m.parentId).filter((id): id is string => id !== null));
  let leaf: T | undefined;
  for (const m of messages) if (!parents.has(m.id) && (!leaf || newer(m, leaf))) leaf = m;
  return leaf ? pathTo(messages, leaf.id) : [];
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

/** For each message on `path`: its place among the versions that share its parent (1-based). */
export function branchPositions<T extends TreeNode>(messages: readonly T[], path: readonly T[]): Map<string, { index: number; count: number }> {
  const siblings = new Map<string | null, T[]>();
  for (const m of messages) siblings.set(m.parentId, [...(siblings.get(m.parentId) ?? []), m]);
  return new Map(
    path.map((m) => {
      const versions = (siblings.get(m.parentId) ?? [m]).sort((a, b) => (newer(a, b) ? 1 : -1));
      return [m.id, { index: versions.findIndex((v) => v.id === m.id) + 1, count: versions.length }];
    }),
  );
}

const newer = (a: TreeNode, b: TreeNode) => a.createdAt.getTime() > b.createdAt.getTime() || (a.createdAt.getTime() === b.createdAt.getTime() && a.id > b.id);
