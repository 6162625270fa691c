import type { z } from 'zod';
import { describeUnsafeCharacter, findUnsafeCharacter } from '../core/unsafe-characters.ts';

/** How one string of a checked object may be written. */
export type TextRule = 'plain' | 'header-value' | 'free';

type Path = readonly PropertyKey[];

/**
 * A zod check refusing control and bidirectional characters in a string (see
 * `core/unsafe-characters.ts`); `allowTab` for header values, which may hold TAB.
 */
export function plainText(options: { readonly allowTab?: boolean } = {}) {
  return (text: string, ctx: z.RefinementCtx): void => {
    const found = findUnsafeCharacter(text, options);
    if (found)
      ctx.addIssue({ code: 'custom', message: `must not contain ${describeUnsafeCharacter(found)}` });
  };
}

/**
 * Walks a parsed object and refuses control and bidirectional characters in every string and
 * every record key, each with its path: a field added later is checked without a word here.
 * `ruleFor` says which strings are free text (a body) or header values; the rest are plain.
 */
export function refuseUnsafeText(
  value: unknown,
  ctx: z.RefinementCtx,
  ruleFor: (path: Path) => TextRule,
  path: Path = [],
): void {
  if (typeof value === 'string') {
    const rule = ruleFor(path);
    if (rule === 'free') return;
    const found = findUnsafeCharacter(value, { allowTab: rule === 'header-value' });
    if (found)
      ctx.addIssue({
        code: 'custom',
        path: [...path],
        message: `must not contain ${describeUnsafeCharacter(found)}`,
      });
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) refuseUnsafeText(item, ctx, ruleFor, [...path, i]);
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findUnsafeCharacter(key);
      // The path stops at the record: the bad name itself would carry the character into `field`.
      if (found)
        ctx.addIssue({
          code: 'custom',
          path: [...path],
          message: `a name must not contain ${describeUnsafeCharacter(found)}`,
        });
      else refuseUnsafeText(item, ctx, ruleFor, [...path, key]);
    }
  }
}
