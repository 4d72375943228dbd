// GOV.UK Frontend and MoJ Frontend components built as DOM (dom.js), with the markup the design
// systems document, so their CSS and JavaScript apply unchanged. Screens use these instead of
// writing component markup themselves; one builder per component.
import {ErrorSummary, Radios} from '/static/govuk/govuk-frontend.min.js';
import {SortableTable} from '/static/moj/moj-frontend.min.js';
import {h, clear} from './dom.js';

let ids = 0;
export const uid = (prefix = 'f') => `${prefix}-${++ids}`;

export function heading(text, {caption, size = 'l'} = {}) {
  return h('h1', {class: `govuk-heading-${size}`},
           caption ? h('span', {class: `govuk-caption-${size}`, text: caption}) : null, text);
}
export const h2 = (text, size = 'm') => h('h2', {class: `govuk-heading-${size}`, text});
export const p = (...children) => h('p', {class: 'govuk-body'}, ...children);
export const hint = (text) => h('p', {class: 'govuk-hint', text});
export const link = (text, href, attrs = {}) => h('a', {class: 'govuk-link', href, ...attrs}, text);

export function button(text, {onclick, secondary, warning, type = 'button', id, disabled} = {}) {
  const cls = ['govuk-button', secondary && 'govuk-button--secondary',
               warning && 'govuk-button--warning'].filter(Boolean).join(' ');
  return h('button', {class: cls, type, id, onclick, disabled, 'data-module': 'govuk-button'}, text);
}
export const buttonGroup = (...buttons) => h('div', {class: 'govuk-button-group'}, ...buttons);

// Tag colours carry no meaning on their own: the text always says it (WCAG 1.4.1).
export const tag = (text, colour) =>
  h('strong', {class: `govuk-tag${colour ? ` govuk-tag--${colour}` : ''}`, text});

// A form field wrapper: label or legend, hint, error message, control. Returns {el, control,
// setError(message|null)} so forms can show the service's errors against each field.
function fieldShell(id, label, hintText, control, {labelSize = 's'} = {}) {
  const hintId = hintText ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const error = h('p', {class: 'govuk-error-message', id: errorId, hidden: true});
  const group = h('div', {class: 'govuk-form-group'},
                  h('label', {class: `govuk-label govuk-label--${labelSize}`, for: id, text: label}),
                  hintText ? h('div', {class: 'govuk-hint', id: hintId, text: hintText}) : null,
                  error, control);
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return {
    el: group, control, id,
    setError(message) {
      clear(error);
      error.hidden = !message;
      group.classList.toggle('govuk-form-group--error', Boolean(message));
      const base = control.classList[0];
      if (base) control.classList.toggle(`${base}--error`, Boolean(message));
      const described = [hintId, message ? errorId : null].filter(Boolean).join(' ');
      if (described) control.setAttribute('aria-describedby', described);
      else control.removeAttribute('aria-describedby');
      if (message) error.append(h('span', {class: 'govuk-visually-hidden', text: 'Error: '}),
                                message);
    },
  };
}

export function input({label, name, id = uid(name), hint: hintText, value = '', type = 'text',
                       autocomplete, width, labelSize, spellcheck}) {
  const control = h('input', {
    class: `govuk-input${width ? ` govuk-input--width-${width}` : ''}`, id, name, type, value,
    autocomplete, spellcheck: spellcheck === undefined ? null : String(spellcheck),
  });
  return fieldShell(id, label, hintText, control, {labelSize});
}

export function textarea({label, name, id = uid(name), hint: hintText, value = '', rows = 4,
                          labelSize}) {
  const control = h('textarea', {class: 'govuk-textarea', id, name, rows});
  control.value = value;
  return fieldShell(id, label, hintText, control, {labelSize});
}

export function select({label, name, id = uid(name), hint: hintText, options, value = ''}) {
  const control = h('select', {class: 'govuk-select', id, name},
                    options.map((o) => h('option', {value: o.value, selected: o.value === value,
                                                    text: o.text})));
  return fieldShell(id, label, hintText, control);
}

export function fileUpload({label, name, id = uid(name), hint: hintText, accept, multiple}) {
  const control = h('input', {class: 'govuk-file-upload', id, name, type: 'file', accept, multiple});
  return fieldShell(id, label, hintText, control);
}

// A group of controls in a fieldset with a legend, hint and error message (radios, checkboxes,
// the date input; WCAG 1.3.1): {el, setError(message|null)}. `onError(on)` styles the controls.
function fieldsetShell({id, legend, hint: hintText, legendSize = 's', role, control, onError}) {
  const hintId = hintText ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const error = h('p', {class: 'govuk-error-message', id: errorId, hidden: true});
  const fieldset = h('fieldset', {class: 'govuk-fieldset', role, 'aria-describedby': hintId},
                     h('legend', {class: `govuk-fieldset__legend govuk-fieldset__legend--${legendSize}`,
                                  text: legend}),
                     hintText ? h('div', {class: 'govuk-hint', id: hintId, text: hintText}) : null,
                     error, control);
  const group = h('div', {class: 'govuk-form-group'}, fieldset);
  return {
    el: group,
    setError(message) {
      clear(error);
      error.hidden = !message;
      group.classList.toggle('govuk-form-group--error', Boolean(message));
      if (onError) onError(Boolean(message));
      const described = [hintId, message ? errorId : null].filter(Boolean).join(' ');
      if (described) fieldset.setAttribute('aria-describedby', described);
      else fieldset.removeAttribute('aria-describedby');
      if (message) error.append(h('span', {class: 'govuk-visually-hidden', text: 'Error: '}),
                                message);
    },
  };
}

// Radios in a fieldset with a legend. items: [{value, text, hint}]. The first radio's id is `id`,
// so an error summary link lands on the group.
export function radios({legend, name, id = uid(name), hint, items, value, inline, legendSize}) {
  const inputs = [];
  const list = h('div', {class: `govuk-radios${inline ? ' govuk-radios--inline' : ''}`,
                         'data-module': 'govuk-radios'},
                 items.map((item, i) => {
                   const rid = i === 0 ? id : `${id}-${i + 1}`;
                   const radio = h('input', {class: 'govuk-radios__input', id: rid, name,
                                             type: 'radio', value: item.value,
                                             checked: item.value === value,
                                             'aria-describedby': item.hint ? `${rid}-hint` : null});
                   inputs.push(radio);
                   return h('div', {class: 'govuk-radios__item'}, radio,
                            h('label', {class: 'govuk-label govuk-radios__label', for: rid,
                                        text: item.text}),
                            item.hint ? h('div', {class: 'govuk-hint govuk-radios__hint',
                                                  id: `${rid}-hint`, text: item.hint}) : null);
                 }));
  const shell = fieldsetShell({id, legend, hint, legendSize, control: list});
  new Radios(list);
  return {
    el: shell.el, id, inputs, setError: shell.setError,
    get value() {
      const c = inputs.find((r) => r.checked);
      return c ? c.value : null;
    },
  };
}

// The GOV.UK error summary: placed at the top of `container`, focused, each error a link to its
// field (GOV.UK's ErrorSummary moves focus to the field on click). errors: [{text, href}] where
// href is '#field-id' or null for an error not tied to a field.
export function errorSummary(container, errors, title = 'There is a problem') {
  container.querySelectorAll('.govuk-error-summary').forEach((e) => e.remove());
  if (!errors.length) return null;
  const summary = h('div', {class: 'govuk-error-summary', 'data-module': 'govuk-error-summary'},
                    h('div', {role: 'alert'},
                      h('h2', {class: 'govuk-error-summary__title', text: title}),
                      h('div', {class: 'govuk-error-summary__body'},
                        h('ul', {class: 'govuk-list govuk-error-summary__list'},
                          errors.map((e) => h('li', {},
                                              e.href ? h('a', {href: e.href, text: e.text})
                                                     : e.text))))));
  container.prepend(summary);
  new ErrorSummary(summary);  // focuses the summary, and its links focus their fields
  return summary;
}

// Shows an ApiError (or any error) in the page's error summary; field errors when the service
// named a JSON member we have a field for (`fields`: member name -> field from input()/radios()).
export function showProblem(container, err, fields = {}) {
  for (const f of Object.values(fields)) f.setError(null);
  const messages = err.errors && err.errors.length ? err.errors : [err.detail || err.message];
  const list = messages.map((m) => {
    const member = Object.keys(fields).find((k) => m.includes(`$.${k}`) || m.includes(`'${k}'`));
    if (member) {
      fields[member].setError(m);
      return {text: m, href: `#${fields[member].id}`};
    }
    return {text: m, href: null};
  });
  return errorSummary(container, list, err.title || 'There is a problem');
}

export function notification(text, {success, title} = {}) {
  return h('div', {class: `govuk-notification-banner${success ? ' govuk-notification-banner--success' : ''}`,
                   role: success ? 'alert' : 'region', 'aria-labelledby': uid('nb'),
                   'data-module': 'govuk-notification-banner'},
           h('div', {class: 'govuk-notification-banner__header'},
             h('h2', {class: 'govuk-notification-banner__title',
                      text: title || (success ? 'Success' : 'Important')})),
           h('div', {class: 'govuk-notification-banner__content'},
             h('p', {class: 'govuk-notification-banner__heading', text})));
}

export function insetText(...children) {
  return h('div', {class: 'govuk-inset-text'}, ...children);
}

export function warningText(text) {
  return h('div', {class: 'govuk-warning-text'},
           h('span', {class: 'govuk-warning-text__icon', 'aria-hidden': 'true', text: '!'}),
           h('strong', {class: 'govuk-warning-text__text'},
             h('span', {class: 'govuk-visually-hidden', text: 'Warning'}), text));
}

// rows: [[key, value(Node|string), actions?]]
export function summaryList(rows) {
  return h('dl', {class: 'govuk-summary-list'},
           rows.map(([k, v, action]) => h('div', {class: 'govuk-summary-list__row'},
                                          h('dt', {class: 'govuk-summary-list__key', text: k}),
                                          h('dd', {class: 'govuk-summary-list__value'}, v ?? ''),
                                          action ? h('dd', {class: 'govuk-summary-list__actions'},
                                                     action) : null)));
}

// A table with a caption and header cells. sortable: MoJ sortable table (buttons in the
// headers, aria-sort kept up to date). cols: [{text, numeric}], rows: [[cell Node|string]].
export function table({caption, cols, rows, sortable, empty = 'None.'}) {
  if (!rows.length) return p(empty);
  const t = h('table', {class: 'govuk-table', 'data-module': sortable ? 'moj-sortable-table' : null},
              caption ? h('caption', {class: 'govuk-table__caption govuk-table__caption--m',
                                      text: caption}) : null,
              h('thead', {class: 'govuk-table__head'},
                h('tr', {class: 'govuk-table__row'},
                  cols.map((c) => h('th', {scope: 'col',
                                           class: `govuk-table__header${c.numeric ? ' govuk-table__header--numeric' : ''}`,
                                           'aria-sort': sortable ? 'none' : null, text: c.text})))),
              h('tbody', {class: 'govuk-table__body'},
                rows.map((r) => h('tr', {class: 'govuk-table__row'},
                                  r.map((cell, i) => h('td', {
                                    class: `govuk-table__cell${cols[i] && cols[i].numeric ? ' govuk-table__cell--numeric' : ''}`,
                                  }, cell ?? ''))))));
  if (sortable) new SortableTable(t);
  return t;
}

// MoJ timeline: items [{title, by, date, body: Node|string, id}].
export function timeline(items) {
  return h('div', {class: 'moj-timeline'},
           items.map((it) => h('div', {class: 'moj-timeline__item', id: it.id},
                               h('div', {class: 'moj-timeline__header'},
                                 h('h2', {class: 'moj-timeline__title', text: it.title}),
                                 it.by ? h('p', {class: 'moj-timeline__byline', text: `by ${it.by}`}) : null),
                               h('p', {class: 'moj-timeline__date'},
                                 h('time', {datetime: it.date, text: it.date})),
                               h('div', {class: 'moj-timeline__description'}, it.body ?? ''))));
}

// A GOV.UK back link.
export const backLink = (href, text = 'Back') => h('a', {class: 'govuk-back-link', href, text});

// Pagination of a list answer {limit, offset, total}: previous/next links built by `hrefFor`.
export function pagination(page, hrefFor) {
  const {limit, offset, total} = page;
  if (total <= limit) return null;
  return h('nav', {class: 'govuk-pagination', 'aria-label': 'Pagination'},
           offset > 0 ? h('div', {class: 'govuk-pagination__prev'},
                          h('a', {class: 'govuk-link govuk-pagination__link',
                                  href: hrefFor(Math.max(0, offset - limit)), rel: 'prev'},
                            h('span', {class: 'govuk-pagination__link-title', text: 'Previous'}))) : null,
           h('p', {class: 'govuk-body govuk-!-margin-bottom-0',
                   text: `${offset + 1} to ${Math.min(offset + limit, total)} of ${total}`}),
           offset + limit < total ? h('div', {class: 'govuk-pagination__next'},
                                      h('a', {class: 'govuk-link govuk-pagination__link',
                                              href: hrefFor(offset + limit), rel: 'next'},
                                        h('span', {class: 'govuk-pagination__link-title', text: 'Next'}))) : null);
}

// ---- audits, casework and exports components (ui-b)
import {svg} from './dom.js';  // import declarations are hoisted: this one keeps to this section

// A GOV.UK date input: day, month and year fields in a fieldset with a legend. `value` is
// 'YYYY-MM-DD', '' when all three are empty, or null when they do not make a date; `id` is the
// day field's, so an error summary link lands on the first field.
export function dateInput({legend, name, id = uid(name), hint, value = '', legendSize}) {
  const [y, m, d] = value ? value.split('-') : ['', '', ''];
  const part = (key, label, v, width) => {
    const control = h('input', {class: `govuk-input govuk-date-input__input govuk-input--width-${width}`,
                                id: `${id}-${key}`, name: `${name}-${key}`, type: 'text',
                                inputmode: 'numeric', value: v});
    return {control, el: h('div', {class: 'govuk-date-input__item'},
                           h('div', {class: 'govuk-form-group'},
                             h('label', {class: 'govuk-label govuk-date-input__label',
                                         for: `${id}-${key}`, text: label}), control))};
  };
  const day = part('day', 'Day', d, 2);
  const month = part('month', 'Month', m, 2);
  const year = part('year', 'Year', y, 4);
  const controls = [day.control, month.control, year.control];
  const shell = fieldsetShell({
    id, legend, hint, legendSize, role: 'group',
    control: h('div', {class: 'govuk-date-input', id}, day.el, month.el, year.el),
    onError: (on) => controls.forEach((c) => c.classList.toggle('govuk-input--error', on)),
  });
  return {
    el: shell.el, id: `${id}-day`, setError: shell.setError,
    get value() {
      const [dd, mm, yy] = controls.map((c) => c.value.trim());
      if (!dd && !mm && !yy) return '';
      if (!/^\d{1,2}$/.test(dd) || !/^\d{1,2}$/.test(mm) || !/^\d{4}$/.test(yy)) return null;
      const iso = `${yy}-${mm.padStart(2, '0')}-${dd.padStart(2, '0')}`;
      const date = new Date(`${iso}T00:00:00Z`);
      return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso ? iso : null;
    },
  };
}

// Checkboxes in a fieldset with a legend. items: [{value, text, hint}]; `values` the checked ones.
export function checkboxes({legend, name, id = uid(name), hint, items, values = [], legendSize,
                            small}) {
  const inputs = [];
  const list = h('div', {class: `govuk-checkboxes${small ? ' govuk-checkboxes--small' : ''}`,
                         'data-module': 'govuk-checkboxes'},
                 items.map((item, i) => {
                   const cid = i === 0 ? id : `${id}-${i + 1}`;
                   const box = h('input', {class: 'govuk-checkboxes__input', id: cid, name,
                                           type: 'checkbox', value: item.value,
                                           checked: values.includes(item.value)});
                   inputs.push(box);
                   return h('div', {class: 'govuk-checkboxes__item'}, box,
                            h('label', {class: 'govuk-label govuk-checkboxes__label', for: cid,
                                        text: item.text}));
                 }));
  const shell = fieldsetShell({id, legend, hint, legendSize, control: list});
  return {
    el: shell.el, id, inputs, setError: shell.setError,
    get values() {
      return inputs.filter((b) => b.checked).map((b) => b.value);
    },
  };
}

// A horizontal SVG bar chart with the figures as text beside each bar. The chart is one image to
// assistive technology (role="img", aria-label summarising every bar); the table that screens put
// after it is the accessible equivalent. bars: [{label, value}].
export function barChart({title, bars}) {
  const rowHeight = 28;
  const labelWidth = 220;
  const plotWidth = 420;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = Math.max(1, bars.length) * rowHeight + 8;
  const summary = `${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ') || 'none'}`;
  return h('figure', {class: 'app-chart'},
           svg('svg', {role: 'img', 'aria-label': summary,
                       viewBox: `0 0 ${labelWidth + plotWidth + 60} ${height}`,
                       width: '100%', class: 'app-chart__svg', focusable: 'false'},
               bars.map((b, i) => {
                 const y = i * rowHeight + 4;
                 const w = Math.round((b.value / max) * plotWidth);
                 return svg('g', {'aria-hidden': 'true'},
                            svg('text', {x: labelWidth - 8, y: y + 17, 'text-anchor': 'end',
                                         class: 'app-chart__label'}, b.label),
                            svg('rect', {x: labelWidth, y, width: Math.max(w, b.value ? 2 : 0),
                                         height: rowHeight - 8, class: 'app-chart__bar'}),
                            svg('text', {x: labelWidth + w + 6, y: y + 17,
                                         class: 'app-chart__value'}, String(b.value)));
               })),
           h('figcaption', {class: 'govuk-body-s', text: `${title} (the table below has the same figures)`}));
}

// One message carried across a re-render: a screen sets it before refresh() after a change, and
// shows it as a success notification above the re-read state.
let flashMessage = null;
export function flash(text) {
  flashMessage = text;
}
export function takeFlash() {
  const text = flashMessage;
  flashMessage = null;
  return text ? focusedBanner(notification(text, {success: true})) : null;
}

// The banner takes focus once the screen is drawn: the button that made the change may be gone
// from the new state, and focus would otherwise fall back to the page (GOV.UK success banners).
export function focusedBanner(banner) {
  banner.setAttribute('tabindex', '-1');
  const focus = () => {
    if (banner.isConnected) banner.focus();
  };
  document.addEventListener('pathaudit:rendered', focus, {once: true});
  if (banner.isConnected) focus();
  return banner;
}

// Grade codes shown as words ('requires_improvement' -> 'Requires improvement').
export const words = (code) => {
  const s = String(code ?? '').replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
};

// ---- reviews, cases and admin components (ui-a)

// A code as words for people: 'requires_improvement' -> 'Requires improvement'. Codes stay codes
// in the API and the fragment; only their display changes.
export function humanise(code) {
  const s = String(code ?? '').replace(/[_.]+/g, ' ').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : '';
}

// A review's state as a tag whose text says the state (the colour only repeats it).
const stateColours = {assigned: 'grey', in_progress: 'light-blue', submitted: 'purple',
                      returned: 'orange', resubmitted: 'purple', accepted: 'green', locked: null};
export const reviewStateTag = (state) => tag(humanise(state), stateColours[state]);

// A flag's status as a tag with its text.
const flagColours = {open: 'yellow', confirmed: 'red', dismissed: 'grey'};
export const flagStatusTag = (status) => tag(humanise(status), flagColours[status]);
