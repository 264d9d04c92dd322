import "./workflows.css";
import { lazy, Suspense } from "react";
import type { Me } from "../api/apiTypes.ts";
import { useRoute } from "../api/useRoute.ts";
import { RunHistory } from "./RunHistory.tsx";
import { WorkflowList } from "./WorkflowList.tsx";

// The editor brings React Flow and the YAML parser: only the editor route pays for them.
const WorkflowEditor = lazy(() => import("./WorkflowEditor.tsx"));

/** /workflows, /workflows/new, /workflows/:id (editor) and /workflows/:id/runs?run=… */
export default function WorkflowsPage({ me }: { me: Me }) {
  const { path, search } = useRoute();
  const [, , id, sub] = path.split("/");
  if (!id) return <WorkflowList me={me} />;
  if (sub === "runs") return <RunHistory me={me} workflowId={id} runId={search.get("run")} />;
  // Not keyed by id: after the first save /workflows/new becomes /workflows/:id and the editor keeps its state.
  return (
    <Suspense fallback={<div className="splash">Loading editor…</div>}>
      <WorkflowEditor me={me} workflowId={id === "new" ? null : decodeURIComponent(id)} />
    </Suspense>
  );
}
