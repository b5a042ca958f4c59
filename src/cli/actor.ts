/** Who the audit log says acted, for a command: there is no account at the terminal, so the system user. */
import { commandLineActor, type Actor } from '../store/audit.ts';
import type { Io } from './io.ts';

/** `command line (<system user>)`, with no account and no address. */
export function commandActor(io: Io): Actor {
  return commandLineActor(io.username());
}
