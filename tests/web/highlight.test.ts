import { highlightParts } from '../../web/src/conversations/highlight.js';

describe('search result highlighting', () => {
  it('marks searched words at word starts, whatever the case', () => {
    expect(highlightParts('PDF.js renders PDF files', 'render pdf')).toEqual([
      { text: 'PDF', hit: true },
      { text: '.js ', hit: false },
      { text: 'render', hit: true },
      { text: 's ', hit: false },
      { text: 'PDF', hit: true },
      { text: ' files', hit: false },
    ]);
  });

  it('does not mark inside words, and treats the query as text, not a pattern', () => {
    expect(highlightParts('surrender (a+b)', 'render a+b')).toEqual([
      { text: 'surrender (a+b)', hit: false },
    ]);
    expect(highlightParts('anything', '')).toEqual([{ text: 'anything', hit: false }]);
  });
});
