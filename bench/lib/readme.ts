/** Marks the README's benchmark section, which `npm run bench` rewrites after a full run. */
export const SECTION_START = '<!-- bench:start -->';
export const SECTION_END = '<!-- bench:end -->';

/** Puts `report` between the README's benchmark markers; fails loudly when they are missing. */
export function replaceSection(readme: string, report: string): string {
  const start = readme.indexOf(SECTION_START);
  const end = readme.indexOf(SECTION_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${SECTION_START} … ${SECTION_END} section`);
  return `${readme.slice(0, start + SECTION_START.length)}\n${report}${readme.slice(end)}`;
}
