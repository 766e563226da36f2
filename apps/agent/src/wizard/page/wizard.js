/* global document, window */
// The migration wizard's page: plain ES module, no build step. It renders the
// session view the agent answers and sends one request per change; every rule
// is checked by the agent with the contracts' validatePlan, so what is flagged
// here is exactly what the API would refuse.
// @ts-check

const STEPS = [
  { id: 'logon', label: 'Log on' },
  { id: 'contact', label: 'Contact' },
  { id: 'checks', label: 'Checks' },
  { id: 'plans', label: 'User plans' },
  { id: 'emails', label: 'Login emails' },
  { id: 'summary', label: 'Summary' },
  { id: 'upload', label: 'Upload' },
  { id: 'result', label: 'Result' },
];
const OTHER = '__other';
const POLL_MS = 500;

/** @type {any} */
let view = null;
/** The upload's view: `{ mode: 'file' }` when the plan goes to a file, else the upload run the page follows. @type {any} */
let upload = null;
let step = 'logon';

const $ = (/** @type {string} */ selector) => /** @type {HTMLElement} */ (document.querySelector(selector));
const el = (
  /** @type {string} */ tag,
  /** @type {Record<string, any>} */ props = {},
  /** @type {(Node|string|null|false)[]} */ ...children
) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('data-') || key === 'title' || key === 'aria-label' || key === 'draggable')
      node.setAttribute(key, String(value));
    else /** @type {any} */ (node)[key] = value;
  }
  for (const child of children) if (child !== null && child !== false) node.append(child);
  return node;
};

async function api(/** @type {string} */ method, /** @type {string} */ path, /** @type {unknown} */ body) {
  const res = await fetch(path, {
    method,
    headers: method === 'GET' ? {} : { 'Content-Type': 'application/json' },
    body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
    credentials: 'same-origin',
  });
  const json = await res.json().catch(() => ({ error: { message: `The agent answered ${res.status}.`, details: [] } }));
  if (!res.ok) throw json.error ?? json;
  return json;
}

/** @type {Promise<unknown>} */
let queue = Promise.resolve();

/**
 * Runs a request after the ones before it (a browser spreads requests over
 * several connections, so fast typing could otherwise land out of order),
 * shows its error if any, and keeps the answer (as the view, unless `keep` says otherwise).
 */
function act(
  /** @type {() => Promise<any>} */ request,
  /** @type {(answer: any) => void} */ keep = (answer) => (view = answer),
) {
  const run = queue.then(async () => {
    try {
      keep(await request());
      showError(null);
      return true;
    } catch (error) {
      showError(/** @type {any} */ (error));
      return false;
    }
  });
  queue = run;
  return run;
}

function showError(/** @type {any} */ error) {
  const banner = $('#error');
  banner.replaceChildren();
  banner.hidden = !error;
  if (!error) return;
  if (error.code) banner.append(el('code', { class: 'code', text: error.code }), ' ');
  banner.append(el('strong', { text: error.message ?? String(error) }));
  const details = (error.details ?? []).map((/** @type {any} */ d) => el('li', { text: d.message }));
  if (details.length) banner.append(el('ul', {}, ...details));
}

// ---------------------------------------------------------------------------
// Navigation

const apiMode = () => upload?.mode === 'api';

function reachable(/** @type {string} */ id) {
  if (view?.submitted && !apiMode()) return id === 'submitted';
  if (view?.submitted) {
    if (id === 'summary') return upload.runs === 0;
    if (id === 'upload') return upload.runs > 0;
    if (id === 'result') return Boolean(upload.outcome);
    return false;
  }
  if (id === 'logon') return !view?.administrator;
  if (id === 'contact' || id === 'checks') return Boolean(view?.administrator);
  if (id === 'plans' || id === 'emails' || id === 'summary') return Boolean(view?.checks && !view.checks.blocking);
  return false;
}

function renderSteps() {
  const order = STEPS.map((s) => s.id);
  const at = step === 'submitted' ? order.indexOf('upload') : order.indexOf(step);
  $('#steps').replaceChildren(
    ...STEPS.map((s, i) => {
      // Without an API the plan goes to a file: the upload and its result happen with omt-agent migrate.
      const later = (s.id === 'upload' || s.id === 'result') && !apiMode();
      const li = el('li', { text: s.label, class: later ? 'later' : i < at ? 'done' : i === at ? 'current' : '' });
      if (i === at) li.setAttribute('aria-current', 'step');
      if (!later && i !== at && reachable(s.id)) {
        li.style.cursor = 'pointer';
        li.addEventListener('click', () => go(s.id));
      }
      return li;
    }),
  );
}

function go(/** @type {string} */ id) {
  step = id;
  for (const section of document.querySelectorAll('section[data-step]')) {
    /** @type {HTMLElement} */ (section).hidden = section.getAttribute('data-step') !== id;
  }
  renderSteps();
  RENDER[id]?.();
  window.scrollTo(0, 0);
}

/** @type {Record<string, () => void>} */
const RENDER = {
  logon: renderLogon,
  contact: renderContact,
  checks: () => {
    if (!view.checks) void runChecks();
    renderChecks();
  },
  plans: renderBoard,
  emails: renderEmails,
  summary: renderSummary,
  submitted: () => {
    $('#submitted-text').textContent =
      `The validated plan was written to ${view.submitted.location} (${new Date(view.submitted.at).toLocaleString()}).`;
    $('#submitted-next').textContent = view.submitted.nextStep;
  },
  upload: renderUpload,
  result: renderResult,
};

// ---------------------------------------------------------------------------
// Steps

const issuesAt = (/** @type {(path: string) => boolean} */ match) =>
  (view?.issues ?? []).filter((/** @type {any} */ i) => match(i.path));
const userById = (/** @type {number} */ id) =>
  view.directory.users.find((/** @type {any} */ u) => u.associateId === id);
const planOf = (/** @type {string|null} */ name) =>
  view.directory.plans.find((/** @type {any} */ p) => p.moduleName === name);

function renderContact() {
  const form = /** @type {HTMLFormElement} */ ($('#contact-form'));
  for (const field of ['name', 'email', 'phone']) {
    const input = /** @type {HTMLInputElement} */ (form.elements.namedItem(field));
    if (document.activeElement !== input) input.value = view.plan.migrator[field];
  }
  showContactIssues(false);
}

function showContactIssues(/** @type {boolean} */ all) {
  for (const node of document.querySelectorAll('[data-issue]')) {
    const path = node.getAttribute('data-issue');
    const issue = issuesAt((p) => p === path)[0];
    const input = /** @type {HTMLInputElement} */ (node.previousElementSibling?.querySelector('input'));
    const show = Boolean(issue) && (all || input.value.trim() !== '');
    node.textContent = show ? capitalise(issue.message) : '';
    input.classList.toggle('invalid', show);
  }
}

/** A draft from an earlier start: the migrator continues with it or starts over before logging on. */
function renderLogon() {
  const offer = view.draftOffer;
  $('#draft-offer').hidden = !offer;
  /** @type {HTMLFormElement} */ ($('#logon-form')).hidden = Boolean(offer);
  if (!offer) return;
  $('#draft-text').textContent = `Continue with your draft from ${new Date(offer.savedAt).toLocaleString()}?`;
  $('#draft-detail').textContent =
    `It holds the contact details${offer.migrator ? ` of ${offer.migrator}` : ''}, the plan board (${offer.usersWithPlan} ${offer.usersWithPlan === 1 ? 'user' : 'users'} with a plan) and the login emails. It is used once you log on.`;
}

async function answerDraft(/** @type {boolean} */ keep) {
  if (await act(() => api('POST', '/api/draft', { continue: keep }))) renderLogon();
}

async function runChecks() {
  $('#checks-lead').textContent = 'Running the checks…';
  /** @type {HTMLButtonElement} */ ($('#checks-next')).disabled = true;
  if (await act(() => api('POST', '/api/checks'))) renderChecks();
}

/** The verdict on a failed blocking check against the plan as it is now (contracts' judgeChecksAgainstPlan), if any. */
const verdictOf = (/** @type {string} */ id) =>
  (view.judgement?.findings ?? []).find((/** @type {any} */ f) => f.id === id);

function renderChecks() {
  const checks = view.checks;
  const next = /** @type {HTMLButtonElement} */ ($('#checks-next'));
  next.disabled = !checks || checks.blocking;
  if (!checks) return;
  const blocking = checks.report.results.filter(
    (/** @type {any} */ r) => !r.passed && r.severity === 'block' && !checks.resolvedInPlan.includes(r.id),
  );
  $('#checks-lead').textContent = checks.blocking
    ? `${blocking.length} blocking ${blocking.length === 1 ? 'finding stops' : 'findings stop'} the migration. Fix ${blocking.length === 1 ? 'it' : 'them'} in SuperOffice as described, then run the checks again.`
    : checks.resolvedInPlan.length
      ? 'Nothing blocks the migration onsite. The findings marked “plan” are fixed in the plan step: the user plan and login email steps that follow.'
      : 'Nothing blocks the migration.';
  $('#checks-list').replaceChildren(
    ...checks.report.results.map((/** @type {any} */ r) => {
      const verdict = checks.resolvedInPlan.includes(r.id) ? verdictOf(r.id) : null;
      const kind = r.passed ? 'ok' : verdict ? (verdict.resolved ? 'ok resolved' : 'plan') : r.severity;
      const label = r.passed
        ? 'OK'
        : verdict
          ? verdict.resolved
            ? 'RESOLVED'
            : 'PLAN'
          : r.severity === 'block'
            ? 'BLOCKS'
            : 'WARNING';
      const fix = verdict
        ? verdict.resolved
          ? 'Fixed in the plan step: your plan resolves it.'
          : `Fixed in the plan step: ${verdict.planFix}. ${verdict.message}`
        : `Fix: ${r.fix}`;
      return el(
        'li',
        { class: kind, 'data-check': r.id },
        el(
          'div',
          {},
          el('span', { class: `badge ${kind.split(' ')[0]}`, text: label }),
          el('strong', { text: r.title }),
        ),
        el('p', { class: 'message', text: r.message }),
        !r.passed && (verdict || r.fix) ? el('p', { class: 'fix', text: fix }) : null,
      );
    }),
  );
  const missing = checks.missingDocuments;
  const box = $('#missing-documents');
  box.replaceChildren();
  if (missing.length) {
    box.append(
      el('h2', { text: `${missing.length} ${missing.length === 1 ? 'document' : 'documents'} cannot be migrated` }),
      el(
        'table',
        { class: 'emails' },
        el(
          'thead',
          {},
          el('tr', {}, el('th', { text: 'Document' }), el('th', { text: 'Name' }), el('th', { text: 'Why' })),
        ),
        el(
          'tbody',
          {},
          ...missing
            .slice(0, 100)
            .map((/** @type {any} */ d) =>
              el(
                'tr',
                {},
                el('td', { text: String(d.documentId) }),
                el('td', { text: d.relativePath ?? d.name }),
                el('td', { text: MISSING_REASONS[d.status] ?? d.status }),
              ),
            ),
        ),
      ),
    );
    // Not as an argument of append, which would print a null as the text "null".
    if (missing.length > 100) box.append(el('p', { class: 'muted', text: `and ${missing.length - 100} more` }));
  }
}

function cardText(/** @type {any} */ user) {
  return [user.name, user.login, user.group, user.position, ...user.emails].filter(Boolean).join(' ').toLowerCase();
}

/** The free-text filter of the plan board and of the login emails: every term must be on the user's card. */
function filterUsers(/** @type {string} */ input, /** @type {string} */ items, /** @type {string} */ count) {
  const terms = /** @type {HTMLInputElement} */ ($(input)).value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  const nodes = /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(items));
  for (const node of nodes) {
    const match = terms.every((t) => (node.dataset.text ?? '').includes(t));
    node.hidden = !match;
    if (match) shown++;
  }
  $(count).textContent = terms.length ? `${shown} of ${nodes.length} users` : `${nodes.length} users`;
}

const applyFilter = () => filterUsers('#user-filter', '#board .card', '#filter-count');
const applyEmailFilter = () => filterUsers('#email-filter', '#email-rows tr', '#email-filter-count');

function renderBoard() {
  const rows = view.plan.users;
  const columns = [{ moduleName: null, description: 'No plan: cannot log in', seats: null }, ...view.directory.plans];
  $('#board').replaceChildren(
    ...columns.map((plan) => {
      const members = rows.filter((/** @type {any} */ u) => u.plan === plan.moduleName);
      const over = plan.seats !== null && members.length > plan.seats;
      const column = el(
        'div',
        {
          class: `column${plan.moduleName === null ? ' none' : ''}${over ? ' over' : ''}`,
          'data-plan': plan.moduleName ?? '',
        },
        el(
          'h2',
          { title: plan.moduleName ?? '' },
          el('span', { text: plan.description }),
          el('span', {
            class: 'count',
            text: plan.seats === null ? String(members.length) : `${members.length} / ${plan.seats}`,
          }),
        ),
        ...members.map((/** @type {any} */ row) => userCard(userById(row.associateId))),
      );
      column.addEventListener('dragover', (event) => {
        event.preventDefault();
        if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
        column.classList.add('drop-target');
      });
      column.addEventListener('dragleave', () => column.classList.remove('drop-target'));
      column.addEventListener('drop', async (event) => {
        event.preventDefault();
        column.classList.remove('drop-target');
        const id = Number(event.dataTransfer?.getData('text/plain'));
        if (!id || rows.find((/** @type {any} */ u) => u.associateId === id)?.plan === plan.moduleName) return;
        if (await act(() => api('PATCH', `/api/plan/users/${id}`, { plan: plan.moduleName }))) renderBoard();
      });
      return column;
    }),
  );
  renderPlanFindings();
  const boardIssues = issuesAt((p) => p === 'users' || p.endsWith('.plan'));
  $('#plan-issues').replaceChildren(
    ...boardIssues.map((/** @type {any} */ i) => el('li', { text: capitalise(i.message) })),
  );
  applyFilter();
}

function userCard(/** @type {any} */ user) {
  const card = el(
    'div',
    { class: 'card', draggable: true, 'data-login': user.login, 'data-id': user.associateId },
    el(
      'div',
      { class: 'name' },
      user.isAdministrator
        ? el('span', { class: 'crown', title: 'Administrator', 'aria-label': 'Administrator', text: '♛' })
        : null,
      el('span', { text: user.name }),
      el('span', { class: 'login', text: user.login }),
    ),
    el('div', { class: 'meta', text: [user.group, user.position].filter(Boolean).join(' · ') || '—' }),
    ...user.emails.map((/** @type {string} */ e) => el('div', { class: 'mail', text: e, title: e })),
  );
  card.dataset.text = cardText(user);
  card.addEventListener('dragstart', (event) => {
    event.dataTransfer?.setData('text/plain', String(user.associateId));
    if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
    card.classList.add('dragging');
  });
  card.addEventListener('dragend', () => card.classList.remove('dragging'));
  return card;
}

function renderEmails() {
  const rows = view.plan.users.filter((/** @type {any} */ u) => u.plan !== null);
  $('#email-rows').replaceChildren(
    ...rows.map((/** @type {any} */ row) => {
      const user = userById(row.associateId);
      const select = /** @type {HTMLSelectElement} */ (
        el(
          'select',
          { 'aria-label': `Address for ${user.login}` },
          ...user.emails.map((/** @type {string} */ e) => el('option', { value: e, text: e })),
          el('option', { value: OTHER, text: user.emails.length ? 'Another address…' : 'Type an address…' }),
        )
      );
      const input = /** @type {HTMLInputElement} */ (
        el('input', { type: 'email', value: row.loginEmail ?? '', 'aria-label': `Login email for ${user.login}` })
      );
      syncSelect(select, input.value);
      select.addEventListener('change', () => {
        if (select.value === OTHER) {
          input.focus();
          input.select();
          return;
        }
        input.value = select.value;
        void sendEmail(row.associateId, input.value);
      });
      input.addEventListener('input', () => {
        syncSelect(select, input.value);
        void sendEmail(row.associateId, input.value);
      });
      return el(
        'tr',
        { 'data-login': user.login, 'data-id': row.associateId, 'data-text': cardText(user) },
        el(
          'td',
          {},
          el(
            'div',
            { class: 'name' },
            user.isAdministrator ? el('span', { class: 'crown', title: 'Administrator', text: '♛ ' }) : null,
            user.name,
          ),
          el('div', { class: 'muted', text: user.login }),
        ),
        el('td', { text: planOf(row.plan)?.description ?? row.plan }),
        el('td', {}, el('div', { class: 'picker' }, select, input), el('div', { class: 'flag' })),
      );
    }),
  );
  flagEmails();
  applyEmailFilter();
}

function syncSelect(/** @type {HTMLSelectElement} */ select, /** @type {string} */ value) {
  const match = [...select.options].find(
    (o) => o.value !== OTHER && o.value.toLowerCase() === value.trim().toLowerCase(),
  );
  select.value = match ? match.value : OTHER;
}

async function sendEmail(/** @type {number} */ id, /** @type {string} */ address) {
  if (await act(() => api('PATCH', `/api/plan/users/${id}`, { loginEmail: address }))) flagEmails();
}

/**
 * The blocking check findings the plan step fixes, on the plan and email
 * steps: each turns resolved as soon as the plan resolves it.
 */
function renderPlanFindings() {
  const findings = (view.judgement?.findings ?? []).filter((/** @type {any} */ f) => f.planResolvable);
  for (const list of document.querySelectorAll('[data-plan-findings]')) {
    list.replaceChildren(
      ...findings.map((/** @type {any} */ f) =>
        el(
          'li',
          { class: f.resolved ? 'resolved' : 'open', 'data-check': f.id },
          el('strong', { text: `${f.title}: ` }),
          f.resolved ? 'resolved by the plan.' : `fixed in the plan step: ${f.planFix}. ${f.message}`,
        ),
      ),
    );
  }
}

/** Marks every row the rules flag, without touching what is being typed. */
function flagEmails() {
  renderPlanFindings();
  for (const tr of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('#email-rows tr'))) {
    const index = view.plan.users.findIndex((/** @type {any} */ u) => u.associateId === Number(tr.dataset.id));
    const issues = issuesAt((p) => p === `users.${index}.loginEmail`);
    tr.querySelector('input')?.classList.toggle('invalid', issues.length > 0);
    tr.dataset.issue = issues.map((/** @type {any} */ i) => i.code).join(' ');
    /** @type {HTMLElement} */ (tr.querySelector('.flag')).textContent = issues
      .map((/** @type {any} */ i) => capitalise(i.message))
      .join(' ');
  }
}

function renderSummary() {
  const { plan, summary, checks } = view;
  const warnings = checks.report.results.filter((/** @type {any} */ r) => !r.passed && r.severity === 'warn');
  $('#summary').replaceChildren(
    el(
      'div',
      { class: 'box' },
      el('h2', { text: 'Migrator' }),
      el('div', { text: plan.migrator.name || '—' }),
      el('div', { class: 'muted', text: [plan.migrator.email, plan.migrator.phone].filter(Boolean).join(' · ') }),
      el('h2', { text: 'Onsite', class: 'spaced' }),
      el('div', { class: 'muted', text: `${view.source}, logged on as ${view.administrator.login}` }),
    ),
    el(
      'div',
      { class: 'box' },
      el('h2', { text: `User plans: ${summary.withPlan} of ${summary.users} users can log in` }),
      el(
        'table',
        {},
        ...summary.perPlan.map((/** @type {any} */ p) =>
          el(
            'tr',
            {},
            el('td', { text: p.description }),
            el('td', { class: 'n', text: p.seats === null ? String(p.users) : `${p.users} / ${p.seats}` }),
          ),
        ),
      ),
    ),
    el(
      'div',
      { class: 'box' },
      el('h2', { text: 'Checks' }),
      el('div', {
        text: warnings.length
          ? `${warnings.length} ${warnings.length === 1 ? 'warning' : 'warnings'}: ${warnings.map((/** @type {any} */ w) => w.title).join('; ')}`
          : 'No warnings.',
      }),
      el('div', { class: 'muted', text: `${checks.missingDocuments.length} documents cannot be migrated.` }),
    ),
  );
  /** @type {HTMLInputElement} */ ($('#welcome-emails')).checked = plan.sendWelcomeEmails;
  const left = (view.judgement?.remaining ?? []).map((/** @type {any} */ f) => `${f.title}: ${f.message}`);
  $('#summary-issues').replaceChildren(
    ...[...view.issues.map((/** @type {any} */ i) => capitalise(i.message)), ...left].map((text) => el('li', { text })),
  );
  /** @type {HTMLButtonElement} */ ($('#submit')).disabled = !view.ready;
  renderStartPanel();
}

// ---------------------------------------------------------------------------
// Upload and result (with an API): the agent runs the same upload as `omt-agent migrate`; the page follows it.

/** After the plan went to the API, the summary offers the upload; a live migration needs the freeze confirmed. */
function renderStartPanel() {
  const open = Boolean(view.submitted) && apiMode();
  $('#start-panel').hidden = !open;
  $('#summary-actions').hidden = open;
  /** @type {HTMLInputElement} */ ($('#welcome-emails')).disabled = Boolean(view.submitted);
  if (!open) return;
  const { ticket } = upload;
  $('#start-text').textContent =
    `${capitalise(view.submitted.nextStep)} Ticket ${ticket.customerId} (${ticket.companyName}): a ${ticket.kind} migration to ${ticket.environment}.`;
  const live = ticket.kind === 'live';
  $('#freeze-warning').hidden = !live;
  /** @type {HTMLButtonElement} */ ($('#start-upload')).disabled =
    upload.status === 'running' || (live && !(/** @type {HTMLInputElement} */ ($('#confirm-freeze')).checked));
}

async function startUpload() {
  const confirmFreeze = /** @type {HTMLInputElement} */ ($('#confirm-freeze')).checked;
  if (
    !(await act(
      () => api('POST', '/api/upload', { confirmFreeze }),
      (answer) => (upload = answer),
    ))
  )
    return;
  go('upload');
  await follow();
}

/** Polls the upload until it stops, then shows the result (or, when it failed, the error with its code). */
async function follow() {
  while (upload.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      upload = await api('GET', '/api/upload');
    } catch (error) {
      showError(error);
      return;
    }
    if (step === 'upload') renderUpload();
  }
  if (upload.status === 'finished') go('result');
  else {
    renderUpload();
    showError(upload.error);
  }
}

const PHASES = /** @type {Record<string, string>} */ ({
  preparing: 'Preparing: logging on, running the checks again, sending the plan and counting the rows…',
  checks: 'Running the checks…',
  tables: 'Uploading the tables…',
  documents: 'Uploading the documents…',
  verification: 'Verifying…',
  configuration: 'Configuring…',
});
const CLOUD_STATES = /** @type {Record<string, string>} */ ({
  uploading: 'finishing the upload',
  importing: 'importing the tables',
  verifying: 'verifying every table against the onsite database',
  configuring: 'applying the plan: user plans and login emails',
  recovering: 'placing the documents',
});

function renderUpload() {
  const { status, phase, progress, cloudState } = upload;
  $('#upload-phase').textContent =
    status === 'failed'
      ? 'The upload stopped. What reached the cloud is kept: start it again once the cause is fixed, and it resumes.'
      : status === 'finished'
        ? 'The upload has finished.'
        : phase === 'cloud'
          ? `Upload complete. The cloud side is ${CLOUD_STATES[cloudState] ?? cloudState}…`
          : (PHASES[phase] ?? 'Starting…');
  const meter = (/** @type {string} */ id, /** @type {{done: number, total: number}|undefined} */ counter) => {
    const bar = /** @type {HTMLProgressElement} */ ($(id));
    bar.max = Math.max(1, counter?.total ?? 1);
    bar.value = counter?.done ?? 0;
    bar.setAttribute('aria-valuetext', counter ? `${counter.done} of ${counter.total}` : 'not started');
  };
  meter('#tables-bar', progress?.tables);
  meter('#rows-bar', progress?.rows);
  meter('#documents-bar', progress?.documentBytes);
  /** @type {Array<[string, string]>} */
  const rows = [['Phase', phase === 'cloud' ? `cloud side: ${cloudState}` : (phase ?? '—')]];
  if (progress) {
    rows.push(
      ['Tables', `${progress.tables.done} / ${progress.tables.total}`],
      ['Rows', progress.text.rows],
      ['Data', progress.text.bytes],
      ['Rate', progress.text.rate],
      ['Time left', progress.text.eta],
      ['Elapsed', progress.text.elapsed],
      ['Documents', progress.text.documents],
    );
  }
  $('#upload-figures').replaceChildren(
    ...rows.map(([name, value]) =>
      el('tr', { 'data-figure': name }, el('th', { text: name }), el('td', { text: value })),
    ),
  );
  $('#upload-log').replaceChildren(...upload.log.map((/** @type {string} */ line) => el('li', { text: line })));
  $('#upload-again').hidden = status !== 'failed';
}

const MISSING_REASONS = /** @type {Record<string, string>} */ ({
  'missing-file': 'the file is not in the archive',
  'blank-name': 'the document has no file name',
  'no-appointment': 'the document has no appointment',
  'owner-missing': "the document's appointment has an owner that does not exist",
});

const RESULT_TITLES = /** @type {Record<string, string>} */ ({
  completed: 'Migration completed',
  completed_with_missing_documents: 'Migration completed, with documents missing',
  verification_failed: 'Verification failed',
  failed: 'Migration failed',
  cancelled: 'Migration cancelled',
});

function renderResult() {
  const o = upload.outcome;
  if (!o) return;
  $('#result-title').textContent = RESULT_TITLES[o.state] ?? o.state;
  $('#result-lead').textContent =
    `${o.ticket.companyName} (${o.ticket.customerId}) to ${o.ticket.environment}: ${o.state.replace(/_/g, ' ')}${o.reason ? `: ${o.reason}` : '.'}`;
  /** @type {Array<[string, string]>} */
  const rows = [
    ['Final state', RESULT_TITLES[o.state]?.replace(/^Migration /, '') ?? o.state.replace(/_/g, ' ')],
    ['Verified', o.verified ? 'yes: the row count and content hash of every table match the onsite database' : 'no'],
  ];
  if (o.tables)
    rows.push(
      ['Tables', String(o.tables.tables)],
      ['Rows', o.tables.rows.toLocaleString('en')],
      ['Data read', o.text.bytes],
      ['Data sent', o.text.sentBytes],
    );
  if (o.documents)
    rows.push([
      'Documents uploaded',
      `${o.documents.uploaded} (${o.text.documentBytes}), ${o.documents.skipped} had landed before`,
    ]);
  rows.push(['Missing documents', String(o.missingDocuments.length)], ['Time', o.text.elapsed]);
  $('#result-figures').replaceChildren(
    ...rows.map(([name, value]) =>
      el('tr', { 'data-figure': name }, el('th', { text: name }), el('td', { text: value })),
    ),
  );

  const missing = o.missingDocuments;
  const box = $('#result-missing');
  box.replaceChildren();
  if (missing.length) {
    box.append(
      el('h2', { text: `${missing.length} ${missing.length === 1 ? 'document was' : 'documents were'} not migrated` }),
      el(
        'table',
        { class: 'emails', 'aria-label': 'Missing documents' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { text: 'Document' }),
            el('th', { text: 'Name' }),
            el('th', { text: 'Path in the archive' }),
            el('th', { text: 'Why' }),
          ),
        ),
        el(
          'tbody',
          {},
          ...missing
            .slice(0, 200)
            .map((/** @type {any} */ d) =>
              el(
                'tr',
                { 'data-document': d.documentId },
                el('td', { text: String(d.documentId) }),
                el('td', { text: d.name || '(no name)' }),
                el('td', { text: d.relativePath ?? '—' }),
                el('td', { text: MISSING_REASONS[d.reason] ?? d.reason }),
              ),
            ),
        ),
      ),
    );
    if (missing.length > 200)
      box.append(
        el('p', {
          class: 'muted',
          text: `and ${missing.length - 200} more (operations see them all on the dashboard)`,
        }),
      );
  }
  const filesMissing = missing.some((/** @type {any} */ d) => d.reason === 'missing-file');
  $('#result-next').textContent = o.succeeded
    ? missing.length
      ? (filesMissing
          ? 'Put the missing files back in the archive at the paths shown, then press “Upload again”: only those documents are sent, the database is not touched. '
          : '') + 'Documents without a name, appointment or owner cannot be migrated; operations see the list too.'
      : `The tenant is ready${view.plan?.sendWelcomeEmails ? ' and the users get their welcome emails' : ''}. You can close the wizard.`
    : o.state === 'cancelled'
      ? 'Operations cancelled the migration. Contact them before starting again.'
      : 'Operations have been told. Once the cause is fixed, press “Upload again”: what already reached the cloud is kept and the upload resumes.';
  $('#result-again').hidden = o.state === 'completed' || o.state === 'cancelled' || (o.succeeded && !filesMissing);
}

async function closeWizard() {
  if (
    !(await act(
      () => api('POST', '/api/close'),
      () => undefined,
    ))
  )
    return;
  for (const button of document.querySelectorAll('button')) /** @type {HTMLButtonElement} */ (button).disabled = true;
  $('#result-next').textContent =
    'The wizard is closed: you can close this tab. The agent printed the result in its window too.';
}

const capitalise = (/** @type {string} */ text) => text.charAt(0).toUpperCase() + text.slice(1);

// ---------------------------------------------------------------------------
// Wiring

function wire() {
  $('#logon-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.target);
    const data = Object.fromEntries(new FormData(form));
    if (await act(() => api('POST', '/api/logon', data))) {
      form.reset();
      go('contact');
    }
  });
  $('#contact-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(/** @type {HTMLFormElement} */ (event.target)));
    if (!(await act(() => api('PUT', '/api/contact', data)))) return;
    if (issuesAt((p) => p.startsWith('migrator')).length) showContactIssues(true);
    else go('checks');
  });
  $('#checks-rerun').addEventListener('click', () => void runChecks());
  $('#checks-next').addEventListener('click', () => go('plans'));
  $('#user-filter').addEventListener('input', applyFilter);
  $('#email-filter').addEventListener('input', applyEmailFilter);
  $('#draft-continue').addEventListener('click', () => void answerDraft(true));
  $('#draft-discard').addEventListener('click', () => void answerDraft(false));
  for (const button of document.querySelectorAll('[data-goto]')) {
    button.addEventListener('click', () => go(/** @type {string} */ (button.getAttribute('data-goto'))));
  }
  $('#welcome-emails').addEventListener('change', async (event) => {
    const checked = /** @type {HTMLInputElement} */ (event.target).checked;
    if (await act(() => api('PUT', '/api/plan/settings', { sendWelcomeEmails: checked }))) renderSummary();
  });
  $('#submit').addEventListener('click', async () => {
    if (await act(() => api('POST', '/api/submit'))) go(apiMode() ? 'summary' : 'submitted');
    else renderSummary();
  });
  $('#confirm-freeze').addEventListener('change', renderStartPanel);
  $('#start-upload').addEventListener('click', () => void startUpload());
  $('#upload-again').addEventListener('click', () => void startUpload());
  $('#result-again').addEventListener('click', () => void startUpload());
  $('#close-wizard').addEventListener('click', () => void closeWizard());
}

/** Where a reloaded page picks up. */
function firstStep() {
  if (view.submitted && !apiMode()) return 'submitted';
  if (view.submitted) return upload.outcome ? 'result' : upload.runs > 0 ? 'upload' : 'summary';
  return view.checks && !view.checks.blocking ? 'plans' : view.administrator ? 'contact' : 'logon';
}

async function start() {
  wire();
  try {
    [view, upload] = await Promise.all([api('GET', '/api/session'), api('GET', '/api/upload')]);
  } catch (error) {
    showError(error);
    return;
  }
  $('#source').textContent = view.source;
  go(firstStep());
  if (upload.status === 'running') await follow();
  else if (upload.status === 'failed') showError(upload.error);
}

void start();
