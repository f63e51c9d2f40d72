import { Handle, NodeProps, Position, type Node } from '@xyflow/react';
import { duration } from '../lib/format';
import { KindTile, KindTitle } from './KindIcon';
import { toneOf } from './StatusBadge';

export interface FlowNodeData extends Record<string, unknown> {
  kind: string;
  label: string;
  /** The step id when the label is the step's `name`. */
  stepId?: string;
  condition?: string;
  retry?: string;
  continueOnError?: boolean;
  /** `for_each` of the step, shortly: what it iterates over. */
  forEach?: string;
  /** Painted runs: the step's status, attempts and time. */
  status?: string;
  attempts?: number;
  durationMs?: number | null;
  /** A line under the label (the trigger's event in a run). */
  detail?: string;
  /** In the editor: handles to drag a `needs` edge from and to. */
  connectable?: boolean;
  /** `on_failure`: the failure lane (its head and the `on_failure` steps), drawn apart. */
  group?: string;
}

export type FlowNode = Node<FlowNodeData, 'step'>;

/** `{{event.body.order.email}}` → `event.body.order.email`. */
function bare(template: string): string {
  return template.replace(/^\{\{\s*|\s*\}\}$/g, '');
}

/** Nodes that start a lane: the trigger, and `#on_failure` for the `on_failure` steps. */
export function isLaneHead(kind: string): boolean {
  return kind === 'trigger' || kind === 'on_failure';
}

/** A card per trigger or step: kind icon and label, id, badges for `if`, retries and `continue_on_error`, run status. */
export function StepNode({ data, selected }: NodeProps<FlowNode>) {
  const tone = data.status ? toneOf(data.status) : 'idle';
  const lane = data.group === 'on_failure' ? ' gnode--lane-failure' : '';
  return (
    <div
      className={`gnode gnode--${tone} gnode--kind-${data.kind}${lane}${selected ? ' gnode--selected' : ''}`}
      data-kind={data.kind}
      data-status={data.status}
      data-group={data.group}
    >
      {!isLaneHead(data.kind) && <Handle type="target" position={Position.Top} isConnectable={data.connectable === true} />}
      <div className="gnode__head">
        <KindTile kind={data.kind} />
        <span className="gnode__titles">
          <span className="gnode__kind">
            <KindTitle kind={data.kind} />
          </span>
          <span className="gnode__label" title={data.label}>
            {data.label}
          </span>
        </span>
        {data.status && !isLaneHead(data.kind) && <StatusIcon status={data.status} tone={tone} />}
      </div>
      <div className="gnode__badges">
        {data.stepId && data.stepId !== data.label && <span className="chip chip--id">{data.stepId}</span>}
        {data.detail && <span className="gnode__detail">{data.detail}</span>}
        {data.condition && (
          <span className="chip chip--if" title={`if: ${data.condition}`}>
            if {bare(data.condition)}
          </span>
        )}
        {data.retry && (
          <span className="chip chip--retry" title={`retry: ${data.retry}`}>
            ↻ {data.retry}
          </span>
        )}
        {data.forEach && (
          <span className="chip chip--for-each" title={`for_each: ${data.forEach}`}>
            ∀ {data.forEach}
          </span>
        )}
        {data.continueOnError && (
          <span className="chip chip--continue" title="continue_on_error: the steps after it run even if it fails">
            continues on error
          </span>
        )}
        {data.attempts !== undefined && data.attempts > 0 && (
          <span className="chip chip--attempts">
            {data.attempts} {data.attempts === 1 ? 'attempt' : 'attempts'}
          </span>
        )}
        {data.durationMs !== undefined && data.durationMs !== null && <span className="chip chip--time">{duration(data.durationMs)}</span>}
      </div>
      <Handle type="source" position={Position.Bottom} isConnectable={data.connectable === true && !isLaneHead(data.kind)} />
    </div>
  );
}

const STATUS_ICONS: Record<string, string> = {
  succeeded: 'M5 12.5l4.5 4.5L19 7.5',
  failed: 'M7 7l10 10M17 7 7 17',
  skipped: 'M6 12h12',
  cancelled: 'M6 12h12',
  queued: 'M12 4.5a7.5 7.5 0 1 0 0 15 7.5 7.5 0 0 0 0-15zM12 8.5V12l2.2 1.6',
};

/** A round mark in the card's corner: check, cross, dash, clock, or a spinner while running. */
function StatusIcon({ status, tone }: { status: string; tone: string }) {
  return (
    <span className={`gnode__status gnode__status--${tone}`} title={status} role="img" aria-label={status}>
      {tone === 'running' ? (
        <span className="gnode__spinner" aria-hidden="true" />
      ) : (
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d={STATUS_ICONS[tone] ?? STATUS_ICONS.queued} />
        </svg>
      )}
    </span>
  );
}

export const NODE_TYPES = { step: StepNode };
