import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { OmtError, migrationPlanSchema, type MigrationPlan } from '@omt/contracts';
import { DEFAULT_STATE_DIR, safeJson, writePrivateFile } from '../api/enrollment-store';

const draftSchema = z.object({
  /** The onsite database the plan is for (as shown to the migrator, no password). */
  source: z.string(),
  savedAt: z.iso.datetime(),
  plan: migrationPlanSchema,
});
export type WizardDraft = z.infer<typeof draftSchema>;

/**
 * The migrator's unsubmitted work in the wizard (contact, plan board, login
 * emails), kept beside the agent's other state so a restart of the wizard
 * can offer it again. One file per onsite database; mode 0600 in a 0700
 * folder, as it holds people's names and addresses. Writes go one after the
 * other (the last change wins) and replace the file atomically.
 */
export class DraftStore {
  readonly file: string;
  private writes: Promise<void> = Promise.resolve();
  private written = 0;

  private constructor(
    readonly dir: string,
    private readonly source: string,
  ) {
    const key = createHash('sha256').update(source, 'utf8').digest('hex').slice(0, 32);
    this.file = join(dir, `wizard-draft-${key}.json`);
  }

  /** The store for this source, and the draft found in it (null when none, or it is for another source). */
  static async open(
    source: string,
    dir: string = DEFAULT_STATE_DIR,
  ): Promise<{ store: DraftStore; found: WizardDraft | null }> {
    const store = new DraftStore(resolve(dir), source);
    return { store, found: await store.read() };
  }

  async read(): Promise<WizardDraft | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new OmtError('CONFIG_INVALID', `Cannot read the wizard's draft ${this.file}: ${(error as Error).message}`);
    }
    // A damaged draft is not worth stopping the wizard for: it starts over, as if there were none.
    const parsed = draftSchema.safeParse(safeJson(text));
    return parsed.success && parsed.data.source === this.source ? parsed.data : null;
  }

  /** Saves a copy of the plan as it is now. */
  save(plan: MigrationPlan): Promise<void> {
    const draft: WizardDraft = { source: this.source, savedAt: new Date().toISOString(), plan: structuredClone(plan) };
    const text = JSON.stringify(draft, null, 2) + '\n';
    const temporary = `${this.file}.${process.pid}.${++this.written}.tmp`;
    const next = this.writes
      .then(() => writePrivateFile(this.file, text, temporary))
      .catch((error: Error) => {
        throw new OmtError('CONFIG_INVALID', `Cannot save the wizard's draft in ${this.dir}: ${error.message}`);
      });
    // The next write waits for this one whether or not it failed.
    this.writes = next.catch(() => undefined);
    return next;
  }

  async discard(): Promise<void> {
    await this.writes;
    await rm(this.file, { force: true });
  }
}
