/**
 * `GET /admin/audit`: the audit log, newest first, filterable by instrument, action, account and
 * date. An account limited to some instruments sees only the entries about those; the entries
 * about the service as a whole (sign-ins, accounts) are for accounts that cover every instrument.
 */
import type { FastifyInstance } from 'fastify';
import { countAudit, listAudit, type AuditFilters } from '../../../store/audit.ts';
import { AUDIT_ACTIONS, type AuditAction } from '../../../store/database.ts';
import { listInstrumentVersions } from '../../../store/instrument-versions.ts';
import { allows } from '../../authorisation.ts';
import { problemViews, type FieldProblem } from './forms.ts';
import { signedIn } from './index.ts';

const PAGE_SIZE = 100;

type AuditQuery = { instrument?: string; action?: string; actor?: string; since?: string; page?: string };

const iso = (at: Date) => at.toISOString().replace('.000Z', 'Z');

/** YYYY-MM-DD as midnight UTC, or undefined when it is not a real day. */
function parseDay(text: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.getUTCDate() === Number(match[3]) ? date : undefined;
}

export async function auditRoutes(fastify: FastifyInstance) {
  fastify.get<{ Querystring: AuditQuery }>('/audit', async (request, reply) => {
    const account = signedIn(request);
    const query = request.query;
    const instruments = [...new Set((await listInstrumentVersions(fastify.store.db)).map((v) => v.instrument_id))].filter((id) => allows(account, 'audit', id)).sort();
    const problems: FieldProblem[] = [];
    const filters: AuditFilters = {};
    if (account.instruments.length > 0) filters.instrumentIds = account.instruments;
    const instrument = query.instrument?.trim() ?? '';
    if (instrument !== '') {
      if (!instruments.includes(instrument)) problems.push({ field: 'instrument', message: `Choose one of the instruments listed (${instrument} is not one you can see)` });
      else filters.instrumentId = instrument;
    }
    const action = query.action?.trim() ?? '';
    if (action !== '') {
      if (!(AUDIT_ACTIONS as readonly string[]).includes(action)) problems.push({ field: 'action', message: 'Choose one of the actions listed' });
      else filters.action = action as AuditAction;
    }
    const actor = query.actor?.trim() ?? '';
    if (actor !== '') filters.actor = actor.toLowerCase().startsWith('command line') ? actor : actor.toLowerCase();
    const sinceText = query.since?.trim() ?? '';
    if (sinceText !== '') {
      const since = parseDay(sinceText);
      if (!since) problems.push({ field: 'since', message: 'Enter the date as year-month-day, for example 2026-09-01' });
      else filters.since = since;
    }
    const pageText = query.page ?? '1';
    const pageNumber = /^[1-9]\d{0,6}$/.test(pageText) ? Number(pageText) : 1;
    const form = { instrument, action, actor, since: sinceText };
    const choices = {
      instrumentItems: [{ value: '', text: 'All instruments' }, ...instruments.map((id) => ({ value: id, text: id }))],
      actionItems: [{ value: '', text: 'All actions' }, ...AUDIT_ACTIONS.map((a) => ({ value: a, text: a }))],
    };
    if (problems.length > 0) return reply.code(400).page('admin/audit.njk', { title: 'Audit log', form, choices, entries: [], total: 0, ...problemViews(problems) });

    const total = await countAudit(fastify.store.db, filters);
    const entries = (await listAudit(fastify.store.db, filters, { limit: PAGE_SIZE, offset: (pageNumber - 1) * PAGE_SIZE })).map((entry) => ({ ...entry, at: iso(entry.at) }));
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const link = (page: number) => `/admin/audit?${new URLSearchParams({ ...form, page: String(page) }).toString()}`;
    return reply.page('admin/audit.njk', {
      title: 'Audit log',
      form,
      choices,
      entries,
      total,
      pagination: pages > 1 ? { previous: pageNumber > 1 ? { href: link(pageNumber - 1) } : undefined, next: pageNumber < pages ? { href: link(pageNumber + 1) } : undefined, items: Array.from({ length: pages }, (_, i) => ({ number: i + 1, href: link(i + 1), current: i + 1 === pageNumber })) } : undefined,
    });
  });
}
