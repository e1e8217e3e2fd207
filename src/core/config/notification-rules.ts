import type { EnvironmentSpec, RollgateConfig } from '../schema/config';
import { NOTIFICATION_BOUNDS, type Notification } from '../schema/notifications';
import { pointer } from '../json-pointer';
import type { ConfigIssue } from './issues';
import { webhookUrlProblem } from './public-url';

/** The rules of an environment's notifications beyond their schema: how many, unique names, callable URLs. */
export function notificationIssues(spec: Exclude<EnvironmentSpec, string>, index: number): ConfigIssue[] {
  const list = spec.notifications ?? [];
  const issues: ConfigIssue[] = [];
  if (list.length > NOTIFICATION_BOUNDS.perEnvironment) {
    issues.push({
      path: pointer('environments', index, 'notifications'),
      message: `at most ${NOTIFICATION_BOUNDS.perEnvironment} notifications per environment`,
    });
  }
  const names = new Set<string>();
  list.forEach((n, j) => {
    if (names.has(n.name)) issues.push({ path: pointer('environments', index, 'notifications', j, 'name'), message: `duplicate notification "${n.name}"` });
    names.add(n.name);
    const problem = webhookUrlProblem(n.url);
    if (problem)
      issues.push({ path: pointer('environments', index, 'notifications', j, 'url'), message: `notifications call https URLs of public hosts: ${problem}` });
  });
  return issues;
}

/** The notifications of one environment of a config (none for a bare-name environment). */
export function notificationsOf(config: Pick<RollgateConfig, 'environments'>, environment: string): Notification[] {
  for (const spec of config.environments ?? []) {
    if (typeof spec !== 'string' && spec.name === environment) return spec.notifications ?? [];
  }
  return [];
}
