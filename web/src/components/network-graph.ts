// A user's network (GET /users/{name}/network) drawn with Cytoscape.js on canvas: the user in the middle,
// the referrer above, the users it referred on an inner ring, friends on a sunflower spiral around them.
// The layout is computed directly (O(n), no simulation), so a user with hundreds of friends opens at
// once; viewport textures, hidden labels while zooming out, and haystack edges keep zoom and pan smooth.
import cytoscape from 'cytoscape';
import { h } from '../dom';
import type { NodeRelation, UserNetwork } from '../types';
import { layoutNetwork, type Point } from './network-layout';

export const RELATION_COLORS: Record<NodeRelation, string> = {
  self: '#e4572e',
  referrer: '#7b5cd6',
  referred: '#2bb673',
  friend: '#2f7fd1',
};
export const RELATION_LABELS: Record<NodeRelation, string> = {
  self: 'This user',
  referrer: 'Referred by',
  referred: 'Referred',
  friend: 'Friend',
};

/** Above this many nodes the graph trades some beauty for speed while the viewport moves. */
const BIG = 150;
/** A network of a few nodes is shown at this zoom at most (fitting it would make giant dots). */
const MAX_FIT_ZOOM = 1.6;
export interface NetworkHandle {
  fit(): void;
  /** Position of a node relative to the container's top-left corner, in CSS pixels. */
  nodePosition(name: string): Point | null;
  destroy(): void;
}

export function drawNetwork(
  container: HTMLElement,
  net: UserNetwork,
  onSelect: (name: string) => void,
): NetworkHandle {
  const known = new Set(net.nodes.map((n) => n.name));
  const pos = layoutNetwork(net);
  const elements: cytoscape.ElementDefinition[] = net.nodes.map((n) => ({
    group: 'nodes',
    data: { id: n.name, label: n.name, relation: n.relation },
    position: pos.get(n.name) ?? { x: 0, y: 0 },
    classes: n.relation,
  }));
  const seen = new Set<string>();
  for (const e of net.edges) {
    if (!known.has(e.from) || !known.has(e.to)) continue;
    const id = `${e.type}\u0000${e.from}\u0000${e.to}`;
    if (seen.has(id)) continue;
    seen.add(id);
    elements.push({ group: 'edges', data: { id, source: e.from, target: e.to }, classes: e.type });
  }
  const big = net.nodes.length > BIG;
  const cy = cytoscape({
    container,
    elements,
    layout: { name: 'preset', fit: true, padding: 24 },
    minZoom: 0.05,
    maxZoom: 4,
    boxSelectionEnabled: false,
    selectionType: 'single',
    textureOnViewport: big,
    hideEdgesOnViewport: net.nodes.length > 600,
    hideLabelsOnViewport: big,
    motionBlur: false,
    pixelRatio: big ? 1 : 'auto',
    style: [
      {
        selector: 'node',
        style: {
          width: 14,
          height: 14,
          'background-color': RELATION_COLORS.friend,
          'border-width': 1,
          'border-color': '#ffffff',
          label: 'data(label)',
          'font-size': 9,
          color: '#2a3142',
          'text-valign': 'bottom',
          'text-margin-y': 3,
          'min-zoomed-font-size': 7,
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.7,
          'text-background-padding': '1px',
        },
      },
      {
        selector: 'node.referred',
        style: { width: 20, height: 20, 'background-color': RELATION_COLORS.referred },
      },
      {
        selector: 'node.referrer',
        style: { width: 24, height: 24, 'background-color': RELATION_COLORS.referrer },
      },
      {
        selector: 'node.self',
        style: {
          width: 40,
          height: 40,
          'background-color': RELATION_COLORS.self,
          'border-width': 3,
          'font-size': 13,
          'font-weight': 'bold',
          'min-zoomed-font-size': 0,
          'z-index': 10,
        },
      },
      {
        selector: 'node.hover',
        style: { 'border-color': '#1b1f2a', 'border-width': 2, 'min-zoomed-font-size': 0, 'z-index': 20 },
      },
      {
        selector: 'edge',
        style: {
          width: 1,
          'line-color': '#b9c2d3',
          'curve-style': 'haystack',
          'haystack-radius': 0,
          opacity: 0.8,
        },
      },
      {
        selector: 'edge.referral',
        style: {
          width: 2.5,
          'line-color': RELATION_COLORS.referrer,
          'target-arrow-color': RELATION_COLORS.referrer,
          'target-arrow-shape': 'triangle',
          'curve-style': 'bezier',
          opacity: 1,
          'z-index': 5,
        },
      },
    ],
  });
  cy.on('tap', 'node', (e) => {
    const name = e.target.id() as string;
    if (name !== net.name) onSelect(name);
  });
  cy.on('mouseover', 'node', (e) => {
    e.target.addClass('hover');
    container.style.cursor = e.target.id() === net.name ? 'grab' : 'pointer';
  });
  cy.on('mouseout', 'node', (e) => {
    e.target.removeClass('hover');
    container.style.cursor = '';
  });
  container.dataset.nodeCount = String(cy.nodes().length);
  container.dataset.edgeCount = String(cy.edges().length);
  cy.one('render', () => {
    container.dataset.state = 'ready';
  });
  /** Fits the whole network, but never blows a small one up past a comfortable zoom. */
  const fit = () => {
    cy.fit(undefined, 24);
    if (cy.zoom() > MAX_FIT_ZOOM) {
      cy.zoom(MAX_FIT_ZOOM);
      cy.center();
    }
  };
  fit();
  const ro = new ResizeObserver(() => cy.resize());
  ro.observe(container);
  return {
    fit,
    nodePosition(name) {
      const n = cy.getElementById(name);
      if (n.empty()) return null;
      const p = n.renderedPosition();
      return { x: p.x, y: p.y };
    },
    destroy() {
      ro.disconnect();
      cy.destroy();
    },
  };
}

/** The legend, with how many nodes of each kind the graph holds. */
export function networkLegend(net: UserNetwork): HTMLElement {
  const counts: Record<NodeRelation, number> = { self: 0, referrer: 0, referred: 0, friend: 0 };
  for (const n of net.nodes) counts[n.relation]++;
  return h(
    'ul',
    { class: 'legend' },
    ...(Object.keys(counts) as NodeRelation[])
      .filter((r) => r === 'self' || counts[r] > 0)
      .map((r) =>
        h(
          'li',
          { 'data-relation': r },
          h('span', { class: 'dot', style: `background:${RELATION_COLORS[r]}` }),
          r === 'self' ? RELATION_LABELS[r] : `${RELATION_LABELS[r]} (${counts[r]})`,
        ),
      ),
    h('li', null, h('span', { class: 'line referral' }), 'referral'),
    h('li', null, h('span', { class: 'line' }), 'friendship'),
  );
}
