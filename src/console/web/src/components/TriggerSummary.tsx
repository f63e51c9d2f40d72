import type { Trigger } from '../api/types';

/** `shop` · `order.*` · if …, or the schedule. */
export function TriggerSummary({ trigger, withCondition = false }: { trigger: Trigger; withCondition?: boolean }) {
  return (
    <span className="trigger">
      {trigger.webhook && (
        <>
          <span className="chip chip--source" title={`POST /hooks/${trigger.webhook}`}>
            {trigger.webhook}
          </span>
          <code className="trigger__event">{trigger.event ?? '*'}</code>
        </>
      )}
      {trigger.schedule && (
        <span className="chip chip--schedule" title={trigger.timezone ?? 'UTC'}>
          schedule {trigger.schedule}
          {trigger.timezone ? ` (${trigger.timezone})` : ''}
        </span>
      )}
      {!trigger.webhook && !trigger.schedule && (
        <span className="chip chip--failure-run" title="on-failure.yaml: runs when a run of a workflow without on_failure steps of its own fails">
          when a run fails
        </span>
      )}
      {withCondition && trigger.if && <code className="chip chip--if">if {trigger.if.replace(/^\{\{\s*|\s*\}\}$/g, '')}</code>}
    </span>
  );
}
