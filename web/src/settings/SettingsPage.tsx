import { useQuery } from "@tanstack/react-query";
import { ApiError, api } from "../api/api.ts";
import type { ApiKey, Me } from "../api/apiTypes.ts";
import { AccessSettings } from "./AccessSettings.tsx";
import { AutomationSettings } from "./AutomationSettings.tsx";
import { ChannelSettings } from "./ChannelSettings.tsx";
import { WorkspaceSettings } from "./WorkspaceSettings.tsx";

/**
 * Workspace administration. The server decides who may see it: the page asks for the API keys (an
 * admin-only read) and shows the server's refusal to anyone else, so the UI can't drift from the policy.
 */
export default function SettingsPage({ me }: { me: Me }) {
  const keys = useQuery({
    queryKey: ["api-keys"],
    queryFn: () => api<{ data: ApiKey[] }>("GET", "/api/v1/api-keys"),
  });
  if (keys.isPending) return <div className="splash">Loading…</div>;
  if (keys.error) {
    const refused = keys.error instanceof ApiError && keys.error.status === 403;
    return (
      <div className="placeholder" data-testid={refused ? "forbidden" : "error"}>
        <h2>{refused ? "Settings are for admins" : "Can't load settings"}</h2>
        <p>{keys.error.message}</p>
      </div>
    );
  }
  return (
    <div className="settings">
      <WorkspaceSettings />
      <AutomationSettings />
      <ChannelSettings brand={me.workspace.brand_name} />
      <AccessSettings me={me} keys={keys.data.data} />
    </div>
  );
}
