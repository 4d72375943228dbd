// Building DOM nodes without HTML strings: text always goes in as text (never innerHTML), so
// nothing the API returns can become markup or script.

// h('p', {class: 'govuk-body', onclick: f}, 'text', child, [more]) -> Element.
// Attributes: `class`, `text` (text content), `on<event>` (listener), booleans (true sets the
// attribute, false/null/undefined leaves it out), anything else setAttribute.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

// The same for SVG (charts).
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

function setAttributes(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// A fragment of several nodes.
export function frag(...children) {
  return append(document.createDocumentFragment(), children);
}
