// The range and interval controls of a page with time series (a user, a product), the interval its
// charts then ask for, and the loading state its charts show meanwhile.
import { h, loadingState, replace } from '../dom';
import {
  autoInterval,
  formatNumber,
  INTERVALS,
  type IntervalId,
  intervalAllowed,
  MAX_POINTS,
  type RangeSpec,
  seriesWindow,
} from '../range';
import { rangePicker } from './range-picker';

export type IntervalChoice = IntervalId | 'auto';

/**
 * The interval the series use over [from, to): the chosen one, or the automatic one when the choice is
 * 'auto' or would give more points than the API answers (then `note` says so).
 */
export function seriesInterval(
  chosen: IntervalChoice,
  from: number,
  to: number,
): { interval: IntervalId; note: string | null } {
  const auto = autoInterval(from, to);
  if (chosen === 'auto') return { interval: auto, note: null };
  if (intervalAllowed(from, to, chosen)) return { interval: chosen, note: null };
  return {
    interval: auto,
    note: `${chosen} would be more than ${formatNumber(MAX_POINTS)} points over this range: showing ${auto}.`,
  };
}

/**
 * Fills `into` with the range picker and the interval select (intervals with too many points over the
 * window disabled, 'auto' naming the interval it stands for, a note when the choice was too fine), and
 * returns the interval the series use and the query that asks for them: the window widened to whole
 * steps.
 */
export function showSeriesControls(
  into: HTMLElement,
  o: {
    range: RangeSpec;
    chosen: IntervalChoice;
    window: { from: number; to: number };
    now: number;
    onRange: (r: RangeSpec) => void;
    onInterval: (i: IntervalChoice) => void;
  },
): { interval: IntervalId; query: { from: string; to: string; interval: IntervalId } } {
  const { from, to } = o.window;
  const { interval, note } = seriesInterval(o.chosen, from, to);
  const select = h(
    'select',
    {
      name: 'interval',
      'aria-label': 'Interval',
      onchange: (e) => {
        const v = (e.target as HTMLSelectElement).value;
        o.onInterval(v === 'auto' ? 'auto' : (v as IntervalId));
      },
    },
    h('option', { value: 'auto', selected: o.chosen === 'auto' }, `Auto (${autoInterval(from, to)})`),
    ...INTERVALS.map((i) =>
      h(
        'option',
        { value: i.id, selected: o.chosen === i.id, disabled: !intervalAllowed(from, to, i.id) },
        i.label,
      ),
    ),
  );
  replace(
    into,
    rangePicker(o.range, o.now, o.onRange),
    h(
      'div',
      { class: 'toolbar-right' },
      h('label', { class: 'inline' }, h('span', null, 'Interval'), select),
      note ? h('span', { class: 'muted note', role: 'status' }, note) : null,
    ),
  );
  const win = seriesWindow(from, to, interval);
  return {
    interval,
    query: { from: new Date(win.from).toISOString(), to: new Date(win.to).toISOString(), interval },
  };
}

/** Each chart shows its loading state, and its summary empties, until the new answers arrive. */
export function chartsLoading(pairs: readonly (readonly [chart: HTMLElement, summary: HTMLElement])[]): void {
  for (const [chart, summary] of pairs) {
    chart.dataset.state = 'loading';
    delete chart.dataset.points;
    replace(chart, loadingState());
    replace(summary);
  }
}
