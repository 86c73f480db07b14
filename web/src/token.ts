// The access token the dashboard sends (README, "Access tokens"): kept in the browser's local storage,
// asked for when the API answers 401, sent as `Authorization: Bearer <token>`. A stack without tokens
// never answers 401, so nothing is ever asked there.
import { h } from './dom';

export const TOKEN_STORAGE_KEY = 'bacefook.accessToken';

export function storedToken(): string | null {
  try {
    const t = localStorage.getItem(TOKEN_STORAGE_KEY);
    return t === null || t === '' ? null : t;
  } catch {
    return null; // storage disabled: ask again each time
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) localStorage.removeItem(TOKEN_STORAGE_KEY);
    else localStorage.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // storage disabled: the token lives as long as the page
  }
  for (const l of listeners) l(token);
}

const listeners = new Set<(token: string | null) => void>();
/** Called whenever the token is stored or forgotten (the top bar's "Forget token" link). */
export function onTokenChange(l: (token: string | null) => void): void {
  listeners.add(l);
}

let asking: Promise<string | null> | null = null;
/** The user cancelled the dialog: polling pages do not ask again every 2 s; "Enter token" does. */
let declined = false;

export function tokenDeclined(): boolean {
  return declined;
}

/**
 * Asks for a token in a dialog; resolves with it (stored) or null when the user cancels. Requests that
 * get a 401 while the dialog is open wait for the same answer: one dialog, however many requests.
 * After a cancel it answers null at once until `force` (the top bar's "Enter token").
 */
export function askForToken(rejected: boolean, force = false): Promise<string | null> {
  if (force) declined = false;
  if (declined && asking === null) return Promise.resolve(null);
  asking ??= new Promise<string | null>((resolve) => {
    const input = h('input', {
      type: 'password',
      name: 'token',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'bfa_…',
      'aria-label': 'Access token',
      required: true,
    });
    const dialog = h(
      'dialog',
      { class: 'token-dialog', 'data-testid': 'token-dialog' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', null, 'Access token'),
        h(
          'p',
          null,
          rejected
            ? 'The API did not accept the stored token (revoked, or from another deployment). Enter another.'
            : 'This API needs an access token. Create one with ',
          rejected ? null : h('code', null, 'npm run token -- create --name NAME --abilities read'),
          rejected ? null : ' and paste it here. It is kept in this browser only.',
        ),
        input,
        h(
          'div',
          { class: 'token-actions' },
          h('button', { type: 'submit', class: 'btn', value: 'save' }, 'Use token'),
          h(
            'button',
            { type: 'submit', class: 'btn btn-quiet', value: 'cancel', formnovalidate: true },
            'Cancel',
          ),
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      const token = dialog.returnValue === 'save' ? input.value.trim() : '';
      dialog.remove();
      asking = null;
      if (token === '') {
        declined = true;
        for (const l of listeners) l(storedToken());
        resolve(null);
      } else {
        storeToken(token);
        resolve(token);
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
  return asking;
}
