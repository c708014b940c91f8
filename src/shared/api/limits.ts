/** What one transport message may carry (web mode's WebSocket; see docs/security.md). */
import { MAX_FILE_BYTES } from '../files/format';

/**
 * Largest message web mode carries, bytes of UTF-8. A file of MAX_FILE_BYTES rides inside a
 * JSON string, where each tab, newline, quote and backslash becomes two bytes: a valid
 * .dslab.json of 20 MiB can be at most twice that as a message, plus 1 MiB for the envelope.
 */
export const MAX_MESSAGE_BYTES = 2 * MAX_FILE_BYTES + 1024 * 1024;
