import { adminApiPage, openApiJson } from './admin-api-page.ts';
import { cliPage } from './cli-page.ts';
import { configurationPage } from './configuration-page.ts';
import { errorsPage } from './errors-page.ts';
import { mcpToolsPage } from './mcp-tools-page.ts';
import { routesPage } from './routes-page.ts';

/** Where the reference lives, relative to the repository. */
export const REFERENCE_DIR = 'docs/reference';

/** Every page of the reference by file name, as the source makes it now; the same source, the same text. */
export async function referencePages(): Promise<Record<string, string>> {
  return {
    'admin-api.md': adminApiPage(),
    'cli.md': await cliPage(),
    'configuration.md': configurationPage(),
    'errors.md': errorsPage(),
    'mcp-tools.md': mcpToolsPage(),
    'openapi.json': openApiJson(),
    'routes.md': routesPage(),
  };
}
