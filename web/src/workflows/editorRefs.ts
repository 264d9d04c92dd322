import { useQuery } from "@tanstack/react-query";
import { api } from "../api/api.ts";
import type { Category, Channel, User, WorkflowListItem } from "../api/apiTypes.ts";

/** The workspace's names a definition may refer to, for the forms' pickers. */
export interface EditorRefs {
  categories: Category[];
  channels: Channel[];
  users: User[];
  workflows: WorkflowListItem[];
}

export function useEditorRefs(): EditorRefs {
  const categories = useQuery({
    queryKey: ["categories"],
    queryFn: () => api<{ data: Category[] }>("GET", "/api/v1/conversation-categories"),
  });
  const channels = useQuery({
    queryKey: ["channels"],
    queryFn: () => api<{ data: Channel[] }>("GET", "/api/v1/channels"),
  });
  const users = useQuery({
    queryKey: ["users"],
    queryFn: () => api<{ data: User[] }>("GET", "/api/v1/users"),
  });
  const workflows = useQuery({
    queryKey: ["workflows"],
    queryFn: () => api<{ data: WorkflowListItem[] }>("GET", "/api/v1/workflows"),
  });
  return {
    categories: categories.data?.data ?? [],
    channels: channels.data?.data ?? [],
    users: users.data?.data ?? [],
    workflows: workflows.data?.data ?? [],
  };
}
