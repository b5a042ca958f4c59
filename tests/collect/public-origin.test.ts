/**
 * The links the service hands out (invitations, set-password links) start with BASE_URL when the
 * service was given one, whatever address the request came to (behind a proxy that is the
 * service's own inner address), and with that address otherwise.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { publicOrigin, settings } from '../../src/collect/plugins/settings.ts';

async function originFor(baseUrl: string | undefined, host: string) {
  const app = Fastify();
  await app.register(settings, { secret: 'x'.repeat(32), baseUrl });
  app.get('/', (request) => publicOrigin(request));
  const answer = await app.inject({ url: '/', headers: { host } });
  await app.close();
  return answer.body;
}

describe('publicOrigin', () => {
  it('starts links with BASE_URL, without its trailing slash, whatever Host the request named', async () => {
    expect(await originFor('https://survey.example.org/', '10.0.0.7:3000')).toBe('https://survey.example.org');
  });

  it('starts links with the address the request came to when there is no BASE_URL', async () => {
    expect(await originFor(undefined, 'survey.example:8080')).toBe('http://survey.example:8080');
  });
});
