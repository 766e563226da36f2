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

export interface SessionOptions {
  /** Opens the onsite database; the session closes it after each read. */
  openSource: () => SourceConnector;
  /** The source as shown to the migrator (no password). */
  sourceLabel: string;
  archive: string | null;
  sink: PlanSink;
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

  constructor(private readonly options: SessionOptions) {}

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
    };
  }

  /** Logs on as a CRM administrator and reads the user directory; the plan starts from what is onsite today. */
  async logOn(login: string, password: string): Promise<SessionView> {
    this.assertOpen();
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

  setContact(contact: MigratorContact): SessionView {
    this.requirePlan().migrator = {
      name: contact.name.trim(),
      email: contact.email.trim(),
      phone: contact.phone.trim(),
    };
    return this.view();
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
  updateUser(associateId: number, change: UserChange): SessionView {
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
    return this.view();
  }

  setSendWelcomeEmails(send: boolean): SessionView {
    this.requireEditablePlan().sendWelcomeEmails = send;
    return this.view();
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

  private adoptDirectory(directory: UserDirectory): void {
    const fresh = startingPlan(directory, this.plan?.migrator);
    if (this.plan) {
      const chosen = new Map(this.plan.users.map((u) => [u.associateId, u]));
      fresh.users = fresh.users.map((u) => chosen.get(u.associateId) ?? u);
      fresh.sendWelcomeEmails = this.plan.sendWelcomeEmails;
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
