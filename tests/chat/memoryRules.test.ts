import { explicitMemory } from '../../server/src/memory/memoryCue.js';
import { parseProposals } from '../../server/src/memory/proposeMemories.js';

// The two rules memory reads text by: which messages keep a note, and what a
// model's proposal reply yields.

describe('memory rules', () => {
  it.each([
    ['Remember that I work in Berlin.', 'I work in Berlin.'],
    ['remember: my manager is Dana', 'my manager is Dana'],
    ['REMEMBER THIS: quarterly reports go to Finance', 'quarterly reports go to Finance'],
    ['Please, remember I prefer short answers', 'I prefer short answers'],
    ['  remember that\n  we ship on Tuesdays  ', 'we ship on Tuesdays'],
    ['Remember my team is Platform', 'my team is Platform'],
  ])('keeps the note of %j', (message, note) => {
    expect(explicitMemory(message)).toBe(note);
  });

  it.each(['Remember to water the plants', 'Remember when we met?', 'Do you remember that I work in Berlin?', 'remember that', 'Remembering things is hard', 'I remember: nothing'])(
    'keeps nothing of %j',
    (message) => {
      expect(explicitMemory(message)).toBeNull();
    },
  );

  it('cuts a long note at a word boundary', () => {
    const note = explicitMemory(`remember: ${'word '.repeat(400)}`)!;
    expect(note.length).toBeLessThanOrEqual(1000);
    expect(note.endsWith('word')).toBe(true);
  });

  it('reads proposals as JSON, in a fence or bare, at most three, without duplicates', () => {
    expect(parseProposals('{"memories": ["Works in Berlin", "Leads Atlas"]}')).toEqual(['Works in Berlin', 'Leads Atlas']);
    expect(parseProposals('```json\n["A", "b", "a", "C", "D"]\n```')).toEqual(['A', 'b', 'C']);
    expect(parseProposals('Sure! {"memories": ["  Likes   tea "]} Hope that helps.')).toEqual(['Likes tea']);
    expect(parseProposals('{"memories": []}')).toEqual([]);
    expect(parseProposals('Nothing worth keeping.')).toEqual([]);
    expect(parseProposals('{"memories": "not a list"}')).toEqual([]);
    expect(parseProposals('{"memories": [1, null, "Kept"]}')).toEqual(['Kept']);
  });
});
