/** Lists of users in messages: "'au', 'jd' and 'ky'". Internal to the contracts' rules (not exported by the index). */

export function quoteList(logins: readonly string[], last = ' and '): string {
  return joinNames(
    logins.map((l) => `'${l}'`),
    last,
  );
}

export function joinNames(names: readonly string[], last = ' and '): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')}${last}${names.at(-1)}`;
}
