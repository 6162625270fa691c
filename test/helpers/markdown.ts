/** One part of a Markdown document: a heading, a fenced code block, or a line of prose. */
export type MarkdownPart =
  | { readonly kind: 'heading'; readonly level: number; readonly text: string }
  | { readonly kind: 'code'; readonly info: string; readonly body: string }
  | { readonly kind: 'prose'; readonly text: string };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/;
const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;

/**
 * Splits Markdown into headings, fenced code blocks and prose lines, so that a `# comment` in a
 * shell block is never taken for a heading, nor a link shown as code for a link.
 */
export function markdownParts(markdown: string): MarkdownPart[] {
  const parts: MarkdownPart[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const body: string[] = [];
      // The block ends at a fence of the same character at least as long, or at the end.
      const closes = (l: string) => l.trim().startsWith(marker) && l.trim().replace(/[`~]/g, '') === '';
      for (i++; i < lines.length && !closes(lines[i]!); i++) body.push(lines[i]!);
      parts.push({ kind: 'code', info: fence[2]!, body: body.length > 0 ? `${body.join('\n')}\n` : '' });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) parts.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]! });
    else parts.push({ kind: 'prose', text: line });
  }
  return parts;
}

/** A heading's text as GitHub renders it: code, emphasis and link syntax gone. */
export function renderedHeading(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`/g, '')
    .replace(/\*/g, '');
}

/** GitHub's anchor for a heading's rendered text: lower case, punctuation gone, spaces to hyphens. */
export function slug(rendered: string): string {
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a document's headings make, in order; a repeated one gets `-1`, `-2`… as on GitHub. */
export function anchors(markdown: string): string[] {
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (const part of markdownParts(markdown)) {
    if (part.kind !== 'heading') continue;
    const base = slug(renderedHeading(part.text));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.push(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

/** The link targets of a document's prose (inline links, images, reference definitions, HTML href/src). */
export function linkTargets(markdown: string): string[] {
  // Code blocks become blank lines and code spans filler, so only real links are left to find.
  const prose = markdownParts(markdown)
    .map((part) => (part.kind === 'code' ? '' : part.text))
    .join('\n')
    .replace(/`[^`\n]*`/g, (span) => 'x'.repeat(span.length));
  const targets: string[] = [];
  for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]!);
  for (const m of prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(m[1]!);
  for (const m of prose.matchAll(/\b(?:href|src)="([^"]+)"/g)) targets.push(m[1]!);
  return targets;
}
