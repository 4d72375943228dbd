// The administrator's screens: accounts (#/users, #/users/new; disable and reset a password on the
// list), agencies (#/agencies), data key status (#/keys, never key material) and the audit log
// (#/audit-log, with its filters and the verification of its hash chain). Admins see no case
// content on any of them; usernames and filter codes are the only things put in the fragment.
import {h, clear} from '../dom.js';
import * as c from '../components.js';
import * as api from '../api.js';
import {route, navigate, refresh} from '../router.js';

const roles = [
  {value: 'auditor', text: 'Auditor', hint: 'Completes their own agency\'s assigned returns. Needs an agency.'},
  {value: 'qa_lead', text: 'QA lead', hint: 'Runs audits: sampling, assignment, review, moderation, exports.'},
  {value: 'board', text: 'Board member', hint: 'Downloads board workbooks only.'},
  {value: 'admin', text: 'Administrator', hint: 'Accounts, agencies, keys and the audit log. No case content.'},
];
const roleText = Object.fromEntries(roles.map((r) => [r.value, r.text]));
const kinds = ['csc', 'police', 'health', 'sarc', 'camhs', 'education', 'vcs', 'early_help', 'probation'];
const kindNames = {csc: 'Children\'s social care', sarc: 'SARC', camhs: 'CAMHS', vcs: 'Voluntary sector'};
const kindText = (k) => `${kindNames[k] || c.humanise(k)} (${k})`;

// An API time (UTC, ISO 8601) as people read it, still in UTC so it matches the log.
const when = (t) => (t ? String(t).replace('T', ' ').replace(/Z$/, ' UTC') : '');

// After a change: the screen is read again, with the message above it (takeFlash focuses it).
async function changed(message) {
  c.flash(message);
  await refresh();
}

// Client-side "Enter a ..." checks: [[field, message]] for the empty ones; shown like the service's.
function missing(main, checks) {
  const errors = [];
  for (const [field, message, bad] of checks) {
    field.setError(bad ? message : null);
    if (bad) errors.push({text: message, href: `#${field.id}`});
  }
  if (errors.length) c.errorSummary(main, errors);
  return errors.length > 0;
}

// The service's refusal against its field: by the JSON path when it names one (`$.username`),
// else by the word the message uses ('the password is too short'), else unlinked.
function problem(main, err, fields, words = {}) {
  for (const f of Object.values(fields)) f.setError(null);
  const lines = err.errors && err.errors.length ? err.errors : [err.detail || err.message];
  const list = lines.map((line) => {
    const key = Object.keys(fields).find((k) => line.includes(`$.${k}`) || line.includes(`parameter ${k}`)) ||
                Object.keys(words).find((k) => words[k].test(line));
    if (!key || !fields[key]) return {text: line, href: null};
    const text = line.replace(/^request body: \$\.[a-z_]+: /, '');
    const message = text[0].toUpperCase() + text.slice(1);
    fields[key].setError(message);
    return {text: message, href: `#${fields[key].id}`};
  });
  c.errorSummary(main, list);
}

// ---- accounts

function passwordPanel(user, main, panel) {
  const pw = c.input({label: `New password for ${user.username}`, name: 'password', type: 'password',
                      autocomplete: 'new-password', width: 20,
                      hint: 'At least 12 characters. Give it to them in person or by phone, not by email.'});
  const form = h('form', {novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (missing(main, [[pw, 'Enter a new password', !pw.control.value]])) return;
    try {
      await api.post(`/users/${encodeURIComponent(user.username)}/password`, {password: pw.control.value});
      pw.control.value = '';
      await changed(`Password of ${user.username} reset. Their sessions have ended.`);
    } catch (err) {
      pw.control.value = '';
      if (!(err instanceof api.ApiError) || err.status === 401) throw err;
      problem(main, err, {password: pw}, {password: /password/i});
    }
  }}, pw.el, c.buttonGroup(c.button('Set the password', {type: 'submit'}),
                           c.button('Cancel', {secondary: true, onclick: () => clear(panel)})));
  return [h('h2', {class: 'govuk-heading-m', tabindex: '-1', text: `Reset the password of ${user.username}`}),
          c.p('Their sessions end at once, and failed sign-ins and any lockout are cleared.'), form];
}

function disablePanel(user, main, panel) {
  return [
    h('h2', {class: 'govuk-heading-m', tabindex: '-1', text: `Disable ${user.username}`}),
    c.warningText(`${user.display_name} will not be able to sign in, and their sessions end at once. ` +
                  'Their work stays assigned to them. An account cannot be enabled again here.'),
    c.buttonGroup(
      c.button(`Disable ${user.username}`, {warning: true, onclick: async () => {
        try {
          const r = await api.post(`/users/${encodeURIComponent(user.username)}/disable`);
          await changed(r.changed ? `Account ${r.username} disabled.`
                                  : `Account ${r.username} was already disabled.`);
        } catch (err) {
          if (!(err instanceof api.ApiError) || err.status === 401) throw err;
          c.showProblem(main, err);
        }
      }}),
      c.button('Cancel', {secondary: true, onclick: () => clear(panel)})),
  ];
}

route('/users', {
  title: 'Users',
  roles: ['admin'],
  async render() {
    const main = document.getElementById('main-content');
    const users = await api.all('/users');
    const panel = h('div', {class: 'app-panel', id: 'user-action'});
    const open = (maker, user) => () => {
      clear(panel).append(...maker(user, main, panel));
      panel.querySelector('h2').focus();
    };
    const rows = users.map((u) => [
      u.username, u.display_name, roleText[u.role] || u.role, u.agency || '',
      c.tag(u.status === 'active' ? 'Active' : 'Disabled', u.status === 'active' ? 'green' : 'grey'),
      when(u.created_at),
      u.status === 'active'
        ? h('div', {class: 'app-row-actions'},
            h('button', {class: 'app-link-button', type: 'button',
                         onclick: open(passwordPanel, u)},
              'Reset password', h('span', {class: 'govuk-visually-hidden', text: ` of ${u.username}`})),
            h('button', {class: 'app-link-button', type: 'button',
                         onclick: open(disablePanel, u)},
              'Disable', h('span', {class: 'govuk-visually-hidden', text: ` ${u.username}`})))
        : '',
    ]);
    return [
      c.takeFlash(),
      c.heading('Users'),
      c.p('The accounts of everyone who uses pathaudit. Passwords are never shown.'),
      h('a', {class: 'govuk-button', href: '#/users/new', role: 'button', draggable: 'false',
              'data-module': 'govuk-button', text: 'Add an account'}),
      c.table({caption: `${users.length} accounts`, sortable: true, rows,
               cols: [{text: 'Username'}, {text: 'Display name'}, {text: 'Role'}, {text: 'Agency'},
                      {text: 'Status'}, {text: 'Added'}, {text: 'Actions'}]}),
      panel,
    ];
  },
});

route('/users/new', {
  title: 'Add an account',
  roles: ['admin'],
  async render() {
    const main = document.getElementById('main-content');
    const agencies = await api.all('/agencies');
    const username = c.input({label: 'Username', name: 'username', width: 20, spellcheck: false,
                              autocomplete: 'off',
                              hint: 'Lower-case letters, digits and . _ - @, starting with a letter or digit.'});
    const displayName = c.input({label: 'Display name', name: 'display_name', width: 30,
                                 autocomplete: 'off', hint: 'Their name as colleagues know it.'});
    const role = c.radios({legend: 'Role', name: 'role', items: roles, legendSize: 's'});
    const agency = c.select({label: 'Agency', name: 'agency',
                             hint: 'Auditors only: the agency whose returns they complete.',
                             options: [{value: '', text: 'No agency'},
                                       ...agencies.filter((a) => a.active)
                                         .map((a) => ({value: a.code, text: `${a.name} (${a.code})`}))]});
    const pw = c.input({label: 'Initial password', name: 'password', type: 'password', width: 20,
                        autocomplete: 'new-password',
                        hint: 'At least 12 characters. Give it to them in person or by phone, not by email.'});
    const form = h('form', {novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const body = {username: username.control.value.trim(), display_name: displayName.control.value.trim(),
                    role: role.value, agency: agency.control.value || null, password: pw.control.value};
      if (missing(main, [[username, 'Enter a username', !body.username],
                         [displayName, 'Enter a display name', !body.display_name],
                         [role, 'Select a role', !body.role],
                         [agency, 'Select the auditor\'s agency', body.role === 'auditor' && !body.agency],
                         [pw, 'Enter an initial password', !body.password]])) return;
      if (body.role !== 'auditor') body.agency = null;
      try {
        const r = await api.post('/users', body);
        pw.control.value = '';
        const where = r.agency ? ` for ${r.agency}` : '';
        c.flash(`Account ${r.username} added as ${roleText[r.role] || r.role}${where}.`);
        navigate('/users');
      } catch (err) {
        pw.control.value = '';
        if (!(err instanceof api.ApiError) || err.status === 401) throw err;
        problem(main, err, {username, display_name: displayName, role, agency, password: pw},
                {password: /password/i, display_name: /display name/i, username: /username/i,
                 agency: /agency/i, role: /role/i});
      }
    }}, username.el, displayName.el, role.el, agency.el, pw.el,
    c.buttonGroup(c.button('Add the account', {type: 'submit'}), c.link('Cancel', '#/users')));
    return [c.backLink('#/users', 'Back to users'), c.heading('Add an account'), form];
  },
});

// ---- agencies

route('/agencies', {
  title: 'Agencies',
  roles: ['admin'],
  async render() {
    const main = document.getElementById('main-content');
    const agencies = await api.all('/agencies');
    const code = c.input({label: 'Code', name: 'code', width: 10, spellcheck: false,
                          hint: 'Up to 32 capital letters, digits, - or _, as the agency\'s extracts name it.'});
    const name = c.input({label: 'Name', name: 'name', width: 30});
    const kind = c.select({label: 'Kind', name: 'kind', hint: 'The rules use the kind (for example, a ' +
                           'strategy discussion must include social care, police and health).',
                           options: [{value: '', text: 'Choose a kind'},
                                     ...kinds.map((k) => ({value: k, text: kindText(k)}))]});
    const form = h('form', {novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const body = {code: code.control.value.trim(), name: name.control.value.trim(), kind: kind.control.value};
      if (missing(main, [[code, 'Enter the agency\'s code', !body.code],
                         [name, 'Enter the agency\'s name', !body.name],
                         [kind, 'Select the kind of agency', !body.kind]])) return;
      try {
        const r = await api.post('/agencies', body);
        await changed(`Agency ${r.code} added.`);
      } catch (err) {
        if (!(err instanceof api.ApiError) || err.status === 401) throw err;
        problem(main, err, {code, name, kind}, {code: /code/i, kind: /kind/i, name: /name/i});
      }
    }}, code.el, name.el, kind.el, c.button('Add the agency', {type: 'submit'}));
    return [
      c.takeFlash(),
      c.heading('Agencies'),
      c.p('The partnership\'s agencies. An agency is never renamed or removed: events, accounts and ' +
          'returns refer to it.'),
      c.table({caption: `${agencies.length} agencies`, rows: agencies.map((a) => [
        a.code, a.name, a.kind, c.tag(a.active ? 'Active' : 'Inactive', a.active ? 'green' : 'grey')]),
               cols: [{text: 'Code'}, {text: 'Name'}, {text: 'Kind'}, {text: 'Status'}]}),
      h('h2', {class: 'govuk-heading-m', text: 'Add an agency'}),
      form,
    ];
  },
});

// ---- keys

route('/keys', {
  title: 'Keys',
  roles: ['admin'],
  async render() {
    const keys = await api.all('/keys');
    return [
      c.heading('Data keys'),
      c.p('The keys that encrypt case content, by id. Key material is never shown. Rotating and ' +
          'shredding keys is done on the server\'s command line (see the security guide).'),
      c.table({caption: `${keys.length} keys`, rows: keys.map((k) => [
        String(k.id), c.humanise(k.purpose), c.tag(c.humanise(k.state), k.state === 'active' ? 'green' : 'grey'),
        k.primary ? 'Yes' : 'No', when(k.created_at), String(k.sealed_fields)]),
               cols: [{text: 'Id', numeric: true}, {text: 'Purpose'}, {text: 'State'}, {text: 'Primary'},
                      {text: 'Created'}, {text: 'Fields sealed', numeric: true}]}),
    ];
  },
});

// ---- the audit log

const logFilters = ['action', 'actor', 'since', 'until'];
const filterPattern = {action: /^[a-z0-9_.-]{1,64}$/, actor: /^[A-Za-z0-9_.:@ -]{1,100}$/,
                       since: /^[0-9TZ:-]{10,20}$/, until: /^[0-9TZ:-]{10,20}$/};

route('/audit-log', {
  title: 'Audit log',
  roles: ['admin', 'qa_lead'],
  async render(params, query) {
    const main = document.getElementById('main-content');
    const filters = {};
    for (const k of logFilters)
      if (query.get(k) && filterPattern[k].test(query.get(k))) filters[k] = query.get(k);
    const offset = /^[0-9]+$/.test(query.get('offset') || '') ? Number(query.get('offset')) : 0;
    const limit = 50;
    const fields = {
      action: c.input({label: 'Action', name: 'action', width: 20, value: filters.action || '', spellcheck: false,
                       hint: 'Exactly, for example user.add or session.create.'}),
      actor: c.input({label: 'Actor', name: 'actor', width: 20, value: filters.actor || '', spellcheck: false,
                      hint: 'Exactly, for example user:r.khan or cli:alice.'}),
      since: c.input({label: 'From', name: 'since', width: 10, value: filters.since || '',
                      hint: 'A date, for example 2026-12-01.'}),
      until: c.input({label: 'To', name: 'until', width: 10, value: filters.until || '',
                      hint: 'A date, for example 2026-12-02.'}),
    };
    let page;
    let refusal = null;
    try {
      page = await api.get('/audit-log', {...filters, limit, offset});
    } catch (err) {
      if (!(err instanceof api.ApiError) || err.status !== 400) throw err;
      refusal = err;
      page = {items: [], limit, offset: 0, total: 0};
    }
    const hrefFor = (o) => {
      const q = new URLSearchParams({...filters, offset: String(o)});
      return `#/audit-log?${q}`;
    };
    const form = h('form', {class: 'app-filters', novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      for (const k of logFilters) if (fields[k].control.value.trim()) q.set(k, fields[k].control.value.trim());
      const s = q.toString();
      navigate(`/audit-log${s ? `?${s}` : ''}`);
    }}, h('div', {class: 'app-filters__fields'}, ...logFilters.map((k) => fields[k].el)),
    c.button('Apply filters', {type: 'submit', secondary: true}));
    const result = h('div', {id: 'verification', 'aria-live': 'polite'});
    const verify = c.button('Verify the log', {onclick: async () => {
      clear(result);
      try {
        const v = await api.get('/audit-log/verification');
        result.append(v.ok
          ? c.notification(`The log is intact: ${v.entries} entries, head hash ${v.head_hash}. ` +
                           'Write the head hash down outside the server.', {success: true, title: 'Verified'})
          : h('div', {class: 'govuk-error-summary', role: 'alert'},
              h('h2', {class: 'govuk-error-summary__title', text: 'The log has been changed'}),
              h('div', {class: 'govuk-error-summary__body'},
                c.p(`The chain breaks at entry ${v.first_bad_seq}: ${v.problem}. Tell your security ` +
                    'officer and keep the database as it is.'))));
      } catch (err) {
        if (!(err instanceof api.ApiError) || err.status === 401) throw err;
        c.showProblem(main, err);
      }
    }});
    const logTable = c.table({
      caption: `${page.total} entries${Object.keys(filters).length ? ' matching the filters' : ''}`,
      rows: page.items.map((e) => [String(e.seq), when(e.at), e.actor, e.action, e.object, e.outcome]),
      cols: [{text: 'Entry', numeric: true}, {text: 'When'}, {text: 'Actor'}, {text: 'Action'},
             {text: 'Object'}, {text: 'Outcome'}],
      empty: 'No entries match these filters.'});
    logTable.classList.add('app-log-table');  // long outcomes (hashes) wrap instead of widening the page
    const nodes = [
      c.heading('Audit log'),
      c.p('Who did what and when, newest first. Entries never hold case content. Reading the log is ' +
          'itself recorded.'),
      h('h2', {class: 'govuk-heading-m', text: 'Check the log has not been changed'}),
      verify, result,
      h('h2', {class: 'govuk-heading-m', text: 'Entries'}),
      form,
      logTable,
      c.pagination(page, hrefFor),
    ];
    // A bad filter (400 naming the parameter) is shown against its field once the screen is drawn.
    if (refusal) {
      document.addEventListener('pathaudit:rendered', () => problem(main, refusal, fields),
                                {once: true});
    }
    return nodes;
  },
});
