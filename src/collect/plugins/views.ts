/**
 * Pages: `reply.render(template, context)` renders a Nunjucks template under views/ with the
 * GOV.UK Frontend macros, and the stylesheet and GOV.UK's fonts and images are served under
 * /assets/. Autoescaping is on for every template, so whatever an author or a respondent wrote
 * is escaped wherever it is shown.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import * as sass from 'sass';

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Sends the page `template` (a path under views/, e.g. `respond/page.njk`) as HTML that no
     * browser or proxy may keep. The context always has `serviceName`, `errors` and `errorsByField`.
     */
    render(template: string, context: Record<string, unknown>): FastifyReply;
  }
}

export const VIEWS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'views');
const require = createRequire(import.meta.url);
/** node_modules/govuk-frontend/dist: templates under govuk/, static assets under govuk/assets/. */
const GOVUK_DIST = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');
const NODE_MODULES = dirname(dirname(GOVUK_DIST));

function createViews(): nunjucks.Environment {
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
function compileStylesheet(): string {
  return (stylesheet ??= sass.compile(join(VIEWS_DIR, 'tapestry.scss'), {
    loadPaths: [NODE_MODULES],
    style: 'compressed',
    quietDeps: true,
    silenceDeprecations: ['import'],
  }).css);
}

export const views = fp(
  async function viewsPlugin(fastify: FastifyInstance) {
    const environment = createViews();
    const { serviceName } = fastify.settings;
    // Compiled now, while the service starts, so that no respondent's request waits on it.
    compileStylesheet();

    fastify.decorateReply('render', function render(this: FastifyReply, template: string, context: Record<string, unknown>) {
      // Respondents often share computers: nothing they answered may be kept by a browser or proxy.
      this.header('cache-control', 'no-store').type('text/html; charset=utf-8');
      return this.send(environment.render(template, { serviceName, errors: [], errorsByField: {}, ...context }));
    });

    fastify.get('/assets/tapestry.css', async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(compileStylesheet()),
    );
    await fastify.register(fastifyStatic, { root: join(GOVUK_DIST, 'govuk', 'assets'), prefix: '/assets/', decorateReply: false, index: false });
  },
  { name: 'tapestry-views', fastify: '5.x', dependencies: ['tapestry-settings'] },
);
