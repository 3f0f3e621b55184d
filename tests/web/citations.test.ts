import { linkCitations, parseCitationHref } from '../../web/src/chat/citations.js';

// [n] in an answer links to its source n, but never inside code or links.

const sources = new Set([1, 2]);

describe('citation links', () => {
  it('links citations that name a source', () => {
    expect(linkCitations('PDF.js renders PDFs [1][2]. See [3].', sources)).toBe('PDF.js renders PDFs [1](#source-1)[2](#source-2). See [3].');
  });

  it('leaves code, existing links and references alone', () => {
    const text = ['Use `arr[1]` here [1].', '```js', 'const x = a[1];', '```', '[1](https://example.com) and ![1](img.png) and [1]: https://x'].join('\n');
    expect(linkCitations(text, sources)).toBe(['Use `arr[1]` here [1](#source-1).', '```js', 'const x = a[1];', '```', '[1](https://example.com) and ![1](img.png) and [1]: https://x'].join('\n'));
  });

  it('does nothing without sources', () => {
    expect(linkCitations('As [1] says.', new Set())).toBe('As [1] says.');
  });

  it('reads the source number back from the link', () => {
    expect(parseCitationHref('#source-12')).toBe(12);
    expect(parseCitationHref('https://example.com/#source-1')).toBeNull();
    expect(parseCitationHref(undefined)).toBeNull();
  });
});
