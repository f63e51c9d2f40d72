import type { ELK, ElkExtendedEdge } from 'elkjs/lib/elk-api';
import type { Graph } from '../api/types';

export const NODE_WIDTH = 248;
export const NODE_HEIGHT = 84;

let elk: Promise<ELK> | undefined;

/** ELK is most of the console's weight: its own chunk, fetched with the first graph and cached apart. */
function loadElk(): Promise<ELK> {
  elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: Elk }) => new Elk());
  return elk;
}

export interface Point {
  x: number;
  y: number;
}

export interface GraphLayout {
  positions: Map<string, Point>;
  /** Each edge's route by `<from>-><to>`: around the steps between, never through them. */
  routes: Map<string, Point[]>;
}

/**
 * Positions for every node and a route for every edge: ELK's layered algorithm, top to
 * bottom, keeping the file order of steps within a layer so that the drawing reads like the
 * YAML.
 */
export async function layoutGraph(graph: Graph): Promise<GraphLayout> {
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
  const positions = new Map((laidOut.children ?? []).map((node) => [node.id, { x: node.x ?? 0, y: node.y ?? 0 }]));
  const routes = new Map<string, Point[]>();
  ((laidOut.edges ?? []) as ElkExtendedEdge[]).forEach((edge, index) => {
    const section = edge.sections?.[0];
    const drawn = graph.edges[index];
    if (section && drawn) routes.set(`${drawn.from}->${drawn.to}`, [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]);
  });
  return { positions, routes };
}
