import { memo, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import rehypeSanitize from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';
import { CopyButton } from '../ui/CopyButton.js';

// Model output and document passages are untrusted. Raw HTML in the Markdown
// is never parsed (no rehype-raw: it shows as text), rehype-sanitize then drops
// anything outside GitHub's safe subset (javascript: links, event handlers),
// and only after that does highlighting add its own class names.

function textOf(node: ReactNode): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (node && typeof node === 'object' && 'props' in node) return textOf((node.props as { children?: ReactNode }).children);
  return '';
}

const components: Components = {
  pre({ children }) {
    const code = textOf(children).replace(/\n$/, '');
    const language = /language-([\w+-]+)/.exec(String((children as { props?: { className?: string } })?.props?.className ?? ''))?.[1];
    return (
      <div className="code-block">
        <div className="code-block__bar">
          <span>{language ?? 'code'}</span>
          <CopyButton text={code} label="Copy code" className="code-block__copy" />
        </div>
        <pre>{children}</pre>
      </div>
    );
  },
  a({ href, children }) {
    return (
      <a href={href} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    );
  },
  table({ children }) {
    return (
      <div className="table-scroll">
        <table>{children}</table>
      </div>
    );
  },
};

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={[rehypeSanitize, [rehypeHighlight, { detect: false }]]} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
