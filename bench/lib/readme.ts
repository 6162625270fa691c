/** Marks the latest run in docs/performance.md, which `npm run bench` rewrites after a full run. */
export const SECTION_START = '<!-- bench:start -->';
export const SECTION_END = '<!-- bench:end -->';

/** Puts `report` between the page's benchmark markers; fails loudly when they are missing. */
export function replaceSection(readme: string, report: string): string {
  const start = readme.indexOf(SECTION_START);
  const end = readme.indexOf(SECTION_END);
  if (start < 0 || end < start) throw new Error(`the page has no ${SECTION_START} … ${SECTION_END} section`);
  return `${readme.slice(0, start + SECTION_START.length)}\n${report}${readme.slice(end)}`;
}
