import type { ClientKeyInfo } from '../../../coordinator/client-keys';
import { Csrf, Layout, type Viewer, when } from '../layout';

/** Client keys: list with scopes; issue (the secret shown once) and revoke for operators. */
export function KeysPage(props: {
  viewer: Viewer;
  environment: string;
  keys: ClientKeyInfo[];
  canOperate: boolean;
  isProtected: boolean;
  issued?: string;
  error?: string;
}) {
  const base = `/ui/env/${encodeURIComponent(props.environment)}/keys`;
  const confirm = props.isProtected ? (
    <label>
      Type “{props.environment}” to confirm <input name="confirm" autocomplete="off" />
    </label>
  ) : null;
  return (
    <Layout title={`Client keys · ${props.environment}`} viewer={props.viewer}>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      {props.issued ? (
        <p role="status">
          New key (shown once, copy it now): <code>{props.issued}</code>
        </p>
      ) : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">By</th>
            {props.canOperate ? <th scope="col">Revoke</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.keys.map((k) => (
            <tr>
              <td>{k.name}</td>
              <td>{k.scopes.join(', ')}</td>
              <td>{when(k.createdAt)}</td>
              <td>{k.createdBy}</td>
              {props.canOperate ? (
                <td>
                  <form method="post" action={`${base}/${encodeURIComponent(k.name)}/revoke`} class="inline">
                    <Csrf viewer={props.viewer} />
                    {confirm}
                    <button type="submit" class="danger">
                      Revoke {k.name}
                    </button>
                  </form>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {props.canOperate ? (
        <form method="post" action={base} class="inline">
          <Csrf viewer={props.viewer} />
          <label>
            New key name <input name="name" required pattern="[A-Za-z0-9._\-]{1,64}" />
          </label>
          {confirm}
          <button type="submit">Issue key</button>
        </form>
      ) : null}
    </Layout>
  );
}
