import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import type { DraftStep } from "../api/apiTypes.ts";
import { stepHandles } from "./workflowGraph.ts";

export type StepNodeData = {
  kind: "step" | "trigger";
  title: string;
  subtitle: string;
  summary: string;
  step?: DraftStep;
  errors: string[];
};
export type WorkflowNode = Node<StepNodeData, "wf">;

/**
 * One box per step (or the trigger). Each way out of a step is its own handle, named after the field it sets,
 * so dragging from "timeout" to a step sets `on_timeout`. Validation errors from the server show in red (a count and the first, on one line).
 */
export function StepNode({ data, selected, isConnectable }: NodeProps<WorkflowNode>) {
  const handles = data.step ? stepHandles(data.step) : [];
  const bad = data.errors.length > 0;
  return (
    <div
      className={`wf-node ${data.kind}${bad ? " has-error" : ""}${selected ? " selected" : ""}`}
      data-testid="wf-node"
      data-node={data.kind === "trigger" ? "trigger" : data.step?.id}
      data-invalid={bad ? "true" : undefined}
    >
      {data.kind === "step" && <Handle type="target" position={Position.Top} isConnectable={isConnectable} />}
      {/* Links that skip steps or go back enter from the side, so they run beside the column, not through it. */}
      {data.kind === "step" && (
        <Handle
          id="side"
          type="target"
          position={Position.Right}
          isConnectable={false}
          className="wf-side-handle"
        />
      )}
      <div className="wf-node-title">{data.title}</div>
      <div className="wf-node-sub">{data.subtitle}</div>
      {data.summary && <div className="wf-node-summary">{data.summary}</div>}
      {/* One line whatever the count, so the node keeps its size and doesn't cover the next one; the step's form
          lists every error in full (and the tooltip here does). */}
      {bad && (
        <div className="wf-node-errors" data-testid="node-errors" title={data.errors.join("\n")}>
          <span className="wf-error-count">
            {data.errors.length} error{data.errors.length > 1 ? "s" : ""}
          </span>{" "}
          {data.errors[0]}
        </div>
      )}
      {handles.map((h, i) => (
        <Handle
          key={h.field}
          id={h.field}
          type="source"
          position={Position.Bottom}
          isConnectable={isConnectable}
          style={{ left: `${((i + 1) / (handles.length + 1)) * 100}%` }}
          title={h.label || "next"}
        >
          {h.label && <span className="wf-handle-label">{h.label}</span>}
        </Handle>
      ))}
      {data.kind === "trigger" && <Handle type="source" position={Position.Bottom} isConnectable={false} />}
    </div>
  );
}
