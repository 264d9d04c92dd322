import { useQueryClient } from "@tanstack/react-query";
import type { MouseEvent, ReactNode } from "react";
import { api, setCsrfToken } from "../api/api.ts";
import type { Me } from "../api/apiTypes.ts";
import { navigate } from "../api/useRoute.ts";

const NAV = [
  { to: "/inbox", label: "Inbox", admin: false },
  { to: "/simulate", label: "Simulator", admin: false },
  { to: "/workflows", label: "Workflows", admin: false },
  { to: "/reports", label: "Reports", admin: false },
  { to: "/settings", label: "Settings", admin: true },
];

/** Link that navigates in-app (and still works with a middle click). */
export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const click = (e: MouseEvent) => {
    if (e.metaKey || e.ctrlKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={click} className={className}>
      {children}
    </a>
  );
}

/** Header with the brand, navigation (Settings only for admins), the live indicator and sign-out. */
export function Shell(props: { me: Me; brand: string; live: boolean; path: string; children: ReactNode }) {
  const client = useQueryClient();
  const isAdmin = props.me.role !== "agent";
  async function signOut() {
    await api("POST", "/api/v1/auth/logout");
    setCsrfToken(null);
    client.setQueryData(["me"], null);
    navigate("/");
  }
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand" data-testid="brand">
          {props.brand}
        </span>
        <nav>
          {NAV.filter((n) => isAdmin || !n.admin).map((n) => (
            <Link
              key={n.to}
              to={n.to}
              className={
                props.path.startsWith(n.to) || (n.to === "/inbox" && props.path === "/") ? "active" : ""
              }
            >
              {n.label}
            </Link>
          ))}
        </nav>
        <span className={props.live ? "live on" : "live"} title={props.live ? "Live" : "Reconnecting…"}>
          ●
        </span>
        <Link to="/account" className="who">
          {props.me.user?.name} <small>({props.me.role})</small>
        </Link>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <div className="content">{props.children}</div>
    </div>
  );
}
