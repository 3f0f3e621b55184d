/** @jest-environment jsdom */
import { jest } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react';
import { Markdown } from '../../web/src/chat/Markdown.js';

// Model output is untrusted: Markdown renders, HTML and script never do.

describe('Markdown view', () => {
  it('renders tables, lists and highlighted code with a copy button', () => {
    const { container } = render(<Markdown text={'- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```ts\nconst x: number = 1;\n```'} />);
    expect(container.querySelectorAll('li')).toHaveLength(2);
    expect(screen.getByRole('table')).toBeTruthy();
    expect(container.querySelector('pre code.hljs .hljs-keyword')?.textContent).toBe('const');
    expect(screen.getByRole('button', { name: 'Copy code' })).toBeTruthy();
  });

  it('runs no HTML: no elements, no handlers, no javascript: links', () => {
    const hostile = [
      '<img src=x onerror="alert(1)">',
      '<script>alert(2)</script>',
      '<a href="javascript:alert(3)">raw</a>',
      '[md link](javascript:alert(4))',
      '<iframe src="https://evil.example"></iframe>',
      '![pixel](https://tracker.example/p.png)',
    ].join('\n\n');
    const { container } = render(<Markdown text={hostile} />);
    expect(container.querySelector('img[onerror], script, iframe')).toBeNull();
    for (const a of container.querySelectorAll('a')) expect(a.getAttribute('href') ?? '').not.toMatch(/^javascript:/i);
    expect(container.innerHTML).not.toMatch(/onerror|<script/i);
  });

  it('opens external links safely and turns citation links into buttons', () => {
    const onCite = jest.fn();
    render(<Markdown text={'See [docs](https://example.com) and [2](#source-2).'} onCite={onCite} />);
    const link = screen.getByRole('link', { name: 'docs' });
    expect(link.getAttribute('rel')).toContain('noopener');
    expect(link.getAttribute('target')).toBe('_blank');
    fireEvent.click(screen.getByRole('button', { name: 'Source 2' }));
    expect(onCite).toHaveBeenCalledWith(2);
  });
});
