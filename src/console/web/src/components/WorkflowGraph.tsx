import '@xyflow/react/dist/style.css';
import { Background, BackgroundVariant, Connection, Controls, Edge, MarkerType, MiniMap, NodeChange, ReactFlow, useReactFlow, useStore } from '@xyflow/react';
import { KeyboardEvent, useCallback, useEffect, useMemo, useState } from 'react';
import type { Graph } from '../api/types';
import { ErrorState, Loading } from './States';
import { FlowNode, FlowNodeData, NODE_TYPES } from './GraphNodes';
import { GraphLayout, layoutGraph } from './graph-layout';
import { EDGE_TYPES } from './RoutedEdge';
import { FAILURE_LANE_HEAD } from '../lib/graph-data';

const EDGE_COLOURS = { idle: '#98a2b3', done: '#16a34a', skipped: '#c0c6d0' };
const FIT = { padding: 0.18, maxZoom: 1 };

/** Fits the drawing again when its box changes size (a side panel opens, the window resizes) or its steps change (an edit). */
function FitOnResize({ layout }: { layout: unknown }) {
  const { fitView } = useReactFlow();
  const width = useStore((state) => state.width);
  const height = useStore((state) => state.height);
  useEffect(() => {
    const timer = setTimeout(() => void fitView(FIT), 60);
    return () => clearTimeout(timer);
  }, [width, height, layout, fitView]);
  return null;
}

export interface WorkflowGraphProps {
  graph: Graph;
  /** What each node shows beyond its kind and label: badges, and a run's statuses. */
  nodeData?: Record<string, Partial<FlowNodeData>>;
  selectedId?: string | null;
  onSelect?: (nodeId: string) => void;
  /** Names the drawing for screen readers. */
  label: string;
  /** The editor's graph: drag from a step's lower handle to another step to add a need; select an edge or a step and press Delete to remove it. */
  editing?: GraphEditing;
}

export interface GraphEditing {
  onConnect: (from: string, to: string) => void;
  onDeleteEdge: (from: string, to: string) => void;
  onDeleteStep: (stepId: string) => void;
}

const EDGE_ID = /^(.+)->(.+)$/;

/** The workflow as a graph: laid out by ELK once per shape, repainted in place as statuses change. */
export default function WorkflowGraph({ graph, nodeData = {}, selectedId, onSelect, label, editing }: WorkflowGraphProps) {
  const shape = useMemo(() => JSON.stringify(graph), [graph]);
  const [layout, setLayout] = useState<GraphLayout>();
  const positions = layout?.positions;
  const [layoutError, setLayoutError] = useState<Error>();
  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});

  // Every repaint (a status, a selection) hands React Flow new node objects. Without the sizes
  // it measured, it hides each node and its edges until it measures them again, which a busy
  // page may not get round to: the sizes are kept here and handed back with every node.
  const keepMeasuredSizes = useCallback((changes: NodeChange<FlowNode>[]) => {
    const sizes = changes.flatMap((change) => (change.type === 'dimensions' && change.dimensions ? [[change.id, change.dimensions] as const] : []));
    if (sizes.length > 0) setMeasured((known) => ({ ...known, ...Object.fromEntries(sizes) }));
  }, []);

  useEffect(() => {
    // The previous drawing stays until the new one is laid out: an edit redraws without flashing.
    let current = true;
    layoutGraph(JSON.parse(shape) as Graph).then(
      (laidOut) => {
        if (!current) return;
        setLayout(laidOut);
        setLayoutError(undefined);
      },
      (error: Error) => current && setLayoutError(error),
    );
    return () => {
      current = false;
    };
  }, [shape]);

  const nodes = useMemo<FlowNode[]>(
    () =>
      graph.nodes.flatMap((node) => {
        const position = positions?.get(node.id);
        if (!position) return [];
        // The visual edits work on `steps:`; the failure lane is edited in the YAML.
        const editable = editing !== undefined && node.group !== 'on_failure';
        const data: FlowNodeData = { kind: node.kind, label: node.label, group: node.group, connectable: editable, ...nodeData[node.id] };
        return {
          id: node.id,
          type: 'step' as const,
          position,
          measured: measured[node.id],
          data,
          selected: node.id === selectedId,
          draggable: false,
          connectable: editable,
          ariaLabel: `${node.kind === 'trigger' ? 'Trigger' : node.kind === 'on_failure' ? 'On failure' : `Step ${node.id}`} (${node.label})${data.status ? `, ${data.status}` : ''}. Press Enter for details.`,
        };
      }),
    [graph, nodeData, positions, selectedId, editing, measured],
  );

  const edges = useMemo<Edge[]>(
    () =>
      graph.edges.map((edge) => {
        const from = nodeData[edge.from]?.status;
        const to = nodeData[edge.to]?.status;
        const done =
          (from === 'succeeded' || edge.from === 'trigger' || edge.from === FAILURE_LANE_HEAD) &&
          to !== undefined &&
          ['running', 'succeeded', 'failed'].includes(to);
        const tone = to === 'skipped' ? 'skipped' : done ? 'done' : 'idle';
        const id = `${edge.from}->${edge.to}`;
        return {
          id,
          selected: id === selectedEdge,
          source: edge.from,
          target: edge.to,
          type: 'routed',
          data: { points: layout?.routes.get(id) },
          animated: to === 'running',
          className: `edge edge--${tone}`,
          markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: EDGE_COLOURS[tone] },
          style: { stroke: EDGE_COLOURS[tone], strokeWidth: tone === 'done' ? 2 : 1.5, strokeDasharray: tone === 'skipped' ? '5 4' : undefined },
          focusable: editing !== undefined,
          ariaLabel: editing ? `Need: ${edge.to} after ${edge.from}` : undefined,
        };
      }),
    [graph, nodeData, selectedEdge, editing, layout],
  );
  const removable = selectedEdge ? EDGE_ID.exec(selectedEdge) : null;

  if (layoutError) return <ErrorState error={layoutError} title="Could not lay out the graph" />;
  if (!positions) return <Loading label="Drawing the graph…" />;

  // Enter or Space on a focused node opens it, as a click does.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (editing && (event.key === 'Delete' || event.key === 'Backspace')) {
      if (removable) {
        event.preventDefault();
        setSelectedEdge(null);
        editing.onDeleteEdge(removable[1], removable[2]);
      } else if (selectedId && selectedId !== 'trigger' && (event.target as HTMLElement).closest('.react-flow__node')) {
        event.preventDefault();
        editing.onDeleteStep(selectedId);
      }
      return;
    }
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const node = (event.target as HTMLElement).closest<HTMLElement>('.react-flow__node');
    const id = node?.dataset.id;
    if (!id || !onSelect) return;
    event.preventDefault();
    onSelect(id);
  };

  return (
    <div className="graph" role="region" aria-label={label} onKeyDown={onKeyDown}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        onNodesChange={keepMeasuredSizes}
        onNodeClick={(_event, node) => {
          setSelectedEdge(null);
          onSelect?.(node.id);
        }}
        onEdgeClick={editing ? (_event, edge) => setSelectedEdge(edge.id) : undefined}
        onPaneClick={() => setSelectedEdge(null)}
        onConnect={
          editing ? (connection: Connection) => connection.source !== connection.target && editing.onConnect(connection.source, connection.target) : undefined
        }
        deleteKeyCode={null}
        fitView
        fitViewOptions={FIT}
        minZoom={0.25}
        maxZoom={1.75}
        nodesDraggable={false}
        nodesConnectable={editing !== undefined}
        edgesFocusable={editing !== undefined}
        zoomOnScroll={false}
        zoomOnDoubleClick={false}
        preventScrolling={false}
        proOptions={{ hideAttribution: false }}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} color="#d5d9e2" />
        <Controls showInteractive={false} position="bottom-left" fitViewOptions={FIT} />
        <FitOnResize layout={layout} />
        {graph.nodes.length > 8 && <MiniMap pannable zoomable position="bottom-right" nodeStrokeWidth={3} />}
      </ReactFlow>
      {editing && removable && (
        <div className="graph__edge-bar" role="toolbar" aria-label="Selected need">
          <span>
            <span className="mono">{removable[2]}</span> needs <span className="mono">{removable[1]}</span>
          </span>
          <button
            type="button"
            className="button button--small button--danger"
            onClick={() => {
              setSelectedEdge(null);
              editing.onDeleteEdge(removable[1], removable[2]);
            }}
          >
            Remove need
          </button>
        </div>
      )}
    </div>
  );
}
