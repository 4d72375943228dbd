// Exports: a QA lead makes one with a reason and downloads it; a board member sees the board
// workbooks waiting and downloads them (docs/exports.md). Each file can be downloaded once.
import {h, frag} from '../dom.js';
import * as c from '../components.js';
import * as api from '../api.js';
import {route as addRoute, refresh} from '../router.js';

// Screens here return nested lists of nodes; the router appends one level, so flatten them here.
const route = (pattern, spec) =>
  addRoute(pattern, {...spec, render: async (...args) => frag(await spec.render(...args))});

const main = () => document.getElementById('main-content');
const kinds = {board: 'Board workbook', detail: 'QA detail workbook', csv: 'QA detail CSV'};

// Fetches the file and saves it through a Blob URL, so the session cookie and the API's error
// answers work as for every other request; the name is the service's (ids and kind only).
async function download(item, button) {
  button.disabled = true;
  try {
    const res = await api.request('GET', `/exports/${item.id}/file`, {raw: true});
    const disposition = res.headers.get('Content-Disposition') || '';
    const m = /filename="([^"]+)"/.exec(disposition);
    const name = m ? m[1] : `pathaudit-export-${item.id}`;
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', {href: url, download: name, hidden: true});
    document.body.append(a);
    a.click();
    a.remove();
    // The browser has taken the file by the time the click returns; the URL is not needed after.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    c.flash(`Export ${item.id} downloaded as ${name}. It has been removed from the service: keep the ` +
            'file safe.');
    refresh();
  } catch (err) {
    button.disabled = false;
    c.showProblem(main(), err);
  }
}

function list(items, board) {
  return c.table({
    caption: board ? 'Board workbooks waiting for you' : 'Your exports waiting to be downloaded',
    empty: 'No exports are waiting.',
    cols: [{text: 'Export'}, {text: 'Audit'}, {text: 'Kind'}, {text: 'Made'}, {text: 'Available until'},
           {text: 'SHA-256'}, {text: 'Download'}],
    rows: items.map((x) => {
      const b = c.button(`Download export ${x.id}`, {secondary: true});
      b.addEventListener('click', () => download(x, b));
      return [String(x.id), String(x.audit), kinds[x.kind] || x.kind, x.created_at, x.expires_at,
              h('span', {class: 'app-hash', text: x.sha256}), b];
    }),
  });
}

function requestForm(audits, auditId) {
  const audit = c.select({label: 'Audit', name: 'audit', value: auditId,
                          options: audits.map((a) => ({value: String(a.id), text: `${a.id}: ${a.title}`}))});
  const kind = c.radios({legend: 'What to export', name: 'kind', value: 'board', items: [
    {value: 'board', text: kinds.board,
     hint: 'For the partnership board: disclosure controlled, board-safe learning only'},
    {value: 'detail', text: kinds.detail, hint: 'Case data for QA leads only'},
    {value: 'csv', text: kinds.csv, hint: 'One row per return, case data for QA leads only'},
  ]});
  const profile = c.radios({legend: 'Disclosure control of a board workbook', name: 'profile', value: 'dfe',
                            inline: true, items: [{value: 'dfe', text: 'DfE'}, {value: 'nhs', text: 'NHS'}]});
  const reason = c.textarea({label: 'Reason for the export', name: 'reason', rows: 2,
                             hint: 'Recorded, and printed on a board workbook\'s cover. Never case details. ' +
                                   'At most 500 characters.'});
  const fields = {audit, kind, profile, reason};
  return h('form', {novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    reason.setError(null);
    const text = reason.control.value.trim();
    if (!text || text.length > 500) {
      const message = text ? 'The reason must be 500 characters or fewer' : 'Enter the reason for the export';
      reason.setError(message);
      return void c.errorSummary(main(), [{text: message, href: `#${reason.id}`}]);
    }
    const body = {audit: Number(audit.control.value), kind: kind.value, reason: text};
    if (kind.value === 'board') body.profile = profile.value;
    try {
      const made = await api.post('/exports', body);
      c.flash(`Export ${made.id} made (${kinds[made.kind]}, ${made.rows} rows). It waits until ` +
              `${made.expires_at} to be downloaded once.`);
      refresh();
    } catch (err) {
      c.showProblem(main(), err, fields);
    }
  }}, audit.el, kind.el, profile.el, reason.el, c.button('Make the export', {type: 'submit'}));
}

route('/exports', {
  title: 'Exports',
  roles: ['qa_lead', 'board'],
  async render(params, query, ctx) {
    const board = ctx.user.role === 'board';
    const waiting = await api.all('/exports');
    if (board)
      return [c.takeFlash(), c.heading('Exports'),
              c.p('Board workbooks made for you by the QA lead. Each can be downloaded once: keep the file ' +
                  'safe, and read it with the board member\'s guide.'),
              c.p('The SHA-256 is the file\'s fingerprint: the guide says how to check that the file you ' +
                  'have is the one that was made.'),
              list(waiting, true)];
    const audits = await api.all('/audits');
    return [
      c.takeFlash(),
      c.heading('Exports'),
      c.p('Every export needs a reason and is recorded in the audit log. The file waits for 24 hours and can ' +
          'be downloaded once.'),
      list(waiting, false),
      audits.length ? [c.h2('Make an export'), requestForm(audits, query.get('audit') || '')]
                    : c.p('No audits yet.'),
    ];
  },
});
