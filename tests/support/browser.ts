/**
 * A small form-filling client over `fastify.inject`: it keeps cookies, reads forms out of the
 * returned HTML and posts them back, as a browser with JavaScript off would.
 */
import * as cheerio from 'cheerio';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export interface Page {
  status: number;
  url: string;
  html: string;
  $: cheerio.CheerioAPI;
  location?: string;
  /** The cookies this response set, with their attributes. */
  cookies: LightMyRequestResponse['cookies'];
}

export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  private remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now())) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private page(url: string, response: LightMyRequestResponse): Page {
    this.remember(response);
    const location = typeof response.headers.location === 'string' ? response.headers.location : undefined;
    return { status: response.statusCode, url, html: response.body, $: cheerio.load(response.body), cookies: response.cookies, ...(location ? { location } : {}) };
  }

  async get(url: string): Promise<Page> {
    const response = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } });
    return this.page(url, response);
  }

  /** Posts a raw body (already encoded, or bytes) to `url`. */
  async postRaw(url: string, body: string | Buffer, contentType = 'application/x-www-form-urlencoded'): Promise<Page> {
    const response = await this.app.inject({ method: 'POST', url, payload: body, headers: { cookie: this.cookieHeader(), 'content-type': contentType } });
    return this.page(url, response);
  }

  async post(url: string, fields: [string, string][]): Promise<Page> {
    return this.postRaw(url, new URLSearchParams(fields).toString());
  }

  /** Follows redirects from a page until one that is not a redirect. */
  async follow(page: Page): Promise<Page> {
    let current = page;
    for (let i = 0; i < 10 && current.location; i++) current = await this.get(current.location);
    return current;
  }

  /** The fields a form on the page would send as it stands, plus `extra` ones. */
  static formFields(page: Page, selector = 'form'): { action: string; fields: [string, string][] } {
    const form = page.$(selector).first();
    const fields: [string, string][] = [];
    form.find('input[type=hidden]').each((_, el) => {
      fields.push([page.$(el).attr('name')!, page.$(el).attr('value') ?? '']);
    });
    return { action: form.attr('action')!, fields };
  }
}
