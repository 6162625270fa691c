import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { ErrorCode } from '../../src/core/errors.ts';
import { ERRORS_REFERENCE, errorAnchor } from '../../src/http/error-docs.ts';
import { ERROR_CODES, statusForCode } from '../../src/http/error-status.ts';
import { page } from './markdown.ts';

const SOURCE = new URL('../../src/core/errors.ts', import.meta.url);

/** One `…ErrorCode` type of errors.ts: its doc comment and its codes, each with its own doc comment. */
interface CodeGroup {
  readonly name: string;
  readonly doc: string;
  readonly codes: readonly { readonly code: ErrorCode; readonly doc: string }[];
  /** Codes of another group this one has too (`NOT_FOUND` of the inspector). */
  readonly shared: readonly ErrorCode[];
  /** Groups whose codes this one has too (fleet has Tesla's). */
  readonly includes: readonly string[];
}

const docText = (comment: string | undefined) =>
  (comment ?? '')
    .split('\n')
    .map((line) => line.replace(/^\s*\*?\s?/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();

/** `SIMULATOR_API` → `SimulatorApi`, the name the group's type has (`SimulatorApiErrorCode`). */
const groupName = (constant: string) =>
  constant
    .toLowerCase()
    .split('_')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/** Reads the code groups from the source, where each code is declared once with its doc comment. */
export function codeGroups(source = readFileSync(SOURCE, 'utf8')): CodeGroup[] {
  const groups: CodeGroup[] = [];
  const placed = new Set<string>();
  for (const block of source.matchAll(
    /(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?export const (\w+)_ERROR_CODES = \[([\s\S]*?)\] as const;/g,
  )) {
    const [, comment, constant, body] = block;
    const codes: { code: ErrorCode; doc: string }[] = [];
    const shared: ErrorCode[] = [];
    const includes: string[] = [];
    for (const member of body!.matchAll(
      /(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?(?:'([A-Z_]+)'|\.\.\.(\w+)_ERROR_CODES)/g,
    )) {
      const [, doc, code, reference] = member;
      if (reference) includes.push(groupName(reference));
      else if (placed.has(code!)) shared.push(code as ErrorCode);
      else {
        placed.add(code!);
        codes.push({ code: code as ErrorCode, doc: docText(doc) });
      }
    }
    groups.push({ name: groupName(constant!), doc: docText(comment), codes, shared, includes });
  }
  const missing = ERROR_CODES.filter((c) => !placed.has(c));
  const unknown = [...placed].filter((c) => !(ERROR_CODES as readonly string[]).includes(c));
  if (missing.length || unknown.length)
    throw new Error(
      `src/core/errors.ts and src/http/error-status.ts disagree: missing ${missing.join(', ') || '-'}, unknown ${unknown.join(', ') || '-'}`,
    );
  return groups;
}

/** The reason phrase of a status; 499 is nginx's, which Node does not name. */
const statusText = (status: number) =>
  STATUS_CODES[status] ?? (status === 499 ? 'Client Closed Request' : 'Unknown');

/** `RouteAuth` → `Route auth`, `SimulatorApi` → `Simulator API`, `DevIdp` → `Dev IdP`. */
function heading(name: string): string {
  const words = name
    .split(/(?=[A-Z])/)
    .map((w, i) => (w === 'Api' ? 'API' : w === 'Idp' ? 'IdP' : i === 0 ? w : w.toLowerCase()));
  return words.join(' ');
}

/** `docs/reference/errors.md`: every error code with its HTTP status, one anchor per code. */
export function errorsPage(): string {
  const sections = codeGroups().map((group) => {
    const entries = group.codes.map(({ code, doc }) => {
      const status = statusForCode(code);
      return [`### ${code}`, `HTTP ${status} ${statusText(status)}.${doc ? ` ${doc}` : ''}`].join('\n\n');
    });
    const groupLink = (name: string) =>
      `[${heading(name)}](#${heading(name).toLowerCase().replaceAll(' ', '-')})`;
    const also = [
      ...(group.includes.length ? [`the codes of ${group.includes.map(groupLink).join(', ')}`] : []),
      ...group.shared.map((c) => `[${c}](#${errorAnchor(c)})`),
    ];
    const alsoText = also.length ? `Also ${also.join(', ')}.` : '';
    return [`## ${heading(group.name)}`, group.doc, alsoText, ...entries].filter(Boolean).join('\n\n');
  });
  return page(
    '# Errors',
    [
      'Every error Gatehouse answers with on purpose carries a stable code. A JSON answer is',
      '`{"error": CODE, "message": …, "field"?: …, "docs": …}`: `message` says what was wrong and what to',
      `do, \`field\` names the input at fault, and \`docs\` links here (\`${ERRORS_REFERENCE}#<code in`,
      'lower case>`). Browsers get the same as a small page. The codes below are grouped by the part of',
      'Gatehouse that raises them.',
    ].join(' '),
    ...sections,
  );
}
