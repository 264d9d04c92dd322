import "@xyflow/react/dist/style.css";
import {
  Background,
  Controls,
  type Edge,
  type EdgeChange,
  MarkerType,
  type NodeChange,
  ReactFlow,
  type XYPosition,
} from "@xyflow/react";
import { useMemo, useState } from "react";
import type { WorkflowDraft } from "../api/apiTypes.ts";
import { StepNode, type WorkflowNode } from "./StepNode.tsx";
import { stepLabel, stepSummary, triggerLabel, triggerSummary } from "./stepCatalog.ts";
import { type NodeErrors, stepLanes, stepLinks } from "./workflowGraph.ts";

export type Selection = "trigger" | number;

interface Props {
  def: WorkflowDraft;
  errors: NodeErrors;
  selected: Selection | null;
  readOnly: boolean;
  onSelect: (s: Selection) => void;
  /** Sets the link `field` of step `from`. */
  onLink: (from: number, field: string, to: string) => void;
  /** Removes links (selected edges the user deleted), all in one change. */
  onUnlink: (links: { from: number; field: string }[]) => void;
  /** A node was dropped at `at`: its position is saved in the definition's layout (by step id, or `trigger`). */
  onPlace: (key: string, at: XYPosition) => void;
}

const nodeTypes = { wf: StepNode };
const ROW = 120;
const LANE = 300;

/**
 * The definition drawn as a graph. Nodes and edges are derived from the definition on every render — the
 * definition stays the one truth the YAML view and Save read. Positions come from its `layout` where a node was
 * placed, else from a simple top-down layout; a node being dragged follows the pointer until it is dropped.
 */
export default function WorkflowCanvas({
  def,
  errors,
  selected,
  readOnly,
  onSelect,
  onLink,
  onUnlink,
  onPlace,
}: Props) {
  const [moved, setMoved] = useState<Record<string, XYPosition>>({});
  // The selected edge (by id): edges are derived from the definition, so their selection is kept here.
  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const layout = def.layout;
  const nodes = useMemo<WorkflowNode[]>(() => {
    const lanes = stepLanes(def.steps);
    const trigger: WorkflowNode = {
      id: "trigger",
      type: "wf",
      position: moved.trigger ?? layout?.trigger ?? { x: 0, y: 0 },
      selected: selected === "trigger",
      deletable: false,
      ariaLabel: `Trigger: ${triggerLabel(def.trigger.type)}`,
      data: {
        kind: "trigger",
        title: triggerLabel(def.trigger.type),
        subtitle: "trigger",
        summary: triggerSummary(def.trigger),
        errors: errors.trigger,
      },
    };
    return [
      trigger,
      ...def.steps.map((s, i): WorkflowNode => {
        const id = `s${i}`;
        return {
          id,
          type: "wf",
          position: moved[id] ?? layout?.[s.id] ?? { x: (lanes[i] ?? 0) * LANE, y: (i + 1) * ROW },
          selected: selected === i,
          deletable: false,
          ariaLabel: `Step ${s.id}: ${s.name ?? stepLabel(s.type)}`,
          data: {
            kind: "step",
            step: s,
            title: s.name ?? stepLabel(s.type),
            subtitle: s.id,
            summary: stepSummary(s),
            errors: errors.steps.get(s.id) ?? [],
          },
        };
      }),
    ];
  }, [def, errors, selected, moved, layout]);

  const edges = useMemo<Edge[]>(() => {
    const lanes = stepLanes(def.steps);
    const index = new Map(def.steps.map((s, i) => [s.id, i]));
    const out: Edge[] = [];
    const first = def.steps[0];
    if (first)
      out.push({
        id: "trigger",
        source: "trigger",
        target: "s0",
        deletable: false,
        selectable: false,
        ariaLabel: `Link from the trigger to ${first.id}`,
      });
    for (const l of stepLinks(def.steps)) {
      const to = index.get(l.to);
      if (to === undefined) continue;
      const id = `s${l.from}:${l.field}`;
      const what = l.implicit
        ? [l.label, "the following step"].filter(Boolean).join(", ")
        : l.label || "next";
      out.push({
        id,
        source: `s${l.from}`,
        // A branch's fall-through (no `else`) leaves from its "else" handle: it has no "next" one.
        sourceHandle: def.steps[l.from]?.type === "branch" && l.field === "next" ? "else" : l.field,
        target: `s${to}`,
        targetHandle: to === l.from + 1 || lanes[to] !== lanes[l.from] ? undefined : "side",
        label: l.label || undefined,
        // Named by step ids (what the user sees on the nodes), not the canvas's internal node ids.
        ariaLabel: `Link from ${def.steps[l.from]?.id} to ${l.to} (${what})`,
        data: { from: l.from, field: l.field },
        // A fall-through to the following step isn't stored anywhere: there is nothing to delete.
        deletable: !readOnly && !l.implicit,
        selected: id === selectedEdge,
        type: "smoothstep",
        markerEnd: { type: MarkerType.ArrowClosed },
        animated: to <= l.from,
      });
    }
    return out;
  }, [def.steps, selectedEdge, readOnly]);

  const onEdgesChange = (changes: EdgeChange[]) => {
    for (const c of changes) {
      if (c.type !== "select") continue;
      if (c.selected) setSelectedEdge(c.id);
      else setSelectedEdge((cur) => (cur === c.id ? null : cur));
    }
  };

  const onNodesChange = (changes: NodeChange<WorkflowNode>[]) => {
    const next = { ...moved };
    let changed = false;
    for (const c of changes) {
      if (c.type !== "position") continue;
      const at = c.position ?? moved[c.id];
      if (c.dragging === false && at && !readOnly) {
        // Dropped: the position goes into the definition (saved with it); the local copy is no longer needed.
        const key = c.id === "trigger" ? "trigger" : def.steps[Number(c.id.slice(1))]?.id;
        if (key) onPlace(key, at);
        delete next[c.id];
        changed = true;
      } else if (c.position) {
        next[c.id] = c.position;
        changed = true;
      }
    }
    if (changed) setMoved(next);
  };

  return (
    <div className="wf-canvas" data-testid="canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeClick={(_, n) => {
          setSelectedEdge(null);
          onSelect(n.id === "trigger" ? "trigger" : Number(n.id.slice(1)));
        }}
        onPaneClick={() => setSelectedEdge(null)}
        edgesFocusable
        elementsSelectable
        nodesConnectable={!readOnly}
        nodesDraggable
        deleteKeyCode={readOnly ? null : ["Delete", "Backspace"]}
        onConnect={(c) => {
          if (!c.source.startsWith("s") || !c.target.startsWith("s")) return;
          const to = def.steps[Number(c.target.slice(1))]?.id;
          if (to) onLink(Number(c.source.slice(1)), c.sourceHandle ?? "next", to);
        }}
        onEdgesDelete={(deleted) => {
          const links = deleted.flatMap((e) => {
            const d = e.data as { from: number; field: string } | undefined;
            return d ? [d] : [];
          });
          setSelectedEdge(null);
          if (links.length && !readOnly) onUnlink(links);
        }}
        fitView
        fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
