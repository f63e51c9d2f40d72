import { useEffect, useId, useRef, useState } from 'react';
import { parse, stringify } from 'yaml';
import type { CatalogStepKind } from '../api/types';
import { KindIcon, KindTitle } from './KindIcon';

/** The JSON Schema parts a form reads from a kind's `with_schema`. */
interface FieldSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  default?: unknown;
  description?: string;
  examples?: unknown[];
}

type Path = (string | number)[];

export interface StepFormProps {
  stepId: string;
  /** The step as the YAML holds it now (parsed). */
  step: Record<string, unknown>;
  kind: CatalogStepKind | undefined;
  /** Sets (or, with `undefined`, removes) a value of the step; the page applies it to the YAML as a minimal edit. */
  onSet: (path: Path, value: unknown) => void;
  onRename: (to: string) => void;
}

/**
 * A form for the selected step, generated from its kind's schema: one field per `with` key,
 * labelled by the key, with the schema's description as help and its default as placeholder.
 * Every change becomes an edit of the same YAML document.
 */
export function StepForm({ stepId, step, kind, onSet, onRename }: StepFormProps) {
  const properties = (kind?.with_schema.properties ?? {}) as Record<string, FieldSchema>;
  const required = new Set((kind?.with_schema.required as string[] | undefined) ?? []);
  const values = isRecord(step.with) ? step.with : {};
  const extra = Object.keys(values).filter((key) => !(key in properties));

  return (
    <form className="step-form" aria-label={`Step ${stepId}`} onSubmit={(event) => event.preventDefault()}>
      <header className="step-form__head">
        <KindIcon kind={kind?.kind ?? String(step.uses ?? '')} />
        <div>
          <div className="step-form__kind">
            <KindTitle kind={kind?.kind ?? String(step.uses ?? '')} />
          </div>
          {kind && <p className="step-form__about">{kind.description}</p>}
        </div>
      </header>
      <fieldset>
        <legend>Step</legend>
        <IdField value={stepId} onRename={onRename} />
        <Field
          name="name"
          schema={{ type: 'string', description: 'What the graph and the run pages call the step.' }}
          value={step.name}
          onSet={(value) => onSet(['name'], value)}
        />
        <Field
          name="if"
          schema={{ type: 'string', description: 'A template; a falsy result or a missing path skips the step.', examples: ['{{event.body.order.email}}'] }}
          value={step.if}
          onSet={(value) => onSet(['if'], value)}
        />
      </fieldset>
      <fieldset>
        <legend>
          <span className="mono">with</span>
        </legend>
        {Object.entries(properties).map(([key, schema]) => (
          <Field key={key} name={key} schema={schema} required={required.has(key)} value={values[key]} onSet={(value) => onSet(['with', key], value)} />
        ))}
        {extra.map((key) => (
          <Field
            key={key}
            name={key}
            schema={{ description: 'Not a field of this kind: the validator reports it.' }}
            value={values[key]}
            onSet={(value) => onSet(['with', key], value)}
          />
        ))}
      </fieldset>
    </form>
  );
}

function IdField({ value, onRename }: { value: string; onRename: (to: string) => void }) {
  const [draft, setDraft] = useState(value);
  const help = useId();
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    const next = draft.trim();
    if (next && next !== value) onRename(next);
    else setDraft(value);
  };
  return (
    <div className="field">
      <label htmlFor={`${help}-input`}>id</label>
      <input
        id={`${help}-input`}
        className="input mono"
        value={draft}
        aria-describedby={help}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit();
          if (event.key === 'Escape') setDraft(value);
        }}
      />
      <p id={help} className="field__help">
        Renaming updates every <span className="mono">needs</span> and <span className="mono">steps.{value}.…</span> reference.
      </p>
    </div>
  );
}

type Widget = 'select' | 'checkbox' | 'number' | 'line' | 'text' | 'yaml';

function widgetOf(name: string, schema: FieldSchema, value: unknown): Widget {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.enum) return 'select';
  if (types.length === 1 && types[0] === 'boolean') return 'checkbox';
  if (types.length === 1 && (types[0] === 'integer' || types[0] === 'number')) return 'number';
  const textual = types.includes('string') && (value === undefined || typeof value === 'string');
  if (textual) return (typeof value === 'string' && value.includes('\n')) || name === 'text' || name === 'html' ? 'text' : 'line';
  return 'yaml';
}

/**
 * One `with` (or step) field. Text is edited locally and written to the YAML after a pause or
 * on leaving the field, so typing does not fill the undo history one letter at a time.
 */
function Field({
  name,
  schema,
  value,
  required,
  onSet,
}: {
  name: string;
  schema: FieldSchema;
  value: unknown;
  required?: boolean;
  onSet: (value: unknown) => void;
}) {
  const id = useId();
  const widget = widgetOf(name, schema, value);
  const shown =
    widget === 'yaml' ? (value === undefined ? '' : stringify(value, { lineWidth: 0 }).trimEnd()) : value === undefined || value === null ? '' : String(value);
  const [draft, setDraft] = useState(shown);
  const [problem, setProblem] = useState<string>();
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const focused = useRef(false);
  useEffect(() => {
    if (!focused.current) setDraft(shown);
  }, [shown]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const write = (text: string) => {
    clearTimeout(timer.current);
    if (text === shown) return;
    if (text.trim() === '') return onSet(undefined);
    if (widget === 'number') return onSet(/^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text);
    if (widget !== 'yaml') return onSet(text);
    try {
      onSet(parse(text));
      setProblem(undefined);
    } catch (error) {
      setProblem(`Not YAML: ${(error as Error).message.split('\n')[0]}`);
    }
  };
  const change = (text: string) => {
    setDraft(text);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => write(text), 600);
  };
  const placeholder = schema.default !== undefined ? String(schema.default) : schema.examples?.[0] !== undefined ? String(schema.examples[0]) : undefined;
  const common = {
    id,
    'aria-describedby': `${id}-help`,
    'aria-invalid': problem ? true : undefined,
    'aria-required': required || undefined,
    onFocus: () => {
      focused.current = true;
    },
    onBlur: () => {
      focused.current = false;
      write(draft);
    },
  };

  let control;
  if (widget === 'checkbox') {
    control = <input {...common} type="checkbox" checked={value === true} onChange={(event) => onSet(event.target.checked ? true : undefined)} />;
  } else if (widget === 'select') {
    control = (
      <select {...common} className="input" value={shown} onChange={(event) => onSet(event.target.value === '' ? undefined : event.target.value)}>
        <option value="">{schema.default !== undefined ? `default (${String(schema.default)})` : '—'}</option>
        {schema.enum!.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  } else if (widget === 'line' || widget === 'number') {
    control = <input {...common} className="input mono" value={draft} placeholder={placeholder} onChange={(event) => change(event.target.value)} />;
  } else {
    control = (
      <textarea
        {...common}
        className="input mono"
        rows={Math.min(8, Math.max(2, draft.split('\n').length))}
        value={draft}
        placeholder={widget === 'yaml' ? 'YAML' : placeholder}
        onChange={(event) => change(event.target.value)}
      />
    );
  }

  return (
    <div className={`field field--${widget}`}>
      <div className="field__label">
        <label htmlFor={id} className="mono">
          {name}
        </label>
        {required && <span className="field__required">required</span>}
      </div>
      {control}
      <p id={`${id}-help`} className="field__help">
        {problem ?? schema.description}
      </p>
    </div>
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
