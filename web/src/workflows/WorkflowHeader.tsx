import type { ReactNode } from "react";
import { Link } from "../layout/Shell.tsx";

/** Title row of a workflow's pages, with the Editor / Runs switch. */
export function WorkflowHeader(props: {
  workflowId: string | null;
  tab: "editor" | "runs";
  title: ReactNode;
  children?: ReactNode;
}) {
  return (
    <div className="wf-header">
      <Link to="/workflows" className="back">
        ← Workflows
      </Link>
      <div className="wf-title">{props.title}</div>
      {props.workflowId && (
        <nav className="wf-tabs">
          <Link to={`/workflows/${props.workflowId}`} className={props.tab === "editor" ? "active" : ""}>
            Editor
          </Link>
          <Link to={`/workflows/${props.workflowId}/runs`} className={props.tab === "runs" ? "active" : ""}>
            Runs
          </Link>
        </nav>
      )}
      <div className="wf-actions">{props.children}</div>
    </div>
  );
}
