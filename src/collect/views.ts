/**
 * Server-side rendering with Nunjucks and the GOV.UK Frontend macros. Autoescaping is on for every
 * template, so whatever an author or a respondent wrote is escaped wherever it is shown.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import * as sass from 'sass';

const here = dirname(fileURLToPath(import.meta.url));
export const VIEWS_DIR = join(here, 'views');
const require = createRequire(import.meta.url);
/** node_modules/govuk-frontend/dist: templates under govuk/, static assets under govuk/assets/. */
export const GOVUK_DIST = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');
const NODE_MODULES = dirname(dirname(GOVUK_DIST));

export function createViews(): nunjucks.Environment {
  return new nunjucks.Environment(new nunjucks.FileSystemLoader([VIEWS_DIR, GOVUK_DIST]), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
}

let stylesheet: string | undefined;

/**
 * The stylesheet, compiled on first use and kept for the process's life (a compile takes about a
 * second, and every app built in the process, as tests build many, serves the same bytes).
 */
export function compileStylesheet(): string {
  return (stylesheet ??= sass.compile(join(VIEWS_DIR, 'tapestry.scss'), {
    loadPaths: [NODE_MODULES],
    style: 'compressed',
    quietDeps: true,
    silenceDeprecations: ['import'],
  }).css);
}
