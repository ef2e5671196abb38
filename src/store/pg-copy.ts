/**
 * `COPY … FROM STDIN` for node-postgres, which has no COPY of its own: the "submittable" query
 * protocol that pg-copy-streams uses, in its smallest form (the whole payload in one CopyData
 * message). Used by the bulk loader, several times faster than INSERTs on PostgreSQL.
 */
import type pg from 'pg';

interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** Runs `sql` (a `COPY … FROM STDIN` statement) on `client`, sending `payload` (COPY text format). */
export function copyFrom(client: pg.ClientBase, sql: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const query = {
      submit(connection: CopyConnection) {
        connection.query(sql);
      },
      handleCopyInResponse(connection: CopyConnection) {
        if (payload.length > 0) connection.sendCopyFromChunk(Buffer.from(payload, 'utf8'));
        connection.endCopyFrom();
      },
      // The client drops the active query on an error, so the error ends it (no ReadyForQuery call follows).
      handleError(err: Error) {
        failed = true;
        reject(err);
      },
      handleReadyForQuery() {
        if (!failed) resolve();
      },
      handleCommandComplete() {},
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyData() {},
    };
    (client as unknown as { query(q: unknown): void }).query(query);
  });
}

const SPECIAL = /[\\\n\r\t]/;

/** One value in COPY text format: `\N` for null, backslash escapes for `\`, newline, carriage return and tab. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  const s = String(v);
  if (!SPECIAL.test(s)) return s;
  return s.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}
