import { FormEvent, useState } from 'react';
import { setField } from '../../../../workflows/yaml-edits';
import githubToSlack from '../starters/github-to-slack.yaml?raw';
import shippingLabel from '../starters/shipping-label.yaml?raw';
import signedWebhook from '../starters/signed-webhook.yaml?raw';
import slackNotification from '../starters/slack-notification.yaml?raw';
import { PageHeader } from './Layout';
import { Link } from '../lib/router';

const BLANK = `# A new workflow: what starts it (on) and what it does (steps).
name: new-workflow
on:
  webhook: shop
steps:
  - id: first
    uses: set
    with:
      received: "{{event.type}}"
`;

interface Starter {
  id: string;
  title: string;
  yaml: string;
}

const STARTERS: Starter[] = [
  { id: 'slack-notification', title: 'Slack notification', yaml: slackNotification },
  { id: 'signed-webhook', title: 'Signed outbound webhook', yaml: signedWebhook },
  { id: 'github-to-slack', title: 'GitHub → Slack', yaml: githubToSlack },
  { id: 'shipping-label', title: 'Shipping label + e-mail', yaml: shippingLabel },
  { id: 'blank', title: 'Blank', yaml: BLANK },
];

const NAME = /^[a-z0-9_-]{1,64}$/;

/** The first comment lines of a starter say what it does. */
function aboutOf(yaml: string): string {
  const lines = yaml.split('\n').filter((line) => line.startsWith('#'));
  return lines.map((line) => line.replace(/^#\s?/, '')).join(' ');
}

/** `/workflows/new`: a name and a starting point; the editor opens on that text, saved only on Save. */
export function StarterChooser({ onStart }: { onStart: (yaml: string) => void }) {
  const [starter, setStarter] = useState(STARTERS[0].id);
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string>();

  const start = (event: FormEvent) => {
    event.preventDefault();
    const chosen = name.trim();
    if (!NAME.test(chosen)) return setProblem('Use up to 64 lower-case letters, digits, - and _: it becomes the file name.');
    const template = STARTERS.find((candidate) => candidate.id === starter)!;
    onStart(setField(template.yaml, ['name'], chosen));
  };

  return (
    <>
      <PageHeader crumbs={<Link to="/workflows">Workflows</Link>} title="New workflow">
        Start from a template or a blank file; nothing is saved until you press Save.
      </PageHeader>
      <form className="card card__pad starter-form" onSubmit={start}>
        <label className="field">
          Name
          <input value={name} onChange={(event) => setName(event.target.value)} placeholder="notify-team" aria-invalid={problem ? true : undefined} autoFocus />
          {problem && <span className="field__error">{problem}</span>}
        </label>
        <fieldset className="starters">
          <legend>Start from</legend>
          {STARTERS.map((candidate) => (
            <label key={candidate.id} className={`starter${starter === candidate.id ? ' starter--chosen' : ''}`}>
              <input type="radio" name="starter" value={candidate.id} checked={starter === candidate.id} onChange={() => setStarter(candidate.id)} />
              <span className="starter__title">{candidate.title}</span>
              <span className="starter__about">{aboutOf(candidate.yaml)}</span>
            </label>
          ))}
        </fieldset>
        <div>
          <button type="submit" className="button button--primary">
            Start editing
          </button>
        </div>
      </form>
    </>
  );
}
