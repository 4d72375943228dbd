// The one way the UI talks to the service: the JSON API under /api/v1 on the same origin, with the
// session cookie and, on every write, the CSRF token the session gave (docs/api.md). Module state:
// the CSRF token of the current session, set by session.js.

let csrfToken = null;
let onUnauthenticated = () => {};
let onAnswered = () => {};

export function setCsrfToken(token) {
  csrfToken = token || null;
}

// Called when any request other than the session's own answers 401: the session has ended.
export function setUnauthenticatedHandler(f) {
  onUnauthenticated = f;
}

// Called after every answered request: the service counts each as use of the session.
export function setAnsweredHandler(f) {
  onAnswered = f;
}

// A problem+json answer (RFC 9457) as an exception: status, type slug, title, detail, errors.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.type = String(problem.type || '').replace('urn:pathaudit:problem:', '');
    this.title = problem.title || '';
    this.detail = problem.detail || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

// Query string from an object, leaving out empty values.
export function query(params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// request('GET', '/reviews', {json, body, contentType, raw}) -> parsed JSON, null for 204, or the
// Response itself with raw: true (downloads). Throws ApiError.
export async function request(method, path, options = {}) {
  const headers = {Accept: 'application/json'};
  let body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.body !== undefined) {
    body = options.body;
    if (options.contentType) headers['Content-Type'] = options.contentType;
  } else if (method !== 'GET' && method !== 'HEAD') {
    body = '';  // Content-Length: 0, which the service requires on every write
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(`/api/v1${path}`, {
    method, headers, body, credentials: 'same-origin', cache: 'no-store', redirect: 'error',
  });
  if (res.status !== 401) onAnswered();
  if (res.ok) {
    if (options.raw) return res;
    if (res.status === 204) return null;
    const type = res.headers.get('Content-Type') || '';
    return type.includes('json') ? res.json() : res.text();
  }
  let problem = {};
  try {
    problem = await res.json();
  } catch {
    problem = {title: res.statusText};
  }
  const err = new ApiError(res.status, problem);
  if (res.status === 401 && !path.startsWith('/session')) onUnauthenticated(err);
  throw err;
}

export const get = (path, params) => request('GET', path + query(params));
export const post = (path, json) => request('POST', path, {json: json === undefined ? {} : json});
export const put = (path, json) => request('PUT', path, {json});
export const patch = (path, json) => request('PATCH', path, {json});
export const del = (path) => request('DELETE', path);

// Every item of a paged list (docs/api.md "Lists and pagination").
export async function all(path, params = {}) {
  const items = [];
  for (let offset = 0; ; offset += 500) {
    const page = await get(path, {...params, limit: 500, offset});
    items.push(...page.items);
    if (offset + page.items.length >= page.total || page.items.length === 0) return items;
  }
}
