/**
 * A mirror database (SQLite file or PostgreSQL) through the same backends as the server: one
 * table of deals keyed by service and deal key, upserted page by page together with the
 * checkpoint in one transaction — so a resumed or repeated sync never duplicates a deal.
 */
import type { Kysely } from 'kysely';
import { openBackend, type Backend } from '../../store/backend.js';
import { chunks } from '../../store/deals.js';
import { retryWhileLocked } from '../../store/write-lock.js';
import { dealKey, dealTime, type Checkpoint, type SyncService } from '../checkpoint.js';
import type { Sink } from './sink.js';

interface MirrorDealsTable {
  service: string;
  deal_key: string;
  create_time: string;
  status: number;
  body: string;
}

interface SyncStateTable {
  service: string;
  checkpoint: string;
}

export interface MirrorDatabase {
  mirror_deals: MirrorDealsTable;
  sync_state: SyncStateTable;
}

export class DatabaseSink implements Sink {
  private constructor(
    private readonly backend: Backend<MirrorDatabase>,
    private readonly service: SyncService,
  ) {}

  static async open(url: string, service: SyncService): Promise<DatabaseSink> {
    const backend = await openBackend<MirrorDatabase>(url);
    const db = backend.db;
    await db.schema
      .createTable('mirror_deals')
      .ifNotExists()
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('deal_key', 'text', (c) => c.notNull())
      .addColumn('create_time', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('mirror_deals_pk', ['service', 'deal_key'])
      .execute();
    await db.schema.createIndex('mirror_deals_time').ifNotExists().on('mirror_deals').columns(['service', 'create_time']).execute();
    await db.schema
      .createTable('sync_state')
      .ifNotExists()
      .addColumn('service', 'text', (c) => c.primaryKey())
      .addColumn('checkpoint', 'text', (c) => c.notNull())
      .execute();
    return new DatabaseSink(backend, service);
  }

  get location(): string {
    return this.backend.location;
  }

  private get db(): Kysely<MirrorDatabase> {
    return this.backend.db;
  }

  async loadCheckpoint(): Promise<Checkpoint | undefined> {
    const row = await this.db.selectFrom('sync_state').select('checkpoint').where('service', '=', this.service).executeTakeFirst();
    return row ? (JSON.parse(row.checkpoint) as Checkpoint) : undefined;
  }

  /** Upserts make every mode the same here: a page written twice is still one row per deal. */
  async begin(): Promise<void> {}

  async writePage(deals: ReadonlyArray<Record<string, unknown>>, checkpoint: Checkpoint): Promise<void> {
    // On SQLite, while another process holds the write lock, the page is written a moment later.
    await retryWhileLocked(() =>
      this.db.transaction().execute(async (trx) => {
        for (const part of chunks(deals, 500)) {
          const rows = part.map((d) => ({
            service: this.service,
            deal_key: dealKey(this.service, d),
            create_time: dealTime(this.service, d),
            status: Number(d.Status),
            body: JSON.stringify(d),
          }));
          await trx
            .insertInto('mirror_deals')
            .values(rows)
            .onConflict((oc) =>
              oc.columns(['service', 'deal_key']).doUpdateSet((eb) => ({
                create_time: eb.ref('excluded.create_time'),
                status: eb.ref('excluded.status'),
                body: eb.ref('excluded.body'),
              })),
            )
            .execute();
        }
        const text = JSON.stringify(checkpoint);
        await trx
          .insertInto('sync_state')
          .values({ service: this.service, checkpoint: text })
          .onConflict((oc) => oc.column('service').doUpdateSet({ checkpoint: text }))
          .execute();
      }),
    );
  }

  async finish(checkpoint: Checkpoint): Promise<void> {
    await this.writePage([], checkpoint);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('mirror_deals')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('service', '=', this.service)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
