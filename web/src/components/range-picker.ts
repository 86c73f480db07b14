// The date-time range picker: presets (last minute, hour, day, all time) and a custom [from, to) in UTC.
import { h } from '../dom';
import { fromInputValue, PRESETS, type RangeSpec, resolveRange, toInputValue } from '../range';

export function rangePicker(value: RangeSpec, now: number, onChange: (r: RangeSpec) => void): HTMLElement {
  const resolved = resolveRange(value, now);
  const presetButtons = PRESETS.map((p) =>
    h(
      'button',
      {
        type: 'button',
        class: 'seg',
        'data-preset': p.id,
        'aria-pressed': String(value.kind === 'preset' && value.preset === p.id),
        onclick: () => onChange({ kind: 'preset', preset: p.id }),
      },
      p.label,
    ),
  );
  const from = h('input', {
    type: 'datetime-local',
    step: 1,
    name: 'from',
    value: toInputValue(resolved.from),
    'aria-label': 'From (UTC)',
  });
  const to = h('input', {
    type: 'datetime-local',
    step: 1,
    name: 'to',
    value: toInputValue(resolved.to),
    'aria-label': 'To (UTC)',
  });
  const message = h('span', { class: 'range-message', role: 'status' });
  const form = h(
    'form',
    { class: 'range-custom' },
    h('label', null, h('span', null, 'From'), from),
    h('label', null, h('span', null, 'To'), to),
    h('span', { class: 'muted' }, 'UTC'),
    h(
      'button',
      { type: 'submit', class: 'btn', 'data-custom': value.kind === 'custom' ? 'active' : null },
      'Apply',
    ),
    message,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = fromInputValue(from.value);
    const t = fromInputValue(to.value);
    if (f !== null && t !== null && f >= t) {
      message.textContent = '“From” must be before “To”.';
      return;
    }
    message.textContent = '';
    onChange({ kind: 'custom', from: f, to: t });
  });
  return h(
    'div',
    { class: 'range-picker', 'data-range': value.kind === 'preset' ? value.preset : 'custom' },
    h('div', { class: 'segmented', role: 'group', 'aria-label': 'Range presets' }, ...presetButtons),
    form,
  );
}
