/** The workspace's addresses, built in one place so that every link and redirect agrees. */
const part = encodeURIComponent;

export const instrumentHref = (instrumentId: string) => `/admin/instruments/${part(instrumentId)}`;
export const versionHref = (instrumentId: string, version: string) => `${instrumentHref(instrumentId)}/versions/${part(version)}`;
export const diffHref = (instrumentId: string, from: string, to: string) => `${instrumentHref(instrumentId)}/diff?from=${part(from)}&to=${part(to)}`;
export const newWaveHref = (instrumentId: string) => `${instrumentHref(instrumentId)}/waves/new`;
export const waveHref = (instrumentId: string, wave: string) => `${instrumentHref(instrumentId)}/waves/${part(wave)}`;
export const surveyHref = (instrumentId: string, wave: string) => `/s/${part(instrumentId)}/${part(wave)}`;
