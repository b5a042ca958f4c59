/** An error page with a status a respondent can act on: the title and message are shown as they are. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly title: string;
  readonly link: { href: string; text: string } | undefined;
  constructor(statusCode: number, title: string, message: string, link?: { href: string; text: string }) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.title = title;
    this.link = link;
  }
}
