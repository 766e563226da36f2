import type { MigrationPlan } from '@omt/contracts';
import { usersPerPlan } from './plan-summary';

const user = (associateId: number, login: string, plan: string | null) => ({
  associateId,
  login,
  plan,
  loginEmail: plan ? `${login}@example.com` : null,
});

describe('usersPerPlan', () => {
  it('groups users by plan, largest first, those without a plan last', () => {
    const plan: MigrationPlan = {
      formatVersion: 1,
      users: [
        user(1, 'au', 'ten-sales'),
        user(2, 'jd', 'sales-t1'),
        user(3, 'zz', null),
        user(4, 'bo', 'ten-sales'),
        user(5, 'ca', 'sales-t1'),
        user(6, 'dd', 'ten-service'),
      ],
      migrator: { name: 'Mia', email: 'mia@partner.example', phone: '1' },
      sendWelcomeEmails: false,
    };
    expect(usersPerPlan(plan).map((g) => [g.plan, g.users.map((u) => u.login)])).toEqual([
      ['sales-t1', ['ca', 'jd']],
      ['ten-sales', ['au', 'bo']],
      ['ten-service', ['dd']],
      [null, ['zz']],
    ]);
  });

  it('is empty for a plan without users', () => {
    expect(
      usersPerPlan({
        formatVersion: 1,
        users: [],
        migrator: { name: '', email: '', phone: '' },
        sendWelcomeEmails: true,
      }),
    ).toEqual([]);
  });
});
