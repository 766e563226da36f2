import type { MigrationPlan } from '@omt/contracts';
import { formatCount } from '../format/format';
import { planLabel } from '../components/labels';
import { usersPerPlan } from './plan-summary';
import { Panel } from '../components/Panel';

export function PlanPanel({ plan }: { plan: MigrationPlan | null }) {
  return (
    <Panel title="Plan" meta={plan && <>{formatCount(plan.users.length)} users</>}>
      {plan === null ? (
        <p className="panel__empty">The agent has not sent a plan.</p>
      ) : (
        <div className="panel__body">
          <h3 className="subhead">Migrator</h3>
          <dl className="contact" aria-label="Migrator contact">
            <dt>Name</dt>
            <dd>{plan.migrator.name}</dd>
            <dt>Email</dt>
            <dd>
              <a href={`mailto:${plan.migrator.email}`}>{plan.migrator.email}</a>
            </dd>
            <dt>Phone</dt>
            <dd>
              <a href={`tel:${plan.migrator.phone.replace(/\s+/g, '')}`}>{plan.migrator.phone}</a>
            </dd>
          </dl>
          <h3 className="subhead">Users per plan</h3>
          <table className="table" aria-label="Users per plan">
            <thead>
              <tr>
                <th scope="col">Plan</th>
                <th scope="col" className="num">
                  Users
                </th>
                <th scope="col">Logins</th>
              </tr>
            </thead>
            <tbody>
              {usersPerPlan(plan).map((group) => (
                <tr key={group.plan ?? '(none)'} data-plan={group.plan ?? ''}>
                  <th scope="row" className={group.plan ? undefined : 'muted'} title={group.plan ?? undefined}>
                    {group.plan ? planLabel(group.plan) : 'no plan (cannot log in)'}
                  </th>
                  <td className="num">{formatCount(group.users.length)}</td>
                  <td className="small">
                    {group.users.map((user) => (
                      <span key={user.associateId} className="login-chip" title={user.loginEmail ?? undefined}>
                        {user.login}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small muted">Welcome emails: {plan.sendWelcomeEmails ? 'sent by CRM Online' : 'not sent'}.</p>
        </div>
      )}
    </Panel>
  );
}
