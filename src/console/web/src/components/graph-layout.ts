import type { ELK } from 'elkjs/lib/elk-api';
import type { Graph } from '../api/types';

export const NODE_WIDTH = 248;
export const NODE_HEIGHT = 84;

let elk: Promise<ELK> | undefined;

/** ELK is most of the console's weight: its own chunk, fetched with the first graph and cached apart. */
function loadElk(): Promise<ELK> {
  elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: Elk }) => new Elk());
  return elk;
}

/**
 * Positions for every node: ELK's layered algorithm, top to bottom, keeping the file order
 * of steps within a layer so that the drawing reads like the YAML.
 */
export async function layoutGraph(graph: Graph): Promise<Map<string, { x: number; y: number }>> {
  const laidOut = await (
    await loadElk()
  ).layout({
    id: 'workflow',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.spacing.nodeNode': '40',
      'elk.layered.spacing.nodeNodeBetweenLayers': '56',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
      'elk.edgeRouting': 'ORTHOGONAL',
    },
    children: graph.nodes.map((node) => ({ id: node.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: graph.edges.map((edge, index) => ({ id: `e${index}`, sources: [edge.from], targets: [edge.to] })),
  });
  return new Map((laidOut.children ?? []).map((node) => [node.id, { x: node.x ?? 0, y: node.y ?? 0 }]));
}
