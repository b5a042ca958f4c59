/** The workspace's addresses, built in one place so that every link and redirect agrees. */
const part = encodeURIComponent;

export const instrumentHref = (instrumentId: string) => `/admin/instruments/${part(instrumentId)}`;
export const versionHref = (instrumentId: string, version: string) => `${instrumentHref(instrumentId)}/versions/${part(version)}`;
export const diffHref = (instrumentId: string, from: string, to: string) => `${instrumentHref(instrumentId)}/diff?from=${part(from)}&to=${part(to)}`;
export const newWaveHref = (instrumentId: string) => `${instrumentHref(instrumentId)}/waves/new`;
export const waveHref = (instrumentId: string, wave: string) => `${instrumentHref(instrumentId)}/waves/${part(wave)}`;
export const surveyHref = (instrumentId: string, wave: string) => `/s/${part(instrumentId)}/${part(wave)}`;

/** A file name for a download: the parts, each with letters, digits, dots, dashes and underscores only, joined by dashes. */
export const downloadName = (extension: string, ...parts: string[]) => `${parts.map((p) => p.replace(/[^A-Za-z0-9._-]+/g, '_')).join('-')}.${extension}`;
