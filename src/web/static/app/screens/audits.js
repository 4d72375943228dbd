// The QA lead's audit screens: the audits, creating one, one audit with its sample, assignment
// and returns, uploading the agencies' extracts, and the flags overview (docs/qa-lead-guide.md,
// "In the browser"). Module state: the last sample drawn and assignment made per audit, because
// the API gives whether a drawn child is flagged and the assignment summary only in the answer to
// the change (the sample's cases themselves come with the audit).
import {h, frag} from '../dom.js';
import * as c from '../components.js';
import * as api from '../api.js';
import {route as addRoute, navigate, refresh} from '../router.js';

// Screens here return nested lists of nodes; the router appends one level, so flatten them here.
const route = (pattern, spec) =>
  addRoute(pattern, {...spec, render: async (...args) => frag(await spec.render(...args))});

const QA = ['qa_lead'];
const lastDraw = new Map();
const lastAssign = new Map();

const main = () => document.getElementById('main-content');

// The current sample's children; whether each was drawn as flagged is known only just after the draw.
function sampleTable(sample, draw) {
  const flagged = draw ? new Map(draw.cases.map((k) => [k.child_key, k.flagged])) : null;
  return c.table({caption: `Sample ${sample.id}: the children drawn`,
                  cols: [{text: 'Case'}, {text: 'Child'}, {text: 'Stratum'}, flagged ? {text: 'Flagged'} : null]
                    .filter(Boolean),
                  rows: sample.cases.map((k) => [c.link(`Case ${k.id}`, `#/cases/${k.id}`), k.child_key,
                                                 k.stratum || 'None (simple random sample)',
                                                 flagged ? (flagged.get(k.child_key) ? 'Yes' : 'No') : null]
                    .filter((x) => x !== null))});
}

const stateColour = {assigned: 'grey', in_progress: 'blue', submitted: 'purple', returned: 'orange',
                     resubmitted: 'purple', accepted: 'green', locked: 'turquoise', open: 'blue',
                     closed: 'grey'};
export const stateTag = (state) => c.tag(c.words(state), stateColour[state]);

// Fields the client checks before sending: errors for the empty ones, in page order.
function required(checks) {
  const errors = [];
  for (const [field, ok, text] of checks) {
    field.setError(ok ? null : text);
    if (!ok) errors.push({text, href: `#${field.id}`});
  }
  return errors;
}

const codes = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

route('/audits', {
  title: 'Audits',
  roles: QA,
  async render() {
    const audits = await api.all('/audits');
    return [
      c.takeFlash(),
      c.heading('Audits'),
      c.p('Each audit has a template, a period and a scope; its sample is drawn and assigned from its page.'),
      // A link styled as a button: it goes to a page, it changes nothing (GOV.UK button guidance).
      c.buttonGroup(h('a', {class: 'govuk-button', href: '#/audits/new', draggable: 'false',
                            text: 'Create an audit'})),
      c.table({caption: 'Audits', empty: 'No audits yet.',
               cols: [{text: 'Audit'}, {text: 'Template'}, {text: 'Period'}, {text: 'Review'},
                      {text: 'Status'}],
               rows: audits.map((a) => [c.link(a.title, `#/audits/${a.id}`), a.template,
                                        `${a.period_start} to ${a.period_end}`,
                                        a.dual_review ? 'Dual' : 'Single', stateTag(a.status)])}),
    ];
  },
});

route('/audits/new', {
  title: 'Create an audit',
  roles: QA,
  async render() {
    const templates = await api.all('/templates');
    const title = c.input({label: 'Title', name: 'title',
                           hint: 'For example, CSA in the family 2026. Never a child\'s or family\'s ' +
                                 'details.'});
    const template = c.select({label: 'Review template', name: 'template',
                               options: templates.map((t) => ({value: t.ref,
                                                               text: `${t.title} (${t.ref})`}))});
    const start = c.dateInput({legend: 'Period start', name: 'period_start',
                               hint: 'The first day of the audit period, for example 1 1 2025'});
    const end = c.dateInput({legend: 'Period end', name: 'period_end',
                             hint: 'The last day of the audit period (included)'});
    const categories = c.input({label: 'Category codes (optional)', name: 'categories',
                                hint: 'Comma-separated, for example SAB, 19B, 19C. A child is in scope ' +
                                      'with any of them.'});
    const flagRules = c.input({label: 'Flag rules (optional)', name: 'flag_rules',
                               hint: 'Comma-separated rule ids, for example abe_not_shared'});
    const entryPoints = c.input({label: 'Entry points (optional)', name: 'entry_points',
                                 hint: 'Comma-separated, for example school, gp'});
    const dual = c.radios({legend: 'Blind dual review?', name: 'dual_review', inline: true, value: 'no',
                           hint: 'Two auditors of each agency review each return without seeing the ' +
                                 'other\'s. Chosen now for good.',
                           items: [{value: 'no', text: 'No'}, {value: 'yes', text: 'Yes'}]});
    const fields = {title, template, period_start: start, period_end: end,
                    'scope.categories': categories, 'scope.flag_rules': flagRules,
                    'scope.entry_points': entryPoints, dual_review: dual};
    const form = h('form', {novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const errors = required([
        [title, title.control.value.trim(), 'Enter a title'],
        [start, start.value,
         start.value === null ? 'Period start must be a real date' : 'Enter the period start'],
        [end, end.value, end.value === null ? 'Period end must be a real date' : 'Enter the period end'],
      ]);
      if (!templates.length)
        errors.push({text: 'Import a review template first (pathaudit templates import)', href: null});
      if (errors.length) return void c.errorSummary(main(), errors);
      const scope = {};
      if (codes(categories.control.value).length) scope.categories = codes(categories.control.value);
      if (codes(flagRules.control.value).length) scope.flag_rules = codes(flagRules.control.value);
      if (codes(entryPoints.control.value).length) scope.entry_points = codes(entryPoints.control.value);
      try {
        const audit = await api.post('/audits', {title: title.control.value.trim(),
                                                 template: template.control.value,
                                                 period_start: start.value, period_end: end.value,
                                                 scope, dual_review: dual.value === 'yes'});
        c.flash(`Audit ${audit.id} created. Draw its sample next.`);
        navigate(`/audits/${audit.id}`);
      } catch (err) {
        c.showProblem(main(), err, fields);
      }
    }}, title.el, template.el, start.el, end.el,
    h('h2', {class: 'govuk-heading-m', text: 'Scope'}),
    c.p('Leave these empty for every child with an event in the period. With codes, a child must match ' +
        'every filter given.'),
    categories.el, flagRules.el, entryPoints.el, dual.el,
    c.button('Create audit', {type: 'submit'}));
    return [c.backLink('#/audits', 'Back to audits'), c.heading('Create an audit'), form];
  },
});

function sampleForm(id, disabled) {
  const size = c.input({label: 'Sample size', name: 'size', width: 4, hint: 'How many children to draw'});
  const seed = c.input({label: 'Seed', name: 'seed', width: 10,
                        hint: 'A whole number, for example today\'s date 20261202. The same seed and ' +
                              'population draw the same sample.'});
  const strata = c.radios({legend: 'Strata', name: 'strata', value: '',
                           items: [{value: '', text: 'None: one simple random sample'},
                                   {value: 'agency', text: 'Agency of the first event'},
                                   {value: 'entry_point', text: 'Entry point'},
                                   {value: 'age_band', text: 'Age band'},
                                   {value: 'category', text: 'Category (sexual abuse or other)'}]});
  const flagged = c.input({label: 'Flagged children to include first', name: 'include_flagged', width: 4,
                           value: '0', hint: 'Drawn first from children with an open or confirmed flag'});
  const fields = {size, seed, strata, include_flagged: flagged};
  const whole = (f) => /^\d+$/.test(f.control.value.trim());
  return h('form', {novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const errors = required([
      [size, whole(size) && Number(size.control.value) > 0,
       'Enter the sample size as a whole number above 0'],
      [seed, whole(seed), 'Enter the seed as a whole number'],
      [flagged, whole(flagged), 'Enter how many flagged children to include, 0 for none'],
    ]);
    if (errors.length) return void c.errorSummary(main(), errors);
    const body = {size: Number(size.control.value), seed: Number(seed.control.value),
                  include_flagged: Number(flagged.control.value)};
    if (strata.value) body.strata = strata.value;
    try {
      const answer = await api.post(`/audits/${id}/sample`, body);
      lastDraw.set(id, answer);
      c.flash(`Sample ${answer.sample_id} drawn: ${answer.cases.length} of ${answer.population_size} ` +
              'children' +
              (answer.replaced_sample_id ? ` (it replaces sample ${answer.replaced_sample_id})` : ''));
      refresh();
    } catch (err) {
      c.showProblem(main(), err, fields);
    }
  }}, h('fieldset', {class: 'govuk-fieldset', disabled},
        h('legend', {class: 'govuk-fieldset__legend govuk-fieldset__legend--m', text: 'Draw a sample'}),
        size.el, seed.el, strata.el, flagged.el, c.button('Draw the sample', {type: 'submit'})));
}

function assignForm(id, user) {
  return h('form', {novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    try {
      const answer = await api.post(`/audits/${id}/assign`, {qa_lead: user.username});
      lastAssign.set(id, answer);
      const made = answer.rows.filter((r) => r.kind === 'return').reduce((n, r) => n + Number(r.created), 0);
      c.flash(`Assigned: ${made} returns created or given an auditor`);
      refresh();
    } catch (err) {
      c.showProblem(main(), err);
    }
  }}, c.p('Makes a return for each involved agency of each sampled case, shared round robin among the ' +
          'agency\'s active auditors, and a discussion for each case owned by you. Safe to run again: ' +
          'it only adds what is missing.'),
  c.button('Assign the sample', {type: 'submit'}));
}

route('/audits/:id', {
  title: (p) => `Audit ${p.id}`,
  roles: QA,
  async render({id}, query, ctx) {
    const [detail, reviews] = await Promise.all([api.get(`/audits/${id}`),
                                                 api.all('/reviews', {audit: id})]);
    const a = detail.audit;
    const s = detail.sample;
    const scope = Object.entries(a.scope || {}).map(([k, v]) => `${c.words(k)}: ${[v].flat().join(', ')}`);
    const draw = lastDraw.get(id);
    const assigned = lastAssign.get(id);
    // Cases from the returns once assigned (the API lists a sample's cases only when drawn).
    const cases = new Map();
    for (const r of reviews) {
      if (!cases.has(r.case)) cases.set(r.case, {child_key: r.child_key, agencies: []});
      cases.get(r.case).agencies.push(r.agency);
    }
    return [
      c.takeFlash(),
      c.backLink('#/audits', 'Back to audits'),
      c.heading(a.title, {caption: `Audit ${a.id}`}),
      c.summaryList([
        ['Template', a.template],
        ['Period', `${a.period_start} to ${a.period_end}`],
        ['Scope', scope.length ? scope.join('; ') : 'Every child with an event in the period'],
        ['Review', a.dual_review ? 'Blind dual review' : 'Single review'],
        ['Status', stateTag(a.status)],
        ['Population', `${detail.population} children`],
        ['Sample', s ? `Sample ${s.id}: ${s.size} children, seed ${s.seed}, drawn ${s.sampled_at}`
                     : 'Not drawn yet'],
        ['Returns', `${detail.returns} (${detail.unassigned_returns} without an auditor)`],
        ['Discussions', String(detail.discussions)],
      ]),
      h('ul', {class: 'govuk-list'},
        h('li', {}, c.link('Collation dashboard', `#/audits/${id}/collation`)),
        h('li', {}, c.link('Actions of this audit', `#/actions?audit=${id}`)),
        h('li', {}, c.link('Exports', `#/exports?audit=${id}`))),
      c.h2('Sample'),
      detail.returns > 0
        ? c.insetText('The sample is assigned, so it can no longer be drawn again. To audit another ' +
                      'sample, create a new audit.')
        : sampleForm(id, false),
      s && s.cases.length ? sampleTable(s, draw && draw.sample_id === s.id ? draw : null) : null,
      s ? [c.h2('Assignment'), assignForm(id, ctx.user)] : null,
      assigned ? [
        c.table({caption: 'Assignment summary',
                 cols: [{text: 'Kind'}, {text: 'Agency'}, {text: 'Cases', numeric: true},
                        {text: 'Created', numeric: true}, {text: 'Without auditor', numeric: true},
                        {text: 'Assignees'}],
                 rows: assigned.rows.map((r) => [c.words(r.kind), r.agency || 'All', String(r.cases),
                                                 String(r.created), String(r.unassigned), r.assignees])}),
        assigned.agencies_without_auditor.length
          ? c.warningText(`No active auditor for ${assigned.agencies_without_auditor.join(', ')}: ` +
                          'ask an administrator to add one, then assign again.')
          : null,
      ] : null,
      cases.size ? c.table({caption: 'Sampled cases',
                            cols: [{text: 'Case'}, {text: 'Child'}, {text: 'Agencies'}],
                            rows: [...cases].map(([cid, k]) => [c.link(`Case ${cid}`, `#/cases/${cid}`),
                                                                k.child_key, k.agencies.join(', ')])}) : null,
      c.h2('Returns'),
      c.table({caption: 'Returns of this audit', empty: 'No returns yet: assign the sample.', sortable: true,
               cols: [{text: 'Return'}, {text: 'Case'}, {text: 'Child'}, {text: 'Agency'}, {text: 'Auditor'},
                      {text: 'State'}],
               rows: reviews.map((r) => [c.link(`Return ${r.id}`, `#/reviews/${r.id}`),
                                         c.link(`Case ${r.case}`, `#/cases/${r.case}`), r.child_key,
                                         r.agency, r.auditor || 'No auditor', stateTag(r.state)])}),
    ];
  },
});

function importResult(answer) {
  return [
    c.h2('What was imported'),
    c.summaryList([
      ['Import', String(answer.import_id)],
      ['Rows new to the database', String(answer.inserted)],
      ['Rows replacing stored ones', String(answer.updated)],
      ['Children after linkage', String(answer.children)],
      ['Flags', `${answer.flags.new} new, ${answer.flags.unchanged} unchanged, ` +
                `${answer.flags.withdrawn} withdrawn (rule set ${answer.flags.rule_set})`],
      ['Data up to', answer.flags.data_up_to || 'No events'],
    ]),
    c.table({caption: 'Files', cols: [{text: 'File'}, {text: 'Rows', numeric: true},
                                      {text: 'New', numeric: true}, {text: 'Replaced', numeric: true}],
             rows: answer.files.map((f) => [f.file, String(f.rows), String(f.inserted), String(f.updated)])}),
  ];
}

// 'events-CSC.csv:3:4: event_date: is not a calendar date' -> [file, line, column, what].
function rowError(text) {
  const m = /^(.*?):(\d+):(\d+): (.*)$/.exec(text);
  return m ? [m[1], m[2], m[3], m[4]] : ['', '', '', text];
}

route('/imports', {
  title: 'Upload extracts',
  roles: QA,
  render() {
    const files = c.fileUpload({label: 'Agency extracts (CSV)', name: 'files', accept: '.csv,text/csv',
                                multiple: true,
                                hint: 'Choose every file of this import together: all of them are ' +
                                      'stored, or none.'});
    const unknown = c.checkboxes({legend: 'Columns', name: 'ignore_unknown_columns', small: true,
                                  items: [{value: 'true',
                                           text: 'Skip columns the import format does not define'}]});
    const result = h('div', {});
    const form = h('form', {novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      result.replaceChildren();
      const chosen = [...files.control.files];
      files.setError(null);
      if (!chosen.length) {
        files.setError('Choose at least one extract');
        return void c.errorSummary(main(), [{text: 'Choose at least one extract', href: `#${files.id}`}]);
      }
      const body = new FormData();
      for (const f of chosen) body.append('file', f, f.name);
      const button = form.querySelector('button');
      button.disabled = true;
      try {
        const options = api.query({ignore_unknown_columns: unknown.values.length ? 'true' : ''});
        const answer = await api.request('POST', `/imports${options}`, {body});
        c.errorSummary(main(), []);
        const plural = chosen.length === 1 ? '' : 's';
        const banner = c.notification(`Imported ${chosen.length} file${plural}: ${answer.inserted} rows ` +
                                      `new, ${answer.updated} replaced`, {success: true});
        result.append(banner, ...importResult(answer));
        c.focusedBanner(banner);
      } catch (err) {
        if (err.errors && err.errors.length) {
          // Every row error links to the file field: the files must be fixed and chosen again.
          const detail = err.detail || 'The import was refused';
          const stored = /nothing was stored/i.test(detail) ? '' : '; nothing was stored';
          const what = `${detail}${stored}. Fix the rows listed and upload every file again.`;
          c.errorSummary(main(), [{text: what, href: `#${files.id}`},
                                  ...err.errors.map((text) => ({text, href: `#${files.id}`}))],
                         'The import was refused');
          files.setError('Nothing was stored: fix the rows listed and choose the files again');
          result.append(c.table({caption: 'Rows refused',
                                 cols: [{text: 'File'}, {text: 'Line', numeric: true},
                                        {text: 'Column', numeric: true}, {text: 'What is wrong'}],
                                 rows: err.errors.map(rowError)}));
        } else {
          c.showProblem(main(), err);
        }
      } finally {
        button.disabled = false;
      }
    }}, files.el, unknown.el, c.button('Upload and import', {type: 'submit'}));
    return [c.heading('Upload extracts'),
            c.p('Upload the agencies\' event extracts in the import format (docs/import-format.md). ' +
                'The files are held in memory while they are imported, and flags are recomputed.'),
            form, result];
  },
});

route('/flags', {
  title: 'Flags',
  roles: QA,
  async render(params, query) {
    const rule = query.get('rule') || '';
    const offset = Number(query.get('offset') || 0);
    const [summary, page] = await Promise.all([api.all('/flags/summary'),
                                               api.get('/flags', {rule, limit: 50, offset})]);
    const rules = [...new Set(summary.map((s) => s.rule))].sort();
    const filter = c.select({label: 'Rule', name: 'rule', value: rule,
                             options: [{value: '', text: 'Every rule'},
                                       ...rules.map((r) => ({value: r, text: r}))]});
    const href = (o, r = rule) => `#/flags${api.query({rule: r, offset: o || ''})}`;
    return [
      c.heading('Flags'),
      c.p('Gaps the rules found in the imported events. Auditors confirm or dismiss the flags of their ' +
          'cases.'),
      c.table({caption: 'Flags by rule, severity and status', sortable: true,
               cols: [{text: 'Rule'}, {text: 'Severity'}, {text: 'Status'}, {text: 'Flags', numeric: true}],
               rows: summary.map((s) => [s.rule, c.words(s.severity), c.words(s.status), String(s.count)])}),
      c.h2('Flags with their evidence'),
      h('form', {novalidate: true, class: 'app-filter', onsubmit: (e) => {
        e.preventDefault();
        navigate(`/flags${api.query({rule: filter.control.value})}`);
      }}, filter.el, c.button('Show flags', {type: 'submit', secondary: true})),
      c.table({caption: rule ? `Flags of rule ${rule}` : 'Every flag', empty: 'No flags.',
               cols: [{text: 'Flag'}, {text: 'Rule'}, {text: 'Severity'}, {text: 'Status'}, {text: 'Agency'},
                      {text: 'Child'}, {text: 'What the rule found'}],
               rows: page.items.map((f) => [String(f.id), f.rule, c.words(f.severity), c.words(f.status),
                                            f.agency, f.child_key, f.detail])}),
      c.pagination(page, (o) => href(o)),
    ];
  },
});
