// A case's chronology (#/cases/:id/chronology): the sampled child's events across every agency as
// an MoJ timeline, the events that rules flagged highlighted with the flag's explanation, and each
// flag confirmed or dismissed with a reason. For the auditors who hold a return of the case and QA
// leads; the API answers 404 for any other case, and the router shows "Page not found".
import {h} from '../dom.js';
import * as c from '../components.js';
import * as api from '../api.js';
import {route, refresh} from '../router.js';

function eventBody(e, flagsById) {
  const rows = [['Reference', e.event_ref]];
  if (e.outcome) rows.push(['Outcome', c.humanise(e.outcome)]);
  if (e.to_agency || e.to_service)
    rows.push(['To', [e.to_agency, e.to_service && c.humanise(e.to_service)].filter(Boolean).join(', ')]);
  if (e.participants && e.participants.length) rows.push(['Participants', e.participants.join(', ')]);
  if (e.entry_point) rows.push(['Entry point', c.humanise(e.entry_point)]);
  if (e.category && e.category.length) rows.push(['Category', e.category.join(', ')]);
  rows.push(['Child', `${e.sex || 'Sex not recorded'}, ${e.age_years ?? 'age not recorded'}`]);
  if (e.notes) rows.push(['Notes', e.notes]);
  const flags = (e.flag_ids || []).map((id) => flagsById.get(id)).filter(Boolean);
  return [
    // A flagged event says so in words (the tag's text) and explains the flag, not colour alone.
    ...flags.map((f) => h('div', {class: 'app-flag-note'},
                          c.tag('Flag', 'red'), ' ',
                          h('span', {class: 'govuk-body-s',
                                     text: `Flag ${f.id}, ${c.humanise(f.rule)} (${f.status}): ${f.detail}`}))),
    c.summaryList(rows),
  ];
}

function flagPanel(flag, main) {
  const reason = c.textarea({label: `Your reason for confirming or dismissing flag ${flag.id}`,
                             name: `reason-${flag.id}`, id: `reason-${flag.id}`, rows: 3,
                             hint: 'What the records show. It is encrypted; no names or identifiers.'});
  const decide = (action) => async () => {
    reason.setError(null);
    if (!reason.control.value.trim()) {
      const text = `Enter your reason for ${action === 'confirm' ? 'confirming' : 'dismissing'} flag ${flag.id}`;
      reason.setError(text);
      return void c.errorSummary(main, [{text, href: `#${reason.id}`}]);
    }
    try {
      const r = await api.post(`/flags/${flag.id}/${action}`, {reason: reason.control.value});
      c.flash(`Flag ${r.id} ${r.status}.`);  // shown, and focused, above the chronology read again
      await refresh();
    } catch (err) {
      if (!(err instanceof api.ApiError) || err.status === 401) throw err;
      c.showProblem(main, err, {reason});
    }
  };
  return h('div', {class: 'app-flag', id: `flag-${flag.id}`},
           h('h3', {class: 'govuk-heading-s'}, `Flag ${flag.id}: ${c.humanise(flag.rule)} `,
             c.flagStatusTag(flag.status)),
           c.summaryList([
             ['Status', c.flagStatusTag(flag.status)],
             ['Severity', c.humanise(flag.severity)],
             ['Agency', flag.agency],
             ['Evidence', (flag.event_refs || []).join(', ')],
             ['Explanation', flag.detail],
           ]),
           reason.el,
           c.buttonGroup(c.button(`Confirm flag ${flag.id}`, {onclick: decide('confirm')}),
                         c.button(`Dismiss flag ${flag.id}`, {secondary: true, onclick: decide('dismiss')})));
}

route('/cases/:id/chronology', {
  title: 'Case chronology',
  roles: ['auditor', 'qa_lead'],
  async render(params, query, ctx) {
    const chron = await api.get(`/cases/${params.id}/chronology`);
    const main = document.getElementById('main-content');
    const flagsById = new Map(chron.flags.map((f) => [f.id, f]));
    const items = chron.events.map((e) => ({
      id: `event-${e.event_id}`,
      title: `${c.humanise(e.type)}: ${e.agency}`,
      date: e.date,
      body: eventBody(e, flagsById),
    }));
    const line = c.timeline(items);
    for (const e of chron.events)
      if ((e.flag_ids || []).length) line.querySelector(`#event-${e.event_id}`).classList.add('app-flagged');
    // Opened from a return, the back link goes back to it (its id is in the fragment's query).
    const from = /^[0-9]+$/.test(query.get('review') || '') ? query.get('review') : null;
    return [
      c.takeFlash(),
      from ? c.backLink(`#/reviews/${from}`, `Back to return ${from}`)
           : c.backLink('#/returns', ctx.user.role === 'qa_lead' ? 'Back to returns' : 'Back to my returns'),
      c.heading('Case chronology', {caption: `Case ${chron.child_key}, audit ${chron.audit_id}`}),
      c.p('The child\'s events across every agency, by date, as the agencies\' extracts record them.'),
      h('h2', {class: 'govuk-heading-m', text: `Flags on this case (${chron.flags.length})`}),
      c.insetText('A flag is a prompt, not a finding: look at the records, then confirm it (the gap ' +
                  'is real) or dismiss it (there is a good reason), with your reason.'),
      chron.flags.length ? h('div', {}, chron.flags.map((f) => flagPanel(f, main)))
                         : c.p('No flags on this case.'),
      h('h2', {class: 'govuk-heading-m', text: `Events (${chron.events.length})`}),
      chron.events.length ? line : c.p('No events recorded for this child.'),
    ];
  },
});
