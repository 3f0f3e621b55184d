import { activePath, branchPositions, newestLeaf, type TreeNode } from '../../server/src/chat/conversationTree.js';

// The message tree behind answer versions: which branch is shown when a
// version is chosen at a fork, and where each shown message stands among its
// versions.

// q1 ─ a1 ─ q2 ─ a2          (the first exchange, then a follow-up)
//    ├ a1b                   (a1 regenerated, later than a2)
//    └ a1c ─ q3 ─ a3         (a1 regenerated again and continued)
// q1e ─ a1e                  (q1 edited: a second root)
const at = (minute: number) => new Date(Date.UTC(2026, 11, 20, 12, minute));
const tree: TreeNode[] = [
  { id: 'q1', parentId: null, createdAt: at(0) },
  { id: 'a1', parentId: 'q1', createdAt: at(1) },
  { id: 'q2', parentId: 'a1', createdAt: at(2) },
  { id: 'a2', parentId: 'q2', createdAt: at(3) },
  { id: 'a1b', parentId: 'q1', createdAt: at(4) },
  { id: 'a1c', parentId: 'q1', createdAt: at(5) },
  { id: 'q3', parentId: 'a1c', createdAt: at(6) },
  { id: 'a3', parentId: 'q3', createdAt: at(7) },
  { id: 'q1e', parentId: null, createdAt: at(8) },
  { id: 'a1e', parentId: 'q1e', createdAt: at(9) },
];
const ids = (nodes: readonly TreeNode[]) => nodes.map((n) => n.id);

describe('conversation tree', () => {
  it('shows the branch ending in the newest leaf when nothing was chosen', () => {
    expect(ids(activePath(tree))).toEqual(['q1e', 'a1e']);
    expect(ids(activePath(tree, null))).toEqual(['q1e', 'a1e']);
    expect(activePath([])).toEqual([]);
  });

  it('shows a chosen version with its most recent continuation below it', () => {
    expect(ids(activePath(tree, 'a1'))).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(ids(activePath(tree, 'a1b'))).toEqual(['q1', 'a1b']);
    // The first question's version: its newest continuation is under a1c, not a1 or a1b.
    expect(ids(activePath(tree, 'q1'))).toEqual(['q1', 'a1c', 'q3', 'a3']);
    // A leaf is its own continuation.
    expect(ids(activePath(tree, 'a2'))).toEqual(['q1', 'a1', 'q2', 'a2']);
  });

  it('falls back to the newest leaf when the chosen message is not in the tree', () => {
    expect(ids(activePath(tree, 'gone'))).toEqual(['q1e', 'a1e']);
  });

  it('finds the newest leaf under a message, itself included', () => {
    expect(newestLeaf(tree, 'a1')?.id).toBe('a2');
    expect(newestLeaf(tree, 'a3')?.id).toBe('a3');
    expect(newestLeaf(tree, null)?.id).toBe('a1e');
  });

  it('numbers versions oldest first among the messages that share a parent (roots share "none")', () => {
    const path = activePath(tree, 'a1b');
    const positions = branchPositions(tree, path);
    expect(positions.get('q1')).toEqual({ index: 1, count: 2, previousId: null, nextId: 'q1e' });
    expect(positions.get('a1b')).toEqual({ index: 2, count: 3, previousId: 'a1', nextId: 'a1c' });
    expect(branchPositions(tree, activePath(tree, 'q2')).get('a1')).toEqual({ index: 1, count: 3, previousId: null, nextId: 'a1b' });
    expect(branchPositions(tree, activePath(tree, 'q2')).get('q2')).toEqual({ index: 1, count: 1, previousId: null, nextId: null });
  });

  it('orders versions made in the same millisecond by id, so the numbering is stable', () => {
    const same: TreeNode[] = [
      { id: 'q', parentId: null, createdAt: at(0) },
      { id: 'b', parentId: 'q', createdAt: at(1) },
      { id: 'a', parentId: 'q', createdAt: at(1) },
    ];
    expect(ids(activePath(same))).toEqual(['q', 'b']);
    expect(branchPositions(same, activePath(same, 'a')).get('a')).toMatchObject({ index: 1, count: 2, nextId: 'b' });
  });
});
