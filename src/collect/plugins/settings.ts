/**
 * The service's settings and clock, as decorations: `fastify.settings` and `fastify.now()`. Each
 * setting's default is decided here, once, from what the process passed to the app.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** What the process may set; everything but the secret has a default. */
export interface SettingsOptions {
  /** Signs cookies and CSRF secrets; shared by every instance (see `cookieSecret`). */
  secret: string;
  serviceName?: string;
  now?: () => Date;
  /** Look-ups of invitation tokens and resume codes allowed per client per minute. */
  lookupsPerMinute?: number;
  /** Anonymous responses a client may start per minute. */
  startsPerMinute?: number;
  /** Attempts to sign in to the workspace allowed per client per minute. */
  signInsPerMinute?: number;
  /**
   * redis://… — where rate-limit counters live when several instances serve one study, so that a
   * client's limit holds across them. Without it, each instance counts in its own memory.
   */
  redisUrl?: string;
  /** Prefix of the counters' keys in Redis (tests give each app its own). */
  rateLimitPrefix?: string;
  /**
   * Mark every cookie `Secure`. Without it a cookie is `Secure` when its request came over HTTPS,
   * which behind a proxy Fastify learns from a trusted X-Forwarded-Proto.
   */
  secureCookies?: boolean;
  /**
   * Where people reach the service (BASE_URL, e.g. https://survey.example.org): the links it hands
   * out (invitations, set-password links) start with it. Without it, they start with the address
   * the request came to, which behind a proxy is right only when `trustProxy` is.
   */
  baseUrl?: string | undefined;
}

export interface ServiceSettings {
  /** The service's secret: cookies are signed and resume codes derived with it. */
  secret: string;
  serviceName: string;
  lookupsPerMinute: number;
  startsPerMinute: number;
  signInsPerMinute: number;
  redisUrl: string | undefined;
  rateLimitPrefix: string;
  /** As @fastify/cookie takes it: always, or 'auto' for requests that came over HTTPS. */
  secureCookies: true | 'auto';
  /** Without a trailing slash; undefined when not configured. */
  baseUrl: string | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    settings: Readonly<ServiceSettings>;
    /** The service's clock: tests fix it, so that opening and closing times can be tried. */
    now(): Date;
  }
}

export function serviceSettings(options: SettingsOptions): ServiceSettings {
  return {
    secret: options.secret,
    serviceName: options.serviceName ?? 'tapestry surveys',
    lookupsPerMinute: options.lookupsPerMinute ?? 30,
    // Enough for a team filling the survey in together behind one office address.
    startsPerMinute: options.startsPerMinute ?? 20,
    // Enough for a typing mistake or two, far too few for guessing; accounts lock after five anyway.
    signInsPerMinute: options.signInsPerMinute ?? 10,
    redisUrl: options.redisUrl,
    rateLimitPrefix: options.rateLimitPrefix ?? 'tapestry-rate-limit-',
    secureCookies: options.secureCookies ? true : 'auto',
    baseUrl: options.baseUrl?.replace(/\/+$/, ''),
  };
}

/** The start of a link handed out in answer to `request`: BASE_URL if set, else the address it came to. */
export function publicOrigin(request: FastifyRequest): string {
  return request.server.settings.baseUrl ?? `${request.protocol}://${request.host}`;
}

export const settings = fp(
  async function settingsPlugin(fastify: FastifyInstance, options: SettingsOptions) {
    fastify.decorate('settings', Object.freeze(serviceSettings(options)));
    fastify.decorate('now', options.now ?? (() => new Date()));
  },
  { name: 'tapestry-settings', fastify: '5.x' },
);
