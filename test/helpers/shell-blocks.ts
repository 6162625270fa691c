import { markdownParts } from './markdown.ts';

/**
 * The `sh` blocks (or those of another `info`, such as `text`) of one section of a Markdown
 * document, in order: from the heading whose text is `heading` to the next heading of the same or
 * a higher level, subsections included. Throws when there is no such heading.
 */
export function shellBlocks(markdown: string, heading: string, info = 'sh'): string[] {
  let level: number | undefined;
  const blocks: string[] = [];
  for (const part of markdownParts(markdown)) {
    if (part.kind === 'heading') {
      if (level !== undefined && part.level <= level) break;
      if (level === undefined && part.text === heading) level = part.level;
    } else if (level !== undefined && part.kind === 'code' && part.info === info) {
      blocks.push(part.body);
    }
  }
  if (level === undefined) throw new Error(`the document has no section "${heading}"`);
  return blocks;
}
