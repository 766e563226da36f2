import {
  OmtError,
  isPlanResolvable,
  judgeChecksAgainstPlan,
  validatePlan,
  type ArchiveDocument,
  type CheckId,
  type CheckReport,
  type ChecksJudgement,
  type MigrationPlan,
  type MigratorContact,
  type PlanIssue,
  type UserDirectory,
} from '@omt/contracts';
import { scanArchive } from '../archive/archive-scan';
import { readCrmCatalog } from '../catalog/crm-catalog';
import { runChecks } from '../checks/run-checks';
import { logOnAsAdministrator, type AdminSession } from '../logon/admin-logon';
import { startingPlan, summarisePlan, type PlanSummary } from '../plan/starting-plan';
import { readPlanSource } from '../plan/user-directory';
import type { SourceConnector } from '../source/source-connector';
import type { PlanSink } from './plan-sink';
import type { DraftStore, WizardDraft } from './wizard-draft';

export interface SessionOptions {
  /** Opens the onsite database; the session closes it after each read. */
  openSource: () => SourceConnector;
  /** The source as shown to the migrator (no password). */
  sourceLabel: string;
  archive: string | null;
  sink: PlanSink;
  /** Where the wizard keeps the migrator's unsubmitted work, and the draft found there at start. */
  drafts?: { store: DraftStore; found: WizardDraft | null };
}

export interface ChecksView {
  report: CheckReport;
  /** A blocking finding that must be fixed onsite: the wizard stops at the checks. */
  blocking: boolean;
  /** Failed blocking checks the plan steps fix instead (contracts' isPlanResolvable); `judgement` says whether the plan does yet. */
  resolvedInPlan: CheckId[];
  /** Documents that cannot be migrated, with the reason; empty without an archive. */
  missingDocuments: ArchiveDocument[];
  archiveRoot: string | null;
  ranAt: string;
}

/** Everything the wizard shows, from one object: the page renders this and nothing else. */
export interface SessionView {
  source: string;
  administrator: AdminSession | null;
  checks: ChecksView | null;
  directory: UserDirectory | null;
  plan: MigrationPlan | null;
  issues: PlanIssue[];
  /** The failed blocking checks judged against the plan as it is now: the page marks the plan-resolvable ones resolved as the plan changes. */
  judgement: ChecksJudgement | null;
  summary: PlanSummary | null;
  /** Everything is in place to submit: logged on, no finding left (onsite or in the plan), no issues. */
  ready: boolean;
  submitted: { location: string; at: string; nextStep: string } | null;
  /** A draft from an earlier start, offered until the migrator continues with it or starts over. */
  draftOffer: { savedAt: string; migrator: string; usersWithPlan: number } | null;
}

export interface UserChange {
  plan?: string | null;
  loginEmail?: string | null;
}

/**
 * The migration plan flow, in the order the migrator works: log on, contact,
 * checks, user plans and login emails, submit. The local web wizard and the
 * headless flow drive this same object; every change is validated with the
 * contract's validatePlan, so the page shows exactly what the API will say.
 */
export class MigrationSession {
  private administrator: AdminSession | null = null;
  /** Kept for the upload, which logs on again with them; never part of the view. */
  private logon: { login: string; password: string } | null = null;
  private checks: ChecksView | null = null;
  private directory: UserDirectory | null = null;
  private plan: MigrationPlan | null = null;
  private submitted: SessionView['submitted'] = null;
  private readonly submittedListeners: Array<() => void> = [];
  /** The draft found at start, until the migrator decides; then the one to continue with, until the logon. */
  private offeredDraft: WizardDraft | null;
  private continuedDraft: MigrationPlan | null = null;

  constructor(private readonly options: SessionOptions) {
    this.offeredDraft = options.drafts?.found ?? null;
  }

  view(): SessionView {
    const issues = this.plan && this.directory ? validatePlan(this.plan, this.directory) : [];
    const judgement = this.checks && judgeChecksAgainstPlan(this.checks.report, this.plan);
    return {
      source: this.options.sourceLabel,
      administrator: this.administrator,
      checks: this.checks,
      directory: this.directory,
      plan: this.plan,
      issues,
      judgement,
      summary: this.plan && this.directory ? summarisePlan(this.plan, this.directory) : null,
      ready: this.administrator !== null && judgement !== null && !judgement.blocked && issues.length === 0,
      submitted: this.submitted,
      draftOffer: this.offeredDraft && {
        savedAt: this.offeredDraft.savedAt,
        migrator: this.offeredDraft.plan.migrator.name,
        usersWithPlan: this.offeredDraft.plan.users.filter((u) => u.plan !== null).length,
      },
    };
  }

  /**
   * The migrator's answer to the draft offer: continue (its contact, plans and
   * login emails are taken over at the logon, for the users still onsite) or
   * start over (the draft is deleted).
   */
  async answerDraft(continueWithIt: boolean): Promise<SessionView> {
    this.assertOpen();
    const draft = this.offeredDraft;
    if (!draft) throw new OmtError('CONFLICT', 'There is no draft to continue with.');
    this.offeredDraft = null;
    if (continueWithIt) {
      this.continuedDraft = draft.plan;
      if (this.directory) this.adoptDirectory(this.directory);
    } else await this.options.drafts?.store.discard();
    return this.view();
  }

  /** Logs on as a CRM administrator and reads the user directory; the plan starts from what is onsite today. */
  async logOn(login: string, password: string): Promise<SessionView> {
    this.assertOpen();
    // Saving the new work would overwrite the draft before the migrator chose.
    if (this.offeredDraft) throw new OmtError('CONFLICT', 'Choose first: continue with your draft, or start over.');
    const source = this.options.openSource();
    try {
      const catalog = await readCrmCatalog(source);
      this.administrator = logOnAsAdministrator(catalog, login, password);
      this.logon = { login, password };
      const { directory } = await readPlanSource(source, catalog);
      this.adoptDirectory(directory);
    } finally {
      await source.close();
    }
    return this.view();
  }

  async setContact(contact: MigratorContact): Promise<SessionView> {
    this.requirePlan().migrator = {
      name: contact.name.trim(),
      email: contact.email.trim(),
      phone: contact.phone.trim(),
    };
    return this.savedView();
  }

  /**
   * Runs (or re-runs, after the migrator fixed something onsite) every check,
   * and re-reads the directory so the plan step sees the fixes; what the
   * migrator already chose is kept for users who are still there.
   */
  async runChecks(): Promise<SessionView> {
    this.requireLogon();
    this.assertOpen();
    const source = this.options.openSource();
    try {
      const catalog = await readCrmCatalog(source);
      const scan = this.options.archive ? await scanArchive(catalog, this.options.archive) : null;
      const report = runChecks({ catalog, archive: scan });
      const failedBlocks = report.results.filter((r) => !r.passed && r.severity === 'block');
      this.checks = {
        report,
        blocking: failedBlocks.some((r) => !isPlanResolvable(r)),
        resolvedInPlan: failedBlocks.filter(isPlanResolvable).map((r) => r.id),
        missingDocuments: scan ? scan.documents.filter((d) => d.status !== 'ok') : [],
        archiveRoot: scan?.root ?? null,
        ranAt: new Date().toISOString(),
      };
      this.adoptDirectory((await readPlanSource(source, catalog)).directory);
    } finally {
      await source.close();
    }
    return this.view();
  }

  /** Moves a user to a plan (null: cannot log in) and/or sets their login email. */
  async updateUser(associateId: number, change: UserChange): Promise<SessionView> {
    const plan = this.requireEditablePlan();
    const row = plan.users.find((u) => u.associateId === associateId);
    if (!row) throw new OmtError('NOT_FOUND', `There is no user ${associateId} in the plan.`);
    if (change.plan !== undefined) {
      if (change.plan !== null && !this.directory!.plans.some((p) => p.moduleName === change.plan)) {
        throw new OmtError('VALIDATION_FAILED', `'${change.plan}' is not a plan of this licence.`);
      }
      row.plan = change.plan;
      // A user given a plan starts with their first address, so the emails step has something to show.
      if (row.plan !== null && !row.loginEmail)
        row.loginEmail = this.directory!.users.find((u) => u.associateId === associateId)?.emails[0] ?? null;
    }
    if (change.loginEmail !== undefined) row.loginEmail = change.loginEmail === null ? null : change.loginEmail.trim();
    return this.savedView();
  }

  async setSendWelcomeEmails(send: boolean): Promise<SessionView> {
    this.requireEditablePlan().sendWelcomeEmails = send;
    return this.savedView();
  }

  /** The headless flow: a whole plan from a file, then submit. */
  replacePlan(plan: MigrationPlan): SessionView {
    this.requireEditablePlan();
    this.plan = structuredClone(plan);
    return this.view();
  }

  async submit(): Promise<SessionView> {
    const plan = this.requireEditablePlan();
    const view = this.view();
    if (view.issues.length > 0) {
      throw new OmtError(
        'PLAN_INVALID',
        `The plan cannot be submitted yet: ${view.issues.length} ${view.issues.length === 1 ? 'problem' : 'problems'}.`,
        view.issues.map((i) => ({ path: i.path, message: i.message })),
      );
    }
    const { location, nextStep } = await this.options.sink.submit({
      plan: structuredClone(plan),
      directory: structuredClone(this.directory!),
    });
    this.submitted = { location, at: new Date().toISOString(), nextStep };
    // The plan is where it belongs now; a later start begins afresh.
    await this.options.drafts?.store.discard();
    for (const listener of this.submittedListeners.splice(0)) listener();
    return this.view();
  }

  /** The administrator's logon, for the upload (it logs on to the onsite database again). */
  adminLogon(): { login: string; password: string } {
    this.requireLogon();
    return { ...this.logon! };
  }

  /** Resolves once the plan has been submitted. */
  whenSubmitted(): Promise<void> {
    return this.submitted ? Promise.resolve() : new Promise((resolve) => this.submittedListeners.push(resolve));
  }

  /** The view, once the plan as it is now is saved as the draft. */
  private async savedView(): Promise<SessionView> {
    if (this.plan) await this.options.drafts?.store.save(this.plan);
    return this.view();
  }

  private adoptDirectory(directory: UserDirectory): void {
    const base = this.plan ?? this.continuedDraft;
    this.continuedDraft = null;
    const fresh = startingPlan(directory, base?.migrator);
    if (base) {
      // A choice is kept for the same user (id and login) and a plan the licence still has.
      const plans = new Set(directory.plans.map((p) => p.moduleName));
      const chosen = new Map(
        base.users.filter((u) => u.plan === null || plans.has(u.plan)).map((u) => [u.associateId, u]),
      );
      fresh.users = fresh.users.map((u) => {
        const kept = chosen.get(u.associateId);
        return kept?.login === u.login ? kept : u;
      });
      fresh.sendWelcomeEmails = base.sendWelcomeEmails;
    }
    this.directory = directory;
    this.plan = fresh;
  }

  private requireLogon(): AdminSession {
    if (!this.administrator)
      throw new OmtError('UNAUTHENTICATED', 'Log on to the onsite database as a CRM administrator first.');
    return this.administrator;
  }

  private requirePlan(): MigrationPlan {
    this.requireLogon();
    this.assertOpen();
    return this.plan!;
  }

  private requireEditablePlan(): MigrationPlan {
    const plan = this.requirePlan();
    if (!this.checks) throw new OmtError('CONFLICT', 'Run the checks before choosing user plans.');
    if (this.checks.blocking) {
      throw new OmtError(
        'CHECKS_BLOCKING',
        'Blocking check findings must be fixed onsite first; then run the checks again.',
      );
    }
    return plan;
  }

  private assertOpen(): void {
    if (this.submitted) throw new OmtError('CONFLICT', `The plan was already submitted (${this.submitted.location}).`);
  }
}
