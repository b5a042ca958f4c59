// A request that reaches the service while it closes is answered with the service's own error
// page, as every other error is, not with Fastify's JSON.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../support/store.ts';
import { startSurveyApp, type SurveyApp } from '../support/survey-app.ts';

describe(`a request that arrives while the service closes, on ${backend}`, () => {
  let survey: SurveyApp;
  beforeAll(async () => {
    survey = await startSurveyApp();
  });
  afterAll(() => survey.dispose());

  it('gets the HTML error page with a 503 and Retry-After, and its connection is closed', async () => {
    await survey.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = survey.app.server.address() as { port: number };
    // Closing must wait until the server has read the half request, or it would drop the
    // connection as idle; the server's own socket says when it has.
    const received = new Promise<void>((resolve) => survey.app.server.once('connection', (server) => server.once('data', () => resolve())));
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    socket.on('data', (d) => (raw += d));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // Half a request keeps the connection busy, so that closing waits for it rather than dropping it.
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n');
    await received;
    const closing = survey.app.close();
    while (survey.app.server.listening) await sleep(10);
    socket.write('\r\n');
    await ended;
    await closing;
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head).toMatch(/^content-type: text\/html/im);
    expect(head).toMatch(/^retry-after: \d+/im);
    expect(head).toMatch(/^connection: close/im);
    expect(body).toContain('Sorry, the service is unavailable');
    expect(body).not.toMatch(/answers[^.]* (are|is) saved/i);
  });
});
