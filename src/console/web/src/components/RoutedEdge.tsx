import { BaseEdge, getSmoothStepPath, type Edge, type EdgeProps } from '@xyflow/react';
import type { Point } from './graph-layout';

type RoutedEdgeType = Edge<{ points?: Point[] }, 'routed'>;

const CORNER = 8;

/** An SVG path through `points` with rounded corners. */
function roundedPath(points: Point[]): string {
  let path = `M ${points[0].x} ${points[0].y}`;
  for (let index = 1; index < points.length - 1; index++) {
    const [before, at, after] = [points[index - 1], points[index], points[index + 1]];
    const radius = Math.min(CORNER, distance(before, at) / 2, distance(at, after) / 2);
    const entry = towards(at, before, radius);
    const exit = towards(at, after, radius);
    path += ` L ${entry.x} ${entry.y} Q ${at.x} ${at.y} ${exit.x} ${exit.y}`;
  }
  const last = points[points.length - 1];
  return `${path} L ${last.x} ${last.y}`;
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function towards(from: Point, to: Point, length: number): Point {
  const total = distance(from, to) || 1;
  return { x: from.x + ((to.x - from.x) * length) / total, y: from.y + ((to.y - from.y) * length) / total };
}

/**
 * An edge along the route ELK laid out, so that a need spanning several layers goes around
 * the steps between instead of through them; a smooth step until the route is known.
 */
export function RoutedEdge({ id, data, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, style }: EdgeProps<RoutedEdgeType>) {
  const points = data?.points;
  const path =
    points && points.length >= 2 ? roundedPath(points) : getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition })[0];
  return <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} interactionWidth={18} />;
}

export const EDGE_TYPES = { routed: RoutedEdge };
