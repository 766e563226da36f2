import { failed, listNames, passed, type CheckDefinition } from './check-kit';
import { hasUserPlan, isActiveEmployee, isAdministrator, isValidEmail, loginEmailOf, usersWhoLogIn } from './user-facts';

export const userEmailDuplicateCheck: CheckDefinition = {
  id: 'user-email-duplicate',
  severity: 'block',
  title: 'Login emails are unique',
  run({ catalog }) {
    const byAddress = new Map<string, string[]>();
    for (const user of usersWhoLogIn(catalog)) {
      const email = loginEmailOf(catalog, user);
      if (!email || !isValidEmail(email)) continue;
      const key = email.toLowerCase();
      byAddress.set(key, [...(byAddress.get(key) ?? []), user.login]);
    }
    const shared = [...byAddress.entries()].filter(([, logins]) => logins.length > 1);
    if (shared.length === 0) return passed(this, 'Every user who logs in has a login email of their own.');
    const sentences = shared.map(([address, logins]) => `users ${listNames(logins.map((l) => `'${l}'`))} share ${address}`);
    return failed(
      this,
      `${sentences.join('; ')} (compared ignoring case).`,
      shared.flatMap(([, logins]) => logins),
      'Give each of these users an address of their own on their person card in SuperOffice (the first address by rank is the login email), then run the checks again.',
    );
  },
};

export const userEmailInvalidCheck: CheckDefinition = {
  id: 'user-email-invalid',
  severity: 'block',
  title: 'Every user who logs in has a valid email',
  run({ catalog }) {
    const problems = usersWhoLogIn(catalog)
      .map((user) => ({ user, email: loginEmailOf(catalog, user) }))
      .filter(({ email }) => !email || !isValidEmail(email));
    if (problems.length === 0) return passed(this, 'Every user who logs in has a valid email address.');
    const described = problems.map(({ user, email }) => (email ? `'${user.login}' (${email})` : `'${user.login}' (no address)`));
    return failed(
      this,
      `${problems.length === 1 ? 'User' : 'Users'} ${listNames(described)} ${problems.length === 1 ? 'logs' : 'log'} in but ${problems.length === 1 ? 'has' : 'have'} no valid email address.`,
      problems.map(({ user }) => user.login),
      'Add a valid address (name@domain.tld) to the person card of each user, or retire the user or remove their licences if they no longer log in.',
    );
  },
};

export const adminWithoutPlanCheck: CheckDefinition = {
  id: 'admin-without-plan',
  severity: 'block',
  title: 'An administrator has a user plan',
  run({ catalog }) {
    const admins = catalog.users.filter((u) => isActiveEmployee(u) && isAdministrator(catalog, u));
    if (admins.some((a) => hasUserPlan(catalog, a.associateId))) {
      return passed(this, 'At least one administrator has a user plan.');
    }
    const logins = admins.map((a) => a.login);
    return failed(
      this,
      admins.length === 0
        ? 'There is no active user with the admin-all or admin-users right, so nobody could administer the tenant.'
        : `No administrator has a user plan: ${listNames(logins.map((l) => `'${l}'`))} ${admins.length === 1 ? 'is an administrator' : 'are administrators'} without one.`,
      logins,
      'In SuperOffice Admin, give at least one General or User administrator a user plan (for example Sales Premium), or choose one for them in the user plan step.',
    );
  },
};
